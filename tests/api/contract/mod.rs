//! What every route promises at the HTTP edge, whatever the feature: the OpenAPI documents, malformed bodies,
//! property-based fuzzing, CORS, and the browser cookie mode.

mod browser;
mod cors;
mod malformed;
pub mod openapi;
mod properties;
