//! Which ticket emails an agent wants, per portal: a small form on their management profile.
//! Every kind is on until they turn it off; a missing row means on.

use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use sqlx::{AnyConnection, Row};

use crate::auth::ManageUser;
use crate::db::Db;
use crate::error::AppResult;
use crate::i18n::t;
use crate::web::csrf::CsrfForm;
use crate::web::state::AppState;

/// A kind of ticket email an agent can turn off.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// A new ticket in one of their departments.
    NewTicket,
    /// A ticket assigned to them by someone else.
    Assigned,
    /// The customer replied on a ticket assigned to them.
    CustomerReply,
}

impl Kind {
    pub const ALL: [Kind; 3] = [Kind::NewTicket, Kind::Assigned, Kind::CustomerReply];

    /// As stored, and as the form's field name.
    pub fn code(self) -> &'static str {
        match self {
            Kind::NewTicket => "new_ticket",
            Kind::Assigned => "assigned",
            Kind::CustomerReply => "customer_reply",
        }
    }

    fn label(self) -> String {
        match self {
            Kind::NewTicket => t("ticket-email-prefs-new-ticket"),
            Kind::Assigned => t("ticket-email-prefs-assigned"),
            Kind::CustomerReply => t("ticket-email-prefs-customer-reply"),
        }
    }
}

/// The SQL condition "staff `s` has not turned off `kind` in portal `$1`" (`kind` is a code,
/// never input).
pub fn wants(kind: Kind) -> String {
    format!(
        "NOT EXISTS (SELECT 1 FROM staff_email_preferences ep WHERE ep.portal_id = $1 AND ep.staff_id = s.id \
         AND ep.kind = '{}' AND ep.enabled = 0)",
        kind.code()
    )
}

/// One checkbox of the profile's form.
pub struct PreferenceOption {
    pub code: &'static str,
    pub label: String,
    pub checked: bool,
}

/// The form's checkboxes for a staff member in a portal.
pub async fn options(db: &Db, portal_id: i64, staff_id: i64) -> Result<Vec<PreferenceOption>, sqlx::Error> {
    let rows =
        sqlx::query("SELECT kind FROM staff_email_preferences WHERE portal_id = $1 AND staff_id = $2 AND enabled = 0")
            .bind(portal_id)
            .bind(staff_id)
            .fetch_all(db.pool())
            .await?;
    let off = rows.iter().map(|r| r.try_get::<String, _>("kind")).collect::<Result<Vec<_>, _>>()?;
    Ok(Kind::ALL
        .into_iter()
        .map(|k| PreferenceOption { code: k.code(), label: k.label(), checked: !off.iter().any(|o| o == k.code()) })
        .collect())
}

async fn store(
    conn: &mut AnyConnection,
    portal_id: i64,
    staff_id: i64,
    kind: Kind,
    on: bool,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO staff_email_preferences (portal_id, staff_id, kind, enabled) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (portal_id, staff_id, kind) DO UPDATE SET enabled = excluded.enabled",
    )
    .bind(portal_id)
    .bind(staff_id)
    .bind(kind.code())
    .bind(on as i64)
    .execute(conn)
    .await?;
    Ok(())
}

/// The checkboxes: present means on (a browser sends nothing for an unticked box).
#[derive(Deserialize)]
pub struct PreferencesForm {
    #[serde(default)]
    new_ticket: Option<String>,
    #[serde(default)]
    assigned: Option<String>,
    #[serde(default)]
    customer_reply: Option<String>,
}

impl PreferencesForm {
    fn on(&self, kind: Kind) -> bool {
        match kind {
            Kind::NewTicket => self.new_ticket.is_some(),
            Kind::Assigned => self.assigned.is_some(),
            Kind::CustomerReply => self.customer_reply.is_some(),
        }
    }
}

/// Saves the form for the portal the staff member is working in, all kinds in one transaction.
pub async fn save(
    State(state): State<AppState>,
    user: ManageUser,
    CsrfForm(form): CsrfForm<PreferencesForm>,
) -> AppResult<Response> {
    let mut tx = state.db.writer().begin().await?;
    for kind in Kind::ALL {
        store(&mut tx, user.portal.id, user.staff.id, kind, form.on(kind)).await?;
    }
    tx.commit().await?;
    tracing::info!(staff_id = user.staff.id, portal_id = user.portal.id, "ticket email preferences saved");
    Ok(Redirect::to("/manage/profile?msg=saved#ticket-emails").into_response())
}
