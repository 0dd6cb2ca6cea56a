//! Forms that carry files: a ticket, a reply (the customer's, and the agents'). The form is read
//! field by field as it arrives; each file is stored as it streams in, never whole in memory.
//!
//! Why files are stored before their message, and linked after: SQLite has one writer, and a
//! 25 MB upload over a slow line takes minutes. Holding the message's write transaction while the
//! bytes arrive would stop every other write (sign-ins, other tickets) for that long. So each
//! file's chunks are written in short writes of their own as they arrive, the file marked pending
//! (`attachments::store_pending`); the message's transaction then links them all (`Upload::link`),
//! so a ticket answered with success has all its files (one commit links them). A message
//! refused after its files were stored deletes them at once (`Upload::discard`); files whose
//! request never finished (the browser went away) are swept an hour later by the janitor.
//!
//! The CSRF token is checked before any file is stored: a file part arriving before a valid `csrf`
//! field is refused with 403. Forms put the hidden `csrf` field first, and browsers send fields in
//! the order of the form. A url-encoded form (no files) is read too, with the same checks.

use axum::extract::{DefaultBodyLimit, FromRequest, Multipart, Request};
use axum::http::{StatusCode, header};
use serde::de::DeserializeOwned;
use sqlx::AnyConnection;

use super::Actor;
use super::attachments::{self, AttachmentError, Stored};
use super::settings::{self, TicketSettings};
use super::store::{self, Event};
use crate::db::{Db, now};
use crate::error::{AppError, AppResult};
use crate::i18n::Msg;
use crate::web::csrf;
use crate::web::state::AppState;

/// The name of the forms' file input (`<input type=file name=files multiple>`).
pub const FILE_FIELD: &str = "files";
/// The most files one message may carry.
pub const MAX_FILES: usize = 10;
/// The most one text field may weigh: a message of 20,000 characters of four bytes each fits.
const TEXT_FIELD_MAX_BYTES: usize = 96 * 1024;
/// The most all text fields together may weigh.
const TEXT_MAX_BYTES: usize = 192 * 1024;
const MAX_TEXT_FIELDS: usize = 32;
/// The request body limit of routes that take uploads (`body_limit()`): the most a portal may
/// allow per message, the text fields, and room for the parts' headers. Every other route keeps
/// the 64 KiB limit of forms.
pub const BODY_LIMIT_BYTES: usize = settings::MAX_MB as usize * 1_000_000 + TEXT_MAX_BYTES + 256 * 1024;

/// The layer to put on routes that take uploads: `.route(path, post(h).layer(uploads::body_limit()))`.
pub fn body_limit() -> DefaultBodyLimit {
    DefaultBodyLimit::max(BODY_LIMIT_BYTES)
}

/// The limits a form's file input states (`templates/file_input.html` shows `limits.hint()`).
pub struct FileLimits {
    pub count: usize,
    pub file_mb: i64,
    pub message_mb: i64,
}

impl FileLimits {
    pub fn hint(&self) -> Msg {
        Msg::new("attachments-field-hint")
            .arg("count", self.count)
            .arg("file", self.file_mb)
            .arg("message", self.message_mb)
    }
}

impl From<TicketSettings> for FileLimits {
    fn from(s: TicketSettings) -> FileLimits {
        FileLimits { count: MAX_FILES, file_mb: s.file_mb as i64, message_mb: s.message_mb as i64 }
    }
}

/// A form read with its files: the text fields as `T`, and the files stored, pending until
/// `link` (or deleted by `discard`).
pub struct Upload<T> {
    pub form: T,
    pub files: Vec<Stored>,
    portal_id: i64,
}

/// Reads a multipart (or url-encoded) form posted to a page of the portal `portal_id`: checks its
/// origin and its `csrf` field, refuses a field given twice, control characters where
/// `web::input` refuses them, and files over the portal's limits (per file and per message, 413),
/// empty files (422) or more than `MAX_FILES` (413). File inputs left empty are ignored. On
/// refusal no file is left stored. Check who may post (and that the ticket is theirs) before.
pub async fn read<T: DeserializeOwned>(state: &AppState, portal_id: i64, request: Request) -> AppResult<Upload<T>> {
    csrf::check_origin(request.headers(), state)?;
    let content_type = request.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
    let cookie = csrf::cookie_value(state, request.headers());
    let (fields, files) = if content_type.starts_with("multipart/form-data") {
        let limits = settings::load(&state.db, portal_id).await?;
        let multipart = Multipart::from_request(request, state)
            .await
            .map_err(|_| AppError::bad_request(Msg::new("form-unreadable")))?;
        let reading =
            Reading { db: &state.db, portal_id, limits, cookie, csrf_ok: false, fields: vec![], files: vec![] };
        reading.all(multipart).await?
    } else if content_type.starts_with("application/x-www-form-urlencoded") {
        (read_urlencoded(state, cookie.as_deref(), request).await?, vec![])
    } else {
        return Err(AppError::bad_request(Msg::new("upload-not-a-form")));
    };
    match deserialize(&fields) {
        Ok(form) => Ok(Upload { form, files, portal_id }),
        Err(e) => {
            Upload { form: (), files, portal_id }.discard(&state.db).await;
            Err(e)
        }
    }
}

