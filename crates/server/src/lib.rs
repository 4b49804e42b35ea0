//! The reference appointment service.
//!
//! A real HTTP server (axum on tokio) over embedded SQLite or a shared
//! PostgreSQL database (see [`database`]) that enforces the
//! domain rules of SPEC §2. `apptctl server start-dev` runs it with demo data
//! (the CLI's tests, the benchmarks and anyone trying the tool talk to that),
//! `apptctl server start` in production.
//!
//! How it fits together:
//! - [`dev`] opens (and seeds, see [`seed`]) the database; [`production`]
//!   opens a migrated one without demo data. Both hand it to [`serve`], which
//!   builds the router with [`app::app`], wraps it in the [`platform`] layers
//!   and serves it with graceful shutdown.
//! - [`routes`] has one router per resource; handlers parse and check the
//!   request at the edge, take an [`auth::Actor`], and call the [`store`].
//! - [`domain`] holds the rules (cutoff, access, reasons, challenges, the
//!   status machine) as plain functions the store calls inside its
//!   transactions.
//! - [`store`] is the storage interface; [`store::sqlite`] and [`store::pg`]
//!   implement it. [`database::Database`] picks one from a path or a URL.
//! - [`error::ApiError`] is the one error type; every failure leaves as
//!   `application/problem+json` with a stable code, a hint and the request id.
//!
//! Tests: `cargo test -p apptctl-server` (HTTP tests against a real server on
//! a free port, in `tests/`). The million-record check is ignored by default:
//! `cargo test -p apptctl-server --test scale -- --ignored --nocapture`.

pub mod app;
pub mod auth;
pub mod clock;
pub mod config;
pub mod database;
pub mod dev;
pub mod domain;
pub mod error;
pub mod metrics;
pub mod openapi;
pub mod platform;
pub mod problem;
pub mod production;
pub mod request_id;
pub mod routes;
pub mod seed;
pub mod serve;
pub mod state;
pub mod store;
