//! The native JSON API under `/v1`: screening, decisions, list versions and
//! diffs, entities, audit verification and list reload. Review decisions are
//! in `review.rs`, NDJSON batches in `batch.rs`.

use crate::auth::{Access, Caller};
use crate::error::{ApiError, ErrorBody};
use crate::screen::{screen_with_coverage, ScreenRequest};
use crate::state::{blocking, Shared};
use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, JsonRejection, QueryRejection};
use axum::extract::{Extension, Path, Query, State};
use axum::Json;
use embargo_app::FoundEntity;
use embargo_model::{EntityId, ListVersion};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use utoipa::{IntoParams, ToSchema};

/// Hits for one subject, with the list versions they were screened against.
#[derive(Serialize, ToSchema)]
pub struct ScreenResponse {
    /// The request as validated.
    #[schema(value_type = Object)]
    pub query: Value,
    /// `dataset@version` of every list in the snapshot used.
    pub list_versions: Vec<String>,
    /// Ranked hits: `entity_id, caption, schema, score, matched_name, source,
    /// programs, listed_on, license_requirement, license_policy,
    /// explanation, explanation_text, review`.
    #[schema(value_type = Vec<Object>)]
    pub results: Vec<Value>,
    /// Sequence number of the audit record of this screen.
    pub audit_seq: u64,
    /// Each list searched: `dataset, version, published, published_basis,
    /// entities`. A result is only as good as what was looked at.
    #[schema(value_type = Vec<Object>)]
    pub coverage: Value,
    /// What the result does not cover (e.g. only the embedded pack searched).
    pub notes: Vec<String>,
}

/// Screen one name (role `screen`).
#[utoipa::path(post, path = "/v1/screen", tag = "native", request_body = ScreenRequest,
    responses((status = 200, body = ScreenResponse), (status = 400, body = ErrorBody),
              (status = 401, body = ErrorBody), (status = 429, body = ErrorBody)),
    security(("api_key" = []), ("bearer" = [])))]
pub async fn screen(
    State(st): State<Shared>,
    Extension(caller): Extension<Caller>,
    body: Result<Json<ScreenRequest>, JsonRejection>,
) -> Result<Json<ScreenResponse>, ApiError> {
    caller.require(Access::Screen)?;
    let Json(req) = body?;
    let subject = req.validate()?;
    let echo = serde_json::to_value(&req).unwrap_or(Value::Null);
    let snap = st.app.snapshot();
    let st2 = st.clone();
    let (results, audit_seq, list_versions, coverage, notes) = blocking("screening", move || {
        let (results, seq, coverage, notes) =
            screen_with_coverage(&st2, &snap, &caller.name, &subject)?;
        Ok((results, seq, snap.version_labels(), coverage, notes))
    })
    .await?;
    Ok(Json(ScreenResponse {
        query: echo,
        list_versions,
        results,
        audit_seq,
        coverage,
        notes,
    }))
}

/// A decision on one transaction: the decision document every front end
/// answers with (`embargo decide --json`, the bus reply's `result`, the
/// Python package; docs/json.md), unwrapped. Documented here field by
/// field; `Decided::document` writes it.
#[derive(Serialize, ToSchema)]
pub struct DecideResponse {
    /// Random id of this decision (UUID v4).
    pub decision_id: String,
    /// The transaction date: the law and the lists as they stood that day.
    #[schema(value_type = String, format = Date)]
    pub evaluated_for: String,
    /// When the decision was made (RFC 3339, UTC).
    #[schema(value_type = String, format = DateTime)]
    pub evaluated_at: String,
    /// The transaction as parsed (codes canonical, currency upper-cased).
    #[schema(value_type = Object)]
    pub input: Value,
    /// Every list version the decision was checked against (`dataset@version`).
    pub list_versions: Vec<String>,
    /// One finding per measure and party: `measure, outcome, review_policy,
    /// citations, effective_dates, evidence, reasons, confidence, rule,
    /// action, duty_of, caveat`.
    #[schema(value_type = Vec<Object>)]
    pub findings: Vec<Value>,
    /// The stated ownership as a graph `{nodes, edges}`; absent when the
    /// transaction states none.
    #[schema(value_type = Option<Object>)]
    pub ownership: Option<Value>,
    /// Standing review decisions met while resolving the parties, and
    /// what each did.
    #[schema(value_type = Vec<Object>)]
    pub applied_reviews: Vec<Value>,
    /// The same decision as plain text (`embargo decide --explain`).
    pub decision_text: String,
    /// Sequence number of the audit record holding the decision.
    pub audit_seq: u64,
}

