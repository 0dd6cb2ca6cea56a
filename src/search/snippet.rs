//! The snippet under a search result: the window of an article's text with the most words
//! found, HTML-escaped, the words found in `<mark>`. Built here, the same on both engines.

use super::query::{Language, Terms};

/// Words shown in a snippet.
const WINDOW: usize = 28;
/// Only the start of a very long article is looked at.
const SCAN_CHARS: usize = 20_000;

/// A word of the text: its byte range.
struct Token {
    start: usize,
    end: usize,
}

fn tokens(text: &str) -> Vec<Token> {
    let mut out = Vec::new();
    let mut start = None;
    for (i, c) in text.char_indices() {
        match (c.is_alphanumeric(), start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                out.push(Token { start: s, end: i });
                start = None;
            }
            _ => {}
        }
    }
    if let Some(s) = start {
        out.push(Token { start: s, end: text.len() });
    }
    out
}

pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// The snippet of `text` for `terms`, as HTML.
pub fn highlighted(text: &str, terms: &Terms, language: Language) -> String {
    let end = text.char_indices().nth(SCAN_CHARS).map_or(text.len(), |(i, _)| i);
    let text = &text[..end];
    let highlighter = terms.highlighter(language);
    let words = tokens(text);
    let found: Vec<bool> = words.iter().map(|w| highlighter.matches(&text[w.start..w.end])).collect();
    // The window of WINDOW words holding the most words found (the first such).
    let (mut best, mut best_count, mut count) = (0, 0, 0);
    for i in 0..found.len() {
        count += usize::from(found[i]);
        if i >= WINDOW {
            count -= usize::from(found[i - WINDOW]);
        }
        if count > best_count {
            best_count = count;
            best = (i + 1).saturating_sub(WINDOW);
        }
    }
    let last = (best + WINDOW).min(words.len());
    if words.is_empty() {
        return String::new();
    }
    let mut html = String::new();
    if best > 0 {
        html.push_str("… ");
    }
    let mut at = words[best].start;
    for (word, hit) in words[best..last].iter().zip(&found[best..last]) {
        html.push_str(&escape(&text[at..word.start]));
        let piece = escape(&text[word.start..word.end]);
        if *hit {
            html.push_str("<mark>");
            html.push_str(&piece);
            html.push_str("</mark>");
        } else {
            html.push_str(&piece);
        }
        at = word.end;
    }
    if last < words.len() {
        html.push_str(" …");
    } else {
        html.push_str(&escape(&text[at..]));
    }
    html
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_snippet_is_escaped_and_marks_the_words() {
        let terms = Terms::parse("printer");
        let html = highlighted("Your <b>printer</b> & the printers.", &terms, Language::English);
        assert_eq!(html, "Your &lt;b&gt;<mark>printer</mark>&lt;/b&gt; &amp; the <mark>printers</mark>.");
        let long: String = (0..100).map(|i| format!("w{i} ")).collect::<String>() + "printer end";
        let html = highlighted(&long, &terms, Language::English);
        assert!(html.starts_with("… ") && html.contains("<mark>printer</mark>"), "{html}");
    }
}
