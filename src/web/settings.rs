//! Portal settings plumbing. Each feature owns its settings: it declares them in one or more
//! `SettingsGroup`s (keys, how the settings page shows them, help texts, how to check, store
//! and show them) and lists the groups in its `Feature::settings`. `frontdesk portal set`,
//! `portal show` and the settings page iterate the groups of `crate::features::ALL`, so this
//! module knows no feature, and a feature adds settings without editing another.
//!
//! A page submits every group's keys through one `set_many`: all of them are stored, or none.

use std::future::Future;
use std::pin::Pin;

use sqlx::{Acquire, AnyConnection};

use crate::db::Db;
use crate::i18n::Msg;
use crate::portals::Portal;
use crate::secrets::SecretKey;
use crate::web::state::AppState;

pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// Checks and stores one of the group's settings on the connection of the change being made.
pub type SetFn = for<'a> fn(
    &'a mut AnyConnection,
    &'a SettingsContext,
    &'a Portal,
    &'a str,
    &'a str,
) -> BoxFuture<'a, Result<(), SettingError>>;

/// The group's settings as `(key, value)`, in the order `portal show` lists them.
pub type ShowFn = for<'a> fn(&'a Db, &'a Portal) -> BoxFuture<'a, Result<Vec<(&'static str, String)>, sqlx::Error>>;

/// What the group's section of the settings page shows besides its fields (addresses to copy,
/// problems of the server's configuration), in the request's language.
pub type NotesFn = for<'a> fn(&'a AppState, &'a Portal) -> BoxFuture<'a, Result<Vec<PlacedNote>, sqlx::Error>>;

/// One choice of a select list or of a set of boxes.
#[derive(Clone, Copy, Debug)]
pub struct Choice {
    pub value: &'static str,
    /// A catalog key.
    pub label: &'static str,
}

/// How the settings page asks for a setting, and how its form field becomes the value.
#[derive(Clone, Copy, Debug)]
pub enum FieldKind {
    /// `placeholder` is an example value, shown as is.
    Text {
        max_len: Option<usize>,
        placeholder: &'static str,
        required: bool,
    },
    Number,
    /// Stored as `true` or `false`.
    Checkbox,
    Select(&'static [Choice]),
    /// A language (`en`, `pt-BR`), or empty for the browser's.
    Language,
    /// One box per choice, each its own form field (`field_prefix` + value); stored as the
    /// checked values joined with commas. The section's title names them.
    Boxes {
        field_prefix: &'static str,
        choices: &'static [Choice],
    },
    /// Never shown; an empty field keeps what is stored.
    Secret {
        max_len: usize,
    },
}

/// One setting.
#[derive(Clone, Copy, Debug)]
pub struct SettingSpec {
    pub key: &'static str,
    /// A catalog key: the field's label on the page.
    pub label: &'static str,
    /// A catalog key: what the setting takes, for the command line.
    pub help: &'static str,
    /// A catalog key: a line under the field on the page.
    pub note: Option<&'static str>,
    pub kind: FieldKind,
}

/// A section of settings a feature owns.
pub struct SettingsGroup {
    /// The section's id on the page.
    pub id: &'static str,
    /// A catalog key: the section's heading (none: the portal's own settings, first on the page).
    pub title: Option<&'static str>,
    /// Where the section stands on the page, lower first; also the order a page's values are
    /// stored in. Within a group, keys are stored in the order given (a key may depend on one
    /// before it).
    pub order: u16,
    pub keys: &'static [SettingSpec],
    pub set: SetFn,
    pub show: ShowFn,
    pub notes: Option<NotesFn>,
}

impl std::fmt::Debug for SettingsGroup {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let keys: Vec<&str> = self.keys.iter().map(|k| k.key).collect();
        f.debug_struct("SettingsGroup").field("id", &self.id).field("keys", &keys).finish()
    }
}

/// Where a note stands in its section.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NoteAt {
    /// Under the heading, before the fields.
    Start,
    /// Under the field of this key.
    After(&'static str),
}

/// A part of a line of text: words, or something to type or copy (shown as code).
#[derive(Clone, Debug)]
pub struct Segment {
    pub text: String,
    pub code: bool,
}

#[derive(Clone, Debug)]
pub enum Note {
    /// A line of explanation.
    Text(Vec<Segment>),
    /// Something wrong that the operator must fix.
    Problem { id: &'static str, text: String },
    /// A value to copy elsewhere, with its label.
    Copy { id: &'static str, label: String, value: String },
}

#[derive(Clone, Debug)]
pub struct PlacedNote {
    pub at: NoteAt,
    pub note: Note,
}

/// The identity provider hosts portals may point their sign-in at: an operator's choice
/// (`FRONTDESK_ENTRA_AUTHORITY_HOSTS`), never a portal administrator's, because an identity
/// provider vouches for who people are, and the server sends requests to it. It lives here, with
/// the rest of what the server's configuration gives settings checks (`SettingsContext`), so
/// that this module needs no feature; `crate::sso::settings` re-exports it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuthorityHosts(Vec<String>);

pub const DEFAULT_AUTHORITY_HOST: &str = "https://login.microsoftonline.com";

/// Microsoft's sign-in hosts: the public cloud, US Government, and China (operated by 21Vianet).
pub const MICROSOFT_AUTHORITY_HOSTS: &[&str] =
    &[DEFAULT_AUTHORITY_HOST, "https://login.microsoftonline.us", "https://login.partner.microsoftonline.cn"];

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
                normalize_authority_host(h).ok_or_else(|| {
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

/// `https://host[:port]`, no path. Plain http only for this machine (a test provider).
pub fn normalize_authority_host(value: &str) -> Option<String> {
    let v = value.trim().trim_end_matches('/');
    let url = url::Url::parse(v).ok()?;
    let loopback = matches!(url.host_str(), Some("127.0.0.1" | "localhost" | "[::1]"));
    let scheme_ok = url.scheme() == "https" || (url.scheme() == "http" && loopback);
    if !scheme_ok || url.host_str().is_none() || url.path() != "/" || url.query().is_some() {
        return None;
    }
    Some(v.to_lowercase())
}

/// What checking some settings needs from the server's own configuration.
#[derive(Clone, Debug, Default)]
pub struct SettingsContext {
    /// Seals secret settings; without it they are refused.
    pub secret_key: Option<SecretKey>,
    /// The identity provider hosts portals may use.
    pub authority_hosts: AuthorityHosts,
}

#[derive(Debug, thiserror::Error)]
pub enum SettingError {
    /// Shown in the reader's language (`Display`: the current request's, English outside one).
    #[error("{0}")]
    Invalid(Msg),
    #[error(transparent)]
    Db(#[from] sqlx::Error),
}

/// Every group of every feature, in page order.
pub fn groups() -> Vec<&'static SettingsGroup> {
    let mut groups: Vec<&'static SettingsGroup> = crate::features::ALL.iter().flat_map(|f| f.settings).collect();
    groups.sort_by_key(|g| g.order);
    groups
}

/// The group that owns `key`, and the key's description.
pub fn find(key: &str) -> Option<(&'static SettingsGroup, &'static SettingSpec)> {
    groups().into_iter().find_map(|g| g.keys.iter().find(|s| s.key == key).map(|s| (g, s)))
}

/// Every key, in page order.
pub fn all_keys() -> Vec<&'static SettingSpec> {
    groups().into_iter().flat_map(|g| g.keys).collect()
}

pub fn unknown_key(key: &str) -> Msg {
    let keys: Vec<&str> = all_keys().iter().map(|s| s.key).collect();
    Msg::new("settings-unknown-key").arg("key", format!("{key:?}")).arg("keys", keys.join(", "))
}

pub fn parse_bool(key: &str, value: &str) -> Result<bool, Msg> {
    match value.trim().to_ascii_lowercase().as_str() {
        "true" | "yes" | "on" | "1" => Ok(true),
        "false" | "no" | "off" | "0" => Ok(false),
        _ => Err(Msg::new("settings-takes-true-or-false").arg("key", key).arg("value", format!("{value:?}"))),
    }
}

/// A portal's stored settings as `(key, value)`, as the connection of a change being made sees
/// them (outside a change, read `crate::portals::cache::snapshot` instead).
pub async fn stored_on(conn: &mut AnyConnection, portal_id: i64) -> Result<Vec<(String, String)>, sqlx::Error> {
    use sqlx::Row;
    let rows = sqlx::query("SELECT key, value FROM portal_settings WHERE portal_id = $1")
        .bind(portal_id)
        .fetch_all(conn)
        .await?;
    rows.iter().map(|row| Ok((row.try_get("key")?, row.try_get("value")?))).collect()
}

/// Stores one value in `portal_settings`, the table of the settings that have no column.
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

/// Every setting of a portal as `(key, value)`, for `portal show` and the settings page.
pub async fn show_all(db: &Db, portal: &Portal) -> Result<Vec<(&'static str, String)>, sqlx::Error> {
    let mut shown = vec![("slug", portal.slug.clone())];
    for group in groups() {
        shown.extend((group.show)(db, portal).await?);
    }
    Ok(shown)
}

/// Validates and stores one setting (`frontdesk portal set`).
pub async fn set(
    db: &Db,
    context: &SettingsContext,
    portal: &Portal,
    key: &str,
    value: &str,
) -> Result<(), SettingError> {
    match set_many(db, context, portal, &[(key, value)]).await?.into_iter().next() {
        None => Ok(()),
        Some(message) => Err(SettingError::Invalid(message)),
    }
}

/// Validates and stores several settings, in order, as one change: either all of them are
/// stored, or none is and every problem is returned (a settings form's whole submission).
/// Each setting sees the ones before it, so a policy and its minimum length can change together.
pub async fn set_many(
    db: &Db,
    context: &SettingsContext,
    portal: &Portal,
    pairs: &[(&str, &str)],
) -> Result<Vec<Msg>, sqlx::Error> {
    let mut tx = db.writer().begin().await?;
    let mut errors = Vec::new();
    for (key, value) in pairs {
        let Some((group, _)) = find(key) else {
            errors.push(unknown_key(key));
            continue;
        };
        // A savepoint each, so a refused value (even one refused by a constraint, which on
        // PostgreSQL spoils the transaction) does not stop the others from being checked.
        let mut one = tx.begin().await?;
        match (group.set)(&mut one, context, portal, key, value).await {
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
        // This node shows the change at once; the others hear of it through the event bus.
        db.config_cache().forget();
    } else {
        tx.rollback().await?;
    }
    Ok(errors)
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;
    use crate::i18n::Lang;

    #[test]
    fn every_key_belongs_to_one_group() {
        let mut keys = HashSet::new();
        let mut ids = HashSet::new();
        for group in groups() {
            assert!(ids.insert(group.id), "group {:?} declared twice", group.id);
            for spec in group.keys {
                assert!(keys.insert(spec.key), "setting {:?} is in two groups", spec.key);
                assert!(find(spec.key).is_some_and(|(g, _)| g.id == group.id));
            }
        }
        assert!(keys.contains("name") && keys.contains("entra_enabled") && keys.contains("password_policy"));
    }

    #[test]
    fn every_title_label_help_and_note_is_in_every_language() {
        let mut texts: Vec<&str> = vec!["settings-secret-stored", "settings-secret-not-set", "settings-language-auto"];
        for group in groups() {
            texts.extend(group.title);
            for spec in group.keys {
                texts.extend([spec.label, spec.help]);
                texts.extend(spec.note);
                match spec.kind {
                    FieldKind::Select(choices) | FieldKind::Boxes { choices, .. } => {
                        texts.extend(choices.iter().map(|c| c.label))
                    }
                    _ => {}
                }
            }
        }
        for key in texts {
            for lang in Lang::ALL {
                assert_ne!(lang.t(key), key, "{key} has no {lang} text");
            }
        }
    }

    #[test]
    fn an_unknown_key_is_answered_with_every_key() {
        let message = unknown_key("colour").english();
        assert!(message.starts_with("unknown setting \"colour\"; the settings are: name, host"), "{message}");
        assert!(message.contains("customer_signin") && message.contains("entra_link_rule"), "{message}");
        assert!(parse_bool("listed", "maybe").is_err());
        assert_eq!(parse_bool("listed", " Yes"), Ok(true));
    }
}
