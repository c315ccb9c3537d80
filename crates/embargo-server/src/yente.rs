//! yente-compatible endpoints, so OpenSanctions clients (nomenklatura's
//! `YenteEnricher`, yente's own Python and R snippets, Excel plug-ins) work
//! against Embargo unchanged: `POST /match/{dataset}`, `GET
//! /search/{dataset}`, `GET /entities/{id}`, `GET /catalog`, `GET
//! /algorithms`.
//!
//! Shapes follow yente's response models (`EntityMatchResponse`,
//! `EntityMatches`, `ScoredEntityResponse`, `SearchResponse`): results carry
//! `id, caption, schema, properties, datasets, score, match, features,
//! explanations`; `total` is `{value, relation}`. Extra fields yente does not
//! have (`review`, `explanation_text`) are additions clients ignore.
//!
//! Semantics kept from yente: `cutoff` (default 0.5) is the lowest score
//! returned, `threshold` (default Embargo's 0.80) decides `match`, `limit`
//! defaults to 5. The dataset `default` (or `all`, `sanctions`) means every
//! loaded list; any other name must be a loaded dataset.

use crate::auth::{Access, Caller};
use crate::error::{ApiError, ErrorBody};
use crate::ftm;
use crate::screen::screen_and_audit;
use crate::state::{blocking, Shared};
use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{Extension, Path, Query, State};
use axum::Json;
use embargo_app::types::{ScreenOptions, DEFAULT_THRESHOLD};
use embargo_app::Snapshot;
use embargo_app::{check_limit, parse_algorithm, Subject};
use embargo_model::{Country, EntityId, PartialDate};
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;
use std::sync::Arc;
use utoipa::{IntoParams, ToSchema};

/// yente's default `cutoff`.
const DEFAULT_CUTOFF: f64 = 0.5;
/// yente's default `limit`.
const DEFAULT_YENTE_LIMIT: usize = 5;

/// One entity to match, FtM-style (`schema` + `properties`).
#[derive(Clone, Debug, Deserialize, Serialize, ToSchema)]
pub struct EntityExample {
    #[serde(default)]
    pub id: Option<String>,
    /// FtM schema: `Person`, `Organization`, `Company`, `LegalEntity`, `Vessel`, `Airplane`.
    pub schema: String,
    /// FtM properties: `name`, `alias`, `birthDate`, `nationality`,
    /// `country`, `idNumber`, …; each a string or a list of strings.
    #[serde(default)]
    #[schema(value_type = Object)]
    pub properties: BTreeMap<String, Value>,
}

