//! Limits: HTTP-level resource bounds (`resources`), rate limits (in memory and in Redis), and failure ceilings
//! under parallel guesses.

pub mod attempts;
mod rate_limits;
mod redis_limits;
mod resources;
