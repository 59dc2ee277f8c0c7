//! GET /v1/auth/providers

use actix_web::{HttpResponse, web};
use serde::Serialize;

use crate::config::ProviderKind;
use crate::state::AppState;

#[derive(Serialize)]
struct ProviderView<'a> {
    name: &'a str,
    /// `oidc` or `github`.
    kind: &'static str,
    /// Relative to authd; the app adds `redirect_uri` and `code_challenge`.
    start_path: String,
}

/// The configured providers, for a UI to draw its buttons.
pub async fn list(state: web::Data<AppState>) -> HttpResponse {
    let views: Vec<ProviderView<'_>> = state
        .social
        .providers()
        .iter()
        .map(|p| ProviderView {
            name: &p.settings.name,
            kind: match p.settings.kind {
                ProviderKind::Oidc { .. } => "oidc",
                ProviderKind::Github { .. } => "github",
            },
            start_path: format!("/v1/auth/oauth/{}/start", p.settings.name),
        })
        .collect();
    HttpResponse::Ok().json(serde_json::json!({ "providers": views }))
}
