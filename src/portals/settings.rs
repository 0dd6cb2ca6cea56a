//! Portal settings. Every setting an administrator can change in management can also be set
//! with `frontdesk portal set SLUG KEY VALUE`; both go through `set` here, which validates.

use sqlx::any::AnyRow;
use sqlx::{Acquire, AnyConnection, Row};

use super::{Portal, parse_host, parse_name};
use crate::auth::policy::{PasswordPolicy, PolicyKind};
use crate::db::{Db, is_unique_violation};
use crate::i18n::Lang;
use crate::secrets::SecretKey;

pub struct SettingSpec {
    pub key: &'static str,
    pub help: &'static str,
}

/// Every key `portal set` accepts, with what it takes.
pub const KEYS: &[SettingSpec] = &[
    SettingSpec { key: "name", help: "the portal's display name (1-100 characters)" },
    SettingSpec {
        key: "host",
        help: "a host name that serves this portal at its /, e.g. support.example.com (empty: none)",
    },
    SettingSpec {
        key: "default_language",
        help: "en or pt-BR: the language of pages and emails for people who chose none (empty: the browser's)",
    },
    SettingSpec { key: "listed", help: "true/false: offer this portal on the common sign-in page /login" },
    SettingSpec {
        key: "password_policy",
        help: "composition (upper, lower, digit, special; no & or #) or length_only (15+ characters)",
    },
    SettingSpec {
        key: "password_min_length",
        help: "minimum password length: 8-128 (composition) or 15-128 (length_only)",
    },
];

/// How a portal's customers may sign in (at least one).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SignInMethods {
    pub password: bool,
    pub email_code: bool,
    pub sms_code: bool,
}

impl Default for SignInMethods {
    fn default() -> Self {
        SignInMethods { password: true, email_code: false, sms_code: false }
    }
}

impl SignInMethods {
    pub fn parse(value: &str) -> Result<SignInMethods, String> {
        let mut m = SignInMethods { password: false, email_code: false, sms_code: false };
        for part in value.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            match part {
                "password" => m.password = true,
                "email_code" => m.email_code = true,
                "sms_code" => m.sms_code = true,
                other => {
                    return Err(format!(
                        "customer_signin: {other:?} is not a sign-in method; use password, email_code and/or sms_code"
                    ));
                }
            }
        }
        if !m.any() {
            return Err("customer_signin needs at least one of password, email_code, sms_code".into());
        }
        Ok(m)
    }

    pub fn any(&self) -> bool {
        self.password || self.email_code || self.sms_code
    }

    pub fn codes(&self) -> bool {
        self.email_code || self.sms_code
    }

    pub fn as_value(&self) -> String {
        let mut parts = Vec::new();
        if self.password {
            parts.push("password");
        }
        if self.email_code {
            parts.push("email_code");
        }
        if self.sms_code {
            parts.push("sms_code");
        }
        parts.join(",")
    }
}

#[derive(Clone, Debug)]
pub struct PortalSettings {
    pub customer_signin: SignInMethods,
    pub password_policy: PasswordPolicy,
    pub listed: bool,
    pub sender_name: Option<String>,
}

