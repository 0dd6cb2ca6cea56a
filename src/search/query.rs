//! What someone typed into a search box, made safe and ready for either engine.
//!
//! The text is cut into words at white space; a word with no letter or digit (punctuation, FTS
//! operators on their own) is dropped, so a query of only punctuation is empty and searches for
//! nothing. Each engine gets the words quoted as literal text, never as query syntax: the
//! FTS5 form doubles `"`, the tsquery form doubles `'` and drops `\`. The last word is a prefix
//! (the word being typed). Stemming for SQLite is done here (`Stems`): a word matches its stem's
//! forms through a prefix; PostgreSQL stems with its own dictionaries.

use std::borrow::Cow;

use rust_stemmers::{Algorithm, Stemmer};
use unicode_normalization::UnicodeNormalization;

/// At most this many words count (the rest of a pasted paragraph is dropped).
pub const MAX_WORDS: usize = 12;
/// A longer "word" is cut (nobody types one; a pasted token might be).
const MAX_WORD_CHARS: usize = 60;
/// A stem shorter than this is too loose to search by prefix.
const MIN_STEM_CHARS: usize = 3;

/// The language an article is written in, for stemming.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Language {
    English,
    Portuguese,
}

impl Language {
    /// The article language code stored in `kb_articles.language`.
    pub fn code(self) -> &'static str {
        match self {
            Language::English => "en",
            Language::Portuguese => "pt-BR",
        }
    }

    /// PostgreSQL's text-search configuration for it.
    pub fn pg_config(self) -> &'static str {
        match self {
            Language::English => "english",
            Language::Portuguese => "portuguese",
        }
    }

    fn stemmer(self) -> Stemmer {
        Stemmer::create(match self {
            Language::English => Algorithm::English,
            Language::Portuguese => Algorithm::Portuguese,
        })
    }
}

/// A search, as words.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Terms {
    /// Lower-cased, in the order typed, each with at least one letter or digit.
    words: Vec<String>,
}

impl Terms {
    pub fn parse(input: &str) -> Terms {
        let words = input
            .split_whitespace()
            .filter(|w| w.chars().any(char::is_alphanumeric))
            .take(MAX_WORDS)
            .map(|w| w.chars().take(MAX_WORD_CHARS).collect::<String>().to_lowercase())
            .collect();
        Terms { words }
    }

    pub fn is_empty(&self) -> bool {
        self.words.is_empty()
    }

    pub fn words(&self) -> &[String] {
        &self.words
    }

    /// The FTS5 query for articles in `language`: every word required, each as the forms of its
    /// stem (a prefix: the stem's letters the word keeps), else as itself; the last one also as
    /// a prefix. One phrase per word, whichever covers the others (a word starts with its stem's
    /// prefix): each extra phrase costs the ranking a pass over its matches.
    pub fn fts5_stemmed(&self, language: Language) -> String {
        let stemmer = language.stemmer();
        let last = self.words.len().saturating_sub(1);
        let parts: Vec<String> = self
            .words
            .iter()
            .enumerate()
            .map(|(i, word)| match stem_prefix(&stemmer, word) {
                Some(prefix) => format!("{}*", fts5_phrase(&prefix)),
                None if i == last => format!("{}*", fts5_phrase(word)),
                None => fts5_phrase(word),
            })
            .collect();
        parts.join(" AND ")
    }

    /// The FTS5 query for tickets: every word required, each a prefix. With `columns`, only
    /// those columns are searched (`{subject people public_text}`).
    pub fn fts5_prefixes(&self, columns: Option<&str>) -> String {
        let body: Vec<String> = self.words.iter().map(|w| format!("{}*", fts5_phrase(w))).collect();
        match columns {
            Some(cols) => format!("{{{cols}}} : ({})", body.join(" AND ")),
            None => body.join(" AND "),
        }
    }

    /// The tsquery text for articles (parsed by `to_tsquery` in the article's language, which
    /// stems it): every word required, the last one a prefix.
    pub fn tsquery_stemmed(&self) -> String {
        let last = self.words.len().saturating_sub(1);
        let parts: Vec<String> = self
            .words
            .iter()
            .enumerate()
            .map(|(i, w)| if i == last { format!("{}:*", ts_lexeme(w)) } else { ts_lexeme(w) })
            .collect();
        parts.join(" & ")
    }

    /// The tsquery text for tickets: every word a prefix; `weights` (`ABC`) keeps only words
    /// found in those parts of the document.
    pub fn tsquery_prefixes(&self, weights: &str) -> String {
        let parts: Vec<String> = self.words.iter().map(|w| format!("{}:*{weights}", ts_lexeme(w))).collect();
        parts.join(" & ")
    }

    /// What a snippet's highlight needs, worked out once per search and language.
    pub fn highlighter(&self, language: Language) -> Highlighter {
        let stemmer = language.stemmer();
        let words = self
            .words
            .iter()
            .map(|word| HighlightWord {
                folded: fold(word).into_owned(),
                stem: stemmer.stem(word).into_owned(),
                prefix: stem_prefix(&stemmer, word).map(|p| fold(&p).into_owned()),
            })
            .collect();
        Highlighter { stemmer, words }
    }
}

