//! Checks that a page is in Portuguese: no sentence of the English catalogs on it.

use crate::common::Page;

/// The English sentences (3+ words, no placeables) of every catalog.
pub fn english_sentences() -> Vec<String> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/locales/en");
    let mut sentences = Vec::new();
    for file in std::fs::read_dir(dir).expect("the English catalogs") {
        let source = std::fs::read_to_string(file.unwrap().path()).unwrap();
        for line in source.lines().filter(|l| !l.starts_with('#') && !l.starts_with(' ')) {
            let Some((_, value)) = line.split_once(" = ") else { continue };
            if !value.contains('{') && value.split_whitespace().count() >= 3 {
                sentences.push(value.trim().to_string());
            }
        }
    }
    assert!(sentences.len() > 100, "the catalogs look empty: {sentences:?}");
    sentences
}

/// A page's text with askama's escapes undone, so sentences with quotes are found too.
pub fn unescaped(body: &str) -> String {
    [("&#39;", "'"), ("&#x27;", "'"), ("&#34;", "\""), ("&quot;", "\""), ("&#60;", "<"), ("&lt;", "<")]
        .into_iter()
        .chain([("&#62;", ">"), ("&gt;", ">"), ("&#38;", "&"), ("&amp;", "&")])
        .fold(body.to_string(), |text, (escape, plain)| text.replace(escape, plain))
}

impl Page {
    /// The page's `<html lang>`.
    pub fn html_lang(&self) -> &str {
        let body = &self.body;
        let start = body.find("<html lang=\"").unwrap_or_else(|| panic!("no <html lang> in:\n{body}")) + 12;
        &body[start..start + body[start..].find('"').unwrap()]
    }

    /// No sentence of the English catalogs is on the page.
    pub fn assert_no_english(&self) -> &Self {
        let text = unescaped(&self.body);
        for sentence in english_sentences() {
            assert!(!text.contains(&sentence), "English {sentence:?} on a Portuguese page:\n{}", self.body);
        }
        self
    }
}
