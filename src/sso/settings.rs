//! A portal's Microsoft Entra ID connection: the `entra_*` portal settings. They are set like
//! every other setting (`frontdesk portal set`, or the settings page); the client secret is kept
//! sealed with `FRONTDESK_SECRET_KEY` and never shown again.

use sqlx::{AnyConnection, Row};

use crate::db::Db;
use crate::i18n::{Lang, Msg};
use crate::portals::Portal;
use crate::secrets::{NO_KEY_MESSAGE, SecretKey};
use crate::web::settings::{
    BoxFuture, Choice, FieldKind, Note, NoteAt, PlacedNote, Segment, SettingError, SettingSpec, SettingsContext,
    SettingsGroup, normalize_authority_host, parse_bool, put, unknown_key,
};
use crate::web::state::AppState;

// The operator's list of hosts is server configuration, read with the other settings' context.
pub use crate::web::settings::{AuthorityHosts, DEFAULT_AUTHORITY_HOST, MICROSOFT_AUTHORITY_HOSTS};

const GUID_PLACEHOLDER: &str = "00000000-0000-0000-0000-000000000000";

/// In the order a page stores them: turning sign-in on last, as it checks the others.
pub const GROUP: SettingsGroup = SettingsGroup {
    id: "entra",
    title: Some("sso-settings-title"),
    order: 40,
    keys: &[
        SettingSpec {
            key: "entra_tenant_id",
            label: "sso-settings-tenant-label",
            help: "sso-settings-tenant-help",
            note: None,
            kind: FieldKind::Text { max_len: Some(36), placeholder: GUID_PLACEHOLDER, required: false },
        },
        SettingSpec {
            key: "entra_client_id",
            label: "sso-settings-client-label",
            help: "sso-settings-client-help",
            note: None,
            kind: FieldKind::Text { max_len: Some(36), placeholder: GUID_PLACEHOLDER, required: false },
        },
        SettingSpec {
            key: "entra_client_secret",
            label: "sso-settings-secret-label",
            help: "sso-settings-secret-help",
            note: None,
            kind: FieldKind::Secret { max_len: 1024 },
        },
        SettingSpec {
            key: "entra_authority_host",
            label: "sso-settings-authority-label",
            help: "sso-settings-authority-help",
            note: Some("sso-settings-authority-note"),
            kind: FieldKind::Text { max_len: None, placeholder: DEFAULT_AUTHORITY_HOST, required: false },
        },
        SettingSpec {
            key: "entra_link_rule",
            label: "sso-settings-link-rule-label",
            help: "sso-settings-link-rule-help",
            note: None,
            kind: FieldKind::Select(&[
                Choice { value: "match_username", label: "sso-settings-link-rule-match-username" },
                Choice { value: "create_pending", label: "sso-settings-link-rule-create-pending" },
            ]),
        },
        SettingSpec {
            key: "entra_enabled",
            label: "sso-settings-enabled-label",
            help: "sso-settings-enabled-help",
            note: Some("sso-settings-enabled-note"),
            kind: FieldKind::Checkbox,
        },
    ],
    set: |conn, context, portal, key, value| Box::pin(set(conn, context, portal, key, value)),
    show: |db, portal| Box::pin(show(db, portal)),
    notes: Some(notes),
};

/// What happens at a directory user's first sign-in, when no staff account is linked to them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LinkRule {
    /// Link to the portal's staff account whose email equals `preferred_username`.
    MatchUsername,
    /// Create a new agent with no permissions, who waits for an administrator's approval.
    CreatePending,
}

impl LinkRule {
    pub fn parse(s: &str) -> Option<LinkRule> {
        match s.trim() {
            "match_username" => Some(LinkRule::MatchUsername),
            "create_pending" => Some(LinkRule::CreatePending),
            _ => None,
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            LinkRule::MatchUsername => "match_username",
            LinkRule::CreatePending => "create_pending",
        }
    }
}

#[derive(Clone, Debug)]
pub struct EntraSettings {
    pub enabled: bool,
    pub tenant_id: Option<String>,
    pub client_id: Option<String>,
    /// As stored: sealed, see `crate::secrets`.
    pub sealed_secret: Option<String>,
    pub authority_host: String,
    pub link_rule: LinkRule,
}

