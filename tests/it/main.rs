//! The one integration test binary: the real `apptctl` against a real dev
//! server on port 0. Each module covers one area.

mod support;

mod auth;
mod docs;
mod faults;
mod offline;
mod production;
mod records;
mod tty;

// The batch engine's areas (cancel, cancel-batch, retry, journal).
mod batch;
mod batch_support;
mod batch_tty;
mod cancel;
mod journal;
mod retry;

// Proof under faults, crashes, concurrency and attack (see RELIABILITY.md).
mod reliability;
mod reliability_support;
mod security;

// Two server instances on one PostgreSQL (needs APPTCTL_TEST_POSTGRES_URL;
// the support reaches into apptctl-server for throwaway databases).
#[cfg(feature = "server")]
mod multi_instance;
#[cfg(feature = "server")]
mod multi_support;
