//! People: staff (administrators and agents, who may work in several portals) and customers
//! (who belong to one portal; the same email in two portals is two accounts).

pub mod customers;
pub mod departments;
pub mod permissions;
pub mod phone;
pub mod portal_invitations;
pub mod staff;

use crate::i18n::Msg;
use std::fmt;

/// An email address, checked as the mailer will check it and kept as typed; compared in lower case.
#[derive(Clone, PartialEq, Eq)]
pub struct Email(String);

impl Email {
    /// One plain `local@domain`, as lettre parses it for sending, and stricter: no quoted local
    /// part, no `<>` or `[]`, no comma or other list separator, no whitespace or control
    /// characters. So what the page accepts is what the mailer sends to, one person only.
    pub fn parse(s: &str) -> Result<Email, Msg> {
        let s = s.trim();
        let bad = || Msg::new("email-invalid").arg("value", format!("{s:?}"));
        let plain = s.len() <= 254
            && s.matches('@').count() == 1
            && !s.chars().any(|c| {
                c.is_whitespace() || crate::web::input::is_forbidden_in_name(c) || "\"<>[](),;:\\".contains(c)
            });
        if !plain {
            return Err(bad());
        }
        let (local, domain) = s.rsplit_once('@').ok_or_else(bad)?;
        if local.is_empty() || local.len() > 64 || domain.is_empty() || domain.starts_with('.') || domain.ends_with('.')
        {
            return Err(bad());
        }
        s.parse::<lettre::Address>().map_err(|_| bad())?;
        Ok(Email(s.to_string()))
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
    pub fn lower(&self) -> String {
        self.0.to_lowercase()
    }
}

impl fmt::Debug for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Email({})", self.0)
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A person's display name: 1 to 100 characters on one line, without control characters or
/// direction overrides; defaults to the part of the email before '@'.
pub fn parse_person_name(name: &str, email: &Email) -> Result<String, Msg> {
    let name = name.trim();
    if name.chars().count() > 100 {
        return Err(Msg::new("person-name-too-long"));
    }
    if name.chars().any(crate::web::input::is_forbidden_in_name) {
        return Err(Msg::new("person-name-forbidden-characters"));
    }
    if name.is_empty() {
        return Ok(email.as_str().split('@').next().unwrap_or("user").to_string());
    }
    Ok(name.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_validate_and_compare_case_insensitively() {
        let e = Email::parse(" Ana@Example.COM ").unwrap();
        assert_eq!(e.as_str(), "Ana@Example.COM");
        assert_eq!(e.lower(), "ana@example.com");
        for bad in [
            "",
            "ana",
            "@x.com",
            "ana@",
            "a b@x.com",
            "ana@.com",
            "a@x.example,b@y.example",
            "\"ana\"@x.example",
            "<ana@x.example>",
            "Ana <ana@x.example>",
            "ana@[127.0.0.1]",
            "ana@x.example;b@y.example",
            "an\u{202E}a@x.example",
        ] {
            assert!(Email::parse(bad).is_err(), "{bad}");
        }
        assert_eq!(parse_person_name("", &e).unwrap(), "Ana");
        for bad in ["Ana\r\nBcc", "An\0a", "Ana\u{202E}cod.exe", "Ana\u{2067}"] {
            assert!(parse_person_name(bad, &e).is_err(), "{bad:?}");
        }
    }
}
