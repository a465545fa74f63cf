//! monitor-core's behaviour tests, one binary: each test file used to be
//! its own binary, compiling and linking monitor-core and its dependencies
//! (tokio, reqwest, axum, proptest) again.
//!
//! Every test here shares the process, so none may install anything
//! process-wide: metrics recorders are local (`with_local_recorder`),
//! tracing subscribers scoped (`with_default`), and no test sets
//! environment variables. The tests that measure the whole process, the
//! allocation counter (`hot_path_no_alloc`, a global allocator) and RSS
//! (`memory_flat`), stay binaries of their own beside this directory.

mod support;

mod actions;
mod activities;
mod alertmanager;
mod alerts_http;
mod alerts_routing;
mod analytics;
mod audit;
mod bus;
mod collector_accuracy;
mod collector_windows;
mod email;
mod errors_log;
mod errors_tracing;
mod faults;
mod health;
mod monitor;
mod persistence;
mod prometheus;
mod queues;
mod replace;
mod summary;
mod system;
mod trend;
