//! authd: a self-hostable authentication service that issues JWTs.

pub mod admin;
pub mod auth;
pub mod cli;
pub mod client_ip;
pub mod config;
pub mod cookies;
pub mod cors;
pub mod db;
pub mod deadline;
pub mod domain;
pub mod error;
pub mod keys;
pub mod metrics;
pub mod passwords;
pub mod pruning;
pub mod rate_limits;
pub mod recent_users;
pub mod revocations;
pub mod rotation;
pub mod routes;
pub mod shutdown;
pub mod startup;
pub mod state;
pub mod telemetry;
pub mod throttle;
pub mod tokens;
