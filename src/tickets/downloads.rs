//! Files of ticket messages as pages list them and as they are downloaded. The download is
//! streamed chunk by chunk from the database, always as an attachment (never shown in the page's
//! origin), with a type a browser cannot run. Who may download what is the route's business:
//! the customer's route (`portal/files.rs`) and the agents' check access, then call `serve`.

use std::collections::HashMap;

use axum::body::Body;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use sqlx::Row;

use super::attachments;
use crate::db::Db;
use crate::error::{AppError, AppResult};
use crate::i18n::{Lang, Msg};

/// A file as a message lists it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ListedFile {
    pub id: i64,
    pub filename: String,
    pub size: i64,
    /// As found from the content; `served_type` says what a download is sent as.
    pub content_type: String,
}

/// The files of each of `message_ids` (messages of the portal `portal_id`), in the order they
/// were attached. One query for a page's thread (split only past a thousand messages).
pub async fn of_messages(
    db: &Db,
    portal_id: i64,
    message_ids: &[i64],
) -> Result<HashMap<i64, Vec<ListedFile>>, sqlx::Error> {
    let mut files: HashMap<i64, Vec<ListedFile>> = HashMap::new();
    for ids in message_ids.chunks(1000) {
        // Placeholders only: the ids themselves are bound.
        let list = (0..ids.len()).map(|i| format!("${}", i + 2)).collect::<Vec<_>>().join(", ");
        let sql = format!(
            "SELECT l.message_id, a.id, a.filename, a.size, a.content_type FROM ticket_message_attachments l \
             JOIN attachments a ON a.portal_id = l.portal_id AND a.id = l.attachment_id \
             WHERE l.portal_id = $1 AND l.message_id IN ({list}) ORDER BY l.message_id, a.id"
        );
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(portal_id);
        for id in ids {
            query = query.bind(*id);
        }
        for row in query.fetch_all(db.pool()).await? {
            files.entry(row.try_get("message_id")?).or_default().push(ListedFile {
                id: row.try_get("id")?,
                filename: row.try_get("filename")?,
                size: row.try_get("size")?,
                content_type: row.try_get("content_type")?,
            });
        }
    }
    Ok(files)
}

/// Whether the file `attachment_id` is attached to a message of the ticket `ticket_id`; with
/// `public_only`, to a public message (what a customer may see; internal notes' files are not).
pub async fn on_ticket(
    db: &Db,
    portal_id: i64,
    ticket_id: i64,
    attachment_id: i64,
    public_only: bool,
) -> Result<bool, sqlx::Error> {
    let row = sqlx::query(
        "SELECT 1 AS found FROM ticket_message_attachments l \
         JOIN ticket_messages m ON m.portal_id = l.portal_id AND m.id = l.message_id \
         WHERE l.portal_id = $1 AND l.attachment_id = $2 AND m.ticket_id = $3 AND (m.kind = 'public' OR $4 = 0)",
    )
    .bind(portal_id)
    .bind(attachment_id)
    .bind(ticket_id)
    .bind(i64::from(public_only))
    .fetch_optional(db.pool())
    .await?;
    Ok(row.is_some())
}

/// The download of the portal's file `attachment_id` (404 if the portal has no such linked
/// file). Check first that the person may have it.
pub async fn serve(db: &Db, portal_id: i64, attachment_id: i64) -> AppResult<Response> {
    let row = sqlx::query(
        "SELECT filename, content_type, size FROM attachments WHERE portal_id = $1 AND id = $2 AND pending_since IS NULL",
    )
    .bind(portal_id)
    .bind(attachment_id)
    .fetch_optional(db.pool())
    .await?
    .ok_or(AppError::NotFound)?;
    let filename: String = row.try_get("filename")?;
    let sniffed: String = row.try_get("content_type")?;
    let size: i64 = row.try_get("size")?;
    let body = Body::from_stream(attachments::chunks(db.clone(), portal_id, attachment_id));
    let headers = [
        (header::CONTENT_TYPE, HeaderValue::from_static(served_type(&sniffed, &filename))),
        (header::CONTENT_DISPOSITION, content_disposition(&filename)),
        (header::CONTENT_LENGTH, HeaderValue::from(size)),
        (header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")),
        (header::CACHE_CONTROL, HeaderValue::from_static("private")),
    ];
    Ok((StatusCode::OK, headers, body).into_response())
}

/// The type a file is sent as: the one found from its content when it is harmless to show and
/// the name agrees with it (a page saved as `x.html` but found to be text is not sent as text,
/// since the name is what the saved file opens as); otherwise `application/octet-stream`. Never
/// HTML, SVG or anything else a browser runs.
pub fn served_type(sniffed: &str, filename: &str) -> &'static str {
    const HARMLESS: &[(&str, &[&str])] = &[
        ("image/png", &["png"]),
        ("image/jpeg", &["jpg", "jpeg"]),
        ("image/gif", &["gif"]),
        ("image/webp", &["webp"]),
        ("application/pdf", &["pdf"]),
        ("text/plain; charset=utf-8", &["txt", "log", "csv"]),
    ];
    let extension = filename.rsplit_once('.').map(|(_, ext)| ext.to_ascii_lowercase()).unwrap_or_default();
    HARMLESS
        .iter()
        .find(|(kind, extensions)| *kind == sniffed && extensions.contains(&extension.as_str()))
        .map_or("application/octet-stream", |(kind, _)| kind)
}