impl<T> Upload<T> {
    /// Deletes the files of a message that was refused (a bad subject, a closed ticket). A file
    /// that cannot be deleted now is swept later.
    pub async fn discard(&self, db: &Db) {
        let ids: Vec<i64> = self.files.iter().map(|f| f.id).collect();
        if let Err(e) = attachments::discard_pending(db, self.portal_id, &ids).await {
            tracing::warn!(error = %e, "could not delete the files of a refused message; the sweep will");
        }
    }

    /// Links the files to the message `message_id` of ticket `ticket_id`, with one "attachment"
    /// line of history each, in the transaction that writes the message. A file no longer
    /// pending (swept after waiting an hour) fails the whole change with 409.
    pub async fn link(
        &self,
        conn: &mut AnyConnection,
        ticket_id: i64,
        message_id: i64,
        actor: Actor,
        actor_name: &str,
        now: i64,
    ) -> AppResult<()> {
        for file in &self.files {
            if !attachments::link_pending(conn, self.portal_id, file.id).await? {
                return Err(AppError::Page(StatusCode::CONFLICT, Msg::new("upload-expired")));
            }
            sqlx::query(
                "INSERT INTO ticket_message_attachments (portal_id, message_id, attachment_id) VALUES ($1, $2, $3)",
            )
            .bind(self.portal_id)
            .bind(message_id)
            .bind(file.id)
            .execute(&mut *conn)
            .await?;
            let event = Event { what: "attachment", old: None, new: Some(&file.filename) };
            store::record(conn, self.portal_id, ticket_id, actor, actor_name, event, now).await?;
        }
        Ok(())
    }
}

/// The fields as `T`, as `CsrfForm` reads a url-encoded form.
fn deserialize<T: DeserializeOwned>(fields: &[(String, String)]) -> AppResult<T> {
    let encoded =
        serde_urlencoded::to_string(fields).map_err(|_| AppError::bad_request(Msg::new("form-unreadable")))?;
    serde_urlencoded::from_str(&encoded)
        .map_err(|e| AppError::bad_request(Msg::new("form-wrong-field").arg("detail", e.to_string())))
}

/// A url-encoded form (no files): already read, size-limited and checked for control characters
/// by `web::input`.
async fn read_urlencoded(state: &AppState, cookie: Option<&str>, request: Request) -> AppResult<Vec<(String, String)>> {
    let body = axum::body::Bytes::from_request(request, state).await.map_err(|rejection| {
        if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
            AppError::TooLarge
        } else {
            AppError::bad_request(Msg::new("form-incomplete"))
        }
    })?;
    let mut fields: Vec<(String, String)> = Vec::new();
    for (name, value) in url::form_urlencoded::parse(&body) {
        refuse_twice(&fields, &name)?;
        fields.push((name.into_owned(), value.into_owned()));
    }
    let token = fields.iter().find(|(name, _)| name == "csrf").map(|(_, v)| v.as_str()).unwrap_or("");
    if !csrf::field_matches(cookie, token) {
        return Err(AppError::Csrf);
    }
    Ok(fields)
}

/// A field given twice is refused, as url-encoded forms refuse it: which one was meant is unknown.
fn refuse_twice(fields: &[(String, String)], name: &str) -> AppResult<()> {
    if fields.iter().any(|(seen, _)| seen == name) {
        let msg = Msg::new("upload-field-twice").arg("name", name.chars().take(40).collect::<String>());
        return Err(AppError::bad_request(msg));
    }
    Ok(())
}

/// A multipart form as it is read.
struct Reading<'a> {
    db: &'a Db,
    portal_id: i64,
    limits: TicketSettings,
    cookie: Option<String>,
    csrf_ok: bool,
    fields: Vec<(String, String)>,
    files: Vec<Stored>,
}

type Read = (Vec<(String, String)>, Vec<Stored>);

