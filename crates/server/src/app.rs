//! The application: every resource router under one state, the problem
//! fallback for unknown paths, and the layers every response passes.

use axum::extract::DefaultBodyLimit;
use axum::{middleware, Router};

use crate::error;
use crate::routes;
use crate::state::AppState;

/// Largest request body the handlers read: a full batch of record ids fits.
pub const MAX_BODY_BYTES: usize = 4 * 1024 * 1024;

pub fn app(state: AppState) -> Router {
    let mut router = Router::new()
        .merge(routes::sessions::router())
        .merge(routes::tokens::router())
        .merge(routes::records::router())
        .merge(routes::challenges::router())
        .merge(routes::slots::router())
        .merge(routes::journal::router());
    if state.clock.as_manual().is_some() {
        router = router.merge(routes::dev::router());
    }

    router
        .fallback(error::not_found)
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(middleware::from_fn(error::finish_problems))
        .with_state(state)
}
