//! Tickets' portal settings: whether visitors (not signed in) may submit tickets
//! (`ticket_visitors`), whether customers choose a priority (`ticket_customer_priority`), and the
//! attachment limits per file and per message (`attachment_file_mb`, `attachment_message_mb`).
//! Texts in `locales/*/ticket-settings.ftl`.
//!
//! Why 10 MB and 25 MB: files are stored in chunks of 256 KiB (`attachments::CHUNK_BYTES`), so
//! neither engine ever holds a large value. PostgreSQL keeps each chunk out of line (TOAST) and
//! serves a 25 MB file as a hundred index lookups; SQLite keeps each chunk on overflow pages of
//! the same file, and its one writer is held only while the chunks are copied in. What limits a
//! file is then mail (a 25 MB message is what most mail servers still accept, for the email
//! channel later) and the database's growth, not either engine; `MAX_MB` bounds what a portal may
//! set, so one upload cannot hold the SQLite writer for long.

use sqlx::AnyConnection;

use crate::db::Db;
use crate::i18n::Msg;
use crate::portals::Portal;
use crate::web::settings::{FieldKind, SettingError, SettingSpec, SettingsGroup, parse_bool, put, unknown_key};

pub const DEFAULT_FILE_MB: u64 = 10;
pub const DEFAULT_MESSAGE_MB: u64 = 25;
/// The most a portal may allow per message (and so per file).
pub const MAX_MB: u64 = 100;
const MB: u64 = 1_000_000;

/// Tickets' settings of one portal.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TicketSettings {
    /// Visitors may submit a ticket with a name and an email address.
    pub visitors: bool,
    /// Customers choose a priority when they submit (otherwise every ticket starts normal).
    pub customer_priority: bool,
    pub file_mb: u64,
    pub message_mb: u64,
}

impl Default for TicketSettings {
    fn default() -> Self {
        TicketSettings {
            visitors: false,
            customer_priority: false,
            file_mb: DEFAULT_FILE_MB,
            message_mb: DEFAULT_MESSAGE_MB,
        }
    }
}

impl TicketSettings {
    /// The largest file accepted, in bytes.
    pub fn file_bytes(&self) -> u64 {
        self.file_mb * MB
    }

    /// The most all files of one message may weigh together, in bytes.
    pub fn message_bytes(&self) -> u64 {
        self.message_mb * MB
    }

    /// From stored `(key, value)` pairs (other features' keys are skipped).
    pub fn from_pairs<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> TicketSettings {
        let mut s = TicketSettings::default();
        for (key, value) in pairs {
            match key {
                "ticket_visitors" => s.visitors = parse_bool(key, value).unwrap_or(false),
                "ticket_customer_priority" => s.customer_priority = parse_bool(key, value).unwrap_or(false),
                "attachment_file_mb" => s.file_mb = value.parse().unwrap_or(DEFAULT_FILE_MB),
                "attachment_message_mb" => s.message_mb = value.parse().unwrap_or(DEFAULT_MESSAGE_MB),
                _ => {}
            }
        }
        s
    }
}

pub async fn load(db: &Db, portal_id: i64) -> Result<TicketSettings, sqlx::Error> {
    Ok(TicketSettings::from_pairs(crate::portals::cache::snapshot(db).await?.settings(portal_id)))
}

async fn load_on(conn: &mut AnyConnection, portal_id: i64) -> Result<TicketSettings, sqlx::Error> {
    let pairs = crate::web::settings::stored_on(conn, portal_id).await?;
    Ok(TicketSettings::from_pairs(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str()))))
}

