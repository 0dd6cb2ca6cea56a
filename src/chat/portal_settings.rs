//! Chat's portal settings: whether visitors (not signed in) may start chats (`chat_visitors`),
//! and the sites allowed to embed the chat widget (`chat_embed_origins`: origins such as
//! `https://www.example.com`, separated by spaces or commas). The settings page shows the
//! one-line snippet to copy onto those sites. Texts in `locales/*/chat-portal.ftl`.

use sqlx::AnyConnection;

use crate::db::Db;
use crate::i18n::Msg;
use crate::portals::Portal;
use crate::web::settings::{
    FieldKind, Note, NoteAt, PlacedNote, SettingError, SettingSpec, SettingsGroup, parse_bool, put, unknown_key,
};
use crate::web::state::AppState;

/// The most sites one portal may list.
pub const MAX_ORIGINS: usize = 20;
const ORIGINS_MAX_CHARS: usize = 2_000;

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ChatSettings {
    pub visitors: bool,
    /// Normalised origins (`https://host[:port]`), in the order given.
    pub embed_origins: Vec<String>,
}

impl ChatSettings {
    pub fn from_pairs<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> ChatSettings {
        let mut s = ChatSettings::default();
        for (key, value) in pairs {
            match key {
                "chat_visitors" => s.visitors = parse_bool(key, value).unwrap_or(false),
                "chat_embed_origins" => s.embed_origins = parse_origins(value).unwrap_or_default(),
                _ => {}
            }
        }
        s
    }
}

pub async fn load(db: &Db, portal_id: i64) -> Result<ChatSettings, sqlx::Error> {
    Ok(ChatSettings::from_pairs(crate::portals::cache::snapshot(db).await?.settings(portal_id)))
}

/// One origin as a browser sends it: scheme, host and port only. `https://` anywhere; `http://`
/// only for this machine (a site being built).
pub fn normalize_origin(raw: &str) -> Option<String> {
    let url = url::Url::parse(raw.trim()).ok()?;
    let host = url.host_str()?;
    let loopback = matches!(host, "127.0.0.1" | "localhost" | "[::1]");
    let scheme_ok = url.scheme() == "https" || (url.scheme() == "http" && loopback);
    let bare = url.path() == "/" && url.query().is_none() && url.fragment().is_none();
    if !scheme_ok || !bare || !url.username().is_empty() || url.password().is_some() || host.contains('*') {
        return None;
    }
    Some(url.origin().ascii_serialization())
}

/// The list as typed: origins separated by spaces, commas or lines; each checked.
pub fn parse_origins(value: &str) -> Result<Vec<String>, Msg> {
    if value.chars().count() > ORIGINS_MAX_CHARS {
        return Err(Msg::new("chat-settings-origins-too-long"));
    }
    let mut origins: Vec<String> = Vec::new();
    for raw in value.split([' ', ',', '\n', '\r', '\t']).filter(|s| !s.is_empty()) {
        let origin =
            normalize_origin(raw).ok_or_else(|| Msg::new("chat-settings-origin-invalid").arg("origin", raw))?;
        if !origins.contains(&origin) {
            origins.push(origin);
        }
    }
    if origins.len() > MAX_ORIGINS {
        return Err(Msg::new("chat-settings-origins-too-many").arg("max", MAX_ORIGINS));
    }
    Ok(origins)
}

pub const GROUP: SettingsGroup = SettingsGroup {
    id: "chat",
    title: Some("chat-settings-title"),
    order: 55,
    keys: &[
        SettingSpec {
            key: "chat_visitors",
            label: "chat-settings-visitors-label",
            help: "chat-settings-visitors-help",
            note: Some("chat-settings-visitors-note"),
            kind: FieldKind::Checkbox,
        },
        SettingSpec {
            key: "chat_embed_origins",
            label: "chat-settings-origins-label",
            help: "chat-settings-origins-help",
            note: Some("chat-settings-origins-note"),
            kind: FieldKind::Text {
                max_len: Some(ORIGINS_MAX_CHARS),
                placeholder: "https://www.example.com",
                required: false,
            },
        },
    ],
    set: |conn, _context, portal, key, value| Box::pin(set(conn, portal, key, value)),
    show: |db, portal| Box::pin(show(db, portal)),
    notes: Some(|state, portal| Box::pin(notes(state, portal))),
};

async fn show(db: &Db, portal: &Portal) -> Result<Vec<(&'static str, String)>, sqlx::Error> {
    let s = load(db, portal.id).await?;
    Ok(vec![("chat_visitors", s.visitors.to_string()), ("chat_embed_origins", s.embed_origins.join(" "))])
}

async fn set(conn: &mut AnyConnection, portal: &Portal, key: &str, value: &str) -> Result<(), SettingError> {
    let invalid = SettingError::Invalid;
    match key {
        "chat_visitors" => put(conn, portal.id, key, &parse_bool(key, value).map_err(invalid)?.to_string()).await?,
        "chat_embed_origins" => put(conn, portal.id, key, &parse_origins(value).map_err(invalid)?.join(" ")).await?,
        _ => return Err(invalid(unknown_key(key))),
    }
    Ok(())
}

/// The snippet to copy onto the listed sites.
pub fn snippet(state: &AppState, portal: &Portal) -> String {
    let script = state.absolute("/static/chat-widget.js");
    format!("<script src=\"{script}\" data-portal=\"{}\" async></script>", portal.slug)
}

async fn notes(state: &AppState, portal: &Portal) -> Result<Vec<PlacedNote>, sqlx::Error> {
    let at = NoteAt::After("chat_embed_origins");
    let label = crate::i18n::t("chat-settings-snippet-label");
    Ok(vec![PlacedNote { at, note: Note::Copy { id: "chat-widget-snippet", label, value: snippet(state, portal) } }])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_are_checked_and_normalised() {
        assert_eq!(normalize_origin("https://WWW.Example.com/"), Some("https://www.example.com".into()));
        assert_eq!(normalize_origin("https://example.com:8443"), Some("https://example.com:8443".into()));
        assert_eq!(normalize_origin("http://127.0.0.1:3000"), Some("http://127.0.0.1:3000".into()));
        for bad in [
            "http://example.com",
            "https://example.com/page",
            "javascript:alert(1)",
            "https://*.example.com",
            "example.com",
            "https://a@example.com",
            "https://example.com/?q",
        ] {
            assert_eq!(normalize_origin(bad), None, "{bad}");
        }
        assert_eq!(
            parse_origins("https://a.test, https://b.test\nhttps://a.test").unwrap(),
            vec!["https://a.test", "https://b.test"]
        );
        assert_eq!(parse_origins("https://a.test; x").unwrap_err().key, "chat-settings-origin-invalid");
        assert_eq!(parse_origins("").unwrap(), Vec::<String>::new());
    }
}
