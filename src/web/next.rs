//! Where to send someone after they sign in: the `next` a sign-in page carries. Every sign-in
//! (management, portal, Microsoft's return) goes through `after_sign_in`, so that `next` can only
//! ever name a page of this server, never another site.

use url::Url;

/// Longer `next` values are not links anyone follows; they are dropped.
const MAX_NEXT_LEN: usize = 2048;

/// The local path to redirect to: `next` when it is a path of this server inside `area`
/// (`/manage`, `/portal/{slug}`, or `/` on a portal's own host), else `fallback`.
///
/// `next` is refused when it has control characters or whitespace (browsers drop tabs and line
/// breaks from a `Location`, so `/\t/evil.example` becomes `//evil.example`), a backslash (which
/// browsers read as `/`), or `//` anywhere; then it is resolved against the server's origin, and
/// the result must still be on that origin and inside `area`. What is returned is the resolved,
/// percent-encoded path and query, so it is always a valid `Location` header.
pub fn after_sign_in(next: &str, origin: &Url, area: &str, fallback: &str) -> String {
    local_path(next, origin, area).unwrap_or_else(|| fallback.to_string())
}

fn local_path(next: &str, origin: &Url, area: &str) -> Option<String> {
    let plain = !next.is_empty()
        && next.len() <= MAX_NEXT_LEN
        && next.starts_with('/')
        && !next.contains("//")
        && !next.contains('\\')
        && !next.chars().any(|c| c.is_control() || c.is_whitespace());
    if !plain {
        return None;
    }
    let resolved = origin.join(next).ok()?;
    if resolved.origin() != origin.origin() {
        return None;
    }
    let path = resolved.path();
    // Resolving `/./` and `/../` can make a `//` again: a protocol-relative address.
    if !path.starts_with('/') || path.contains("//") || !in_area(path, area) {
        return None;
    }
    Some(match resolved.query() {
        Some(q) => format!("{path}?{q}"),
        None => path.to_string(),
    })
}

/// `/manage/agents` is in `/manage`, `/manager` is not.
fn in_area(path: &str, area: &str) -> bool {
    let area = area.trim_end_matches('/');
    area.is_empty() || path == area || path.strip_prefix(area).is_some_and(|rest| rest.starts_with('/'))
}

#[cfg(test)]
mod tests {
    use super::after_sign_in;

    fn manage(next: &str) -> String {
        after_sign_in(next, &"https://desk.example".parse().unwrap(), "/manage", "/manage")
    }

    fn portal_host(next: &str) -> String {
        after_sign_in(next, &"https://desk.example".parse().unwrap(), "/", "/")
    }

    #[test]
    fn local_paths_in_the_area_are_kept() {
        assert_eq!(manage("/manage/agents"), "/manage/agents");
        assert_eq!(manage("/manage/customers?q=ana"), "/manage/customers?q=ana");
        assert_eq!(manage("/manage"), "/manage");
        assert_eq!(portal_host("/profile"), "/profile");
    }

    #[test]
    fn anything_that_could_leave_the_server_falls_back() {
        for hostile in [
            "",
            "//evil.example/manage",
            "https://evil.example/manage",
            "/\t/evil.example/",
            "/\n/evil.example/",
            "/ /evil.example/",
            "/\\evil.example",
            "/manage/\\\\evil.example",
            "/.//evil.example",
            "/manage/..//evil.example",
            "/manage\n",
            "manage",
            "/portal/x",
            "/manager",
            "/manage/../portal/x",
            "/manage/\u{2003}",
        ] {
            assert_eq!(manage(hostile), "/manage", "{hostile:?}");
        }
        for hostile in ["/\t/evil.example/", "/.//evil.example", "//evil.example", "/\\evil.example"] {
            assert_eq!(portal_host(hostile), "/", "{hostile:?}");
        }
        assert_eq!(manage(&format!("/manage/{}", "a".repeat(3000))), "/manage");
    }

    #[test]
    fn the_result_is_always_a_valid_location() {
        assert_eq!(manage("/manage/caf\u{e9}"), "/manage/caf%C3%A9");
        assert_eq!(manage("/manage/a\"b"), "/manage/a%22b");
    }
}
