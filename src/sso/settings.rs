//! A portal's Microsoft Entra ID connection: the `entra_*` portal settings. They are set like
//! every other setting (`frontdesk portal set`, or the settings page); the client secret is kept
//! sealed with `FRONTDESK_SECRET_KEY` and never shown again.

use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use crate::db::Db;
use crate::portals::Portal;
use crate::portals::settings::{SettingError, SettingsContext};
use crate::secrets::{NO_KEY_MESSAGE, SecretKey};

pub const DEFAULT_AUTHORITY_HOST: &str = "https://login.microsoftonline.com";

/// Microsoft's sign-in hosts: the public cloud, US Government, and China (operated by 21Vianet).
pub const MICROSOFT_AUTHORITY_HOSTS: &[&str] =
    &[DEFAULT_AUTHORITY_HOST, "https://login.microsoftonline.us", "https://login.partner.microsoftonline.cn"];

/// The authority hosts a portal may point its Microsoft sign-in at: an operator's choice
/// (`FRONTDESK_ENTRA_AUTHORITY_HOSTS`), never a portal administrator's, because an identity
/// provider vouches for who people are, and the server sends requests to it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuthorityHosts(Vec<String>);

impl Default for AuthorityHosts {
    fn default() -> Self {
        AuthorityHosts(MICROSOFT_AUTHORITY_HOSTS.iter().map(|h| h.to_string()).collect())
    }
}

impl std::str::FromStr for AuthorityHosts {
    type Err = String;

