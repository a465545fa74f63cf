//! `/api/metrics`, `/api/metrics/current`, `/api/metrics/hourly`,
//! `/api/metrics/daily`.
//!
//! The collector counts messages for the whole host, not per tenant, so a
//! tenant token gets its own errors and activities and `null` where a
//! figure would be everyone's.

use std::time::SystemTime;

use axum::Json;
use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use monitor_core::clock::rfc3339;
use monitor_core::system::{DiskSpace, RuntimeFigures, SystemStats};
use monitor_core::trend::{Change, TrendBucket};
use serde::Serialize;

use super::params::{DAYS, HOURS, Params};
use crate::gate::Caller;
use crate::{ApiError, AppState, Role};

/// `GET /api/metrics`.
#[derive(Serialize)]
pub(crate) struct MetricsBody {
    #[serde(with = "rfc3339")]
    timestamp: SystemTime,
    uptime: u64,
    messages: Option<Messages>,
    users: Option<Users>,
    errors: Errors,
    system: System,
}

#[derive(Serialize)]
struct Messages {
    total: u64,
    last_hour: u64,
    last_24h: u64,
    avg_response_time: Option<f64>,
    p50: Option<f64>,
    p95: Option<f64>,
    p99: Option<f64>,
    /// Each figure against its previous window.
    change: MessagesChange,
}

#[derive(Serialize)]
struct MessagesChange {
    last_hour: Change,
    last_24h: Change,
    p95: Change,
}

#[derive(Serialize)]
struct Users {
    total: u64,
    active_today: u64,
    active_this_week: u64,
    active_now: u64,
    change: UsersChange,
}

#[derive(Serialize)]
struct UsersChange {
    active_now: Change,
    active_today: Change,
}

#[derive(Serialize)]
struct Errors {
    total: u64,
    last_hour: u64,
    error_rate_last_hour: Option<f64>,
    critical: u64,
    error: u64,
    warning: u64,
    info: u64,
    unresolved_groups: u64,
    /// Operators only: the rate is everyone's.
    change: Option<ErrorsChange>,
}

#[derive(Serialize)]
struct ErrorsChange {
    error_rate_last_hour: Change,
}

/// The process's resources, from the monitor's latest sample (taken by
/// its periodic task, never here). Operators only: a tenant gets every
/// field `null` (the figures are the host's, not its own).
#[derive(Serialize)]
struct System {
    memory_mb: Option<f64>,
    cpu_percent: Option<f64>,
    rss_bytes: Option<u64>,
    cpu_seconds_total: Option<f64>,
    open_fds: Option<u64>,
    disk: Option<DiskSpace>,
    tokio: Option<RuntimeFigures>,
    #[serde(with = "rfc3339::option")]
    sampled_at: Option<SystemTime>,
}

impl System {
    fn of(stats: Option<SystemStats>) -> Self {
        let s = stats.unwrap_or_default();
        System {
            memory_mb: s.memory_mb(),
            cpu_percent: s.cpu_percent,
            rss_bytes: s.rss_bytes,
            cpu_seconds_total: s.cpu_seconds_total,
            open_fds: s.open_fds,
            disk: s.disk,
            tokio: s.runtime,
            sampled_at: s.sampled_at,
        }
    }
}

/// `GET /api/metrics`, from the body cache (at most
/// [`RouterConfig::api_cache`](crate::RouterConfig::api_cache) old).
pub(crate) async fn metrics(
    State(app): State<AppState>,
    Caller(role): Caller,
) -> Result<Response, ApiError> {
    let body = app.api_cache.get_or_build(role.tenant(), || {
        serde_json::to_vec(&metrics_body(&app, &role))
            .map(Bytes::from)
            .map_err(|_| ApiError::internal())
    })?;
    Ok(([(header::CONTENT_TYPE, "application/json")], body).into_response())
}

fn metrics_body(app: &AppState, role: &Role) -> MetricsBody {
    let m = &app.monitor;
    let stats = m.collector().current_stats();
    let errors = match role.tenant() {
        None => m.errors().stats(m.collector()),
        Some(tenant) => m.errors().stats_for_client(tenant),
    };
    let everyone = role.sees_all();
    let changes = everyone.then(|| m.card_changes(&stats, errors.error_rate_last_hour));
    let c = changes.unwrap_or_default();
    let s = &stats.messages;
    MetricsBody {
        timestamp: stats.timestamp,
        uptime: stats.uptime_seconds,
        messages: everyone.then_some(Messages {
            total: s.total,
            last_hour: s.last_hour,
            last_24h: s.last_24h,
            avg_response_time: s.avg_response_time_ms,
            p50: s.p50_ms,
            p95: s.p95_ms,
            p99: s.p99_ms,
            change: MessagesChange {
                last_hour: c.messages_last_hour,
                last_24h: c.messages_last_24h,
                p95: c.p95,
            },
        }),
        users: everyone.then_some(Users {
            total: stats.users.total,
            active_today: stats.users.active_today,
            active_this_week: stats.users.active_this_week,
            active_now: stats.users.active_now,
            change: UsersChange {
                active_now: c.active_now,
                active_today: c.active_today,
            },
        }),
        errors: Errors {
            total: errors.by_severity.total(),
            last_hour: errors.last_hour,
            error_rate_last_hour: errors.error_rate_last_hour,
            critical: errors.by_severity.critical,
            error: errors.by_severity.error,
            warning: errors.by_severity.warning,
            info: errors.by_severity.info,
            unresolved_groups: errors.groups.open + errors.groups.regressed,
            change: changes.map(|c| ErrorsChange {
                error_rate_last_hour: c.error_rate_last_hour,
            }),
        },
        system: System::of(everyone.then(|| m.system())),
    }
}

