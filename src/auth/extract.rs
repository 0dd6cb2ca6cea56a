//! The signed-in person, as extractors: `ManageUser` for the management interface and
//! `PortalUser` for a portal. A handler that takes one of them only runs for a live session of
//! the right realm; anyone else is sent to the matching sign-in page.

use std::collections::HashSet;

use axum::extract::{FromRequestParts, OriginalUri};
use axum::http::request::Parts;
use axum::response::{IntoResponse, Redirect, Response};

use crate::accounts::customers::{self, Customer};
use crate::accounts::permissions::{Permission, Role};
use crate::accounts::staff::{self, Staff};
use crate::auth::sessions::{self, Realm, Session, Subject};
use crate::auth::signed_in;
use crate::error::AppError;
use crate::i18n::{self, Msg};
use crate::portals::resolve::CurrentPortal;
use crate::portals::{self, Portal};
use crate::web::state::AppState;

pub const MANAGE_COOKIE: &str = "fd_manage";

/// Cookie name of a portal session; one per portal, so that sessions in two portals coexist.
pub fn portal_cookie(portal_id: i64) -> String {
    format!("{PORTAL_COOKIE_PREFIX}{portal_id}")
}

pub const PORTAL_COOKIE_PREFIX: &str = "fd_portal_";

/// A staff member signed in to the management interface, with the portal they are working in.
#[derive(Clone, Debug)]
pub struct ManageUser {
    pub session: Session,
    pub staff: Staff,
    pub portal: Portal,
    pub role: Role,
    pub permissions: HashSet<Permission>,
    /// Every portal they work in (all of them for a superadmin).
    pub memberships: Vec<(Portal, Role)>,
}

impl ManageUser {
    pub fn can(&self, p: Permission) -> bool {
        self.role == Role::Admin || self.permissions.contains(&p)
    }

    pub fn require(&self, p: Permission) -> Result<(), AppError> {
        if self.can(p) {
            Ok(())
        } else {
            Err(AppError::forbidden(
                Msg::new("signin-permission-needed")
                    .arg("permission", crate::i18n::Lang::current().t(p.label_key()))
                    .arg("portal", &self.portal.name),
            ))
        }
    }

    pub fn subject(&self) -> Subject {
        Subject::Staff(self.staff.id)
    }

    /// The same person in the same portal, their account, role and permissions read again:
    /// for what holds a user for long (a socket), which must not keep rights taken away since.
    /// `None` once the account is disabled or no longer works in the portal.
    pub async fn reread(&self, db: &crate::db::Db) -> Result<Option<ManageUser>, sqlx::Error> {
        let Some(staff) = staff::by_id(db, self.staff.id).await?.filter(Staff::is_active) else {
            return Ok(None);
        };
        let here = staff::access(db, staff.id).await?.into_iter().find(|(p, _, _)| p.id == self.portal.id);
        let (role, permissions) = match here {
            Some((_, role, granted)) => (role, granted.into_iter().collect()),
            // A superadmin is an administrator wherever they work.
            None if staff.is_superadmin => (Role::Admin, HashSet::new()),
            None => return Ok(None),
        };
        Ok(Some(ManageUser { staff, role, permissions, ..self.clone() }))
    }
}

/// Like `ManageUser`, but also admitted while a password change is required (for the profile
/// page and sign-out).
pub struct ManageUserPendingPassword(pub ManageUser);