impl Reading<'_> {
    /// Every field; on refusal, the files stored so far are deleted and the rest of the body is
    /// read and dropped, so that the browser, still sending, gets the answer.
    async fn all(mut self, mut multipart: Multipart) -> AppResult<Read> {
        let outcome = async {
            while let Some(field) = multipart.next_field().await.map_err(body_error)? {
                self.field(field).await?;
            }
            if !self.csrf_ok {
                return Err(AppError::Csrf);
            }
            Ok(())
        }
        .await;
        match outcome {
            Ok(()) => Ok((self.fields, self.files)),
            Err(e) => {
                let ids: Vec<i64> = self.files.iter().map(|f| f.id).collect();
                if let Err(e) = attachments::discard_pending(self.db, self.portal_id, &ids).await {
                    tracing::warn!(error = %e, "could not delete the files of a refused upload; the sweep will");
                }
                while let Ok(Some(mut rest)) = multipart.next_field().await {
                    while let Ok(Some(_)) = rest.chunk().await {}
                }
                Err(e)
            }
        }
    }

    async fn field(&mut self, field: axum::extract::multipart::Field<'_>) -> AppResult<()> {
        let name = field.name().unwrap_or_default().to_string();
        if name.is_empty() {
            return Err(AppError::bad_request(Msg::new("form-unreadable")));
        }
        match field.file_name().map(str::to_string) {
            Some(file_name) => self.file(&name, &file_name, field).await,
            None => self.text(name, field).await,
        }
    }

    async fn text(&mut self, name: String, mut field: axum::extract::multipart::Field<'_>) -> AppResult<()> {
        refuse_twice(&self.fields, &name)?;
        if self.fields.len() == MAX_TEXT_FIELDS {
            return Err(AppError::bad_request(Msg::new("form-unreadable")));
        }
        let so_far: usize = self.fields.iter().map(|(_, v)| v.len()).sum();
        let mut bytes = Vec::new();
        while let Some(piece) = field.chunk().await.map_err(body_error)? {
            bytes.extend_from_slice(&piece);
            if bytes.len() > TEXT_FIELD_MAX_BYTES || so_far + bytes.len() > TEXT_MAX_BYTES {
                return Err(AppError::TooLarge);
            }
        }
        let value = String::from_utf8(bytes).map_err(|_| AppError::bad_request(Msg::new("form-unreadable")))?;
        crate::web::input::check_field(&name, &value)?;
        if name == "csrf" {
            if !csrf::field_matches(self.cookie.as_deref(), &value) {
                return Err(AppError::Csrf);
            }
            self.csrf_ok = true;
        }
        self.fields.push((name, value));
        Ok(())
    }

    async fn file(&mut self, name: &str, file_name: &str, field: axum::extract::multipart::Field<'_>) -> AppResult<()> {
        if name != FILE_FIELD {
            return Err(AppError::bad_request(Msg::new("upload-unexpected-file")));
        }
        // What a browser sends for a file input left empty.
        if file_name.is_empty() {
            return Ok(());
        }
        if !self.csrf_ok {
            return Err(AppError::Csrf);
        }
        if self.files.len() == MAX_FILES {
            let msg = Msg::new("upload-too-many-files").arg("max", MAX_FILES);
            return Err(AppError::Page(StatusCode::PAYLOAD_TOO_LARGE, msg));
        }
        let used: u64 = self.files.iter().map(|f| f.size as u64).sum();
        let left = self.limits.message_bytes().saturating_sub(used);
        let limit = self.limits.file_bytes().min(left);
        match attachments::store_pending(self.db, self.portal_id, file_name, field, limit, now()).await {
            Ok(stored) => {
                self.files.push(stored);
                Ok(())
            }
            Err(e) => Err(self.refusal(e, file_name, left)),
        }
    }

    /// What the sender is told about a file that was not stored.
    fn refusal(&self, error: AttachmentError, file_name: &str, left: u64) -> AppError {
        let name = attachments::clean_filename(file_name);
        match error {
            AttachmentError::Db(e) => AppError::from(e),
            AttachmentError::TooLarge(_) if left < self.limits.file_bytes() => {
                let msg = Msg::new("upload-message-too-large")
                    .arg("name", name)
                    .arg("megabytes", self.limits.message_mb as i64);
                AppError::Page(StatusCode::PAYLOAD_TOO_LARGE, msg)
            }
            AttachmentError::TooLarge(_) => {
                let msg = AttachmentError::TooLarge(self.limits.file_bytes()).message(&name);
                AppError::Page(StatusCode::PAYLOAD_TOO_LARGE, msg.unwrap_or(Msg::new("error-too-large")))
            }
            AttachmentError::Empty => {
                AppError::Page(StatusCode::UNPROCESSABLE_ENTITY, Msg::new("attachment-empty").arg("name", name))
            }
            AttachmentError::Interrupted => AppError::bad_request(Msg::new("attachment-interrupted").arg("name", name)),
        }
    }
}

/// A body that broke off or grew past the routes' limit.
fn body_error(e: axum::extract::multipart::MultipartError) -> AppError {
    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
        AppError::TooLarge
    } else {
        AppError::bad_request(Msg::new("form-incomplete"))
    }
}
