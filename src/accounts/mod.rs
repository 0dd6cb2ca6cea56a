//! People: staff (administrators and agents, who may work in several portals) and customers
//! (who belong to one portal; the same email in two portals is two accounts).

pub mod customers;
pub mod departments;
pub mod permissions;
pub mod phone;
pub mod portal_invitations;
pub mod staff;

use std::fmt;

/// An email address, checked for shape and kept as typed; compared in lower case.
#[derive(Clone, PartialEq, Eq)]
pub struct Email(String);

impl Email {
    pub fn parse(s: &str) -> Result<Email, String> {
        let s = s.trim();
        let bad = || format!("{s:?} is not an email address such as name@example.com");
        if s.len() > 254 || s.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(bad());
        }
        let (local, domain) = s.rsplit_once('@').ok_or_else(bad)?;
        if local.is_empty() || local.len() > 64 || domain.is_empty() || domain.starts_with('.') || domain.ends_with('.')
        {
            return Err(bad());
        }
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

/// A person's display name: 1 to 100 characters; defaults to the part of the email before '@'.
pub fn parse_person_name(name: &str, email: &Email) -> Result<String, String> {
    let name = name.trim();
    if name.chars().count() > 100 {
        return Err("A name may have at most 100 characters.".into());
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
        for bad in ["", "ana", "@x.com", "ana@", "a b@x.com", "ana@.com"] {
            assert!(Email::parse(bad).is_err(), "{bad}");
        }
        assert_eq!(parse_person_name("", &e).unwrap(), "Ana");
    }
}
