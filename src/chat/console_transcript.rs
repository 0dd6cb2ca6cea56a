//! A chat's conversation as the agents' pages show it, and as the text of the ticket a chat
//! turns into: every message in order, the desk's lines in the reader's language.

use sqlx::Row;

use crate::error::AppResult;
use crate::i18n::Lang;
use crate::web::state::AppState;

/// One message, for a page (the fields `chat/templates/chat_messages.html` shows, as `chat.js`
/// draws the ones that follow).
#[derive(Clone, Debug)]
pub struct Line {
    pub seq: i64,
    /// `customer`, `agent` or `system`.
    pub author: String,
    pub name: String,
    pub body: String,
    pub at: i64,
    pub when: String,
    /// A file's address (for the agents' pages), name and size.
    pub file: Option<(String, String, String)>,
}

/// Messages read at once; a chat longer than this is read in several pages.
const PAGE: i64 = 500;

/// Every message of the chat, oldest first, in `lang`; and the number of the last.
pub async fn read(state: &AppState, portal_id: i64, chat_id: i64, lang: Lang) -> AppResult<Vec<Line>> {
    let mut lines: Vec<Line> = Vec::new();
    loop {
        let after = lines.last().map_or(0, |l| l.seq);
        let rows = sqlx::query(
            "SELECT m.seq, m.author, m.body, m.created_at, s.name AS staff_name, c.requester_name, m.attachment_id, \
             a.filename, a.size \
             FROM chat_messages m JOIN chats c ON c.portal_id = m.portal_id AND c.id = m.chat_id \
             LEFT JOIN staff s ON s.id = m.staff_id \
             LEFT JOIN attachments a ON a.portal_id = m.portal_id AND a.id = m.attachment_id \
             WHERE m.portal_id = $1 AND m.chat_id = $2 AND m.seq > $3 ORDER BY m.seq LIMIT $4",
        )
        .bind(portal_id)
        .bind(chat_id)
        .bind(after)
        .bind(PAGE)
        .fetch_all(state.db.pool())
        .await?;
        let full = rows.len() as i64 == PAGE;
        for r in rows {
            let author: String = r.try_get("author")?;
            let body: String = r.try_get("body")?;
            let name = match author.as_str() {
                "customer" => r.try_get("requester_name")?,
                "agent" => r.try_get::<Option<String>, _>("staff_name")?.unwrap_or_default(),
                _ => String::new(),
            };
            let at: i64 = r.try_get("created_at")?;
            let body = if author == "system" { system_text(&body, lang) } else { body };
            let file =
                match (r.try_get::<Option<i64>, _>("attachment_id")?, r.try_get::<Option<String>, _>("filename")?) {
                    (Some(id), Some(filename)) => {
                        let size = crate::tickets::downloads::human_size(r.try_get("size")?);
                        Some((format!("/manage/chats/{chat_id}/files/{id}"), filename, size))
                    }
                    _ => None,
                };
            lines.push(Line {
                seq: r.try_get("seq")?,
                author,
                name,
                body,
                at,
                when: crate::i18n::datetime(lang, at),
                file,
            });
        }
        if !full {
            return Ok(lines);
        }
    }
}

/// The desk's own line (a catalog key and its arguments, `chat::store`) in `lang`.
fn system_text(body: &str, lang: Lang) -> String {
    crate::chat::store::SystemLine::decode(body).map(|l| l.in_lang(lang)).unwrap_or_default()
}

/// The page's lines, in the request's language (`chat.js` resumes after the last one's number).
pub async fn lines(state: &AppState, portal_id: i64, chat_id: i64) -> AppResult<Vec<Line>> {
    read(state, portal_id, chat_id, Lang::current()).await
}

/// The number of the ticket the chat became, if it did.
pub async fn ticket_number(state: &AppState, portal_id: i64, chat_id: i64) -> AppResult<Option<i64>> {
    let row = sqlx::query(
        "SELECT t.number FROM chats c JOIN tickets t ON t.portal_id = c.portal_id AND t.id = c.ticket_id \
         WHERE c.portal_id = $1 AND c.id = $2",
    )
    .bind(portal_id)
    .bind(chat_id)
    .fetch_optional(state.db.pool())
    .await?;
    Ok(row.map(|r| r.try_get("number")).transpose()?)
}

/// The transcript as the text of a ticket's first message, in the chat's language: a heading,
/// then one paragraph per message ("Name (time): text").
pub fn as_ticket_text(lines: &[Line], lang: Lang, heading: &str) -> String {
    let mut text = format!("{heading}\n");
    for line in lines {
        let time = crate::i18n::datetime(lang, line.at);
        let mut body = line.body.clone();
        if let Some((_, name, _)) = &line.file {
            let file =
                crate::i18n::render_in(lang, || crate::i18n::t1("chat-console-transcript-file", "name", name.clone()));
            body = if body.is_empty() { file } else { format!("{body}\n{file}") };
        }
        if line.author == "system" {
            text.push_str(&format!("\n— {body} ({time})\n"));
        } else {
            text.push_str(&format!("\n{} ({time}):\n{body}\n", line.name));
        }
    }
    text
}