/// Decide one transaction (role `screen`). The body is a transaction in the
/// format of `rules/README.md` (or a whole case file with `transaction`).
#[utoipa::path(post, path = "/v1/decide", tag = "native",
    request_body(content = Object, description = "Transaction: date, flow, actor, destination, item, parties, …", content_type = "application/json"),
    responses((status = 200, body = DecideResponse), (status = 400, body = ErrorBody),
              (status = 401, body = ErrorBody)),
    security(("api_key" = []), ("bearer" = [])))]
pub async fn decide(
    State(st): State<Shared>,
    Extension(caller): Extension<Caller>,
    headers: axum::http::HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<Value>, ApiError> {
    caller.require(Access::Screen)?;
    let text = crate::media::transaction_text(&headers, body)?;
    let st2 = st.clone();
    blocking("deciding", move || {
        let decided = st2.app.decide(&caller.name, &text)?;
        Ok(Json(decided.document()))
    })
    .await
}

#[derive(Serialize, ToSchema)]
pub struct ListsResponse {
    /// When the current snapshot was built (RFC 3339).
    pub loaded_at: String,
    /// `dataset@version` labels, as written into audit records.
    pub labels: Vec<String>,
    /// Full metadata of each list version in the snapshot.
    #[schema(value_type = Vec<Object>)]
    pub versions: Vec<Value>,
}

/// The list versions screening currently uses (role `screen`).
#[utoipa::path(get, path = "/v1/lists", tag = "native",
    responses((status = 200, body = ListsResponse), (status = 401, body = ErrorBody)),
    security(("api_key" = []), ("bearer" = [])))]
pub async fn lists(
    State(st): State<Shared>,
    Extension(caller): Extension<Caller>,
) -> Result<Json<ListsResponse>, ApiError> {
    caller.require(Access::Screen)?;
    let snap = st.app.snapshot();
    Ok(Json(ListsResponse {
        loaded_at: snap.loaded_at.to_rfc3339(),
        labels: snap.version_labels(),
        versions: version_values(&snap.versions)?,
    }))
}

/// Serialises one of our own values for a response; failing to is a 500
/// that names `what` was being encoded.
fn encode<T: Serialize>(what: &'static str, v: &T) -> Result<Value, ApiError> {
    serde_json::to_value(v).map_err(|e| ApiError::internal(what, e))
}

/// List versions as the JSON objects `/v1/lists` and `/versions` return.
fn version_values(vs: &[ListVersion]) -> Result<Vec<Value>, ApiError> {
    vs.iter()
        .map(|v| encode("encoding list versions", v))
        .collect()
}

#[derive(Serialize, ToSchema)]
pub struct VersionsResponse {
    pub dataset: String,
    /// Every imported version, oldest first.
    #[schema(value_type = Vec<Object>)]
    pub versions: Vec<Value>,
}

/// Every stored version of one list (role `screen`).
#[utoipa::path(get, path = "/v1/lists/{source}/versions", tag = "native",
    params(("source" = String, Path, description = "Dataset name, e.g. us_ofac_sdn", example = "embargo_xinjiang_pack")),
    responses((status = 200, body = VersionsResponse), (status = 404, body = ErrorBody)),
    security(("api_key" = []), ("bearer" = [])))]