impl Default for EntraSettings {
    fn default() -> Self {
        EntraSettings {
            enabled: false,
            tenant_id: None,
            client_id: None,
            sealed_secret: None,
            authority_host: DEFAULT_AUTHORITY_HOST.into(),
            link_rule: LinkRule::MatchUsername,
        }
    }
}

impl EntraSettings {
    /// The tenant's issuer, as Entra ID names it: `{authority host}/{tenant}/v2.0`.
    pub fn issuer(&self) -> Option<String> {
        self.tenant_id.as_ref().map(|t| format!("{}/{t}/v2.0", self.authority_host.trim_end_matches('/')))
    }
}

impl EntraSettings {
    /// The client secret in the clear: `Ok(None)` when none is stored, `Err(why)` when this
    /// server cannot read it (no `FRONTDESK_SECRET_KEY`, or another key sealed it).
    pub fn client_secret(&self, portal_id: i64, key: Option<&SecretKey>) -> Result<Option<String>, String> {
        let Some(sealed) = self.sealed_secret.as_deref() else { return Ok(None) };
        let key = key.ok_or_else(|| NO_KEY_MESSAGE.to_string())?;
        key.open(sealed, &secret_context(portal_id)).map(Some).map_err(|e| e.to_string())
    }
}

/// Why this server cannot read the stored client secret (or store one), if so.
fn secret_problem(s: &EntraSettings, portal_id: i64, key: Option<&SecretKey>) -> Option<Msg> {
    let Some(key) = key else { return Some(Msg::new("sso-settings-no-secret-key")) };
    match s.sealed_secret.as_deref().map(|sealed| key.open(sealed, &secret_context(portal_id))) {
        Some(Err(_)) => Some(Msg::new("sso-settings-secret-undecryptable")),
        _ => None,
    }
}

/// The associated data a portal's sealed client secret is bound to.
pub fn secret_context(portal_id: i64) -> String {
    format!("portal:{portal_id}:entra_client_secret")
}

pub async fn load(db: &Db, portal_id: i64) -> Result<EntraSettings, sqlx::Error> {
    Ok(from_pairs(crate::portals::cache::snapshot(db).await?.settings(portal_id)))
}

fn from_pairs<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> EntraSettings {
    let mut s = EntraSettings::default();
    for (key, value) in pairs {
        let value = Some(value.to_string()).filter(|v| !v.is_empty());
        match key {
            "entra_enabled" => s.enabled = value.as_deref() == Some("true"),
            "entra_tenant_id" => s.tenant_id = value,
            "entra_client_id" => s.client_id = value,
            "entra_client_secret" => s.sealed_secret = value,
            "entra_authority_host" => s.authority_host = value.unwrap_or_else(|| DEFAULT_AUTHORITY_HOST.into()),
            "entra_link_rule" => s.link_rule = value.as_deref().and_then(LinkRule::parse).unwrap_or(s.link_rule),
            _ => {}
        }
    }
    s
}

/// The portals whose staff sign in with Microsoft.
pub async fn enabled_portal_ids(db: &Db) -> Result<Vec<i64>, sqlx::Error> {
    let snapshot = crate::portals::cache::snapshot(db).await?;
    Ok(snapshot
        .portals()
        .iter()
        .filter(|p| snapshot.setting(p.id, "entra_enabled") == Some("true"))
        .map(|p| p.id)
        .collect())
}

/// Entra's directory and application IDs are GUIDs; they are stored in lower case.
fn parse_guid(value: &str) -> Option<String> {
    let v = value.trim().to_ascii_lowercase();
    let groups: Vec<&str> = v.split('-').collect();
    let lengths_ok = groups.iter().map(|g| g.len()).eq([8, 4, 4, 4, 12]);
    (lengths_ok && groups.iter().all(|g| g.chars().all(|c| c.is_ascii_hexdigit()))).then_some(v)
}