/// What RFC 8187 allows unencoded in `filename*` (attr-char).
const ATTR_CHAR_ESCAPES: &AsciiSet =
    &NON_ALPHANUMERIC.remove(b'!').remove(b'#').remove(b'$').remove(b'&').remove(b'+').remove(b'-').remove(b'.');
const MORE_ATTR_CHARS: &AsciiSet = &ATTR_CHAR_ESCAPES.remove(b'^').remove(b'_').remove(b'`').remove(b'|').remove(b'~');

/// `attachment; filename="…"; filename*=UTF-8''…`: the name percent-encoded for browsers that
/// read `filename*` (all current ones), and an ASCII stand-in for those that do not.
pub fn content_disposition(filename: &str) -> HeaderValue {
    let clean = attachments::clean_filename(filename);
    let ascii: String = clean
        .chars()
        .map(|c| if c.is_ascii_graphic() && !matches!(c, '"' | '\\' | ';' | '%') { c } else { '_' })
        .collect();
    let encoded = utf8_percent_encode(&clean, MORE_ATTR_CHARS);
    HeaderValue::from_str(&format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{encoded}"))
        .unwrap_or_else(|_| HeaderValue::from_static("attachment"))
}

/// A size as people read it, in the request's language: "830 bytes", "48 kB", "2.4 MB"
/// ("2,4 MB" in Portuguese). Decimal units, as the portal's limits are given.
pub fn human_size(bytes: i64) -> String {
    let lang = Lang::current();
    let number = |value: f64| {
        let text = if value < 9.95 { format!("{value:.1}") } else { format!("{value:.0}") };
        if lang == Lang::PtBr { text.replace('.', ",") } else { text }
    };
    let msg = if bytes < 1000 {
        Msg::new("file-size-bytes").arg("count", bytes)
    } else if bytes < 999_500 {
        Msg::new("file-size-kb").arg("size", number(bytes as f64 / 1e3))
    } else {
        Msg::new("file-size-mb").arg("size", number(bytes as f64 / 1e6))
    };
    msg.in_lang(lang)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_harmless_types_whose_name_agrees_are_sent_as_themselves() {
        assert_eq!(served_type("image/png", "photo.PNG"), "image/png");
        assert_eq!(served_type("application/pdf", "invoice.pdf"), "application/pdf");
        assert_eq!(served_type("text/plain; charset=utf-8", "notes.txt"), "text/plain; charset=utf-8");
        assert_eq!(served_type("text/plain; charset=utf-8", "page.html"), "application/octet-stream");
        assert_eq!(served_type("text/plain; charset=utf-8", "logo.svg"), "application/octet-stream");
        assert_eq!(served_type("image/png", "photo"), "application/octet-stream");
        assert_eq!(served_type("text/html", "page.txt"), "application/octet-stream");
        assert_eq!(served_type("application/zip", "a.zip"), "application/octet-stream");
    }

    #[test]
    fn names_are_encoded_for_the_header() {
        let value = content_disposition("relatório final; v2.pdf");
        assert_eq!(
            value.to_str().unwrap(),
            "attachment; filename=\"relat_rio_final__v2.pdf\"; filename*=UTF-8''relat%C3%B3rio%20final%3B%20v2.pdf"
        );
        let hostile = content_disposition("a\"b\r\nSet-Cookie: x=1.txt");
        assert!(!hostile.to_str().unwrap().contains('\n'));
        assert!(hostile.to_str().unwrap().starts_with("attachment; filename=\"abSet-Cookie:_x=1.txt\""));
    }

    #[test]
    fn sizes_read_as_people_say_them() {
        assert_eq!(human_size(1), "1 byte");
        assert_eq!(human_size(830), "830 bytes");
        assert_eq!(human_size(48_200), "48 kB");
        assert_eq!(human_size(2_400_000), "2.4 MB");
        assert_eq!(human_size(25_000_000), "25 MB");
    }
}
