//! Control characters in input: refused in one place, for every request, before any handler
//! reads it. PostgreSQL cannot store NUL in text, names and one-line values must not hide line
//! breaks, and a `Location` or email header must never receive one. The percent-decoded path,
//! every query value and every field of a url-encoded form are checked; a request that has one
//! gets a 400 page naming the field.
//!
//! Multi-line text legitimately has line breaks and tabs: a field or query value named in
//! `MULTI_LINE_FIELDS` may have TAB, CR and LF, and no other control character.

use axum::body::Body;
use axum::extract::Request;
use axum::http::{HeaderMap, Uri, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::error::AppError;
use crate::i18n::Msg;

/// Fields and query values that hold multi-line text. `error_description`: Entra ID sends its
/// error text back to the sign-in return address with line breaks (AADSTS code, trace id,
/// time). `message`: the text of a ticket or of a reply to one. `body`: a saved reply's text.
/// `comment`: a satisfaction rating's comment. `chat_hours`: a department's weekly chat schedule.
const MULTI_LINE_FIELDS: &[&str] = &["error_description", "message", "body", "comment", "chat_hours"];

/// Whether `c` is refused in the value of `field`.
fn refused_in(field: &str, c: char) -> bool {
    c.is_control() && !(MULTI_LINE_FIELDS.contains(&field) && matches!(c, '\t' | '\r' | '\n'))
}

/// Bidirectional embeddings, overrides and isolates (U+202A-U+202E, U+2066-U+2069): they make a
/// name display differently from what it is, so names refuse them.
pub fn is_direction_override(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// True for what no name or one-line value may hold: control characters (line breaks, tabs and
/// NUL among them) and direction overrides.
pub fn is_forbidden_in_name(c: char) -> bool {
    c.is_control() || is_direction_override(c)
}

/// Middleware: answers 400 when the path, the query or a url-encoded form has a control character.
pub async fn refuse_control_characters(req: Request, next: Next, max_body: usize) -> Response {
    if let Err(e) = check_uri(req.uri()) {
        return e.into_response();
    }
    if !is_form(req.headers()) {
        return next.run(req).await;
    }
    let (parts, body) = req.into_parts();
    let bytes = match axum::body::to_bytes(body, max_body).await {
        Ok(b) => b,
        Err(e) if is_too_large(&e) => return AppError::TooLarge.into_response(),
        Err(_) => {
            return AppError::bad_request(Msg::new("form-incomplete")).into_response();
        }
    };
    if let Err(e) = check_form(&bytes) {
        return e.into_response();
    }
    next.run(Request::from_parts(parts, Body::from(bytes))).await
}

fn is_form(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"))
}

fn is_too_large(e: &axum::Error) -> bool {
    let mut source: Option<&dyn std::error::Error> = Some(e);
    while let Some(err) = source {
        if err.to_string().contains("length limit exceeded") {
            return true;
        }
        source = err.source();
    }
    false
}

fn check_uri(uri: &Uri) -> Result<(), AppError> {
    let path = percent_encoding::percent_decode_str(uri.path()).decode_utf8_lossy();
    if path.chars().any(char::is_control) {
        return Err(AppError::bad_request(Msg::new("input-address-control-character")));
    }
    for (name, value) in url::form_urlencoded::parse(uri.query().unwrap_or_default().as_bytes()) {
        if name.chars().any(char::is_control) || value.chars().any(|c| refused_in(&name, c)) {
            return Err(AppError::bad_request(match shown_name(&name) {
                Some(name) => Msg::new("input-query-control-character").arg("name", name),
                None => Msg::new("input-query-control-character-unnamed"),
            }));
        }
    }
    Ok(())
}

fn check_form(body: &[u8]) -> Result<(), AppError> {
    url::form_urlencoded::parse(body).try_for_each(|(name, value)| check_field(&name, &value))
}

/// The check this middleware makes on each url-encoded field, for forms it cannot read (the
/// fields of a multipart form, read by `tickets::uploads`).
pub fn check_field(name: &str, value: &str) -> Result<(), AppError> {
    if name.chars().any(char::is_control) || value.chars().any(|c| refused_in(name, c)) {
        return Err(AppError::bad_request(match shown_name(name) {
            Some(name) => Msg::new("input-field-control-character").arg("name", name),
            None => Msg::new("input-field-control-character-unnamed"),
        }));
    }
    Ok(())
}

/// A field's name, unless it is unfit to show.
fn shown_name(name: &str) -> Option<&str> {
    let unfit = name.is_empty() || name.chars().count() > 40 || name.chars().any(is_forbidden_in_name);
    (!unfit).then_some(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forms_and_addresses_with_control_characters_are_refused() {
        assert!(check_form(b"name=Ana&email=ana%40example.com").is_ok());
        assert!(check_form(b"name=An%00a").is_err());
        assert!(check_form(b"name=Ana%0D%0ABcc%3A+x").is_err());
        assert!(check_form(b"na%01me=Ana").is_err());
        assert!(check_uri(&"/portal/acme/login?next=%2Fmanage".parse().unwrap()).is_ok());
        assert!(check_uri(&"/portal/a%00b/login".parse().unwrap()).is_err());
        assert!(check_uri(&"/manage/login?portal=a%00b".parse().unwrap()).is_err());
        assert!(check_uri(&"/login?next=/%09/evil.example/".parse().unwrap()).is_err());
        let entra_error =
            "/auth/oidc/callback?error=access_denied&error_description=AADSTS65004%3A+declined.%0D%0ATrace+ID%3A+1";
        assert!(check_uri(&entra_error.parse().unwrap()).is_ok());
        assert!(check_uri(&"/auth/oidc/callback?error_description=a%00b".parse().unwrap()).is_err());
    }

    #[test]
    fn names_refuse_direction_overrides() {
        assert!("Ana\u{202E}gnp.exe".chars().any(is_forbidden_in_name));
        assert!("Ana\u{2066}".chars().any(is_forbidden_in_name));
        assert!(!"Zoë O'Brien-Łukasz 王".chars().any(is_forbidden_in_name));
    }
}
