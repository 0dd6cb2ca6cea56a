//! The portal's own settings: its name, host, sender name, whether it is listed on the common
//! sign-in page, and its default language. Texts in `locales/*/portal-settings.ftl`; the
//! machinery every feature's settings share is `crate::web::settings`.

use sqlx::AnyConnection;

use super::{Portal, parse_host, parse_name};
use crate::db::{Db, is_unique_violation};
use crate::i18n::{Lang, Msg};
use crate::web::settings::{
    BoxFuture, FieldKind, Note, NoteAt, PlacedNote, Segment, SettingError, SettingSpec, SettingsGroup, parse_bool, put,
    unknown_key,
};
use crate::web::state::AppState;

pub const GROUP: SettingsGroup = SettingsGroup {
    id: "portal",
    title: None,
    order: 10,
    keys: &[
        SettingSpec {
            key: "name",
            label: "portal-settings-name-label",
            help: "portal-settings-name-help",
            note: None,
            kind: FieldKind::Text { max_len: Some(100), placeholder: "", required: true },
        },
        SettingSpec {
            key: "host",
            label: "portal-settings-host-label",
            help: "portal-settings-host-help",
            note: None,
            kind: FieldKind::Text { max_len: Some(253), placeholder: "support.example.com", required: false },
        },
        SettingSpec {
            key: "sender_name",
            label: "portal-settings-sender-name-label",
            help: "portal-settings-sender-name-help",
            note: None,
            kind: FieldKind::Text { max_len: Some(100), placeholder: "Acme Support", required: false },
        },
        SettingSpec {
            key: "default_language",
            label: "portal-settings-default-language-label",
            help: "portal-settings-default-language-help",
            note: Some("portal-settings-default-language-note"),
            kind: FieldKind::Language,
        },
        SettingSpec {
            key: "listed",
            label: "portal-settings-listed-label",
            help: "portal-settings-listed-help",
            note: None,
            kind: FieldKind::Checkbox,
        },
    ],
    set: |conn, _context, portal, key, value| Box::pin(set_one(conn, portal, key, value)),
    show: |db, portal| Box::pin(show(db, portal)),
    notes: Some(notes),
};

/// What other features read of the portal's own settings.
#[derive(Clone, Debug)]
pub struct PortalSettings {
    pub listed: bool,
    pub sender_name: Option<String>,
}

impl Default for PortalSettings {
    fn default() -> Self {
        PortalSettings { listed: true, sender_name: None }
    }
}

pub async fn load(db: &Db, portal_id: i64) -> Result<PortalSettings, sqlx::Error> {
    let snapshot = super::cache::snapshot(db).await?;
    let mut s = PortalSettings::default();
    for (key, value) in snapshot.settings(portal_id) {
        match key {
            "listed" => s.listed = value == "true",
            "sender_name" => s.sender_name = Some(value.to_string()).filter(|v| !v.is_empty()),
            _ => {}
        }
    }
    Ok(s)
}

async fn show(db: &Db, portal: &Portal) -> Result<Vec<(&'static str, String)>, sqlx::Error> {
    let s = load(db, portal.id).await?;
    Ok(vec![
        ("name", portal.name.clone()),
        ("host", portal.host.clone().unwrap_or_default()),
        ("default_language", portal.default_language.map(|l| l.tag().to_string()).unwrap_or_default()),
        ("sender_name", s.sender_name.clone().unwrap_or_default()),
        ("listed", s.listed.to_string()),
    ])
}

/// Where the portal is served without a host of its own.
fn notes<'a>(state: &'a AppState, _portal: &'a Portal) -> BoxFuture<'a, Result<Vec<PlacedNote>, sqlx::Error>> {
    let lang = Lang::current();
    let words = |text: String| Segment { text, code: false };
    let code = |text: String| Segment { text, code: true };
    let host = Note::Text(vec![
        words(lang.t("portal-settings-host-note-start")),
        code("/".into()),
        words(lang.t("portal-settings-host-note-middle")),
        code(format!("{}portal/<slug>/", state.public_url)),
        words(lang.t("portal-settings-host-note-end")),
    ]);
    Box::pin(async move { Ok(vec![PlacedNote { at: NoteAt::After("host"), note: host }]) })
}

async fn set_one(conn: &mut AnyConnection, portal: &Portal, key: &str, value: &str) -> Result<(), SettingError> {
    let invalid = SettingError::Invalid;
    match key {
        "name" => {
            let name = parse_name(value).map_err(invalid)?;
            update_column(conn, "UPDATE portals SET name = $1 WHERE id = $2", Some(name), portal).await?;
        }
        "host" => {
            let host = parse_host(value).map_err(invalid)?;
            let sql = "UPDATE portals SET host = $1 WHERE id = $2";
            update_column(conn, sql, host.clone(), portal).await.map_err(|e| {
                if is_unique_violation(&e) {
                    invalid(Msg::new("portal-settings-host-taken").arg("host", host.unwrap_or_default()))
                } else {
                    e.into()
                }
            })?;
        }
        "default_language" => {
            let lang = match value.trim() {
                "" => None,
                tag => Some(Lang::ALL.into_iter().find(|l| l.tag().eq_ignore_ascii_case(tag)).ok_or_else(|| {
                    invalid(Msg::new("portal-settings-default-language-invalid").arg("value", format!("{value:?}")))
                })?),
            };
            let sql = "UPDATE portals SET default_language = $1 WHERE id = $2";
            update_column(conn, sql, lang.map(|l| l.tag().to_string()), portal).await?;
        }
        "listed" => put(conn, portal.id, key, &parse_bool(key, value).map_err(invalid)?.to_string()).await?,
        "sender_name" => {
            let name = value.trim();
            if name.chars().count() > 100 || name.chars().any(|c| c.is_control() || c == '<' || c == '>' || c == '"') {
                return Err(invalid(Msg::new("portal-settings-sender-name-invalid")));
            }
            put(conn, portal.id, key, name).await?;
        }
        _ => return Err(invalid(unknown_key(key))),
    }
    Ok(())
}

async fn update_column(
    conn: &mut AnyConnection,
    sql: &'static str,
    value: Option<String>,
    portal: &Portal,
) -> Result<(), sqlx::Error> {
    sqlx::query(sql).bind(value).bind(portal.id).execute(conn).await.map(|_| ())
}