pub const GROUP: SettingsGroup = SettingsGroup {
    id: "tickets",
    title: Some("ticket-settings-title"),
    order: 50,
    // The per-file limit before the per-message one: the second must not be smaller.
    keys: &[
        SettingSpec {
            key: "ticket_visitors",
            label: "ticket-settings-visitors-label",
            help: "ticket-settings-visitors-help",
            note: Some("ticket-settings-visitors-note"),
            kind: FieldKind::Checkbox,
        },
        SettingSpec {
            key: "ticket_customer_priority",
            label: "ticket-settings-priority-label",
            help: "ticket-settings-priority-help",
            note: None,
            kind: FieldKind::Checkbox,
        },
        SettingSpec {
            key: "attachment_file_mb",
            label: "ticket-settings-file-mb-label",
            help: "ticket-settings-file-mb-help",
            note: None,
            kind: FieldKind::Number,
        },
        SettingSpec {
            key: "attachment_message_mb",
            label: "ticket-settings-message-mb-label",
            help: "ticket-settings-message-mb-help",
            note: None,
            kind: FieldKind::Number,
        },
    ],
    set: |conn, _context, portal, key, value| Box::pin(set(conn, portal, key, value)),
    show: |db, portal| Box::pin(show(db, portal)),
    notes: None,
};

async fn show(db: &Db, portal: &Portal) -> Result<Vec<(&'static str, String)>, sqlx::Error> {
    let s = load(db, portal.id).await?;
    Ok(vec![
        ("ticket_visitors", s.visitors.to_string()),
        ("ticket_customer_priority", s.customer_priority.to_string()),
        ("attachment_file_mb", s.file_mb.to_string()),
        ("attachment_message_mb", s.message_mb.to_string()),
    ])
}

/// A limit in megabytes; empty means the default (a form that does not know the setting, or
/// someone clearing the field).
fn parse_mb(key: &str, value: &str) -> Result<u64, Msg> {
    if value.trim().is_empty() {
        return Ok(if key == "attachment_file_mb" { DEFAULT_FILE_MB } else { DEFAULT_MESSAGE_MB });
    }
    let n: u64 = value
        .trim()
        .parse()
        .map_err(|_| Msg::new("ticket-settings-mb-not-a-number").arg("key", key).arg("value", format!("{value:?}")))?;
    if !(1..=MAX_MB).contains(&n) {
        return Err(Msg::new("ticket-settings-mb-out-of-range").arg("key", key).arg("max", MAX_MB as i64));
    }
    Ok(n)
}

async fn set(conn: &mut AnyConnection, portal: &Portal, key: &str, value: &str) -> Result<(), SettingError> {
    let invalid = SettingError::Invalid;
    match key {
        "ticket_visitors" | "ticket_customer_priority" => {
            put(conn, portal.id, key, &parse_bool(key, value).map_err(invalid)?.to_string()).await?;
        }
        "attachment_file_mb" => {
            let n = parse_mb(key, value).map_err(invalid)?;
            // A message holds at least one file: raising the file limit raises the message's too.
            if load_on(conn, portal.id).await?.message_mb < n {
                put(conn, portal.id, "attachment_message_mb", &n.to_string()).await?;
            }
            put(conn, portal.id, key, &n.to_string()).await?;
        }
        "attachment_message_mb" => {
            let n = parse_mb(key, value).map_err(invalid)?;
            let file_mb = load_on(conn, portal.id).await?.file_mb;
            if n < file_mb {
                return Err(invalid(Msg::new("ticket-settings-message-below-file").arg("file", file_mb as i64)));
            }
            put(conn, portal.id, key, &n.to_string()).await?;
        }
        _ => return Err(invalid(unknown_key(key))),
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_hold_until_set_and_bad_values_fall_back() {
        assert_eq!(TicketSettings::from_pairs([]), TicketSettings::default());
        let s = TicketSettings::from_pairs([("ticket_visitors", "true"), ("attachment_file_mb", "5"), ("x", "y")]);
        assert!(s.visitors && !s.customer_priority);
        assert_eq!((s.file_bytes(), s.message_bytes()), (5_000_000, 25_000_000));
        assert_eq!(TicketSettings::from_pairs([("attachment_file_mb", "lots")]).file_mb, DEFAULT_FILE_MB);
        assert!(parse_mb("attachment_file_mb", "0").is_err());
        assert!(parse_mb("attachment_file_mb", "101").is_err());
        assert_eq!(parse_mb("attachment_file_mb", " 20 "), Ok(20));
        assert_eq!(parse_mb("attachment_message_mb", " "), Ok(DEFAULT_MESSAGE_MB));
    }
}