async fn load_manage_user(parts: &mut Parts, state: &AppState) -> Result<ManageUser, Response> {
    let to_login = |parts: &Parts| {
        let here = parts.extensions.get::<OriginalUri>().map(|u| u.0.to_string()).unwrap_or_else(|| "/manage".into());
        let next: String = url::form_urlencoded::byte_serialize(here.as_bytes()).collect();
        Redirect::to(&format!("/manage/login?next={next}")).into_response()
    };
    let Some(token) = state.cookies.get(&parts.headers, MANAGE_COOKIE).map(str::to_owned) else {
        return Err(to_login(parts));
    };
    let err = |e: sqlx::Error| AppError::from(e).into_response();
    let Some(session) = sessions::find(&state.db, state.sessions, Realm::Manage, &token).await.map_err(err)? else {
        return Err(to_login(parts));
    };
    let Subject::Staff(staff_id) = session.subject else {
        return Err(to_login(parts));
    };
    let Some(staff) = staff::by_id(&state.db, staff_id).await.map_err(err)?.filter(Staff::is_active) else {
        return Err(to_login(parts));
    };
    let access = staff::access(&state.db, staff.id).await.map_err(err)?;
    let memberships: Vec<(Portal, Role)> = if staff.is_superadmin {
        portals::all(&state.db).await.map_err(err)?.into_iter().map(|p| (p, Role::Admin)).collect()
    } else {
        access.iter().map(|(p, role, _)| (p.clone(), *role)).collect()
    };
    // A portal's directory vouched for this session: only while it speaks for every portal the
    // account works in (it may have been asked into another portal since).
    if let Some(sso_portal_id) = session.sso_portal_id
        && !crate::sso::accounts::session_still_vouched_for(&state.db, sso_portal_id, &staff, &memberships)
            .await
            .map_err(err)?
    {
        sessions::end_by_id(&state.db, session.id).await.map_err(err)?;
        tracing::warn!(
            staff_id = staff.id,
            "session ended: its directory no longer speaks for every portal of the account"
        );
        return Err(to_login(parts));
    }
    let current = memberships.iter().find(|(p, _)| Some(p.id) == session.portal_id).or(memberships.first()).cloned();
    i18n::request::set_account_choice(staff.language);
    let Some((portal, role)) = current else {
        return Err(AppError::forbidden(Msg::new("signin-no-portal")).into_response());
    };
    i18n::request::set_portal_default(portal.default_language);
    // Granted where they work; a superadmin working in a portal that never took them has none
    // (and needs none: an administrator may do everything).
    let permissions =
        access.into_iter().find(|(p, _, _)| p.id == portal.id).map(|(_, _, granted)| granted).unwrap_or_default();
    let permissions = permissions.into_iter().collect();
    Ok(ManageUser { session, staff, portal, role, permissions, memberships })
}

impl FromRequestParts<AppState> for ManageUser {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let user = load_manage_user(parts, state).await?;
        if user.staff.must_change_password {
            return Err(Redirect::to("/manage/profile?msg=must-change").into_response());
        }
        Ok(user)
    }
}

impl FromRequestParts<AppState> for ManageUserPendingPassword {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        load_manage_user(parts, state).await.map(ManageUserPendingPassword)
    }
}

/// Who is signed in to a portal: one of its customers, or a staff member who works there.
#[derive(Clone, Debug)]
pub enum PortalPerson {
    Customer(Customer),
    Staff(Staff),
}

#[derive(Clone, Debug)]
pub struct PortalUser {
    pub session: Session,
    pub portal: CurrentPortal,
    pub person: PortalPerson,
}

impl PortalUser {
    pub fn name(&self) -> &str {
        match &self.person {
            PortalPerson::Customer(c) => &c.name,
            PortalPerson::Staff(s) => &s.name,
        }
    }
    /// The language they chose on their profile.
    pub fn language(&self) -> Option<crate::i18n::Lang> {
        match &self.person {
            PortalPerson::Customer(c) => c.language,
            PortalPerson::Staff(s) => s.language,
        }
    }
    pub fn email(&self) -> &str {
        match &self.person {
            PortalPerson::Customer(c) => &c.email,
            PortalPerson::Staff(s) => &s.email,
        }
    }
    /// A customer's mobile number (staff have none here).
    pub fn mobile(&self) -> Option<&str> {
        match &self.person {
            PortalPerson::Customer(c) => c.mobile.as_deref(),
            PortalPerson::Staff(_) => None,
        }
    }
    pub fn is_staff(&self) -> bool {
        matches!(self.person, PortalPerson::Staff(_))
    }
    pub fn subject(&self) -> Subject {
        self.session.subject
    }
    pub fn must_change_password(&self) -> bool {
        match &self.person {
            PortalPerson::Customer(c) => c.must_change_password,
            PortalPerson::Staff(s) => s.must_change_password,
        }
    }
}

