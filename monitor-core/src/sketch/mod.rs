//! The two sketches behind the collector's hot path: a log-linear latency
//! histogram and a HyperLogLog for distinct users.
//!
//! Both are hand-written because the hot path needs what no crate offers:
//! recording with plain atomic loads and stores (no lock, no allocation, no
//! read-modify-write in the common case) into fixed memory shared by, or
//! sharded across, threads. Crates such as `hdrhistogram`,
//! `sketches-ddsketch` or `hyperloglogplus` need `&mut self` to record.

pub mod histogram;
pub mod hll;
mod state;

pub use histogram::{LatencyHistogram, ResponseTimes};
pub use hll::{HllRegisters, UserHash};
pub use state::{HistogramState, HllState, SketchStateError};