#[derive(Clone, Debug, Deserialize, Serialize, ToSchema)]
pub struct EntityMatchQuery {
    /// Queries by the caller's key; answered under the same keys.
    pub queries: BTreeMap<String, EntityExample>,
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct MatchParams {
    /// Most results per query (1–100, default 5).
    pub limit: Option<usize>,
    /// Score at which a result counts as a `match` (default 0.80).
    pub threshold: Option<f64>,
    /// Lowest score returned (default 0.5).
    pub cutoff: Option<f64>,
    /// `embargo`/`best` (default) or `ofac`; yente algorithm names map to `embargo`.
    pub algorithm: Option<String>,
    /// Accepted for compatibility and ignored: Embargo's matcher is always
    /// fuzzy. A string because Python clients send `False`/`True`, which a
    /// strict bool parser rejects (nomenklatura does).
    #[allow(dead_code)]
    pub fuzzy: Option<String>,
}

fn unit(field: &str, v: Option<f64>, default: f64) -> Result<f64, ApiError> {
    match v {
        None => Ok(default),
        Some(x) if x.is_finite() && (0.0..=1.0).contains(&x) => Ok(x),
        Some(x) => Err(ApiError::bad_request(format!(
            "`{field}`: {x} is not between 0 and 1"
        ))),
    }
}

/// The scalar values of one property (strings, numbers; nested lists flattened once).
fn values(v: &Value) -> Vec<String> {
    let one = |x: &Value| match x {
        Value::String(s) => Some(s.trim().to_string()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    };
    match v {
        Value::Array(xs) => xs
            .iter()
            .filter_map(one)
            .filter(|s| !s.is_empty())
            .collect(),
        other => one(other).into_iter().filter(|s| !s.is_empty()).collect(),
    }
}

const NAME_PROPS: &[&str] = &["name"];
const ALIAS_PROPS: &[&str] = &["alias", "weakAlias", "previousName", "abbreviation"];
const COUNTRY_PROPS: &[&str] = &[
    "country",
    "nationality",
    "citizenship",
    "jurisdiction",
    "mainCountry",
    "registrationCountry",
    "flag",
];
/// Identifier properties: the importer's own list, so an identifier a
/// client sends is one the importer keeps.
use embargo_model::ftm::ID_PROPS;

/// Longest accepted key of a `/match` query (it is echoed in errors and
/// written to the audit log as the screen's reference).
const MAX_KEY_BYTES: usize = 256;

/// Turns a yente example into a validated subject. Unparseable dates and
/// countries are dropped, as yente's FtM cleaning does; the echoed query
/// shows what was used.
fn subject_of(
    key: &str,
    ex: &EntityExample,
    opts: ScreenOptions,
) -> Result<(Subject, Value), ApiError> {
    let schema = ftm::parse_schema(ex.schema.trim()).ok_or_else(|| {
        ApiError::bad_request(format!(
            "`queries.{key}.schema`: {:?} cannot be screened; use Person, Organization, Company, LegalEntity, Vessel or Airplane",
            ex.schema
        ))
    })?;
    let get = |props: &[&str]| -> Vec<String> {
        props
            .iter()
            .filter_map(|p| ex.properties.get(*p))
            .flat_map(values)
            .collect()
    };
    let mut names = get(NAME_PROPS);
    if names.is_empty() {
        // yente combines name parts when no full name is given.
        let parts: Vec<String> = [
            "firstName",
            "secondName",
            "middleName",
            "fatherName",
            "lastName",
        ]
        .iter()
        .filter_map(|p| ex.properties.get(*p))
        .flat_map(values)
        .collect();
        if !parts.is_empty() {
            names.push(parts.join(" "));
        }
    }
    let mut aliases: Vec<String> = names.iter().skip(1).cloned().collect();
    aliases.extend(get(ALIAS_PROPS));
    aliases.truncate(20);
    let Some(name) = names.into_iter().next() else {
        return Err(ApiError::bad_request(format!(
            "`queries.{key}.properties.name`: a name is required"
        )));
    };
    let birth: Vec<PartialDate> = get(&["birthDate"])
        .iter()
        .filter_map(|d| PartialDate::parse_iso(d).ok())
        .collect();
    let mut countries: Vec<Country> = Vec::new();
    for c in get(COUNTRY_PROPS) {
        if let Some(c) = Country::parse(&c) {
            if !countries.contains(&c) {
                countries.push(c);
            }
        }
    }
    let mut identifiers = get(ID_PROPS);
    identifiers.dedup();
    identifiers.truncate(20);
    let req = crate::screen::ScreenRequest {
        id: Some(key.to_string()),
        name,
        aliases,
        schema: Some(ftm::schema_name(schema).to_string()),
        birth_date: birth.first().map(|d| d.to_string()),
        country: None,
        countries: countries.iter().map(|c| c.as_str().to_string()).collect(),
        identifiers,
        threshold: Some(opts.threshold),
        limit: Some(opts.limit),
        algorithm: Some(format!("{:?}", opts.algorithm).to_lowercase()),
        datasets: opts.datasets.clone(),
        // yente's lastName: the family-name role of those words.
        family_name: get(&["lastName"]).into_iter().next(),
        as_of: None,
    };
    let mut subject = req
        .validate()
        .map_err(|e| ApiError::bad_request(format!("`queries.{key}`: {}", e.message)))?;
    subject.api = Some("yente-match");
    // Every birth date counts, not just the first the native form takes.
    subject.query.birth_dates = birth.clone();
    let mut props = Map::new();
    props.insert("name".into(), json!([subject.query.name]));
    if !subject.query.aliases.is_empty() {
        props.insert("alias".into(), json!(subject.query.aliases));
    }
    if !birth.is_empty() {
        props.insert(
            "birthDate".into(),
            json!(birth.iter().map(|d| d.to_string()).collect::<Vec<_>>()),
        );
    }
    if !countries.is_empty() {
        props.insert(
            "country".into(),
            json!(countries
                .iter()
                .map(|c| c.as_str().to_lowercase())
                .collect::<Vec<_>>()),
        );
    }
    if !subject.query.identifiers.is_empty() {
        props.insert("idNumber".into(), json!(subject.query.identifiers));
    }
    let echo = json!({"id": ex.id, "schema": ftm::schema_name(schema), "properties": props});
    Ok((subject, echo))
}

/// Datasets filter for a yente dataset path segment.
fn datasets_for(snap: &Snapshot, dataset: &str) -> Result<Option<Vec<String>>, ApiError> {
    match dataset {
        "default" | "all" | "sanctions" | "embargo" => Ok(None),
        ds if snap.versions.iter().any(|v| v.dataset == ds) => Ok(Some(vec![ds.to_string()])),
        ds => Err(ApiError::not_found(format!(
            "dataset {ds:?} is not loaded; see GET /catalog (or use `default`)"
        ))),
    }
}

/// A scored result in yente's shape.
/// yente answers with one result per listed entity: a consolidated row
/// becomes its own record plus every other record of the subject, best
/// first.
fn per_record(hits: &[Value]) -> Vec<Value> {
    let mut out: Vec<Value> = Vec::with_capacity(hits.len());
    for h in hits {
        out.push(h.clone());
        let own = h.get("entity_id");
        for r in h
            .get("records")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            if r.get("entity_id") == own {
                continue;
            }
            // A record of the same party that was not a candidate itself
            // (the official Entity List record behind a Chinese name only
            // the pack spells) is that party: it takes the row's score, as
            // the decision engine's resolver does.
            let inherited = r.get("score").is_none_or(Value::is_null);
            let pick = |k: &str| {
                if inherited {
                    h[k].clone()
                } else {
                    r[k].clone()
                }
            };
            out.push(json!({
                "entity_id": r["entity_id"],
                "score": pick("score"),
                "matched_name": pick("matched_name"),
                "explanation": h.get("explanation"),
                "explanation_text": h.get("explanation_text"),
                "review": Value::Null,
            }));
        }
    }
    out.sort_by(|a, b| {
        let s = |v: &Value| v.get("score").and_then(Value::as_f64).unwrap_or(0.0);
        s(b).total_cmp(&s(a))
    });
    out
}

fn scored(snap: &Snapshot, hit: &Value, threshold: f64) -> Option<Value> {
    let id = hit.get("entity_id")?.as_str()?;
    let e = snap.matcher.get(&EntityId(id.to_string()))?;
    let score = hit.get("score").and_then(Value::as_f64).unwrap_or(0.0);
    let mut m = ftm::entity_json(e);
    m.insert("score".into(), json!(score));
    m.insert("match".into(), json!(score >= threshold));
    let ex = hit.get("explanation");
    let name_score = ex
        .and_then(|x| x.get("name_score"))
        .and_then(Value::as_f64)
        .unwrap_or(score);
    m.insert("features".into(), json!({"name_match": name_score}));
    let text = hit
        .get("explanation_text")
        .and_then(Value::as_str)
        .unwrap_or("");
    m.insert(
        "explanations".into(),
        json!({"name_match": {"score": name_score, "detail": text}}),
    );
    m.insert("token".into(), Value::Null);
    m.insert("last_seen".into(), Value::Null);
    m.insert("last_change".into(), Value::Null);
    if let Some(r) = hit.get("review").filter(|r| !r.is_null()) {
        m.insert("review".into(), r.clone());
    }
    if let Some(t) = hit.get("explanation_text") {
        m.insert("explanation_text".into(), t.clone());
    }
    Some(Value::Object(m))
}

/// `{"responses": {key: {status, results, total, query}}, "matcher", "limit"}`.
#[derive(Serialize, ToSchema)]
pub struct EntityMatchResponse {
    #[schema(value_type = Object)]
    pub responses: BTreeMap<String, Value>,
    #[schema(value_type = Object)]
    pub matcher: Value,
    pub limit: usize,
}

fn matcher_info(name: &str) -> Value {
    json!({
        "name": name,
        "description": "Embargo token-alignment matcher with cross-script romanisation, legal-form symbols and date/country/identifier qualifiers",
        "features": {"name_match": {"description": "aligned name-token similarity after qualifiers", "coefficient": 1.0, "url": ""}},
    })
}

/// Match entities, yente-style (role `screen`).
#[utoipa::path(post, path = "/match/{dataset}", tag = "yente",
    params(("dataset" = String, Path, description = "`default` for all loaded lists, or a dataset name", example = "default"), MatchParams),
    request_body = EntityMatchQuery,
    responses((status = 200, body = EntityMatchResponse), (status = 400, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 401, body = ErrorBody)),
    security(("api_key" = []), ("bearer" = [])))]
