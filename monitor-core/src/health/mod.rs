//! Health: checks, heartbeats and thresholds on live metrics, folded into
//! one status.
