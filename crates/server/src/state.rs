//! The state every handler shares: the store, the clock and the rules.

use std::sync::Arc;

use chrono::{DateTime, Utc};

use crate::clock::Clock;
use crate::config::ServerConfig;
use crate::store::{OpContext, Store};

#[derive(Clone)]
pub struct AppState {
    pub store: Arc<dyn Store>,
    pub clock: Arc<dyn Clock>,
    pub config: Arc<ServerConfig>,
}

impl AppState {
    pub fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    /// The context a state-changing store operation runs in.
    pub fn op(&self, request_id: &crate::request_id::RequestId) -> OpContext {
        OpContext {
            request_id: request_id.as_str().to_string(),
            now: self.now(),
            config: self.config.clone(),
        }
    }
}
