//! What the request log may say of an address. Some addresses carry secrets: password links
//! (`/manage/password/{token}`), visitors' ticket links (`…/tickets/follow/{token}`), rating
//! links (`…/tickets/rate/{token}`), and an identity provider's answer (`?code=…&state=…`). The
//! log keeps the path with those segments replaced, and no query string at all.

use axum::extract::Request;
use axum::http::Uri;
use tower_http::trace::MakeSpan;

/// The path segments after which the next one is a secret.
const BEFORE_A_SECRET: &[&str] = &["password", "follow", "rate"];

/// `uri`'s path with secret segments replaced by `…`, without its query.
pub fn loggable(uri: &Uri) -> String {
    let mut out = String::with_capacity(uri.path().len());
    let mut secret_next = false;
    for (i, segment) in uri.path().split('/').enumerate() {
        if i > 0 {
            out.push('/');
        }
        if secret_next && !segment.is_empty() {
            out.push('…');
        } else {
            out.push_str(segment);
        }
        secret_next = BEFORE_A_SECRET.contains(&segment);
    }
    if uri.query().is_some() {
        out.push_str("?…");
    }
    out
}

/// The request log's span: the method and the loggable path (tower-http's default records the
/// whole address).
#[derive(Clone, Copy, Debug, Default)]
pub struct RequestSpan;

impl<B> MakeSpan<B> for RequestSpan {
    fn make_span(&mut self, request: &Request<B>) -> tracing::Span {
        tracing::debug_span!("http", method = %request.method(), path = %loggable(request.uri()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn logged(address: &str) -> String {
        loggable(&address.parse().unwrap())
    }

    #[test]
    fn secrets_in_addresses_stay_out_of_the_log() {
        assert_eq!(logged("/manage/password/s3cr3t"), "/manage/password/…");
        assert_eq!(logged("/portal/acme/password/s3cr3t?x=1"), "/portal/acme/password/…?…");
        assert_eq!(logged("/portal/acme/tickets/follow/s3cr3t/reply"), "/portal/acme/tickets/follow/…/reply");
        assert_eq!(logged("/portal/acme/tickets/rate/s3cr3t"), "/portal/acme/tickets/rate/…");
        assert_eq!(logged("/sso/callback?code=abc&state=def"), "/sso/callback?…");
        assert_eq!(logged("/manage/tickets/12"), "/manage/tickets/12");
        assert_eq!(logged("/manage/password"), "/manage/password");
    }
}