pub async fn match_entities(
    State(st): State<Shared>,
    Extension(caller): Extension<Caller>,
    Path(dataset): Path<String>,
    params: Result<Query<MatchParams>, QueryRejection>,
    body: Result<Json<EntityMatchQuery>, JsonRejection>,
) -> Result<Json<EntityMatchResponse>, ApiError> {
    caller.require(Access::Screen)?;
    let Query(p) = params?;
    let Json(q) = body?;
    let limit = check_limit(Some(p.limit.unwrap_or(DEFAULT_YENTE_LIMIT)))?;
    let threshold = unit("threshold", p.threshold, DEFAULT_THRESHOLD)?;
    let cutoff = unit("cutoff", p.cutoff, DEFAULT_CUTOFF)?;
    let algorithm = parse_algorithm(p.algorithm.as_deref())?;
    if q.queries.is_empty() {
        return Err(ApiError::bad_request("`queries`: no queries given"));
    }
    if q.queries.len() > st.cfg.max_batch {
        return Err(ApiError::too_large(format!(
            "`queries`: {} queries; at most {} per request",
            q.queries.len(),
            st.cfg.max_batch
        )));
    }
    let snap = st.app.snapshot();
    let datasets = datasets_for(&snap, &dataset)?;
    let opts = ScreenOptions {
        threshold: cutoff.min(threshold),
        limit,
        algorithm,
        datasets,
        ..Default::default()
    };
    let mut subjects = Vec::with_capacity(q.queries.len());
    if let Some(key) = q.queries.keys().find(|k| k.len() > MAX_KEY_BYTES) {
        return Err(ApiError::bad_request(format!(
            "`queries`: a query key of {} bytes is longer than {MAX_KEY_BYTES} bytes",
            key.len()
        )));
    }
    for (key, ex) in &q.queries {
        let (s, echo) = subject_of(key, ex, opts.clone())?;
        subjects.push((key.clone(), s, echo));
    }
    let st2 = st.clone();
    let responses = blocking("matching", move || {
        let mut out = BTreeMap::new();
        for (key, subject, echo) in subjects {
            let (hits, _seq) = screen_and_audit(&st2, &snap, &caller.name, &subject)?;
            let results: Vec<Value> = per_record(&hits)
                .iter()
                .take(subject.options.limit)
                .filter_map(|h| scored(&snap, h, threshold))
                .collect();
            out.insert(
                key,
                json!({
                    "status": 200,
                    "results": results,
                    "total": {"value": results.len(), "relation": "eq"},
                    "query": echo,
                }),
            );
        }
        Ok(out)
    })
    .await?;
    Ok(Json(EntityMatchResponse {
        responses,
        matcher: matcher_info(p.algorithm.as_deref().unwrap_or("embargo")),
        limit,
    }))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SearchParams {
    /// Text to search for in names.
    pub q: Option<String>,
    /// Restrict to one FtM schema.
    pub schema: Option<String>,
    /// Most results (1–100, default 10).
    pub limit: Option<usize>,
}

/// yente's `SearchResponse`.
#[derive(Serialize, ToSchema)]
pub struct SearchResponse {
    #[schema(value_type = Vec<Object>)]
    pub results: Vec<Value>,
    #[schema(value_type = Object)]
    pub total: Value,
    pub limit: usize,
    pub offset: usize,
    #[schema(value_type = Object)]
    pub facets: Value,
}

/// Search names, yente-style (role `screen`). Uses the matcher with a low
/// threshold; each search is written to the audit log like a screen.
#[utoipa::path(get, path = "/search/{dataset}", tag = "yente",
    params(("dataset" = String, Path, description = "`default` or a dataset name", example = "default"), SearchParams),
    responses((status = 200, body = SearchResponse), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("api_key" = []), ("bearer" = [])))]