/// One of the hosts the operator allows; empty means Microsoft's public cloud.
fn parse_authority_host(value: &str, allowed: &AuthorityHosts) -> Result<String, Msg> {
    if value.trim().is_empty() {
        return Ok(DEFAULT_AUTHORITY_HOST.into());
    }
    match normalize_authority_host(value) {
        Some(host) if allowed.allows(&host) => Ok(host),
        _ => Err(Msg::new("sso-settings-authority-not-allowed")
            .arg("hosts", allowed.list())
            .arg("value", format!("{value:?}"))),
    }
}

/// Validates and stores one `entra_*` setting on the connection of the change being made.
async fn set(
    conn: &mut AnyConnection,
    context: &SettingsContext,
    portal: &Portal,
    key: &str,
    value: &str,
) -> Result<(), SettingError> {
    let invalid = SettingError::Invalid;
    let quoted = || format!("{value:?}");
    let key_for_secrets = context.secret_key.as_ref();
    let stored =
        match key {
            "entra_tenant_id" | "entra_client_id" if value.trim().is_empty() => String::new(),
            "entra_tenant_id" => parse_guid(value)
                .ok_or_else(|| invalid(Msg::new("sso-settings-tenant-not-guid").arg("value", quoted())))?,
            "entra_client_id" => parse_guid(value)
                .ok_or_else(|| invalid(Msg::new("sso-settings-client-not-guid").arg("value", quoted())))?,
            "entra_client_secret" if value.is_empty() => String::new(),
            "entra_client_secret" => {
                let secret_key = key_for_secrets.ok_or_else(|| invalid(Msg::new("sso-settings-no-secret-key")))?;
                if value.chars().count() > 1024 || value.chars().any(char::is_control) {
                    return Err(invalid(Msg::new("sso-settings-secret-invalid")));
                }
                secret_key.seal(value, &secret_context(portal.id))
            }
            "entra_authority_host" => parse_authority_host(value, &context.authority_hosts).map_err(invalid)?,
            "entra_link_rule" if value.trim().is_empty() => LinkRule::MatchUsername.as_str().into(),
            "entra_link_rule" => LinkRule::parse(value)
                .ok_or_else(|| invalid(Msg::new("sso-settings-link-rule-invalid").arg("value", quoted())))?
                .as_str()
                .into(),
            "entra_enabled" => {
                let on = parse_bool(key, value).map_err(invalid)?;
                if on {
                    let stored = crate::web::settings::stored_on(&mut *conn, portal.id).await?;
                    let current = from_pairs(stored.iter().map(|(k, v)| (k.as_str(), v.as_str())));
                    ready(&current, portal.id, key_for_secrets).map_err(invalid)?;
                }
                on.to_string()
            }
            _ => return Err(invalid(unknown_key(key))),
        };
    let before: Option<String> = sqlx::query("SELECT value FROM portal_settings WHERE portal_id = $1 AND key = $2")
        .bind(portal.id)
        .bind(key)
        .fetch_optional(&mut *conn)
        .await?
        .map(|r| r.try_get("value"))
        .transpose()?;
    put(conn, portal.id, key, &stored).await?;
    // Another directory (or none) now speaks for the portal: what the old one vouched for ends.
    let names_the_directory =
        matches!(key, "entra_tenant_id" | "entra_authority_host" | "entra_client_id" | "entra_enabled");
    if names_the_directory && before.as_deref().unwrap_or_default() != stored {
        crate::auth::sessions::end_all_signed_in_through(conn, portal.id).await?;
    }
    Ok(())
}

/// Whether sign-in with Entra ID can be turned on: every part is set, and the secret opens with
/// this server's key.
fn ready(s: &EntraSettings, portal_id: i64, key: Option<&SecretKey>) -> Result<(), Msg> {
    let mut missing = Vec::new();
    if s.tenant_id.is_none() {
        missing.push(Msg::new("sso-settings-missing-tenant"));
    }
    if s.client_id.is_none() {
        missing.push(Msg::new("sso-settings-missing-client"));
    }
    if s.sealed_secret.is_none() {
        missing.push(Msg::new("sso-settings-missing-secret"));
    }
    if !missing.is_empty() {
        // The parts are named in the language the whole message will be read in: the request's
        // (English on the command line).
        let lang = Lang::current();
        let missing: Vec<String> = missing.iter().map(|m| m.in_lang(lang)).collect();
        return Err(Msg::new("sso-settings-not-ready").arg("missing", missing.join(", ")));
    }
    secret_problem(s, portal_id, key).map_or(Ok(()), Err)
}

