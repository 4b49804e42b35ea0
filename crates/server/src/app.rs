//! The application: every resource router under one state, the problem
//! fallback for unknown paths, and the problem finishing every response
//! passes. The cross-cutting HTTP layers (request ids, limits, idempotency,
//! metrics) are put around this router by [`crate::platform::wrap`]; see
//! [`crate::dev::spawn`].

use axum::{middleware, Router};

use crate::error;
use crate::routes;
use crate::state::AppState;

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
        .layer(middleware::from_fn(error::finish_problems))
        .with_state(state)
}
