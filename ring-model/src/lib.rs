//! Loom model checks of `monitor_core::RingBuffer`'s protocol, compiled
//! from the ring's own source files with its slot swapped for a loom model
//! (the `loom-model` switch in `monitor-core/src/ring/slot.rs`).
//!
//! A crate of its own so that `cargo test --workspace` runs the models
//! without building monitor-core a second time with a feature: only the
//! ring's three files and loom are compiled here. The models themselves
//! are in `monitor-core/src/ring/loom_tests.rs`.

// The ring's public API is reached only by the models.
#![allow(dead_code, unreachable_pub)]

#[path = "../../monitor-core/src/ring/mod.rs"]
mod ring;
