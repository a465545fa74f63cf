//! The demo bot's parts, as a library so tests can drive them: its
//! settings ([`config`]).

pub mod config;