struct HighlightWord {
    folded: String,
    stem: String,
    prefix: Option<String>,
}

/// Tells which words of an article's text a search matches (`Terms::highlighter`).
pub struct Highlighter {
    stemmer: Stemmer,
    words: Vec<HighlightWord>,
}

impl Highlighter {
    /// Whether `token` is one this search matches: the same word, a word of the same stem or
    /// starting with the stem's prefix, or a word that starts with the one being typed (the
    /// last). Accents do not count.
    pub fn matches(&self, token: &str) -> bool {
        let lower = token.to_lowercase();
        let token = fold(&lower);
        let last = self.words.len().saturating_sub(1);
        let mut token_stem = None;
        self.words.iter().enumerate().any(|(i, w)| {
            if *token == w.folded || (i == last && token.starts_with(w.folded.as_str())) {
                return true;
            }
            if w.prefix.as_deref().is_some_and(|p| token.starts_with(p)) {
                return true;
            }
            // A stem keeps its word's first letter (both stemmers only change endings), so a
            // token of another first letter is not stemmed at all: stemming every word of ten
            // articles' text was a tenth of a search's time.
            w.stem.chars().next() == lower.chars().next()
                && *token_stem.get_or_insert_with(|| self.stemmer.stem(&lower).into_owned()) == w.stem
        })
    }
}

/// The part of `word` that its stem keeps (a stem may change the ending, `batteri` for
/// `battery`: only the common part is a safe prefix), when it is shorter than the word and
/// long enough to search by.
fn stem_prefix(stemmer: &Stemmer, word: &str) -> Option<String> {
    if !word.chars().all(char::is_alphanumeric) {
        return None;
    }
    let stem = stemmer.stem(word);
    let common: String = word.chars().zip(stem.chars()).take_while(|(a, b)| a == b).map(|(a, _)| a).collect();
    let n = common.chars().count();
    (n >= MIN_STEM_CHARS && n < word.chars().count()).then_some(common)
}

/// A word as an FTS5 string: the tokenizer reads it as text (a phrase, when it holds
/// punctuation), never as an operator.
fn fts5_phrase(word: &str) -> String {
    format!("\"{}\"", word.replace('"', "\"\""))
}

/// A word as a quoted tsquery lexeme: quotes doubled, backslashes (tsquery's escape) dropped.
fn ts_lexeme(word: &str) -> String {
    let clean: String = word.chars().filter(|c| *c != '\\').collect();
    format!("'{}'", clean.replace('\'', "''"))
}

/// Lower-case text without its accents (`ação` → `acao`), as the SQLite index compares words.
pub fn fold(text: &str) -> Cow<'_, str> {
    if text.is_ascii() {
        return Cow::Borrowed(text);
    }
    Cow::Owned(text.nfd().filter(|c| !is_combining_mark(*c)).collect())
}

fn is_combining_mark(c: char) -> bool {
    matches!(c as u32, 0x0300..=0x036F | 0x1AB0..=0x1AFF | 0x1DC0..=0x1DFF | 0x20D0..=0x20FF | 0xFE20..=0xFE2F)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn punctuation_and_operators_are_never_syntax() {
        assert!(Terms::parse(" ... !!! \"\" * -- () ").is_empty());
        let t = Terms::parse("a\"b OR NEAR(x) c'd \\e*");
        assert_eq!(t.words(), ["a\"b", "or", "near(x)", "c'd", "\\e*"]);
        assert_eq!(t.fts5_prefixes(None), "\"a\"\"b\"* AND \"or\"* AND \"near(x)\"* AND \"c'd\"* AND \"\\e*\"*");
        assert_eq!(t.tsquery_prefixes(""), "'a\"b':* & 'or':* & 'near(x)':* & 'c''d':* & 'e*':*");
    }

    #[test]
    fn words_match_their_stems_and_the_last_is_a_prefix() {
        let t = Terms::parse("impressoras configura");
        assert_eq!(t.fts5_stemmed(Language::Portuguese), "\"impressor\"* AND \"configur\"*");
        assert_eq!(t.tsquery_stemmed(), "'impressoras' & 'configura':*");
        let battery = Terms::parse("battery");
        assert!(battery.fts5_stemmed(Language::English).contains("\"batter\"*"));
    }

    #[test]
    fn highlights_follow_the_stem_and_ignore_accents() {
        let pt = Terms::parse("configuração").highlighter(Language::Portuguese);
        assert!(pt.matches("Configurações") && pt.matches("CONFIGURACAO"));
        assert!(!pt.matches("conta"));
        assert!(Terms::parse("passw").highlighter(Language::English).matches("password"));
        // Stems that change more than an ending still meet (`dying` and `dies` are both `die`).
        assert!(Terms::parse("dying").highlighter(Language::English).matches("Dies"));
    }
}
