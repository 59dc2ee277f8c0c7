//! The admin API (`/admin/v1/...`), on its own listener (`AUTHD_ADMIN_BIND`, off by default) so it can stay on
//! a private network; the public listener has no `/admin/` route at all. Every route needs an admin API key
//! (`authd admin-keys create`); changes need one with write rights.

mod actions;
mod caller;
mod change;
pub mod keys;
mod users;
mod views;

use actix_web::middleware::from_fn;
use actix_web::{FromRequest, Handler, Resource, Responder, Route, web};

use crate::routes::common::method_not_allowed;

/// Every (method, path) the admin listener answers (`openapi-admin.yaml` documents exactly these).
pub const ADMIN_ROUTES: &[(&str, &str)] = &[
    ("GET", "/admin/v1/users"),
    ("GET", "/admin/v1/users/{id}"),
    ("DELETE", "/admin/v1/users/{id}"),
    ("POST", "/admin/v1/users/{id}/disable"),
    ("POST", "/admin/v1/users/{id}/enable"),
    ("POST", "/admin/v1/users/{id}/logout"),
    ("PUT", "/admin/v1/users/{id}/roles"),
];

/// Registers the admin routes, all behind the key guard; another method on a known path is a 405.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/admin/v1/users")
            .route(guarded(web::get().to(users::list)))
            .default_service(method_not_allowed("GET")),
    )
    .service(
        web::resource("/admin/v1/users/{id}")
            .route(guarded(web::get().to(users::show)))
            .route(guarded(web::delete().to(actions::delete)))
            .default_service(method_not_allowed("GET, DELETE")),
    );
    cfg.service(post("/admin/v1/users/{id}/disable", actions::disable))
        .service(post("/admin/v1/users/{id}/enable", actions::enable))
        .service(post("/admin/v1/users/{id}/logout", actions::logout));
    cfg.service(
        web::resource("/admin/v1/users/{id}/roles")
            .route(guarded(web::put().to(actions::set_roles)))
            .default_service(method_not_allowed("PUT")),
    );
}

/// The route behind the admin key guard (on the route, so a wrong method is a 405, not a 401).
fn guarded(route: Route) -> Route {
    route.wrap(from_fn(caller::require_admin_key))
}

/// A POST-only resource.
fn post<F, Args>(path: &str, handler: F) -> Resource
where
    F: Handler<Args>,
    Args: FromRequest + 'static,
    F::Output: Responder + 'static,
{
    web::resource(path)
        .route(guarded(web::post().to(handler)))
        .default_service(method_not_allowed("POST"))
}
