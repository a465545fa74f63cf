//! The router's handlers, one file per family of routes.

pub(crate) mod actions;
pub(crate) mod activities;
pub(crate) mod analytics;
pub(crate) mod audit;
pub(crate) mod body;
pub(crate) mod dashboard;
pub(crate) mod errors;
pub(crate) mod events;
pub(crate) mod export;
pub(crate) mod health;
pub(crate) mod me;
pub(crate) mod metrics_api;
pub(crate) mod params;
pub(crate) mod prometheus;
pub(crate) mod queues;
pub(crate) mod segment;
pub(crate) mod silences;
pub(crate) mod snapshot;
pub(crate) mod stream;
pub(crate) mod summary;
pub(crate) mod ws;
