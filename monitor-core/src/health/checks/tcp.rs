//! [`TcpCheck`]: can a TCP connection be opened (a database port, a
//! broker)?

use std::time::Duration;

use tokio::net::TcpStream;

use super::timing;
use crate::health::{CheckFuture, CheckResult, HealthCheck};

/// Up when a TCP connection to `addr` opens, down when it is refused or
/// fails; degraded when opening it takes longer than
/// [`degraded_after`](Self::degraded_after). The connection is closed at
/// once. The runner's timeout bounds a connect that hangs.
///
/// ```
/// use monitor_core::health::{CheckOptions, Health, TcpCheck};
///
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// let health = Health::builder()
///     .check("postgres", TcpCheck::new("127.0.0.1:5432"), CheckOptions::required())
///     .spawn()
///     .expect("inside a tokio runtime");
/// # }
/// ```
#[derive(Clone, Debug)]
pub struct TcpCheck {
    addr: String,
    degraded_after: Option<Duration>,
}

impl TcpCheck {
    /// Connects to `addr`, a `host:port` (names are resolved each run).
    pub fn new(addr: impl Into<String>) -> Self {
        TcpCheck {
            addr: addr.into(),
            degraded_after: None,
        }
    }

    /// Reports degraded when connecting takes longer than `limit`.
    pub fn degraded_after(mut self, limit: Duration) -> Self {
        self.degraded_after = Some(limit);
        self
    }
}

impl HealthCheck for TcpCheck {
    fn check(&self) -> CheckFuture<'_> {
        Box::pin(async move {
            let started = tokio::time::Instant::now();
            match TcpStream::connect(self.addr.as_str()).await {
                Ok(stream) => {
                    drop(stream);
                    let (took, slow) = timing(started.elapsed(), self.degraded_after);
                    if slow {
                        CheckResult::degraded(format!("connected {took}"))
                    } else {
                        CheckResult::up(format!("connected {took}"))
                    }
                }
                Err(e) => CheckResult::down(format!("connect failed: {e}")),
            }
        })
    }
}
