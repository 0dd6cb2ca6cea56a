//! Languages: every text a person reads (pages, form messages, errors, emails, SMS) comes from
//! the message catalogs in `locales/{en,pt-BR}/*.ftl`, one directory per language and one file
//! per feature, so that a feature adds its texts without editing another's. They are Fluent
//! files, read by `fluent-templates` and compiled into the binary.
//!
//! Which language a page is in (see `request`): the person's own choice (their profile, or the
//! switcher on the sign-in pages before they sign in), else their portal's `default_language`,
//! else the browser's `Accept-Language`, else English. Templates call `t("key")` and friends,
//! which read the language of the request being answered; an email is rendered inside
//! `render_in(recipient's language, ..)`. The command line stays in English.

pub mod request;
pub mod switch;
mod time;

use std::borrow::Cow;
use std::collections::HashMap;

use fluent_templates::fluent_bundle::FluentValue;
use fluent_templates::{LanguageIdentifier, Loader, langid};

pub use request::{render_in, scope_request};
pub use time::{date, datetime};

fluent_templates::static_loader! {
    static CATALOGS = {
        locales: "./locales",
        fallback_language: "en",
        // Fluent wraps arguments in Unicode isolation marks by default, which would end up in
        // email subjects, URLs and form values.
        customise: |bundle| bundle.set_use_isolating(false),
    };
}

/// A language Frontdesk speaks.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Lang {
    #[default]
    En,
    PtBr,
}

static EN: LanguageIdentifier = langid!("en");
static PT_BR: LanguageIdentifier = langid!("pt-BR");

impl Lang {
    pub const ALL: [Lang; 2] = [Lang::En, Lang::PtBr];

    /// The BCP 47 tag: `en`, `pt-BR`.
    pub fn tag(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::PtBr => "pt-BR",
        }
    }

    /// The language's own name for itself, for choosers.
    pub fn native_name(self) -> &'static str {
        match self {
            Lang::En => "English",
            Lang::PtBr => "Português (Brasil)",
        }
    }

    /// A tag as stored or typed (`en`, `pt-BR`; case and `_` forgiven). Other Portuguese
    /// variants are read as Brazilian, the only Portuguese Frontdesk has.
    pub fn parse(tag: &str) -> Option<Lang> {
        let tag = tag.trim().to_ascii_lowercase().replace('_', "-");
        let primary = tag.split('-').next().unwrap_or_default();
        match primary {
            "en" => Some(Lang::En),
            "pt" => Some(Lang::PtBr),
            _ => None,
        }
    }

    /// The language of the request being answered (English outside one).
    pub fn current() -> Lang {
        request::current()
    }

    fn id(self) -> &'static LanguageIdentifier {
        match self {
            Lang::En => &EN,
            Lang::PtBr => &PT_BR,
        }
    }

    /// The text for `key`. A key no catalog has shows as itself and is logged (the catalog
    /// tests keep that from happening).
    pub fn t(self, key: &str) -> String {
        self.lookup(key, None)
    }

    /// The text for `key` with arguments.
    pub fn with(self, key: &str, args: &[(&'static str, Arg)]) -> String {
        let map: HashMap<Cow<'static, str>, FluentValue> =
            args.iter().map(|(name, value)| (Cow::Borrowed(*name), value.to_fluent())).collect();
        self.lookup(key, Some(&map))
    }

    fn lookup(self, key: &str, args: Option<&HashMap<Cow<'static, str>, FluentValue>>) -> String {
        CATALOGS.try_lookup_complete(self.id(), key, args).unwrap_or_else(|| {
            tracing::warn!(key, lang = self.tag(), "no catalog has this message");
            key.to_string()
        })
    }
}

impl std::fmt::Display for Lang {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.tag())
    }
}

/// A value given to a message: text, or a number (which plural forms select on).
#[derive(Clone, Debug, PartialEq)]
pub enum Arg {
    Text(String),
    Number(i64),
}

