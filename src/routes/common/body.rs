//! Request bodies: a JSON object, decoded into the route's type.

use std::future::Future;
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest, web};
use serde::de::DeserializeOwned;

use crate::error::ApiError;

/// A JSON object body as `T`. `web::Json<T>` alone would let serde build `T` from an array (`["a@b.co", "pw"]`),
/// which the contract refuses. Size limit, content type and syntax errors stay those of `json_config`.
pub struct JsonObject<T>(pub T);

impl<T: DeserializeOwned + 'static> FromRequest for JsonObject<T> {
    type Error = actix_web::Error;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let json = web::Json::<serde_json::Value>::from_request(req, payload);
        Box::pin(async move {
            let value = json.await?.into_inner();
            if !value.is_object() {
                return Err(
                    ApiError::InvalidRequest("the body must be a JSON object".into()).into(),
                );
            }
            serde_json::from_value(value)
                .map(JsonObject)
                .map_err(|e| ApiError::InvalidRequest(format!("invalid body: {e}")).into())
        })
    }
}