/// The settings as `portal show` lists them; the secret only as whether one is stored.
async fn show(db: &Db, portal: &Portal) -> Result<Vec<(&'static str, String)>, sqlx::Error> {
    let s = load(db, portal.id).await?;
    Ok(vec![
        ("entra_enabled", s.enabled.to_string()),
        ("entra_tenant_id", s.tenant_id.clone().unwrap_or_default()),
        ("entra_client_id", s.client_id.clone().unwrap_or_default()),
        ("entra_client_secret", if s.sealed_secret.is_some() { "(stored, encrypted)".into() } else { String::new() }),
        ("entra_authority_host", s.authority_host.clone()),
        ("entra_link_rule", s.link_rule.as_str().into()),
    ])
}

/// What to register at Microsoft (the addresses to copy), and whether this server can keep the
/// client secret.
fn notes<'a>(state: &'a AppState, portal: &'a Portal) -> BoxFuture<'a, Result<Vec<PlacedNote>, sqlx::Error>> {
    let lang = Lang::current();
    Box::pin(async move {
        let entra = load(&state.db, portal.id).await?;
        let start = |note| PlacedNote { at: NoteAt::Start, note };
        let copy = |id, label, value| start(Note::Copy { id, label: lang.t(label), value });
        let mut notes = vec![
            start(Note::Text(vec![Segment { text: lang.t("sso-settings-intro"), code: false }])),
            copy("redirect-uri", "sso-settings-redirect-uri", state.absolute(super::CALLBACK_PATH)),
            copy("signed-out-uri", "sso-settings-signed-out-uri", state.absolute(super::SIGNED_OUT_PATH)),
            copy(
                "staff-link",
                "sso-settings-staff-link",
                state.absolute(&format!("/manage/login?portal={}", portal.slug)),
            ),
        ];
        if let Some(problem) = secret_problem(&entra, portal.id, state.secret_key.as_ref()) {
            let note = Note::Problem { id: "secret-problem", text: problem.in_lang(lang) };
            notes.push(PlacedNote { at: NoteAt::After("entra_client_secret"), note });
        }
        Ok(notes)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn guids_are_checked_and_lower_cased() {
        assert_eq!(
            parse_guid(" 72F988BF-86F1-41AF-91AB-2D7CD011DB47 ").unwrap(),
            "72f988bf-86f1-41af-91ab-2d7cd011db47"
        );
        for bad in [
            "contoso.onmicrosoft.com",
            "common",
            "72f988bf86f141af91ab2d7cd011db47",
            "72f988bf-86f1-41af-91ab-2d7cd011dbzz",
        ] {
            assert!(parse_guid(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn authority_hosts_are_only_those_the_operator_allows() {
        let microsoft = AuthorityHosts::default();
        assert_eq!(
            parse_authority_host("https://login.microsoftonline.us/", &microsoft).unwrap(),
            "https://login.microsoftonline.us"
        );
        assert_eq!(parse_authority_host("", &microsoft).unwrap(), DEFAULT_AUTHORITY_HOST);
        for bad in ["http://127.0.0.1:4000", "https://login.example.com", "https://login.example.com/tenant", "x"] {
            assert!(parse_authority_host(bad, &microsoft).is_err(), "{bad}");
        }
        let test: AuthorityHosts = "https://login.microsoftonline.com, http://127.0.0.1:4000/".parse().unwrap();
        assert_eq!(parse_authority_host("http://127.0.0.1:4000", &test).unwrap(), "http://127.0.0.1:4000");
        for bad in ["http://login.example.com", "https://x/tenant", "ftp://x", "", " , "] {
            assert!(bad.parse::<AuthorityHosts>().is_err(), "{bad}");
        }
    }

    #[test]
    fn the_issuer_follows_entra_layout() {
        let s = EntraSettings { tenant_id: Some("t-1".into()), ..Default::default() };
        assert_eq!(s.issuer().unwrap(), "https://login.microsoftonline.com/t-1/v2.0");
    }
}
