//! Who may do what to whom among staff. A staff account is shared by every portal its owner
//! works in, so the rules come in two kinds:
//!
//! - **Account changes** (rename, disable, approve, send a set-password link, end every session)
//!   touch all of those portals: they need a system administrator, or someone who administers
//!   every portal the account works in. Nobody but a system administrator changes a system
//!   administrator.
//! - **Membership changes** (role, permissions and departments in the portal being worked in)
//!   stay in that portal, but nobody grants a role or permission they do not hold: only
//!   administrators change administrators or make new ones, and an agent who manages agents
//!   can give only the permissions they have themselves.

use std::collections::HashSet;

use crate::accounts::permissions::{Permission, Role};
use crate::accounts::staff::{self, Staff};
use crate::auth::ManageUser;
use crate::error::{AppError, AppResult};
use crate::i18n::{Msg, t};
use crate::web::state::AppState;

/// Whether `user` may change `target`'s account itself (see the module notes).
pub async fn may_change_account(state: &AppState, user: &ManageUser, target: &Staff) -> AppResult<()> {
    if user.staff.is_superadmin || target.id == user.staff.id {
        return Ok(());
    }
    if target.is_superadmin {
        return Err(system_administrator(target));
    }
    for (portal, _) in staff::memberships(&state.db, target.id).await? {
        if !user.memberships.iter().any(|(p, role)| p.id == portal.id && *role == Role::Admin) {
            return Err(AppError::forbidden(
                Msg::new("authority-also-works-elsewhere").arg("name", &target.name).arg("portal", &portal.name),
            ));
        }
    }
    Ok(())
}

/// Like `may_change_account`, as a yes or no (to choose what a page offers).
pub async fn has_account_power(state: &AppState, user: &ManageUser, target: &Staff) -> AppResult<bool> {
    match may_change_account(state, user, target).await {
        Ok(()) => Ok(true),
        Err(AppError::Forbidden(_)) => Ok(false),
        Err(e) => Err(e),
    }
}

fn system_administrator(target: &Staff) -> AppError {
    AppError::forbidden(Msg::new("authority-system-administrator").arg("name", &target.name))
}

/// A change of someone's place in the portal being worked in.
pub struct MembershipChange<'a> {
    pub target: &'a Staff,
    pub current_role: Role,
    pub current_permissions: &'a [Permission],
    pub new_role: Role,
    pub new_permissions: &'a [Permission],
}

/// Checks a membership change against the rules in the module notes.
pub fn may_change_membership(user: &ManageUser, change: &MembershipChange<'_>) -> AppResult<()> {
    if change.target.is_superadmin && !user.staff.is_superadmin {
        return Err(system_administrator(change.target));
    }
    if user.role == Role::Admin {
        return Ok(());
    }
    if change.current_role == Role::Admin || change.new_role == Role::Admin {
        return Err(only_administrators());
    }
    let before: HashSet<Permission> = change.current_permissions.iter().copied().collect();
    let after: HashSet<Permission> = change.new_permissions.iter().copied().collect();
    if let Some(p) = before.symmetric_difference(&after).find(|p| !user.permissions.contains(p)) {
        return Err(AppError::forbidden(Msg::new("authority-permission-not-held").arg("permission", t(p.label_key()))));
    }
    Ok(())
}

/// Whether `user` may act on `target`'s place in this portal at all (end their sessions here,
/// unlink their Microsoft account, send them a link, approve them): only administrators act on
/// administrators, and only system administrators on system administrators.
pub fn may_act_on_member(user: &ManageUser, target: &Staff, target_role: Role) -> AppResult<()> {
    if target.id == user.staff.id {
        return Ok(());
    }
    if target.is_superadmin && !user.staff.is_superadmin {
        return Err(system_administrator(target));
    }
    if target_role == Role::Admin && user.role != Role::Admin {
        return Err(only_administrators());
    }
    Ok(())
}

/// Whether `user` may give someone new this role in the portal.
pub fn may_grant_role(user: &ManageUser, role: Role) -> AppResult<()> {
    if role == Role::Admin && user.role != Role::Admin {
        return Err(only_administrators());
    }
    Ok(())
}

fn only_administrators() -> AppError {
    AppError::forbidden(Msg::new("authority-only-administrators"))
}

/// Refuses to disable the last system administrator who can sign in: nobody could then manage
/// the desk from the web.
pub async fn may_disable(state: &AppState, user: &ManageUser, target: &Staff) -> AppResult<()> {
    if target.id == user.staff.id {
        return Err(AppError::bad_request(Msg::new("authority-cannot-disable-self")));
    }
    may_change_account(state, user, target).await?;
    if target.is_superadmin && target.disabled_at.is_none() && staff::active_superadmins(&state.db).await? <= 1 {
        return Err(AppError::bad_request(Msg::new("authority-last-system-administrator").arg("name", &target.name)));
    }
    Ok(())
}
