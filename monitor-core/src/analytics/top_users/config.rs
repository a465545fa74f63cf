//! [`TopUsersConfig`]: summary sizes and the tenant cap.

/// Largest capacity a summary may have (configured or restored).
pub const MAX_CAPACITY: usize = 16_384;
/// Most tenants a feed may be configured to keep.
pub const MAX_TENANTS: usize = 1_024;

/// Sizes of a [`TopUsers`](super::TopUsers) feed.
///
/// Worst-case memory is about `32 × (capacity + max_tenants ×
/// tenant_capacity)` counters of ~64 bytes with their indexes (24 hourly
/// and 8 daily summaries per scope), plus a label (~100 bytes: id, name,
/// tenant) for at most twice as many users: with the defaults, 32 × 2 560
/// counters, about 5 MiB, and up to 16 MiB of labels, reached only when
/// every summary of 32 tenants is full. Real use is far below: a summary
/// holds no more counters than its period had distinct users.
///
/// ```
/// use monitor_core::analytics::TopUsersConfig;
///
/// let c = TopUsersConfig::default().capacity(1_000).max_tenants(8);
/// assert_eq!((c.get_capacity(), c.get_tenant_capacity(), c.get_max_tenants()), (1_000, 64, 8));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TopUsersConfig {
    capacity: usize,
    tenant_capacity: usize,
    max_tenants: usize,
}

impl Default for TopUsersConfig {
    fn default() -> Self {
        TopUsersConfig {
            capacity: 512,
            tenant_capacity: 64,
            max_tenants: 32,
        }
    }
}

impl TopUsersConfig {
    /// Counters per summary of everyone's users (default 512, 1 to
    /// [`MAX_CAPACITY`]): the overcount bound is `N / capacity`.
    pub fn capacity(mut self, counters: usize) -> Self {
        self.capacity = counters.clamp(1, MAX_CAPACITY);
        self
    }

    /// Counters per summary of one tenant's users (default 64, 1 to
    /// [`MAX_CAPACITY`]).
    pub fn tenant_capacity(mut self, counters: usize) -> Self {
        self.tenant_capacity = counters.clamp(1, MAX_CAPACITY);
        self
    }

    /// Most tenants with a view of their own (default 32, 0 to
    /// [`MAX_TENANTS`]); a tenant's slot is freed once it has had no
    /// message for 7 days.
    pub fn max_tenants(mut self, tenants: usize) -> Self {
        self.max_tenants = tenants.min(MAX_TENANTS);
        self
    }

    /// Counters per summary of everyone's users.
    pub fn get_capacity(&self) -> usize {
        self.capacity
    }

    /// Counters per summary of one tenant's users.
    pub fn get_tenant_capacity(&self) -> usize {
        self.tenant_capacity
    }

    /// Most tenants with a view of their own.
    pub fn get_max_tenants(&self) -> usize {
        self.max_tenants
    }
}
