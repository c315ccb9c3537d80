//! The OpenAPI 3.1 document served at `/openapi.json`, generated from the
//! handlers' `#[utoipa::path]` annotations and the request/response types,
//! so the document cannot drift from the code.

use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{ContentBuilder, Ref, RefOr, ResponseBuilder};
use utoipa::{Modify, OpenApi};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Embargo",
        description = "Sanctions and export-control screening. yente-compatible `/match`, `/search`, `/entities`, `/catalog`, `/algorithms`; native `/v1` API for screening, decisions, reviews, list versions and the audit log. Errors are `{\"error\": {\"code\", \"message\"}}`.",
        license(name = "Apache-2.0")
    ),
    paths(
        crate::meta::healthz,
        crate::meta::readyz,
        crate::yente::match_entities,
        crate::yente::search,
        crate::yente::entity,
        crate::yente::catalog,
        crate::yente::algorithms,
        crate::native::screen,
        crate::native::decide,
        crate::batch::batch,
        crate::native::lists,
        crate::native::versions,
        crate::native::diff,
        crate::native::entity,
        crate::review::record,
        crate::review::history,
        crate::native::audit_verify,
        crate::native::reload,
        crate::alerts::list,
        crate::alerts::one,
        crate::alerts::resolve,
        crate::report::screen,
        crate::report::decide,
    ),
    components(schemas(
        crate::error::ErrorBody,
        crate::error::ErrorDetail,
        crate::screen::ScreenRequest,
        embargo_app::ReviewMark,
        crate::native::ScreenResponse,
        crate::native::DecideResponse,
        crate::native::ListsResponse,
        crate::native::VersionsResponse,
        crate::review::ReviewRequest,
        crate::review::ReviewSubject,
        crate::review::ReviewResponse,
        embargo_app::SubjectReviews,
        embargo_app::ReviewHistoryEntry,
        crate::yente::EntityMatchQuery,
        crate::yente::EntityExample,
        crate::yente::EntityMatchResponse,
        crate::yente::SearchResponse,
        crate::meta::Health,
        embargo_app::Alert,
        embargo_app::AlertEvent,
        embargo_app::AlertRecord,
        crate::alerts::AlertsResponse,
        crate::alerts::ResolveRequest,
        crate::alerts::ResolveResponse,
    )),
    modifiers(&Security, &CommonErrors, &TransactionVocabulary),
    tags(
        (name = "yente", description = "Compatible with OpenSanctions yente clients"),
        (name = "native", description = "Embargo's own API"),
        (name = "meta", description = "Health and readiness"),
    )
)]
pub struct ApiDoc;

struct Security;

impl Modify for Security {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let c = openapi.components.get_or_insert_with(Default::default);
        c.add_security_scheme(
            "api_key",
            SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::new("X-API-Key"))),
        );
        c.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

/// The allowed values of every enumerated transaction field, written into
/// the `/v1/decide` request body's description from the rules engine's own
/// lists, so the document names exactly what the parser accepts.
struct TransactionVocabulary;

impl Modify for TransactionVocabulary {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let Some(body) = openapi
            .paths
            .paths
            .get_mut("/v1/decide")
            .and_then(|item| item.post.as_mut())
            .and_then(|op| op.request_body.as_mut())
        else {
            return;
        };
        let RefOr::T(body) = body else {
            return;
        };
        let mut text = body.description.clone().unwrap_or_default();
        text.push_str(
            "\n\nEnumerated fields accept only these values (an unknown value is a 400 naming the field and listing them):\n",
        );
        for (field, allowed) in embargo_app::transaction_vocabulary() {
            text.push_str(&format!("- `{field}`: {}\n", allowed.join(", ")));
        }
        body.description = Some(text);
    }
}

/// Errors any authenticated endpoint can answer with, whatever its own
/// annotations list: the middleware (401, 403, 429, 503 timeout), the body
/// extractors (400, 413, 415) and path lookups (404). Added to every
/// operation outside the `meta` tag so the document states every status
/// the server can send (schemathesis checks this).
struct CommonErrors;

const COMMON: &[(&str, &str)] = &[
    ("400", "Invalid request: the message names the field"),
    ("401", "Missing or invalid API key"),
    ("403", "The API key's role does not allow this"),
    ("404", "No such dataset, version or entity"),
    ("413", "Body or batch larger than the configured limit"),
    ("415", "Body is not `application/json`"),
    ("429", "Rate limit exceeded; see `Retry-After`"),
    ("503", "Request timed out"),
];

impl Modify for CommonErrors {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        for item in openapi.paths.paths.values_mut() {
            let ops = [
                item.get.as_mut(),
                item.post.as_mut(),
                item.put.as_mut(),
                item.delete.as_mut(),
            ];
            for op in ops.into_iter().flatten() {
                let is_meta = op
                    .tags
                    .as_ref()
                    .is_some_and(|t| t.iter().any(|t| t == "meta"));
                if is_meta {
                    continue;
                }
                for (code, desc) in COMMON {
                    op.responses
                        .responses
                        .entry(code.to_string())
                        .or_insert_with(|| {
                            RefOr::T(
                                ResponseBuilder::new()
                                    .description(*desc)
                                    .content(
                                        "application/json",
                                        ContentBuilder::new()
                                            .schema(Some(Ref::from_schema_name("ErrorBody")))
                                            .build(),
                                    )
                                    .build(),
                            )
                        });
                }
            }
        }
    }
}

