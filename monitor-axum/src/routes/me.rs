//! `GET /api/me`: who the presented token is, so a client (the dashboard)
//! can show what its role may do before it tries, e.g. offer "resolve"
//! only to admins. Says nothing about other tokens.

use axum::Json;
use serde::Serialize;

use crate::Role;
use crate::gate::Caller;

/// `{"role": "admin" | "monitor" | "client", "client_id": "acme" | null,
/// "can_resolve", "can_acknowledge", "sees_all"}`.
#[derive(Serialize)]
pub(crate) struct MeBody {
    role: &'static str,
    client_id: Option<String>,
    sees_all: bool,
    can_resolve: bool,
    can_acknowledge: bool,
}

pub(crate) async fn me(Caller(role): Caller) -> Json<MeBody> {
    Json(MeBody {
        role: match role {
            Role::Admin => "admin",
            Role::Monitor => "monitor",
            Role::Client(_) => "client",
        },
        client_id: role.tenant().map(str::to_owned),
        sees_all: role.sees_all(),
        can_resolve: role.is_admin(),
        can_acknowledge: !matches!(role, Role::Monitor),
    })
}
