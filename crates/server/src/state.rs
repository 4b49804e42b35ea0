//! The state every handler shares: the store, the clock and the rules.

use std::sync::Arc;

use chrono::{DateTime, SubsecRound, Utc};

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
    /// The clock's time to the whole second: the store keeps seconds, and an
    /// answer must not show a time the next read rounds differently.
    pub fn now(&self) -> DateTime<Utc> {
        let now = self.clock.now();
        now.trunc_subsecs(0)
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