pub async fn search(
    State(st): State<Shared>,
    Extension(caller): Extension<Caller>,
    Path(dataset): Path<String>,
    params: Result<Query<SearchParams>, QueryRejection>,
) -> Result<Json<SearchResponse>, ApiError> {
    caller.require(Access::Screen)?;
    let Query(p) = params?;
    let limit = check_limit(Some(p.limit.unwrap_or(10)))?;
    let q = p.q.unwrap_or_default();
    let snap = st.app.snapshot();
    let datasets = datasets_for(&snap, &dataset)?;
    // An unknown schema is refused even with no query: answering "no
    // results" would read as a search that found nothing.
    if let Some(s) = p.schema.as_deref() {
        embargo_app::parse_schema("schema", s)?;
    }
    if q.trim().is_empty() {
        return Ok(Json(SearchResponse {
            results: vec![],
            total: json!({"value": 0, "relation": "eq"}),
            limit,
            offset: 0,
            facets: json!({}),
        }));
    }
    let req = crate::screen::ScreenRequest {
        name: q,
        schema: p.schema,
        threshold: Some(DEFAULT_CUTOFF),
        limit: Some(limit),
        datasets,
        ..Default::default()
    };
    let mut subject = req.validate()?;
    subject.api = Some("yente-search");
    let st2 = st.clone();
    let snap2: Arc<Snapshot> = snap.clone();
    let results = blocking("searching", move || {
        let (hits, _) = screen_and_audit(&st2, &snap2, &caller.name, &subject)?;
        Ok(per_record(&hits)
            .iter()
            .take(subject.options.limit)
            .filter_map(|h| {
                let id = h.get("entity_id")?.as_str()?;
                snap2.matcher.get(&EntityId(id.to_string())).map(|e| {
                    let mut m = ftm::entity_json(e);
                    m.insert(
                        "score".into(),
                        h.get("score").cloned().unwrap_or(Value::Null),
                    );
                    Value::Object(m)
                })
            })
            .collect::<Vec<_>>())
    })
    .await?;
    Ok(Json(SearchResponse {
        total: json!({"value": results.len(), "relation": "eq"}),
        results,
        limit,
        offset: 0,
        facets: json!({}),
    }))
}