/// The document `/openapi.json` serves: utoipa's, with the exact request
/// schemas of `schemas` (bodies and query parameters) in place of the
/// field types utoipa derives, and the datasets loaded now as the allowed
/// values of every dataset field and path segment. Dates a field must not
/// pass (a screen's `as_of`, a review's `expires`) are bounded by today.
pub fn document(app: &embargo_app::App, cfg: &crate::ServerConfig) -> serde_json::Value {
    use crate::schemas;
    use serde_json::{json, Value};
    let mut doc = serde_json::to_value(ApiDoc::openapi()).unwrap_or(Value::Null);
    let datasets: Vec<String> = app
        .snapshot()
        .versions
        .iter()
        .map(|v| v.dataset.clone())
        .collect();
    let today = chrono::Utc::now().date_naive();
    if let Some(s) = doc["components"]["schemas"].as_object_mut() {
        s.insert(
            "ScreenRequest".into(),
            schemas::screen_request(&datasets, today),
        );
        s.insert("ReviewRequest".into(), schemas::review_request(today, &[]));
        s.remove("ReviewSubject");
        s.insert("ResolveRequest".into(), schemas::resolve_request(today));
        s.insert(
            "EntityMatchQuery".into(),
            schemas::entity_match_query(cfg.max_batch),
        );
        s.remove("EntityExample");
        s.insert("Transaction".into(), embargo_app::transaction_schema());
    }
    for path in ["/v1/decide", "/v1/report/decide"] {
        let body = &mut doc["paths"][path]["post"]["requestBody"]["content"]["application/json"];
        if body.is_object() {
            body["schema"] = json!({"$ref": "#/components/schemas/Transaction"});
        }
    }
    let limit = json!({"type": "integer", "minimum": 1, "maximum": embargo_app::MAX_LIMIT});
    let unit = json!({"type": "number", "minimum": 0, "maximum": 1});
    // `alerts::alert_id`: a positive whole number.
    let alert_id = json!({"type": "integer", "minimum": 1, "maximum": i64::MAX});
    let params: Vec<(&str, &str, &str, Value)> = vec![
        (
            "/match/{dataset}",
            "post",
            "dataset",
            schemas::yente_dataset(&datasets),
        ),
        ("/match/{dataset}", "post", "limit", limit.clone()),
        ("/match/{dataset}", "post", "threshold", unit.clone()),
        ("/match/{dataset}", "post", "cutoff", unit.clone()),
        (
            "/match/{dataset}",
            "post",
            "algorithm",
            strip_null(schemas::algorithms()),
        ),
        (
            "/search/{dataset}",
            "get",
            "dataset",
            schemas::yente_dataset(&datasets),
        ),
        ("/search/{dataset}", "get", "limit", limit.clone()),
        ("/search/{dataset}", "get", "q", schemas::search_text()),
        (
            "/search/{dataset}",
            "get",
            "schema",
            strip_null(schemas::screen_schema_names()),
        ),
        (
            "/v1/lists/{source}/versions",
            "get",
            "source",
            schemas::list_dataset(&datasets),
        ),
        (
            "/v1/lists/{source}/diff",
            "get",
            "source",
            schemas::list_dataset(&datasets),
        ),
        ("/v1/reviews", "get", "name", schemas::required_name()),
        (
            "/v1/reviews",
            "get",
            "schema",
            strip_null(schemas::screen_schema_names()),
        ),
        (
            "/v1/reviews",
            "get",
            "birth_date",
            strip_null(schemas::partial_date()),
        ),
        (
            "/v1/reviews",
            "get",
            "country",
            strip_null(schemas::country(false)),
        ),
        ("/v1/alerts", "get", "state", schemas::alert_states()),
        ("/v1/alerts/{id}", "get", "id", alert_id.clone()),
        ("/v1/alerts/{id}/resolve", "post", "id", alert_id),
    ];
    for (path, method, name, schema) in params {
        set_param(&mut doc, path, method, name, schema);
    }
    doc
}

/// Replaces the schema of one parameter of one operation.
fn set_param(
    doc: &mut serde_json::Value,
    path: &str,
    method: &str,
    name: &str,
    schema: serde_json::Value,
) {
    let Some(list) = doc["paths"][path][method]["parameters"].as_array_mut() else {
        return;
    };
    for p in list {
        if p["name"] == name {
            p["schema"] = schema.clone();
        }
    }
}

/// A schema without `null` (a query parameter is text or absent).
fn strip_null(mut v: serde_json::Value) -> serde_json::Value {
    use serde_json::Value;
    if let Some(e) = v.get_mut("enum").and_then(Value::as_array_mut) {
        e.retain(|x| !x.is_null());
    }
    if let Some(t) = v.get_mut("type").and_then(Value::as_array_mut) {
        t.retain(|x| x != "null");
        if t.len() == 1 {
            let one = t[0].clone();
            v["type"] = one;
        }
    }
    v
}
