//! The per-client rate limit: a token bucket per caller that refills at
//! `rate_limit_per_sec` and holds twice that, answered `429 rate_limited`
//! with `Retry-After` when empty.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use apptctl_api::ErrorCode;
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;

use super::ClientIdentity;

/// Past this many tracked callers, idle (full) buckets are forgotten so the
/// map cannot grow without bound.
const MAX_TRACKED_CLIENTS: usize = 10_000;

pub(super) struct RateLimiter {
    per_sec: f64,
    burst: f64,
    buckets: Mutex<HashMap<ClientIdentity, Bucket>>,
}

#[derive(Debug, Clone, Copy)]
struct Bucket {
    tokens: f64,
    refilled_at: Instant,
}

impl RateLimiter {
    /// `per_sec == 0` turns the limit off.
    pub(super) fn new(per_sec: u32) -> RateLimiter {
        RateLimiter {
            per_sec: f64::from(per_sec),
            burst: f64::from(per_sec) * 2.0,
            buckets: Mutex::new(HashMap::new()),
        }
    }

    /// Takes one token for `client`; `Err(seconds)` says how long until
    /// one is available.
    fn take(&self, client: &ClientIdentity, now: Instant) -> Result<(), u64> {
        if self.per_sec <= 0.0 {
            return Ok(());
        }

        let mut buckets = self.buckets.lock().unwrap_or_else(|e| e.into_inner());
        if buckets.len() >= MAX_TRACKED_CLIENTS {
            self.forget_idle(&mut buckets, now);
        }

        let fresh = Bucket {
            tokens: self.burst,
            refilled_at: now,
        };
        let bucket = buckets.entry(client.clone()).or_insert(fresh);
        self.refill(bucket, now);

        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            return Ok(());
        }
        let wait = (1.0 - bucket.tokens) / self.per_sec;
        Err(wait.ceil().max(1.0) as u64)
    }

    fn refill(&self, bucket: &mut Bucket, now: Instant) {
        let elapsed = now
            .saturating_duration_since(bucket.refilled_at)
            .as_secs_f64();
        bucket.tokens = (bucket.tokens + elapsed * self.per_sec).min(self.burst);
        bucket.refilled_at = now;
    }

    fn forget_idle(&self, buckets: &mut HashMap<ClientIdentity, Bucket>, now: Instant) {
        buckets.retain(|_, bucket| {
            let mut bucket = *bucket;
            self.refill(&mut bucket, now);
            bucket.tokens < self.burst
        });
    }
}

pub(super) async fn limit_rate(
    State(limiter): State<Arc<RateLimiter>>,
    req: Request,
    next: Next,
) -> Response {
    let client = ClientIdentity::of(&req);
    match limiter.take(&client, Instant::now()) {
        Ok(()) => next.run(req).await,
        Err(seconds) => {
            tracing::debug!(client = client.as_str(), seconds, "rate limited");
            super::problem_retry_after(
                ErrorCode::RateLimited,
                "too many requests from this client",
                &format!("wait {seconds} s and retry, or lower the concurrency"),
                seconds,
                &super::request_id_of(&req),
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn bucket_allows_a_burst_then_refills() {
        let limiter = RateLimiter::new(2);
        let client = ClientIdentity("test".to_string());
        let start = Instant::now();

        for _ in 0..4 {
            assert!(limiter.take(&client, start).is_ok());
        }
        assert_eq!(limiter.take(&client, start), Err(1));

        let later = start + Duration::from_millis(600);
        assert!(limiter.take(&client, later).is_ok());
    }

    #[test]
    fn zero_turns_the_limit_off() {
        let limiter = RateLimiter::new(0);
        let client = ClientIdentity("test".to_string());
        for _ in 0..100 {
            assert!(limiter.take(&client, Instant::now()).is_ok());
        }
    }
}