/// One entity in FtM form, yente-style (role `screen`).
#[utoipa::path(get, path = "/entities/{id}", tag = "yente",
    params(("id" = String, Path, description = "Entity id", example = "embargo_xinjiang_pack:el-hikvision")),
    responses((status = 200, description = "yente EntityResponse", body = Object), (status = 404, body = ErrorBody)),
    security(("api_key" = []), ("bearer" = [])))]
pub async fn entity(
    State(st): State<Shared>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    caller.require(Access::Screen)?;
    let snap = st.app.snapshot();
    let e = snap
        .matcher
        .get(&EntityId(id.clone()))
        .ok_or_else(|| ApiError::not_found(format!("no entity {id} in the loaded lists")))?;
    Ok(Json(Value::Object(ftm::entity_json(e))))
}

/// The loaded datasets, yente-style (role `screen`).
#[utoipa::path(get, path = "/catalog", tag = "yente",
    responses((status = 200, description = "`{datasets: [...], current, outdated, index_stale}`", body = Object)),
    security(("api_key" = []), ("bearer" = [])))]
pub async fn catalog(
    State(st): State<Shared>,
    Extension(caller): Extension<Caller>,
) -> Result<Json<Value>, ApiError> {
    caller.require(Access::Screen)?;
    let snap = st.app.snapshot();
    let mut datasets: Vec<Value> = snap
        .versions
        .iter()
        .map(|v| {
            json!({
                "name": v.dataset,
                "title": v.dataset,
                "type": "source",
                "version": v.version,
                "entity_count": v.entity_count,
                "updated_at": v.imported_at.to_rfc3339(),
                "last_export": v.published.map(|d| d.to_string()),
                "load": true,
                "children": [],
            })
        })
        .collect();
    let names: Vec<String> = snap.versions.iter().map(|v| v.dataset.clone()).collect();
    datasets.push(json!({
        "name": "default", "title": "All loaded lists", "type": "collection",
        "load": false, "children": names, "entity_count": snap.versions.iter().map(|v| v.entity_count).sum::<u64>(),
        "updated_at": snap.loaded_at.to_rfc3339(),
    }));
    Ok(Json(json!({
        "datasets": datasets,
        "current": snap.version_labels(),
        "outdated": [],
        "index_stale": false,
    })))
}

/// Matching algorithms, yente-style (role `screen`).
#[utoipa::path(get, path = "/algorithms", tag = "yente",
    responses((status = 200, description = "`{algorithms: [{name, description, features}], default, best}`", body = Object)),
    security(("api_key" = []), ("bearer" = [])))]
pub async fn algorithms(Extension(caller): Extension<Caller>) -> Result<Json<Value>, ApiError> {
    caller.require(Access::Screen)?;
    Ok(Json(json!({
        "algorithms": [
            matcher_info("embargo"),
            {"name": "ofac", "description": "Reproduction of OFAC Sanctions List Search scoring (Jaro-Winkler and Soundex), for parity with OFAC's tool", "features": {}},
        ],
        "default": "embargo",
        "best": "embargo",
    })))
}