/// The portal session of this request, if any.
pub async fn load_portal_user(
    parts: &Parts,
    state: &AppState,
    portal: &CurrentPortal,
) -> Result<Option<PortalUser>, AppError> {
    let Some(token) = state.cookies.get(&parts.headers, &portal_cookie(portal.portal.id)) else {
        return Ok(None);
    };
    let remembered = signed_in::only_reads(&parts.method)
        .then(|| state.signed_in.get(token, state.sessions, crate::db::now()))
        .flatten();
    let found = match remembered {
        Some((session, customer)) => Some((session, PortalPerson::Customer(customer))),
        None => read_portal_user(state, token).await?,
    };
    let Some((session, person)) = found.filter(|(session, _)| session.portal_id == Some(portal.portal.id)) else {
        return Ok(None);
    };
    let user = PortalUser { session, portal: portal.clone(), person };
    i18n::request::set_account_choice(user.language());
    Ok(Some(user))
}

/// The portal session of `token` and whose it is, from the database; a customer's is kept for
/// the next requests that only read (`signed_in`).
async fn read_portal_user(state: &AppState, token: &str) -> Result<Option<(Session, PortalPerson)>, AppError> {
    let before = state.signed_in.before_reading();
    let Some(session) = sessions::find(&state.db, state.sessions, Realm::Portal, token).await? else {
        return Ok(None);
    };
    let Some(portal_id) = session.portal_id else {
        return Ok(None);
    };
    let person = match session.subject {
        Subject::Customer(id) => {
            let customer = customers::by_id(&state.db, portal_id, id).await?.filter(Customer::is_active);
            if let Some(customer) = &customer {
                state.signed_in.keep(before, token, &session, customer);
            }
            customer.map(PortalPerson::Customer)
        }
        Subject::Staff(id) => staff::in_portal(&state.db, portal_id, id)
            .await?
            .map(|(s, _)| s)
            .filter(Staff::is_active)
            .map(PortalPerson::Staff),
    };
    Ok(person.map(|person| (session, person)))
}

impl FromRequestParts<AppState> for PortalUser {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let portal = CurrentPortal::from_request_parts(parts, state).await.map_err(IntoResponse::into_response)?;
        match load_portal_user(parts, state, &portal).await.map_err(IntoResponse::into_response)? {
            Some(user) => Ok(user),
            None => Err(Redirect::to(&portal_login_returning(parts, &portal.base)).into_response()),
        }
    }
}

/// The portal's sign-in page, coming back after it to the page asked for when that was a GET (a
/// new-ticket form with its subject filled in, say); `after_sign_in` checks the way back.
fn portal_login_returning(parts: &Parts, base: &str) -> String {
    let here = parts.extensions.get::<OriginalUri>().map(|u| u.0.to_string());
    match here {
        Some(here) if parts.method == axum::http::Method::GET => {
            let next: String = url::form_urlencoded::byte_serialize(here.as_bytes()).collect();
            format!("{base}/login?next={next}")
        }
        _ => format!("{base}/login"),
    }
}

/// A portal page that anyone may see, signed in or not.
pub struct MaybePortalUser(pub CurrentPortal, pub Option<PortalUser>);

impl FromRequestParts<AppState> for MaybePortalUser {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let portal = CurrentPortal::from_request_parts(parts, state).await?;
        let user = load_portal_user(parts, state, &portal).await?;
        Ok(MaybePortalUser(portal, user))
    }
}
