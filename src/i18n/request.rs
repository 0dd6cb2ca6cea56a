//! The language of the request being answered. A middleware opens a scope for each request
//! with what the browser says (the switcher's cookie, `Accept-Language`); the extractors that
//! learn who is signed in, or which portal the page belongs to, add what they know; pages and
//! error pages then read the result with `Lang::current()`.

use std::cell::RefCell;

use axum::extract::{Request, State};
use axum::http::header;
use axum::middleware::Next;
use axum::response::Response;

use super::Lang;
use crate::web::state::AppState;

/// The cookie the language switcher sets before sign-in (a choice, not a secret).
pub const COOKIE: &str = "fd_lang";

/// What is known about the language of one request, strongest first.
#[derive(Clone, Debug, Default)]
struct Preferences {
    /// The language on the signed-in person's profile.
    account: Option<Lang>,
    /// The switcher's cookie.
    chosen: Option<Lang>,
    /// The portal's `default_language`.
    portal: Option<Lang>,
    /// The browser's `Accept-Language`.
    browser: Option<Lang>,
    /// Set while an email is rendered for its recipient: overrides everything.
    fixed: Option<Lang>,
    /// The path and query the browser asked for (before a portal host's rewrite), for the
    /// language switcher to come back to.
    path: String,
    /// Where the switcher comes back to instead, when the page answers a form posted to an
    /// address a link cannot open (see `switcher_returns_to`).
    back: Option<String>,
}

impl Preferences {
    fn resolve(&self) -> Lang {
        self.fixed.or(self.account).or(self.chosen).or(self.portal).or(self.browser).unwrap_or_default()
    }
}

tokio::task_local! {
    static REQUEST: RefCell<Preferences>;
}

pub(super) fn current() -> Lang {
    REQUEST.try_with(|p| p.borrow().resolve()).unwrap_or_default()
}

/// Where the language switcher comes back to: the path and query the browser asked for, or
/// what the page declared ("/" outside a request).
pub(super) fn current_path() -> String {
    REQUEST
        .try_with(|p| {
            let p = p.borrow();
            p.back.clone().unwrap_or_else(|| p.path.clone())
        })
        .ok()
        .filter(|p| !p.is_empty())
        .unwrap_or_else(|| "/".into())
}

/// A page that answers a posted form, at an address only a form can use, names the page a
/// link can open for the language switcher to come back to (same host, as the browser sees it).
pub fn switcher_returns_to(path: String) {
    update(|p| p.back = Some(path));
}

fn update(f: impl FnOnce(&mut Preferences)) {
    // Outside a request (the command line, a background task) there is nothing to update.
    let _ = REQUEST.try_with(|p| f(&mut p.borrow_mut()));
}

/// The signed-in person's own choice, from their profile.
pub fn set_account_choice(lang: Option<Lang>) {
    update(|p| p.account = lang);
}

/// The switcher's choice, made by this very request (its answer is already in it).
pub(super) fn set_chosen(lang: Lang) {
    update(|p| p.chosen = Some(lang));
}

/// The default language of the portal the page belongs to.
pub fn set_portal_default(lang: Option<Lang>) {
    update(|p| p.portal = lang);
}

/// Runs `render` in `lang` (an email, for its recipient), in a request or outside one.
pub fn render_in<T>(lang: Lang, render: impl FnOnce() -> T) -> T {
    let fixed = Preferences { fixed: Some(lang), ..Default::default() };
    REQUEST.sync_scope(RefCell::new(fixed), render)
}

/// The first language of `Accept-Language` (by weight) that Frontdesk speaks.
pub fn from_accept_language(value: &str) -> Option<Lang> {
    let mut offers: Vec<(f32, usize, Lang)> = value
        .split(',')
        .enumerate()
        .filter_map(|(i, part)| {
            let mut pieces = part.split(';');
            let lang = Lang::parse(pieces.next()?)?;
            let q = pieces
                .filter_map(|p| p.trim().strip_prefix("q="))
                .find_map(|q| q.trim().parse::<f32>().ok())
                .unwrap_or(1.0);
            (q > 0.0).then_some((q, i, lang))
        })
        .collect();
    // Highest weight first; equal weights in the order the browser gave.
    offers.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    offers.first().map(|o| o.2)
}

fn from_request(state: &AppState, req: &Request) -> Preferences {
    let headers = req.headers();
    Preferences {
        path: req.uri().path_and_query().map(|p| p.as_str().to_string()).unwrap_or_default(),
        chosen: state.cookies.get(headers, COOKIE).and_then(Lang::parse),
        browser: headers.get(header::ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok()).and_then(from_accept_language),
        ..Default::default()
    }
}

/// Middleware: answers the request inside a scope that knows its language, and says which
/// language the answer is in (`Content-Language`; `Vary` because it depends on those headers).
pub async fn scope_request(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let preferences = from_request(&state, &req);
    let (mut response, lang) =
        REQUEST.scope(RefCell::new(preferences), async { (next.run(req).await, current()) }).await;
    let headers = response.headers_mut();
    if !headers.contains_key(header::CONTENT_LANGUAGE) {
        headers.insert(header::CONTENT_LANGUAGE, header::HeaderValue::from_static(lang.tag()));
    }
    headers.append(header::VARY, header::HeaderValue::from_static("Accept-Language, Cookie"));
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_language_picks_the_heaviest_language_we_speak() {
        assert_eq!(from_accept_language("pt-BR,pt;q=0.9,en;q=0.8"), Some(Lang::PtBr));
        assert_eq!(from_accept_language("de-DE, en;q=0.5, pt;q=0.7"), Some(Lang::PtBr));
        assert_eq!(from_accept_language("en-US,en;q=0.9"), Some(Lang::En));
        assert_eq!(from_accept_language("fr, de"), None);
        assert_eq!(from_accept_language("pt;q=0, en"), Some(Lang::En));
        assert_eq!(from_accept_language(""), None);
        assert_eq!(from_accept_language(";;;q=abc,,"), None);
    }

    #[test]
    fn the_person_beats_the_portal_which_beats_the_browser() {
        let mut p = Preferences { browser: Some(Lang::PtBr), ..Default::default() };
        assert_eq!(p.resolve(), Lang::PtBr);
        p.portal = Some(Lang::En);
        assert_eq!(p.resolve(), Lang::En);
        p.chosen = Some(Lang::PtBr);
        assert_eq!(p.resolve(), Lang::PtBr);
        p.account = Some(Lang::En);
        assert_eq!(p.resolve(), Lang::En);
        assert_eq!(render_in(Lang::PtBr, current), Lang::PtBr);
        assert_eq!(current(), Lang::En);
    }
}
