//! The demo bot's parts, as a library so tests can drive them: its
//! settings ([`config`]), background traffic ([`sim`]), alert routing
//! ([`alerts`]) and stats line ([`report`]).

pub mod alerts;
pub mod config;
pub mod report;
pub mod sim;
