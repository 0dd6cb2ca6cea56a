//! Reading and writing cookies. Every cookie Frontdesk sets is `HttpOnly`, `SameSite=Lax` and
//! `Path=/`; when the public URL is https it is also `Secure` and carries the `__Host-` prefix,
//! which pins it to this exact host.

use axum::http::{HeaderMap, HeaderValue, header};

#[derive(Clone, Copy, Debug)]
pub struct CookiePolicy {
    pub secure: bool,
}

impl CookiePolicy {
    /// The full cookie name for a base name, with `__Host-` on https.
    pub fn name(&self, base: &str) -> String {
        if self.secure { format!("__Host-{base}") } else { base.to_string() }
    }

    /// A `Set-Cookie` value. `max_age` of `None` makes a browser-session cookie.
    pub fn set(&self, base: &str, value: &str, max_age: Option<i64>) -> HeaderValue {
        let mut s = format!("{}={value}; Path=/; HttpOnly; SameSite=Lax", self.name(base));
        if let Some(age) = max_age {
            s.push_str(&format!("; Max-Age={age}"));
        }
        if self.secure {
            s.push_str("; Secure");
        }
        HeaderValue::from_str(&s).expect("cookie values are URL-safe base64")
    }

    pub fn clear(&self, base: &str) -> HeaderValue {
        let mut s = format!("{}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0", self.name(base));
        if self.secure {
            s.push_str("; Secure");
        }
        HeaderValue::from_str(&s).expect("static cookie text")
    }

    /// The value of a cookie sent by the browser.
    pub fn get<'a>(&self, headers: &'a HeaderMap, base: &str) -> Option<&'a str> {
        let name = self.name(base);
        headers
            .get_all(header::COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(';'))
            .filter_map(|pair| pair.trim().split_once('='))
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v)
            .filter(|v| !v.is_empty())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secure_cookies_use_the_host_prefix() {
        let p = CookiePolicy { secure: true };
        let v = p.set("fd_manage", "abc", None);
        let v = v.to_str().unwrap();
        assert!(v.starts_with("__Host-fd_manage=abc; Path=/; HttpOnly; SameSite=Lax"));
        assert!(v.ends_with("; Secure"));
    }

    #[test]
    fn reads_one_cookie_among_many() {
        let p = CookiePolicy { secure: false };
        let mut h = HeaderMap::new();
        h.insert(header::COOKIE, HeaderValue::from_static("a=1; fd_csrf=tok; b=2"));
        assert_eq!(p.get(&h, "fd_csrf"), Some("tok"));
        assert_eq!(p.get(&h, "nope"), None);
    }
}
