//! The `apptctl` command-line tool as a library: the binary in `main.rs` is a
//! thin shell over it, and integration tests and tools (the
//! completions and man page generator) can reach the clap tree directly.

pub mod batch;
pub mod cli;
pub mod client;
pub mod cmd;
pub mod config;
pub mod context;
pub mod error;
pub mod output;
pub mod prompt;
