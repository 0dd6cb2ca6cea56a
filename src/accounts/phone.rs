//! Mobile numbers, kept in E.164 (`+15551230001`). People type them in many ways; what is not a
//! number with its country code is refused with a message that says what to type.

use crate::i18n::Msg;
use std::fmt;

#[derive(Clone, PartialEq, Eq)]
pub struct Mobile(String);

impl Mobile {
    pub fn parse(input: &str) -> Result<Mobile, Msg> {
        let typed = input.trim();
        let mut compact: String =
            typed.chars().filter(|c| !matches!(c, ' ' | '-' | '.' | '(' | ')' | '/' | '\u{a0}')).collect();
        if let Some(rest) = compact.strip_prefix("00") {
            compact = format!("+{rest}");
        }
        let Some(digits) = compact.strip_prefix('+') else {
            return Err(Msg::new("mobile-needs-plus"));
        };
        if digits.is_empty() || !digits.chars().all(|c| c.is_ascii_digit()) {
            return Err(Msg::new("mobile-not-a-number").arg("value", format!("{typed:?}")));
        }
        if !(8..=15).contains(&digits.len()) || digits.starts_with('0') {
            return Err(Msg::new("mobile-incomplete").arg("value", format!("{typed:?}")));
        }
        Ok(Mobile(format!("+{digits}")))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Mobile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for Mobile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Mobile({})", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::Mobile;

    #[test]
    fn accepts_what_people_type_and_stores_e164() {
        assert_eq!(Mobile::parse("+1 (555) 123-0001").unwrap().as_str(), "+15551230001");
        assert_eq!(Mobile::parse("0044 7700 900123").unwrap().as_str(), "+447700900123");
        assert_eq!(Mobile::parse(" +55 11 91234-5678 ").unwrap().as_str(), "+5511912345678");
    }

    #[test]
    fn refuses_what_is_not_a_number_with_a_message() {
        assert!(Mobile::parse("555 123 0001").unwrap_err().english().contains("country code"));
        assert!(Mobile::parse("+1 555 CALL NOW").unwrap_err().english().contains("not a phone number"));
        assert!(Mobile::parse("+123").unwrap_err().english().contains("8 to 15 digits"));
        assert!(Mobile::parse("+0123456789").is_err());
        assert!(Mobile::parse("").is_err());
    }
}