impl Default for PortalSettings {
    fn default() -> Self {
        PortalSettings {
            customer_signin: SignInMethods::default(),
            password_policy: PasswordPolicy::default(),
            listed: true,
            sender_name: None,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum SettingError {
    #[error("{0}")]
    Invalid(String),
    #[error(transparent)]
    Db(#[from] sqlx::Error),
}

const SELECT: &str = "SELECT key, value FROM portal_settings WHERE portal_id = $1";

pub async fn load(db: &Db, portal_id: i64) -> Result<PortalSettings, sqlx::Error> {
    from_rows(sqlx::query(SELECT).bind(portal_id).fetch_all(db.pool()).await?)
}

/// The settings as a connection (inside a change being made) sees them.
async fn load_on(conn: &mut AnyConnection, portal_id: i64) -> Result<PortalSettings, sqlx::Error> {
    from_rows(sqlx::query(SELECT).bind(portal_id).fetch_all(conn).await?)
}

fn from_rows(rows: Vec<AnyRow>) -> Result<PortalSettings, sqlx::Error> {
    let pairs = rows.iter().map(|row| Ok((row.try_get("key")?, row.try_get("value")?)));
    Ok(from_pairs(pairs.collect::<Result<Vec<_>, sqlx::Error>>()?))
}

/// The settings of every portal a staff member works in, in one query.
pub async fn load_for_staff(db: &Db, staff_id: i64) -> Result<Vec<PortalSettings>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT sp.portal_id, ps.key, ps.value FROM staff_portals sp \
         LEFT JOIN portal_settings ps ON ps.portal_id = sp.portal_id WHERE sp.staff_id = $1",
    )
    .bind(staff_id)
    .fetch_all(db.pool())
    .await?;
    let mut by_portal: std::collections::BTreeMap<i64, Vec<(String, String)>> = Default::default();
    for row in rows {
        let pairs = by_portal.entry(row.try_get("portal_id")?).or_default();
        // A portal with no settings stored comes once, with no key: it has the defaults.
        if let Some(key) = row.try_get::<Option<String>, _>("key")? {
            pairs.push((key, row.try_get("value")?));
        }
    }
    Ok(by_portal.into_values().map(from_pairs).collect())
}

fn from_pairs(pairs: Vec<(String, String)>) -> PortalSettings {
    let mut s = PortalSettings::default();
    let (mut kind, mut min) = (PolicyKind::Composition, None);
    for (key, value) in pairs {
        match key.as_str() {
            "listed" => s.listed = value == "true",
            "sender_name" => s.sender_name = Some(value).filter(|v| !v.is_empty()),
            "customer_signin" => s.customer_signin = SignInMethods::parse(&value).unwrap_or_default(),
            "password_policy" => kind = PolicyKind::parse(&value).unwrap_or(PolicyKind::Composition),
            "password_min_length" => min = value.parse().ok(),
            _ => {}
        }
    }
    s.password_policy = PasswordPolicy::new(kind, min.unwrap_or(0));
    s
}

/// Every setting of a portal as `(key, value)`, for `portal show` and the settings page.
pub async fn show(db: &Db, portal: &Portal) -> Result<Vec<(&'static str, String)>, sqlx::Error> {
    let s = load(db, portal.id).await?;
    Ok([
        ("slug", portal.slug.clone()),
        ("name", portal.name.clone()),
        ("host", portal.host.clone().unwrap_or_default()),
        ("default_language", portal.default_language.map(|l| l.tag().to_string()).unwrap_or_default()),
        ("sender_name", s.sender_name.clone().unwrap_or_default()),
        ("listed", s.listed.to_string()),
        ("customer_signin", s.customer_signin.as_value()),
        ("password_policy", s.password_policy.kind.as_str().into()),
        ("password_min_length", s.password_policy.min_length.to_string()),
    ]
    .into_iter()
    .chain(crate::sso::settings::show(&crate::sso::settings::load(db, portal.id).await?))
    .collect())
}

pub fn parse_bool(key: &str, value: &str) -> Result<bool, String> {
    match value.trim().to_ascii_lowercase().as_str() {
        "true" | "yes" | "on" | "1" => Ok(true),
        "false" | "no" | "off" | "0" => Ok(false),
        _ => Err(format!("{key} takes true or false, not {value:?}")),
    }
}

pub async fn put(conn: &mut AnyConnection, portal_id: i64, key: &str, value: &str) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO portal_settings (portal_id, key, value) VALUES ($1, $2, $3) \
         ON CONFLICT (portal_id, key) DO UPDATE SET value = excluded.value",
    )
    .bind(portal_id)
    .bind(key)
    .bind(value)
    .execute(conn)
    .await?;
    Ok(())
}

/// What checking some settings needs from the server's own configuration.
#[derive(Clone, Debug, Default)]
pub struct SettingsContext {
    /// Seals secret settings (the Entra ID client secret); without it they are refused.
    pub secret_key: Option<SecretKey>,
    /// The identity provider hosts portals may use.
    pub authority_hosts: crate::sso::settings::AuthorityHosts,
}

/// Validates and stores one setting (`frontdesk portal set`).
pub async fn set(
    db: &Db,
    context: &SettingsContext,
    portal: &Portal,
    key: &str,
    value: &str,
) -> Result<(), SettingError> {
    let errors = set_many(db, context, portal, &[(key, value)]).await?;
    if errors.is_empty() { Ok(()) } else { Err(SettingError::Invalid(errors.join(" "))) }
}

