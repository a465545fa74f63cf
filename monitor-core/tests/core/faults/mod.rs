//! Fault injection (issue 8.3): sinks that are down, slow or throttling,
//! a snapshot directory that cannot be written or is full, a wall clock
//! jumping by hours. For each fault the same four questions: does
//! recording stay fast, is nothing promised lost, is every loss counted,
//! and does the monitor carry on.

mod clock;
mod sinks;
mod snapshot;
