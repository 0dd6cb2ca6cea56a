//! Invitations: a link to set a password, sent when an administrator adds someone (or gives an
//! existing staff member another portal). Queued in the caller's transaction, so the account and
//! its invitation exist together or not at all. Written in the invitee's language (their own,
//! else the portal's).

use sqlx::AnyConnection;

use super::emails::{self, Origin};
use super::links::{self, Purpose};
use super::sessions::Subject;
use crate::accounts::permissions::Role;
use crate::error::AppResult;
use crate::i18n::render_in;
use crate::outbox;
use crate::portals::{Portal, settings};
use crate::web::state::AppState;

/// Who is invited.
pub struct Invitee<'a> {
    pub name: &'a str,
    pub email: &'a str,
}

pub async fn queue_staff_invitation(
    state: &AppState,
    conn: &mut AnyConnection,
    staff_id: i64,
    who: Invitee<'_>,
    portal: &Portal,
    role: Role,
    had_account: bool,
) -> AppResult<()> {
    let token = links::issue(&mut *conn, Purpose::Invite, Subject::Staff(staff_id), Some(portal.id)).await?;
    let link = state.absolute(&format!("/manage/password/{token}"));
    let origin = Origin { portal_name: Some(&portal.name) };
    let sender = settings::load(&state.db, portal.id).await?.sender_name;
    let lang = emails::recipient_language(emails::staff_language(&mut *conn, staff_id).await?, Some(portal));
    let email = render_in(lang, || {
        emails::staff_invitation(who.name, &origin, &emails::role_words(role), &link, had_account).to(
            who.email,
            Some(portal.id),
            sender,
        )
    });
    outbox::enqueue_email(conn, &email).await?;
    Ok(())
}

pub async fn queue_customer_invitation(
    state: &AppState,
    conn: &mut AnyConnection,
    customer_id: i64,
    who: Invitee<'_>,
    portal: &Portal,
) -> AppResult<()> {
    let token = links::issue(&mut *conn, Purpose::Invite, Subject::Customer(customer_id), Some(portal.id)).await?;
    let link = format!("{}/password/{token}", state.portal_url(portal));
    let origin = Origin { portal_name: Some(&portal.name) };
    let sender = settings::load(&state.db, portal.id).await?.sender_name;
    let lang = emails::recipient_language(emails::customer_language(&mut *conn, customer_id).await?, Some(portal));
    let email = render_in(lang, || {
        emails::customer_invitation(who.name, &origin, &link).to(who.email, Some(portal.id), sender)
    });
    outbox::enqueue_email(conn, &email).await?;
    Ok(())
}
