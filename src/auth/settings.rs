//! Sign-in's portal settings: how customers sign in (`customer_signin`), and the password
//! policy (`password_policy`, `password_min_length`). Texts in `locales/*/signin-settings.ftl`.

use sqlx::{AnyConnection, Row};

use crate::auth::policy::{PasswordPolicy, PolicyKind};
use crate::db::Db;
use crate::i18n::Msg;
use crate::portals::Portal;
use crate::web::settings::{
    BoxFuture, Choice, FieldKind, Note, NoteAt, PlacedNote, SettingError, SettingSpec, SettingsGroup, put, unknown_key,
};
use crate::web::state::AppState;

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
    pub fn parse(value: &str) -> Result<SignInMethods, Msg> {
        let mut m = SignInMethods { password: false, email_code: false, sms_code: false };
        for part in value.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            match part {
                "password" => m.password = true,
                "email_code" => m.email_code = true,
                "sms_code" => m.sms_code = true,
                other => return Err(Msg::new("signin-settings-method-unknown").arg("value", format!("{other:?}"))),
            }
        }
        if !m.any() {
            return Err(Msg::new("signin-settings-method-none"));
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

/// Sign-in's settings of one portal.
#[derive(Clone, Debug, Default)]
pub struct SignInSettings {
    pub customer_signin: SignInMethods,
    pub password_policy: PasswordPolicy,
}

impl SignInSettings {
    /// From stored `(key, value)` pairs (other features' keys are skipped).
    pub fn from_pairs<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> SignInSettings {
        let mut s = SignInSettings::default();
        let (mut kind, mut min) = (PolicyKind::Composition, None);
        for (key, value) in pairs {
            match key {
                "customer_signin" => s.customer_signin = SignInMethods::parse(value).unwrap_or_default(),
                "password_policy" => kind = PolicyKind::parse(value).unwrap_or(PolicyKind::Composition),
                "password_min_length" => min = value.parse().ok(),
                _ => {}
            }
        }
        s.password_policy = PasswordPolicy::new(kind, min.unwrap_or(0));
        s
    }
}

pub async fn load(db: &Db, portal_id: i64) -> Result<SignInSettings, sqlx::Error> {
    Ok(SignInSettings::from_pairs(crate::portals::cache::snapshot(db).await?.settings(portal_id)))
}

/// The sign-in settings of every portal a staff member works in, in one query.
pub async fn load_for_staff(db: &Db, staff_id: i64) -> Result<Vec<SignInSettings>, sqlx::Error> {
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
    let settings = by_portal.into_values();
    Ok(settings.map(|pairs| SignInSettings::from_pairs(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())))).collect())
}

/// The settings as a connection (inside a change being made) sees them.
async fn load_on(conn: &mut AnyConnection, portal_id: i64) -> Result<SignInSettings, sqlx::Error> {
    let pairs = crate::web::settings::stored_on(conn, portal_id).await?;
    Ok(SignInSettings::from_pairs(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str()))))
}

pub const CUSTOMER_SIGNIN: SettingsGroup = SettingsGroup {
    id: "customer-signin",
    title: Some("signin-settings-customer-title"),
    order: 20,
    keys: &[SettingSpec {
        key: "customer_signin",
        label: "signin-settings-customer-label",
        help: "signin-settings-customer-help",
        note: Some("signin-settings-customer-note"),
        kind: FieldKind::Boxes {
            field_prefix: "signin_",
            choices: &[
                Choice { value: "password", label: "signin-settings-method-password" },
                Choice { value: "email_code", label: "signin-settings-method-email-code" },
                Choice { value: "sms_code", label: "signin-settings-method-sms-code" },
            ],
        },
    }],
    set: |conn, _context, portal, key, value| Box::pin(set(conn, portal, key, value)),
    show: |db, portal| Box::pin(show_customer_signin(db, portal)),
    notes: Some(customer_signin_notes),
};

pub const PASSWORDS: SettingsGroup = SettingsGroup {
    id: "passwords",
    title: Some("signin-settings-passwords-title"),
    order: 30,
    // The policy first: the minimum length allowed depends on it.
    keys: &[
        SettingSpec {
            key: "password_policy",
            label: "signin-settings-policy-label",
            help: "signin-settings-policy-help",
            note: None,
            kind: FieldKind::Select(&[
                Choice { value: "composition", label: "signin-settings-policy-composition" },
                Choice { value: "length_only", label: "signin-settings-policy-length-only" },
            ]),
        },
        SettingSpec {
            key: "password_min_length",
            label: "signin-settings-min-length-label",
            help: "signin-settings-min-length-help",
            note: None,
            kind: FieldKind::Number,
        },
    ],
    set: |conn, _context, portal, key, value| Box::pin(set(conn, portal, key, value)),
    show: |db, portal| Box::pin(show_passwords(db, portal)),
    notes: None,
};

async fn show_customer_signin(db: &Db, portal: &Portal) -> Result<Vec<(&'static str, String)>, sqlx::Error> {
    Ok(vec![("customer_signin", load(db, portal.id).await?.customer_signin.as_value())])
}

async fn show_passwords(db: &Db, portal: &Portal) -> Result<Vec<(&'static str, String)>, sqlx::Error> {
    let policy = load(db, portal.id).await?.password_policy;
    Ok(vec![("password_policy", policy.kind.as_str().into()), ("password_min_length", policy.min_length.to_string())])
}

/// Why codes by SMS cannot be sent, if so.
fn customer_signin_notes<'a>(
    state: &'a AppState,
    _portal: &'a Portal,
) -> BoxFuture<'a, Result<Vec<PlacedNote>, sqlx::Error>> {
    let notes = state.sms_problem.iter().map(|problem| PlacedNote {
        at: NoteAt::After("customer_signin"),
        note: Note::Problem { id: "sms-problem", text: problem.to_string() },
    });
    let notes: Vec<PlacedNote> = notes.collect();
    Box::pin(async move { Ok(notes) })
}

async fn set(conn: &mut AnyConnection, portal: &Portal, key: &str, value: &str) -> Result<(), SettingError> {
    let invalid = SettingError::Invalid;
    match key {
        "customer_signin" => {
            let methods = SignInMethods::parse(value).map_err(invalid)?;
            put(conn, portal.id, key, &methods.as_value()).await?;
        }
        "password_policy" => {
            let kind = PolicyKind::parse(value.trim()).ok_or_else(|| {
                invalid(Msg::new("signin-settings-policy-invalid").arg("value", format!("{value:?}")))
            })?;
            put(conn, portal.id, key, kind.as_str()).await?;
        }
        "password_min_length" => {
            let n: usize = value.trim().parse().map_err(|_| {
                invalid(Msg::new("signin-settings-min-length-not-a-number").arg("value", format!("{value:?}")))
            })?;
            let current = load_on(conn, portal.id).await?.password_policy;
            if PasswordPolicy::new(current.kind, n).min_length != n {
                let min = PasswordPolicy::new(current.kind, 0).min_length;
                return Err(invalid(
                    Msg::new("signin-settings-min-length-out-of-range")
                        .arg("min", min)
                        .arg("policy", current.kind.as_str()),
                ));
            }
            put(conn, portal.id, key, &n.to_string()).await?;
        }
        _ => return Err(invalid(unknown_key(key))),
    }
    Ok(())
}
