//! The OpenAPI 3.1 document served at `/openapi.json`, generated from the
//! handlers' `#[utoipa::path]` annotations and the request/response types,
//! so the document cannot drift from the code.

use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
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
        crate::native::audit_verify,
        crate::native::reload,
    ),
    components(schemas(
        crate::error::ErrorBody,
        crate::error::ErrorDetail,
        crate::screen::ScreenRequest,
        crate::screen::ReviewMark,
        crate::native::ScreenResponse,
        crate::native::DecideResponse,
        crate::native::ListsResponse,
        crate::native::VersionsResponse,
        crate::review::ReviewRequest,
        crate::review::ReviewSubject,
        crate::review::ReviewResponse,
        crate::yente::EntityMatchQuery,
        crate::yente::EntityExample,
        crate::yente::EntityMatchResponse,
        crate::yente::SearchResponse,
        crate::meta::Health,
    )),
    modifiers(&Security),
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