/// `GET /api/metrics/current`.
#[derive(Serialize)]
pub(crate) struct CurrentBody {
    active_sessions_count: u64,
    avg_connection_quality: Option<f64>,
    error_rate_last_hour: Option<f64>,
    api_response_time_p95: Option<f64>,
    db_pool_active: Option<u64>,
    db_pool_size: Option<u64>,
    system_health: &'static str,
}

pub(crate) async fn current(
    State(app): State<AppState>,
    Caller(role): Caller,
) -> Result<Json<CurrentBody>, ApiError> {
    let m = &app.monitor;
    let active = |t: &monitor_core::activity::ActivityTracker| match role.tenant() {
        None => t.active().len() as u64,
        Some(c) => t.active_for(c).len() as u64,
    };
    let sessions: u64 = super::activities::session_trackers(m)
        .iter()
        .map(active)
        .sum();
    let everyone = role.sees_all();
    let stats = everyone.then(|| m.collector().current_stats());
    let pool = m.pool_stats();
    Ok(Json(CurrentBody {
        active_sessions_count: sessions,
        avg_connection_quality: m
            .activity_kind("call")
            .and_then(|t| quality_score(&t, role.tenant())),
        error_rate_last_hour: stats
            .as_ref()
            .and_then(|s| m.errors().error_rate_last_hour(s.messages.last_hour)),
        api_response_time_p95: stats.and_then(|s| s.messages.p95_ms),
        db_pool_active: pool.filter(|_| everyone).map(|p| p.active),
        db_pool_size: pool.filter(|_| everyone).map(|p| p.size),
        system_health: m.health().status().as_str(),
    }))
}

/// Mean connection quality of recent calls on a 1–4 scale (poor = 1,
/// fair = 2, good = 3, excellent = 4); `None` without rated calls.
fn quality_score(
    calls: &monitor_core::activity::ActivityTracker,
    tenant: Option<&str>,
) -> Option<f64> {
    let recent = match tenant {
        None => calls.recent(),
        Some(c) => calls.recent_for(c),
    };
    let scores: Vec<f64> = recent
        .iter()
        .filter_map(|a| match a.labels.get("quality").map(String::as_str) {
            Some("excellent") => Some(4.0),
            Some("good") => Some(3.0),
            Some("fair") => Some(2.0),
            Some("poor") => Some(1.0),
            _ => None,
        })
        .collect();
    (!scores.is_empty()).then(|| scores.iter().sum::<f64>() / scores.len() as f64)
}

/// `GET /api/metrics/hourly?hours=N` (1–168, default 24) and
/// `/daily?days=N` (1–30, default 7): operators only, as the series are
/// everyone's. Each bucket is the collector's with errors, error rate,
/// period-over-period changes and anomaly flags
/// ([`TrendBucket`](monitor_core::trend::TrendBucket)).
pub(crate) async fn hourly(
    State(app): State<AppState>,
    Caller(role): Caller,
    RawQuery(raw): RawQuery,
) -> Result<Json<Vec<TrendBucket>>, ApiError> {
    operators_only(&role)?;
    let n = Params::parse(raw.as_deref(), &["hours"])?.periods(HOURS)?;
    Ok(Json(app.monitor.hourly_trend(n)))
}

pub(crate) async fn daily(
    State(app): State<AppState>,
    Caller(role): Caller,
    RawQuery(raw): RawQuery,
) -> Result<Json<Vec<TrendBucket>>, ApiError> {
    operators_only(&role)?;
    let n = Params::parse(raw.as_deref(), &["days"])?.periods(DAYS)?;
    Ok(Json(app.monitor.daily_trend(n)))
}

/// 403 unless `role` sees every tenant: the figure is everyone's.
pub(crate) fn operators_only(role: &Role) -> Result<(), ApiError> {
    if role.sees_all() {
        Ok(())
    } else {
        Err(ApiError::forbidden("admin or monitor"))
    }
}