/// Validates and stores several settings, in order, as one change: either all of them are
/// stored, or none is and every problem is returned (a settings form's whole submission).
/// Each setting sees the ones before it, so a policy and its minimum length can change together.
pub async fn set_many(
    db: &Db,
    context: &SettingsContext,
    portal: &Portal,
    pairs: &[(&str, &str)],
) -> Result<Vec<String>, sqlx::Error> {
    let mut tx = db.writer().begin().await?;
    let mut errors = Vec::new();
    for (key, value) in pairs {
        // A savepoint each, so a refused value (even one refused by a constraint, which on
        // PostgreSQL spoils the transaction) does not stop the others from being checked.
        let mut one = tx.begin().await?;
        match set_on(&mut one, context, portal, key, value).await {
            Ok(()) => one.commit().await?,
            Err(SettingError::Invalid(message)) => {
                one.rollback().await?;
                errors.push(message);
            }
            Err(SettingError::Db(e)) => return Err(e),
        }
    }
    if errors.is_empty() {
        tx.commit().await?;
    } else {
        tx.rollback().await?;
    }
    Ok(errors)
}

/// Validates and stores one setting on a connection. `secrets` seals the ones that are secret
/// (the Entra ID client secret); without it they are refused.
async fn set_on(
    conn: &mut AnyConnection,
    context: &SettingsContext,
    portal: &Portal,
    key: &str,
    value: &str,
) -> Result<(), SettingError> {
    let invalid = SettingError::Invalid;
    match key {
        _ if key.starts_with("entra_") => crate::sso::settings::set(conn, context, portal, key, value).await?,
        "name" => {
            let name = parse_name(value).map_err(|e| invalid(e.to_string()))?;
            sqlx::query("UPDATE portals SET name = $1 WHERE id = $2")
                .bind(name)
                .bind(portal.id)
                .execute(&mut *conn)
                .await?;
        }
        "host" => {
            let host = parse_host(value).map_err(|e| invalid(e.to_string()))?;
            sqlx::query("UPDATE portals SET host = $1 WHERE id = $2")
                .bind(host.clone())
                .bind(portal.id)
                .execute(&mut *conn)
                .await
                .map_err(|e| {
                    if is_unique_violation(&e) {
                        SettingError::Invalid(format!(
                            "another portal already uses the host {}",
                            host.unwrap_or_default()
                        ))
                    } else {
                        e.into()
                    }
                })?;
        }
        "default_language" => {
            let lang = match value.trim() {
                "" => None,
                tag => Some(Lang::ALL.into_iter().find(|l| l.tag().eq_ignore_ascii_case(tag)).ok_or_else(|| {
                    invalid(format!("default_language takes en or pt-BR (or nothing for the browser's), not {value:?}"))
                })?),
            };
            sqlx::query("UPDATE portals SET default_language = $1 WHERE id = $2")
                .bind(lang.map(Lang::tag))
                .bind(portal.id)
                .execute(&mut *conn)
                .await?;
        }
        "listed" => put(conn, portal.id, key, &parse_bool(key, value).map_err(invalid)?.to_string()).await?,
        "customer_signin" => {
            let methods = SignInMethods::parse(value).map_err(invalid)?;
            put(conn, portal.id, key, &methods.as_value()).await?;
        }
        "sender_name" => {
            let name = value.trim();
            if name.chars().count() > 100 || name.chars().any(|c| c.is_control() || c == '<' || c == '>' || c == '"') {
                return Err(invalid("sender_name takes up to 100 characters, without < > \" or line breaks".into()));
            }
            put(conn, portal.id, key, name).await?;
        }
        "password_policy" => {
            let kind = PolicyKind::parse(value.trim())
                .ok_or_else(|| invalid(format!("password_policy takes composition or length_only, not {value:?}")))?;
            put(conn, portal.id, key, kind.as_str()).await?;
        }
        "password_min_length" => {
            let n: usize = value
                .trim()
                .parse()
                .map_err(|_| invalid(format!("password_min_length takes a number, not {value:?}")))?;
            let current = load_on(conn, portal.id).await?.password_policy;
            let policy = PasswordPolicy::new(current.kind, n);
            if policy.min_length != n {
                return Err(invalid(format!(
                    "password_min_length must be between {} and 128 for the {} policy",
                    PasswordPolicy::new(current.kind, 0).min_length,
                    current.kind.as_str()
                )));
            }
            put(conn, portal.id, key, &n.to_string()).await?;
        }
        _ => {
            let keys: Vec<&str> =
                KEYS.iter().map(|k| k.key).chain(crate::sso::settings::KEYS.iter().map(|(k, _)| *k)).collect();
            return Err(invalid(format!("unknown setting {key:?}; the settings are: {}", keys.join(", "))));
        }
    }
    Ok(())
}
