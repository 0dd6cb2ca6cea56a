//! Markdown to safe HTML, once, when an article is published.
//!
//! `pulldown-cmark` renders (raw HTML in the Markdown included, since editors paste it); `ammonia`
//! then keeps only harmless tags and attributes: no scripts, no event handlers, no `javascript:`
//! or `data:` links, no comments. Links get `rel="noopener noreferrer nofollow"`. Images may only
//! come from the article's own files or from `https:`.

use pulldown_cmark::{Options, Parser, html};

/// An article body, rendered.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rendered {
    /// Sanitised HTML, safe to put in a page as it is.
    pub html: String,
    /// The words a reader sees, for search and snippets.
    pub text: String,
}

pub fn render(markdown: &str) -> Rendered {
    let options = Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH | Options::ENABLE_TASKLISTS;
    let mut raw = String::with_capacity(markdown.len() * 3 / 2);
    html::push_html(&mut raw, Parser::new_ext(markdown, options));
    let html = ammonia::Builder::default()
        .url_schemes(["https", "http", "mailto"].into_iter().collect())
        .link_rel(Some("noopener noreferrer nofollow"))
        .url_relative(ammonia::UrlRelative::PassThrough)
        .strip_comments(true)
        .clean(&raw)
        .to_string();
    let text = plain_text(&html);
    Rendered { html, text }
}

/// The text of sanitised HTML: tags dropped (a space where a block ends, so that words of two
/// paragraphs do not run together), the few entities ammonia writes decoded, blank runs folded.
pub fn plain_text(html: &str) -> String {
    const BLOCKS: &[&str] =
        &["p", "br", "li", "h1", "h2", "h3", "h4", "h5", "h6", "td", "th", "tr", "div", "pre", "blockquote", "hr"];
    let mut out = String::with_capacity(html.len());
    let mut tag: Option<String> = None;
    for c in html.chars() {
        match (&mut tag, c) {
            (None, '<') => tag = Some(String::new()),
            (Some(name), '>') => {
                let name = name.trim_start_matches('/').split([' ', '/']).next().unwrap_or("").to_ascii_lowercase();
                if BLOCKS.contains(&name.as_str()) {
                    out.push(' ');
                }
                tag = None;
            }
            (Some(name), c) => name.push(c),
            (None, c) => out.push(c),
        }
    }
    let decoded = out.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"").replace("&#39;", "'");
    let decoded = decoded.replace("&amp;", "&");
    decoded.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_renders() {
        let r = render("# Reset\n\nOpen **Settings** & [help](https://example.com/help).");
        assert!(r.html.contains("<h1>Reset</h1>"), "{}", r.html);
        assert!(r.html.contains("<strong>Settings</strong>"));
        assert!(r.html.contains("rel=\"noopener noreferrer nofollow\""));
        assert_eq!(r.text, "Reset Open Settings & help.");
    }

    #[test]
    fn hostile_markdown_comes_out_harmless() {
        let hostile = "<script>alert(1)</script>\n\n[x](javascript:alert(2)) <img src=x onerror=alert(3)> \
                       <!-- hidden --> <a href=\"data:text/html,hi\">d</a> <iframe src=\"https://evil.test\"></iframe>";
        let r = render(hostile);
        for bad in ["<script", "javascript:", "onerror", "<!--", "data:", "<iframe", "alert(1)"] {
            assert!(!r.html.contains(bad), "{bad} survived in {}", r.html);
        }
    }
}