pub async fn versions(
    State(st): State<Shared>,
    Extension(caller): Extension<Caller>,
    Path(source): Path<String>,
) -> Result<Json<VersionsResponse>, ApiError> {
    caller.require(Access::Screen)?;
    let st2 = st.clone();
    blocking("listing versions", move || {
        let vs = st2.app.versions(&source)?;
        Ok(Json(VersionsResponse {
            dataset: source,
            versions: version_values(&vs)?,
        }))
    })
    .await
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DiffParams {
    /// Older version label; default: the one before `new`.
    pub old: Option<String>,
    /// Newer version label; default: the active version.
    pub new: Option<String>,
}

/// What changed between two versions of one list (role `screen`).
#[utoipa::path(get, path = "/v1/lists/{source}/diff", tag = "native",
    params(("source" = String, Path, description = "Dataset name", example = "embargo_xinjiang_pack"), DiffParams),
    responses((status = 200, description = "`{dataset, old, new, added, removed, changed}`", body = Object),
              (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("api_key" = []), ("bearer" = [])))]
pub async fn diff(
    State(st): State<Shared>,
    Extension(caller): Extension<Caller>,
    Path(source): Path<String>,
    params: Result<Query<DiffParams>, QueryRejection>,
) -> Result<Json<Value>, ApiError> {
    caller.require(Access::Screen)?;
    let Query(p) = params?;
    let st2 = st.clone();
    blocking("diffing list versions", move || {
        let d = st2.app.diff(&source, p.old.as_deref(), p.new.as_deref())?;
        encode("encoding a diff", &d).map(Json)
    })
    .await
}

/// One listed entity with every fact and citation (role `screen`).
#[utoipa::path(get, path = "/v1/entities/{id}", tag = "native",
    params(("id" = String, Path, description = "Entity id, e.g. us_trade_csl:abc…", example = "embargo_xinjiang_pack:el-hikvision")),
    responses((status = 200, description = "The entity in Embargo's model", body = Object),
              (status = 404, body = ErrorBody)),
    security(("api_key" = []), ("bearer" = [])))]
pub async fn entity(
    State(st): State<Shared>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    caller.require(Access::Screen)?;
    let id = EntityId(id);
    let snap = st.app.snapshot();
    let st2 = st.clone();
    blocking("reading an entity", move || {
        match st2.app.find_entity(&snap, &id)? {
            FoundEntity::Active(e) => encode("encoding an entity", e).map(Json),
            // Not in the active lists: an older version still holds it (a
            // delisted party an analyst wants to look at).
            FoundEntity::Stored { version, entity } => {
                let mut v = encode("encoding an entity", &entity)?;
                if let Value::Object(m) = &mut v {
                    m.insert("not_in_active_lists".into(), Value::Bool(true));
                    m.insert("list_version".into(), json!(version.version));
                }
                Ok(Json(v))
            }
        }
    })
    .await
}

/// Verify the audit log's hash chain (role `admin`).
#[utoipa::path(get, path = "/v1/audit/verify", tag = "native",
    responses((status = 200, description = "`{records, ok, first_bad, head}`", body = Object),
              (status = 403, body = ErrorBody)),
    security(("api_key" = []), ("bearer" = [])))]
pub async fn audit_verify(
    State(st): State<Shared>,
    Extension(caller): Extension<Caller>,
) -> Result<Json<Value>, ApiError> {
    caller.require(Access::Admin)?;
    let st2 = st.clone();
    blocking("verifying the audit log", move || {
        let r = st2
            .app
            .verify_audit()
            .map_err(|e| ApiError::internal("verifying the audit log", e))?;
        encode("encoding a report", &r).map(Json)
    })
    .await
}

/// Rebuild the snapshot from the store and swap it in atomically (role
/// `admin`). Screens running meanwhile finish on the old snapshot.
#[utoipa::path(post, path = "/v1/admin/reload", tag = "native",
    responses((status = 200, body = ListsResponse), (status = 403, body = ErrorBody)),
    security(("api_key" = []), ("bearer" = [])))]
pub async fn reload(
    State(st): State<Shared>,
    Extension(caller): Extension<Caller>,
) -> Result<Json<ListsResponse>, ApiError> {
    caller.require(Access::Admin)?;
    let st2 = st.clone();
    let actor = caller.name.clone();
    blocking("reloading lists", move || {
        st2.app
            .reload_as(&actor)
            .map_err(|e| ApiError::internal("reloading lists", e))?;
        tracing::info!(
            actor,
            lists = %st2.app.snapshot().version_labels().join(", "),
            "lists reloaded"
        );
        Ok(())
    })
    .await?;
    lists(State(st), Extension(caller)).await
}