    /// A comma-separated list of `https://host[:port]` (plain http only on loopback).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let hosts = s
            .split(',')
            .map(str::trim)
            .filter(|h| !h.is_empty())
            .map(|h| {
                normalize_authority_host(h).map_err(|_| {
                    format!("FRONTDESK_ENTRA_AUTHORITY_HOSTS: {h:?} is not an https://host address (no path)")
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        if hosts.is_empty() {
            return Err("FRONTDESK_ENTRA_AUTHORITY_HOSTS names no host; leave it unset for Microsoft's".into());
        }
        Ok(AuthorityHosts(hosts))
    }
}

impl AuthorityHosts {
    pub fn allows(&self, host: &str) -> bool {
        self.0.iter().any(|h| h == host.trim_end_matches('/'))
    }
    pub fn list(&self) -> String {
        self.0.join(", ")
    }
}

pub const KEYS: &[(&str, &str)] = &[
    ("entra_enabled", "true/false: staff of this portal sign in with Microsoft Entra ID"),
    ("entra_tenant_id", "the directory (tenant) ID, a GUID from the Entra admin center"),
    ("entra_client_id", "the application (client) ID of the app registration, a GUID"),
    (
        "entra_client_secret",
        "the app's client secret (give - to read it from standard input); needs FRONTDESK_SECRET_KEY",
    ),
    ("entra_authority_host", "https://login.microsoftonline.com, or a national cloud's sign-in host"),
    (
        "entra_link_rule",
        "match_username (link to the staff account whose email is the user's username) or create_pending (create an agent awaiting approval)",
    ),
];

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

/// The associated data a portal's sealed client secret is bound to.
pub fn secret_context(portal_id: i64) -> String {
    format!("portal:{portal_id}:entra_client_secret")
}

const SELECT: &str = "SELECT key, value FROM portal_settings WHERE portal_id = $1 AND key LIKE 'entra_%'";

pub async fn load(db: &Db, portal_id: i64) -> Result<EntraSettings, sqlx::Error> {
    from_rows(sqlx::query(SELECT).bind(portal_id).fetch_all(db.pool()).await?)
}

fn from_rows(rows: Vec<AnyRow>) -> Result<EntraSettings, sqlx::Error> {
    let mut s = EntraSettings::default();
    for row in rows {
        let key: String = row.try_get("key")?;
        let value: String = row.try_get("value")?;
        let value = Some(value).filter(|v| !v.is_empty());
        match key.as_str() {
            "entra_enabled" => s.enabled = value.as_deref() == Some("true"),
            "entra_tenant_id" => s.tenant_id = value,
            "entra_client_id" => s.client_id = value,
            "entra_client_secret" => s.sealed_secret = value,
            "entra_authority_host" => s.authority_host = value.unwrap_or_else(|| DEFAULT_AUTHORITY_HOST.into()),
            "entra_link_rule" => s.link_rule = value.as_deref().and_then(LinkRule::parse).unwrap_or(s.link_rule),
            _ => {}
        }
    }
    Ok(s)
}

/// The portals whose staff sign in with Microsoft.
pub async fn enabled_portal_ids(db: &Db) -> Result<Vec<i64>, sqlx::Error> {
    let rows = sqlx::query("SELECT portal_id FROM portal_settings WHERE key = 'entra_enabled' AND value = 'true'")
        .fetch_all(db.pool())
        .await?;
    rows.iter().map(|r| r.try_get("portal_id")).collect()
}

/// Entra's directory and application IDs are GUIDs; they are stored in lower case.
fn parse_guid(key: &str, what: &str, value: &str) -> Result<String, String> {
    let v = value.trim().to_ascii_lowercase();
    let groups: Vec<&str> = v.split('-').collect();
    let lengths_ok = groups.iter().map(|g| g.len()).eq([8, 4, 4, 4, 12]);
    if lengths_ok && groups.iter().all(|g| g.chars().all(|c| c.is_ascii_hexdigit())) {
        Ok(v)
    } else {
        Err(format!(
            "{key}: the {what} is a GUID such as 72f988bf-86f1-41af-91ab-2d7cd011db47 (find it on the app's Overview \
             page in the Entra admin center), not {value:?}"
        ))
    }
}

/// `https://host[:port]`, no path. Plain http only for this machine (a test provider).
fn normalize_authority_host(value: &str) -> Result<String, ()> {
    let v = value.trim().trim_end_matches('/');
    let url = url::Url::parse(v).map_err(|_| ())?;
    let loopback = matches!(url.host_str(), Some("127.0.0.1" | "localhost" | "[::1]"));
    let scheme_ok = url.scheme() == "https" || (url.scheme() == "http" && loopback);
    if !scheme_ok || url.host_str().is_none() || url.path() != "/" || url.query().is_some() {
        return Err(());
    }
    Ok(v.to_lowercase())
}

/// One of the hosts the operator allows; empty means Microsoft's public cloud.
fn parse_authority_host(value: &str, allowed: &AuthorityHosts) -> Result<String, String> {
    if value.trim().is_empty() {
        return Ok(DEFAULT_AUTHORITY_HOST.into());
    }
    match normalize_authority_host(value) {
        Ok(host) if allowed.allows(&host) => Ok(host),
        _ => Err(format!(
            "entra_authority_host must be one of the sign-in hosts this server allows: {} (its operator sets them \
             with FRONTDESK_ENTRA_AUTHORITY_HOSTS), not {value:?}",
            allowed.list()
        )),
    }
}

/// Validates and stores one `entra_*` setting on the connection of the change being made.
pub async fn set(
    conn: &mut AnyConnection,
    context: &SettingsContext,
    portal: &Portal,
    key: &str,
    value: &str,
) -> Result<(), SettingError> {
    let invalid = SettingError::Invalid;
    let key_for_secrets = context.secret_key.as_ref();
    let stored = match key {
        "entra_tenant_id" | "entra_client_id" if value.trim().is_empty() => String::new(),
        "entra_tenant_id" => parse_guid(key, "directory (tenant) ID", value).map_err(invalid)?,
        "entra_client_id" => parse_guid(key, "application (client) ID", value).map_err(invalid)?,
        "entra_client_secret" if value.is_empty() => String::new(),
        "entra_client_secret" => {
            let secret_key = key_for_secrets.ok_or_else(|| invalid(NO_KEY_MESSAGE.into()))?;
            if value.chars().count() > 1024 || value.chars().any(char::is_control) {
                return Err(invalid(
                    "entra_client_secret: that does not look like a client secret (up to 1024 characters on one line)"
                        .into(),
                ));
            }
            secret_key.seal(value, &secret_context(portal.id))
        }
        "entra_authority_host" => parse_authority_host(value, &context.authority_hosts).map_err(invalid)?,
        "entra_link_rule" if value.trim().is_empty() => LinkRule::MatchUsername.as_str().into(),
        "entra_link_rule" => LinkRule::parse(value)
            .ok_or_else(|| invalid(format!("entra_link_rule takes match_username or create_pending, not {value:?}")))?
            .as_str()
            .into(),
        "entra_enabled" => {
            let on = crate::portals::settings::parse_bool(key, value).map_err(invalid)?;
            if on {
                let current = from_rows(sqlx::query(SELECT).bind(portal.id).fetch_all(&mut *conn).await?)?;
                ready(&current, portal.id, key_for_secrets).map_err(invalid)?;
            }
            on.to_string()
        }
        _ => return Err(invalid(format!("unknown setting {key:?}"))),
    };
    let before: Option<String> = sqlx::query("SELECT value FROM portal_settings WHERE portal_id = $1 AND key = $2")
        .bind(portal.id)
        .bind(key)
        .fetch_optional(&mut *conn)
        .await?
        .map(|r| r.try_get("value"))
        .transpose()?;
    crate::portals::settings::put(conn, portal.id, key, &stored).await?;
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
fn ready(s: &EntraSettings, portal_id: i64, key: Option<&SecretKey>) -> Result<(), String> {
    let mut missing = Vec::new();
    if s.tenant_id.is_none() {
        missing.push("the directory (tenant) ID");
    }
    if s.client_id.is_none() {
        missing.push("the application (client) ID");
    }
    if s.sealed_secret.is_none() {
        missing.push("the client secret");
    }
    if !missing.is_empty() {
        return Err(format!("Microsoft sign-in cannot be turned on yet: enter {} first.", missing.join(", ")));
    }
    s.client_secret(portal_id, key).map(|_| ())
}

/// The settings as `portal show` lists them; the secret only as whether one is stored.
pub fn show(s: &EntraSettings) -> Vec<(&'static str, String)> {
    vec![
        ("entra_enabled", s.enabled.to_string()),
        ("entra_tenant_id", s.tenant_id.clone().unwrap_or_default()),
        ("entra_client_id", s.client_id.clone().unwrap_or_default()),
        ("entra_client_secret", if s.sealed_secret.is_some() { "(stored, encrypted)".into() } else { String::new() }),
        ("entra_authority_host", s.authority_host.clone()),
        ("entra_link_rule", s.link_rule.as_str().into()),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn guids_are_checked_and_lower_cased() {
        assert_eq!(
            parse_guid("k", "x", " 72F988BF-86F1-41AF-91AB-2D7CD011DB47 ").unwrap(),
            "72f988bf-86f1-41af-91ab-2d7cd011db47"
        );
        for bad in [
            "contoso.onmicrosoft.com",
            "common",
            "72f988bf86f141af91ab2d7cd011db47",
            "72f988bf-86f1-41af-91ab-2d7cd011dbzz",
        ] {
            assert!(parse_guid("k", "x", bad).is_err(), "{bad}");
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
