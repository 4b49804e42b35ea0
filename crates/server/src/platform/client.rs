//! Who is calling, for the rate limit and for scoping idempotency keys: a
//! hash of the `Authorization` header when there is one, else the peer
//! address. Hashing keeps bearer secrets out of memory maps and databases.

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, Request};
use axum::http::header;
use sha2::{Digest, Sha256};

/// An opaque, stable name for the caller of one request.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ClientIdentity(pub String);

impl ClientIdentity {
    pub fn of(req: &Request) -> ClientIdentity {
        if let Some(credential) = req.headers().get(header::AUTHORIZATION) {
            let digest = Sha256::digest(credential.as_bytes());
            return ClientIdentity(format!("auth:{}", hex::encode(&digest[..16])));
        }

        match req.extensions().get::<ConnectInfo<SocketAddr>>() {
            Some(ConnectInfo(peer)) => ClientIdentity(format!("ip:{}", peer.ip())),
            // Served without connect info: all anonymous callers share one name.
            None => ClientIdentity("anonymous".to_string()),
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}
