//! The operator's side: the admin API (`api`) and the audit trail it and every change write.

mod api;
pub mod audit;
