//! Running the server: health, metrics, startup and config checks, shutdown and restart, two instances on one
//! database, background pruning, database faults, and the documented settings table.

mod config_check;
mod db_faults;
mod health;
mod metrics;
mod pruning;
mod restart;
mod settings_table;
mod shutdown;
mod startup;
mod two_instances;
