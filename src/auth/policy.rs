//! The password policy. The default is the users' own rule: at least 8 characters with an
//! upper-case letter, a lower-case letter, a digit and a special character, and never `&` or `#`.
//! A portal may raise the minimum length or switch to a length-only policy (15+ characters, no
//! composition rules), which NIST SP 800-63B and OWASP ASVS prefer. Every policy refuses the
//! most common passwords and allows long ones.

use std::collections::HashSet;
use std::sync::OnceLock;

use crate::i18n::Msg;

/// Longest password accepted; long enough for any passphrase or manager-generated secret.
pub const MAX_LENGTH: usize = 256;
pub const DEFAULT_MIN_LENGTH: usize = 8;
pub const LENGTH_ONLY_MIN_LENGTH: usize = 15;
/// Characters the users' rule forbids.
const FORBIDDEN: [char; 2] = ['&', '#'];

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PolicyKind {
    /// Upper, lower, digit, special; no `&` or `#`.
    Composition,
    /// Only a (longer) minimum length.
    LengthOnly,
}

impl PolicyKind {
    pub fn as_str(self) -> &'static str {
        match self {
            PolicyKind::Composition => "composition",
            PolicyKind::LengthOnly => "length_only",
        }
    }
    pub fn parse(s: &str) -> Option<PolicyKind> {
        match s {
            "composition" => Some(PolicyKind::Composition),
            "length_only" => Some(PolicyKind::LengthOnly),
            _ => None,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PasswordPolicy {
    pub kind: PolicyKind,
    pub min_length: usize,
}

impl Default for PasswordPolicy {
    fn default() -> Self {
        PasswordPolicy { kind: PolicyKind::Composition, min_length: DEFAULT_MIN_LENGTH }
    }
}

impl PasswordPolicy {
    pub fn new(kind: PolicyKind, min_length: usize) -> Self {
        let floor = match kind {
            PolicyKind::Composition => DEFAULT_MIN_LENGTH,
            PolicyKind::LengthOnly => LENGTH_ONLY_MIN_LENGTH,
        };
        PasswordPolicy { kind, min_length: min_length.clamp(floor, 128) }
    }

    /// The strictest of two policies: a person who works in several portals needs a password
    /// that every one of them accepts. So the result demands both: the composition rules if
    /// either policy has them, and the longer minimum length. A composition portal (minimum 8)
    /// and a length-only one (minimum 15) together ask for 15 characters with the composition
    /// rules, which both accept.
    pub fn strictest(self, other: PasswordPolicy) -> PasswordPolicy {
        let kind = if self.kind == PolicyKind::Composition || other.kind == PolicyKind::Composition {
            PolicyKind::Composition
        } else {
            PolicyKind::LengthOnly
        };
        PasswordPolicy { kind, min_length: self.min_length.max(other.min_length) }
    }

    /// The rules, worded for the text beside a password field.
    pub fn rules(&self) -> Vec<Msg> {
        let mut rules = vec![Msg::new("password-rule-length").arg("min", self.min_length).arg("max", MAX_LENGTH)];
        if self.kind == PolicyKind::Composition {
            // A language states the four kinds of character in one line (pt-BR, in the words of
            // the desk's own rules) or one line each (en); the lines it leaves empty are not shown.
            rules.push(Msg::new("password-rule-composition"));
            rules.push(Msg::new("password-rule-upper"));
            rules.push(Msg::new("password-rule-lower"));
            rules.push(Msg::new("password-rule-digit"));
            rules.push(Msg::new("password-rule-special"));
            rules.push(Msg::new("password-rule-forbidden"));
        }
        rules.push(Msg::new("password-rule-common"));
        rules
    }

    /// Checks a password; on failure, returns every rule it does not meet.
    pub fn check(&self, password: &str) -> Result<(), Vec<Msg>> {
        // Judge the form that will be hashed.
        let password = &*super::hashing::normalize(password);
        let mut unmet = Vec::new();
        let length = password.chars().count();
        if length < self.min_length {
            unmet.push(Msg::new("password-unmet-short").arg("min", self.min_length).arg("length", length));
        }
        if length > MAX_LENGTH {
            unmet.push(Msg::new("password-unmet-long").arg("max", MAX_LENGTH));
        }
        if self.kind == PolicyKind::Composition {
            if !password.chars().any(char::is_uppercase) {
                unmet.push(Msg::new("password-unmet-upper"));
            }
            if !password.chars().any(char::is_lowercase) {
                unmet.push(Msg::new("password-unmet-lower"));
            }
            if !password.chars().any(|c| c.is_ascii_digit()) {
                unmet.push(Msg::new("password-unmet-digit"));
            }
            if !password.chars().any(is_special) {
                unmet.push(Msg::new("password-unmet-special"));
            }
            if password.chars().any(|c| FORBIDDEN.contains(&c)) {
                unmet.push(Msg::new("password-unmet-forbidden"));
            }
        }
        if is_common(password) {
            unmet.push(Msg::new("password-unmet-common"));
        }
        if unmet.is_empty() { Ok(()) } else { Err(unmet) }
    }
}

/// Messages in English, joined by `separator`: for the command line and the log.
pub fn in_english(messages: &[Msg], separator: &str) -> String {
    messages.iter().map(Msg::english).filter(|m| !m.is_empty()).collect::<Vec<_>>().join(separator)
}

/// Messages in the current request's language, each on its own.
pub fn in_current(messages: &[Msg]) -> Vec<String> {
    messages.iter().map(ToString::to_string).collect()
}

fn is_special(c: char) -> bool {
    !c.is_alphanumeric() && !c.is_whitespace() && !FORBIDDEN.contains(&c)
}

/// The most common passwords (20,000 entries, lower-cased), shipped in the binary.
fn common_passwords() -> &'static HashSet<&'static str> {
    static LIST: OnceLock<HashSet<&'static str>> = OnceLock::new();
    LIST.get_or_init(|| include_str!("../../data/common-passwords.txt").lines().filter(|l| !l.is_empty()).collect())
}

pub fn is_common(password: &str) -> bool {
    common_passwords().contains(password.to_lowercase().as_str())
}

pub fn common_password_count() -> usize {
    common_passwords().len()
}

/// A random password that meets the default policy, for first-run administrators and accounts
/// an administrator creates; its owner must change it at first sign-in.
pub fn generate_password() -> String {
    use rand::Rng;
    use rand::seq::SliceRandom;
    const UPPER: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ";
    const LOWER: &[u8] = b"abcdefghijkmnopqrstuvwxyz";
    const DIGITS: &[u8] = b"23456789";
    const SPECIAL: &[u8] = b"!?*@$%-+=";
    let mut rng = rand::rng();
    let all: Vec<u8> = [UPPER, LOWER, DIGITS, SPECIAL].concat();
    let mut chars: Vec<u8> =
        [UPPER, LOWER, DIGITS, SPECIAL].iter().map(|set| set[rng.random_range(0..set.len())]).collect();
    while chars.len() < 20 {
        chars.push(all[rng.random_range(0..all.len())]);
    }
    chars.shuffle(&mut rng);
    String::from_utf8(chars).expect("ASCII")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_policy_names_every_unmet_rule() {
        let unmet = PasswordPolicy::default().check("abc&").unwrap_err();
        let text = in_english(&unmet, " ");
        for needle in ["at least 8", "upper-case", "digit", "special", "& or #"] {
            assert!(text.contains(needle), "missing {needle:?} in {text}");
        }
        assert!(!text.contains("lower-case"));
    }

    #[test]
    fn default_policy_accepts_a_good_password_and_refuses_hash() {
        assert!(PasswordPolicy::default().check("Tr0pical-Fish").is_ok());
        assert!(PasswordPolicy::default().check("Tr0pical#Fish").is_err());
    }

    #[test]
    fn long_passwords_are_allowed_up_to_the_maximum() {
        let long = format!("Aa1!{}", "x".repeat(200));
        assert!(PasswordPolicy::default().check(&long).is_ok());
        assert!(PasswordPolicy::default().check(&"Aa1!".repeat(70)).is_err());
    }

    #[test]
    fn length_only_policy_needs_fifteen_and_nothing_else() {
        let p = PasswordPolicy::new(PolicyKind::LengthOnly, 8);
        assert_eq!(p.min_length, 15);
        assert!(p.check("correct horse battery").is_ok());
        assert!(p.check("shortpassword").is_err());
    }

    #[test]
    fn common_passwords_are_refused() {
        assert!(common_password_count() >= 10_000);
        assert!(is_common("Password1"));
        let p = PasswordPolicy::new(PolicyKind::LengthOnly, 15);
        let unmet = p.check("1QAZ2wsx3edc4rfv").unwrap_err();
        assert_eq!(unmet.len(), 1);
        assert!(unmet[0].english().contains("most common"));
    }

    #[test]
    fn strictest_combines_policies() {
        let a = PasswordPolicy::default();
        let b = PasswordPolicy::new(PolicyKind::LengthOnly, 20);
        let s = a.strictest(b);
        assert_eq!(s.kind, PolicyKind::Composition);
        assert_eq!(s.min_length, 20);
        // Whatever the strictest accepts, each of the two accepts.
        for pw in ["Tr0pical-Fish-and-Chips!", "correct horse battery staple", "Sh0rt-Ok!"] {
            if s.check(pw).is_ok() {
                assert!(a.check(pw).is_ok() && b.check(pw).is_ok(), "{pw}");
            }
        }
        assert!(s.check("Tr0pical-Fish-and-Chips!").is_ok());
        // Two length-only policies stay length-only.
        let c = PasswordPolicy::new(PolicyKind::LengthOnly, 16).strictest(b);
        assert_eq!((c.kind, c.min_length), (PolicyKind::LengthOnly, 20));
        assert!(c.check("correct horse battery staple").is_ok());
    }

    #[test]
    fn rules_read_the_same_in_english_and_in_the_users_words_in_portuguese() {
        use crate::i18n::Lang;
        let rules = PasswordPolicy::default().rules();
        assert_eq!(rules[0].english(), "At least 8 characters (at most 256)");
        assert!(rules[0].in_lang(Lang::PtBr).starts_with("A nova senha deve conter no mínimo 8 dígitos"));
        let shown = |lang| rules.iter().map(|r| r.in_lang(lang)).filter(|r| !r.is_empty()).collect::<Vec<_>>();
        assert_eq!(
            shown(Lang::PtBr)[1..3],
            [
                "Deve conter uma letra maiúscula, uma minúscula, um carácter especial e um número",
                "Não podem ser utilizados os caracteres especiais “&” e “#”"
            ]
        );
        assert_eq!(
            shown(Lang::En)[1..5],
            [
                "An upper-case letter (A-Z)",
                "A lower-case letter (a-z)",
                "A digit (0-9)",
                "A special character, such as ! ? * @ $ % or -"
            ]
        );
    }

    #[test]
    fn generated_passwords_meet_the_default_policy() {
        for _ in 0..50 {
            let pw = generate_password();
            assert!(PasswordPolicy::default().check(&pw).is_ok(), "{pw}");
        }
    }
}