impl Arg {
    fn to_fluent(&self) -> FluentValue<'static> {
        match self {
            Arg::Text(s) => FluentValue::from(s.clone()),
            Arg::Number(n) => FluentValue::from(*n),
        }
    }
}

impl From<&str> for Arg {
    fn from(s: &str) -> Arg {
        Arg::Text(s.to_string())
    }
}
impl From<&String> for Arg {
    fn from(s: &String) -> Arg {
        Arg::Text(s.clone())
    }
}
impl From<String> for Arg {
    fn from(s: String) -> Arg {
        Arg::Text(s)
    }
}
impl From<i64> for Arg {
    fn from(n: i64) -> Arg {
        Arg::Number(n)
    }
}
impl From<&i64> for Arg {
    fn from(n: &i64) -> Arg {
        Arg::Number(*n)
    }
}
impl From<usize> for Arg {
    fn from(n: usize) -> Arg {
        Arg::Number(n as i64)
    }
}
impl From<&usize> for Arg {
    fn from(n: &usize) -> Arg {
        Arg::Number(*n as i64)
    }
}
impl From<u32> for Arg {
    fn from(n: u32) -> Arg {
        Arg::Number(n.into())
    }
}

/// A message to be shown later, in a language not known yet: a form error made by a check that
/// runs for the web and for the command line, a notice, an error page's text.
#[derive(Clone, Debug, PartialEq)]
pub struct Msg {
    pub key: &'static str,
    pub args: Vec<(&'static str, Arg)>,
}

impl Msg {
    pub fn new(key: &'static str) -> Msg {
        Msg { key, args: Vec::new() }
    }

    /// Adds an argument.
    pub fn arg(mut self, name: &'static str, value: impl Into<Arg>) -> Msg {
        self.args.push((name, value.into()));
        self
    }

    pub fn in_lang(&self, lang: Lang) -> String {
        lang.with(self.key, &self.args)
    }

    /// For the command line and the log, which stay in English.
    pub fn english(&self) -> String {
        self.in_lang(Lang::En)
    }
}

/// Shown in the request's language (templates print a `Msg` with `{{ msg }}`).
impl std::fmt::Display for Msg {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.in_lang(Lang::current()))
    }
}

/// The text for `key` in the current request's language: `{{ t("key") }}` in templates (which
/// `use crate::i18n::*` through their module).
pub fn t(key: &str) -> String {
    Lang::current().t(key)
}

/// `key` with one argument.
pub fn t1(key: &str, name: &'static str, value: impl Into<Arg>) -> String {
    Lang::current().with(key, &[(name, value.into())])
}

/// `key` with two arguments.
pub fn t2(key: &str, n1: &'static str, v1: impl Into<Arg>, n2: &'static str, v2: impl Into<Arg>) -> String {
    Lang::current().with(key, &[(n1, v1.into()), (n2, v2.into())])
}

/// What templates call. Askama reads `{{ t("key") }}` as `self.t("key")`, so every type
/// answers these; a module with templates imports `crate::i18n::Texts as _`.
pub trait Texts {
    fn t(&self, key: &str) -> String {
        t(key)
    }
    fn t1(&self, key: &str, name: &'static str, value: impl Into<Arg>) -> String {
        t1(key, name, value)
    }
    fn t2(&self, key: &str, n1: &'static str, v1: impl Into<Arg>, n2: &'static str, v2: impl Into<Arg>) -> String {
        t2(key, n1, v1, n2, v2)
    }
    /// For `<html lang>`.
    fn lang_tag(&self) -> &'static str {
        Lang::current().tag()
    }
    /// The language switcher's links, back to the page being shown.
    fn language_links(&self) -> Vec<switch::LanguageLink> {
        switch::links()
    }
    /// A Unix time in the current language's format.
    fn datetime(&self, ts: i64) -> String {
        datetime(Lang::current(), ts)
    }
}

impl<T: ?Sized> Texts for T {}

#[cfg(test)]
mod tests;
