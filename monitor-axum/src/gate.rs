//! The gate every authenticated request passes: who is asking (a
//! [`MonitorAuth`] token) and whether that token is within its rate limit.
//!
//! Rate limits are per configured token (not per role, not per address), so
//! the number of limiters is fixed by the configuration and cannot be grown
//! by callers. Limiting uses `governor`'s GCRA: a steady rate with bursts of
//! the same size, one atomic per token.

use std::sync::atomic::{AtomicU64, Ordering};

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, header};
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultDirectRateLimiter, Quota, RateLimiter};

use crate::{ApiError, AppState, MonitorAuth, Role};

/// Authentication, rate limits and what they turned away.
pub(crate) struct Gate {
    auth: MonitorAuth,
    /// One per configured token, same order; empty when limits are off.
    limiters: Vec<DefaultDirectRateLimiter>,
    clock: DefaultClock,
    rejected: Rejections,
}

/// Requests refused before any handler ran, by reason.
#[derive(Default)]
struct Rejections {
    unauthorized: AtomicU64,
    rate_limited: AtomicU64,
    too_large: AtomicU64,
}

impl Gate {
    pub(crate) fn new(auth: MonitorAuth) -> Self {
        let limiters = match auth.rate_limit_per_second() {
            None => Vec::new(),
            Some(rate) => (0..auth.token_count())
                .map(|_| RateLimiter::direct(Quota::per_second(rate)))
                .collect(),
        };
        Gate {
            auth,
            limiters,
            clock: DefaultClock::default(),
            rejected: Rejections::default(),
        }
    }

    pub(crate) fn auth(&self) -> &MonitorAuth {
        &self.auth
    }

    /// The caller's role: 401 without a known bearer token, 429 past the
    /// token's rate.
    pub(crate) fn admit(&self, headers: &HeaderMap) -> Result<Role, ApiError> {
        let Some((index, role)) = bearer(headers).and_then(|t| self.auth.identify(t)) else {
            self.rejected.unauthorized.fetch_add(1, Ordering::Relaxed);
            return Err(ApiError::unauthorized());
        };
        self.spend(index)?;
        Ok(role)
    }

    /// Counts a request of `token` against its rate limit, if it is a
    /// known token (429 past the limit); an unknown one is left for the
    /// caller to refuse (the WebSocket protocol closes it with 1008).
    pub(crate) fn charge(&self, token: &str) -> Result<(), ApiError> {
        match self.auth.identify(token) {
            Some((index, _)) => self.spend(index),
            None => Ok(()),
        }
    }

    /// One request of the token at `index`: 429 past its limit.
    fn spend(&self, index: usize) -> Result<(), ApiError> {
        if let Some(limiter) = self.limiters.get(index)
            && let Err(not_until) = limiter.check()
        {
            self.rejected.rate_limited.fetch_add(1, Ordering::Relaxed);
            return Err(ApiError::rate_limited(
                not_until.wait_time_from(self.clock.now()),
            ));
        }
        Ok(())
    }

    /// Like [`admit`](Self::admit) for routes that are public unless
    /// configured otherwise: always admitted when `public`.
    pub(crate) fn admit_if(&self, public: bool, headers: &HeaderMap) -> Result<(), ApiError> {
        if public {
            Ok(())
        } else {
            self.admit(headers).map(drop)
        }
    }

    pub(crate) fn count_too_large(&self) {
        self.rejected.too_large.fetch_add(1, Ordering::Relaxed);
    }

    /// Sets `monitor_api_rejected_total{reason}` on the `metrics` recorder.
    pub(crate) fn publish_metrics(&self) {
        metrics::describe_counter!(
            "monitor_api_rejected_total",
            "Requests to the monitor's API refused before a handler ran, by reason."
        );
        for (reason, count) in [
            ("unauthorized", &self.rejected.unauthorized),
            ("rate_limited", &self.rejected.rate_limited),
            ("too_large", &self.rejected.too_large),
        ] {
            metrics::counter!("monitor_api_rejected_total", "reason" => reason)
                .absolute(count.load(Ordering::Relaxed));
        }
    }
}

/// The authenticated caller of a handler: extracting it runs the gate.
pub(crate) struct Caller(pub(crate) Role);

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, app: &AppState) -> Result<Self, ApiError> {
        app.gate.admit(&parts.headers).map(Caller)
    }
}

/// The token of an `Authorization: Bearer` header, if there is a
/// non-empty one.
pub(crate) fn bearer(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    monitor_core::auth::bearer_token(value)
}
