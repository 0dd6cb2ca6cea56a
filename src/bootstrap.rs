//! First start on an empty database: a default portal and a first administrator, so that a
//! newcomer can sign in at once. Runs on every start and does nothing once any staff exists.

use anyhow::Context;

use crate::accounts::Email;
use crate::accounts::permissions::{Permission, Role};
use crate::accounts::staff::{self, CreateStaffError, NewStaff};
use crate::auth::hashing::PasswordHasher;
use crate::auth::policy::{self, PasswordPolicy};
use crate::config::{Config, Secret};
use crate::db::Db;
use crate::portals::{self, CreatePortalError, Slug};

pub const DEFAULT_ADMIN_EMAIL: &str = "admin@example.com";
pub const DEFAULT_PORTAL_SLUG: &str = "default";

/// What the first start created, for the operator to read once.
#[derive(Debug)]
pub struct FirstRun {
    pub email: String,
    pub password: Secret,
    /// True when Frontdesk made the password up (it must then be changed at first sign-in).
    pub generated: bool,
    pub portal_slug: String,
}

pub async fn ensure_first_admin(db: &Db, config: &Config) -> anyhow::Result<Option<FirstRun>> {
    if staff::count(db).await? > 0 {
        return Ok(None);
    }
    let email_text = config.admin_email.clone().unwrap_or_else(|| DEFAULT_ADMIN_EMAIL.into());
    let email = Email::parse(&email_text).map_err(|e| anyhow::anyhow!("FRONTDESK_ADMIN_EMAIL: {e}"))?;
    let (password, generated) = match &config.admin_password {
        Some(p) => {
            PasswordPolicy::default().check(p.expose()).map_err(|unmet| {
                anyhow::anyhow!(
                    "FRONTDESK_ADMIN_PASSWORD does not meet the password policy: {}",
                    policy::in_english(&unmet, " ")
                )
            })?;
            (p.clone(), false)
        }
        None => (Secret::new(policy::generate_password()), true),
    };
    let portal = match portals::all(db).await?.into_iter().next() {
        Some(p) => p,
        None => {
            let slug = Slug::parse(DEFAULT_PORTAL_SLUG).expect("valid slug");
            match portals::create(db, &slug, "Help desk").await {
                Ok(p) => p,
                // Another node bootstrapping at the same moment made it.
                Err(CreatePortalError::SlugTaken(_)) => {
                    portals::by_slug(db, DEFAULT_PORTAL_SLUG).await?.context("default portal vanished")?
                }
                Err(CreatePortalError::Db(e)) => return Err(e.into()),
            }
        }
    };
    let hash = PasswordHasher::new(1).hash(password.expose()).await.map_err(|e| anyhow::anyhow!("{e}"))?;
    let new = NewStaff {
        email: &email,
        name: "Administrator",
        password_hash: Some(&hash),
        must_change_password: generated,
        is_superadmin: true,
    };
    let mut tx = db.writer().begin().await?;
    match staff::create_in_portal(&mut tx, new, portal.id, Role::Admin, &Permission::ALL).await {
        Ok(_) => tx.commit().await?,
        Err(CreateStaffError::EmailTaken(_)) => return Ok(None),
        Err(CreateStaffError::Db(e)) => return Err(e.into()),
    }
    tracing::info!(email = %email, portal = %portal.slug, "created the first administrator");
    Ok(Some(FirstRun { email: email.to_string(), password, generated, portal_slug: portal.slug }))
}
