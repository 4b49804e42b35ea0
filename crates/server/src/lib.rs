//! The reference appointment service.
//!
//! A real HTTP server (axum on tokio) over embedded SQLite that enforces the
//! domain rules of SPEC §2. `apptctl server start-dev` runs it; the CLI's
//! tests, the benchmarks and anyone trying the tool talk to it.

pub mod app;
pub mod auth;
pub mod clock;
pub mod config;
pub mod dev;
pub mod domain;
pub mod error;
pub mod metrics;
pub mod openapi;
pub mod platform;
pub mod problem;
pub mod request_id;
pub mod routes;
pub mod seed;
pub mod state;
pub mod store;
