//! The seam for database connection-pool figures (`db_pool_active`,
//! `db_pool_size` in `/api/metrics/current`).

use serde::{Deserialize, Serialize};

/// A connection pool's occupancy at one moment.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PoolFigures {
    /// Connections in use.
    pub active: u64,
    /// Connections open (in use or idle).
    pub size: u64,
}

/// Something that knows a pool's figures: the host's sqlx/deadpool/bb8
/// pool behind a small adapter. Called on request paths, so it must be
/// quick and never block.
///
/// Any `Fn() -> PoolFigures` is one:
///
/// ```
/// use monitor_core::health::{PoolFigures, PoolStats};
/// use std::sync::Arc;
///
/// let pool: Arc<dyn PoolStats> = Arc::new(|| PoolFigures { active: 3, size: 10 });
/// assert_eq!(pool.pool_stats().size, 10);
/// ```
pub trait PoolStats: Send + Sync + 'static {
    /// The figures now.
    fn pool_stats(&self) -> PoolFigures;
}

impl<F> PoolStats for F
where
    F: Fn() -> PoolFigures + Send + Sync + 'static,
{
    fn pool_stats(&self) -> PoolFigures {
        self()
    }
}
