//! Article searches answered again from memory while the knowledge base stays as it was.
//!
//! People ask a knowledge base the same few things ("password", "reset password", the letters
//! of a word being typed into the suggestions box), and at 100,000 articles a common word costs
//! the engine milliseconds of ranking every time. So this node keeps, per portal, the answers
//! given at the portal's knowledge-base version, the way a search engine's request cache keeps
//! answers until its index next changes: every change a reader could see bumps the version
//! (`portal_cache`), and a portal's answers are dropped the first time another version is
//! seen. Votes change no answer (search does not rank by them).
//!
//! An answer depends only on the portal, the kind of reader (`Reader`), the words and the page,
//! so those are the key. Memory stays bounded: past `BUDGET` bytes a portal's oldest answers go
//! first.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};

use super::Reader;
use super::portal_cache;
use crate::search::{self, ArticleHit, ArticleSearch};
use crate::web::state::AppState;

/// The bytes of answers kept per portal: a few thousand pages of results.
const BUDGET: usize = 2 << 20;

/// What identifies an answer within one portal's copy.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
struct Key {
    reader: Reader,
    /// The words as parsed (lower-case, white space between: no word holds any).
    words: String,
    limit: i64,
    offset: i64,
}

impl Key {
    fn of(search: &ArticleSearch<'_>) -> Key {
        Key { reader: search.reader, words: search.terms.words().join(" "), limit: search.limit, offset: search.offset }
    }
}

/// Per portal, the answers given at one version.
#[derive(Debug, Default)]
pub struct SearchMemos(Mutex<HashMap<i64, Arc<SearchMemo>>>);

impl SearchMemos {
    /// The portal's answers at `version`; those of any other version go (a version seen going
    /// down, as when a portal typed by hand in SQL takes a deleted one's number, starts afresh).
    fn at(&self, portal_id: i64, version: i64) -> Arc<SearchMemo> {
        let mut portals = self.0.lock().unwrap_or_else(|e| e.into_inner());
        match portals.get(&portal_id) {
            Some(memo) if memo.version == version => memo.clone(),
            _ => {
                let memo = Arc::new(SearchMemo { version, ..SearchMemo::default() });
                portals.insert(portal_id, memo.clone());
                memo
            }
        }
    }
}

/// The answers given at one version, oldest first in `order`.
#[derive(Debug, Default)]
pub struct SearchMemo {
    version: i64,
    inner: Mutex<Answers>,
    /// The searches the engine is answering now: a second request for one waits for that
    /// answer rather than rank the same matches again (a word typed by many at once).
    asked: Mutex<HashMap<Key, Arc<tokio::sync::Mutex<()>>>>,
}

#[derive(Debug, Default)]
struct Answers {
    by_key: HashMap<Key, Vec<ArticleHit>>,
    order: VecDeque<Key>,
    bytes: usize,
}

fn size(key: &Key, hits: &[ArticleHit]) -> usize {
    let text: usize =
        hits.iter().map(|h| h.title.len() + h.language.len() + h.visibility.len() + h.snippet_html.len()).sum();
    key.words.len() + text + (hits.len() + 2) * std::mem::size_of::<ArticleHit>()
}

impl SearchMemo {
    fn get(&self, key: &Key) -> Option<Vec<ArticleHit>> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner()).by_key.get(key).cloned()
    }

    fn keep(&self, key: Key, hits: &[ArticleHit]) {
        let bytes = size(&key, hits);
        if bytes > BUDGET {
            return;
        }
        let mut answers = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        while answers.bytes + bytes > BUDGET {
            let Some(oldest) = answers.order.pop_front() else { break };
            if let Some(gone) = answers.by_key.remove(&oldest) {
                answers.bytes -= size(&oldest, &gone);
            }
        }
        if answers.by_key.insert(key.clone(), hits.to_vec()).is_none() {
            answers.order.push_back(key);
            answers.bytes += bytes;
        }
    }
}

/// The articles matching `search`, best first: from the portal's copy when it answered the
/// same search since the knowledge base last changed, else from the engine (then kept).
pub async fn articles(state: &AppState, search: &ArticleSearch<'_>) -> Result<Vec<ArticleHit>, sqlx::Error> {
    if search.terms.is_empty() || search.limit <= 0 {
        return Ok(Vec::new());
    }
    // The version is known (trusted, or read) before the search: an answer kept under it is
    // then at least as new as it. The portal's copy itself is not needed (nor read).
    let version = portal_cache::current_version(state, search.portal_id).await?;
    let memo = state.kb.searches.at(search.portal_id, version);
    let key = Key::of(search);
    if let Some(hits) = memo.get(&key) {
        return Ok(hits);
    }
    let asked = memo.asked.lock().unwrap_or_else(|e| e.into_inner()).entry(key.clone()).or_default().clone();
    let _one_at_a_time = asked.lock().await;
    if let Some(hits) = memo.get(&key) {
        return Ok(hits);
    }
    let answer = search::articles(&state.db, search).await;
    if let Ok(hits) = &answer {
        memo.keep(key.clone(), hits);
    }
    memo.asked.lock().unwrap_or_else(|e| e.into_inner()).remove(&key);
    answer
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hit(id: i64, text: &str) -> ArticleHit {
        ArticleHit {
            id,
            title: text.into(),
            language: "en".into(),
            category_id: 1,
            visibility: "public".into(),
            snippet_html: text.into(),
        }
    }

    fn key(words: &str) -> Key {
        Key { reader: Reader::Visitor, words: words.into(), limit: 10, offset: 0 }
    }

    #[test]
    fn answers_are_kept_per_reader_and_page_and_the_oldest_go_past_the_budget() {
        let memo = SearchMemo::default();
        memo.keep(key("printer"), &[hit(1, "Printer")]);
        assert_eq!(memo.get(&key("printer")).map(|h| h[0].id), Some(1));
        assert_eq!(memo.get(&Key { reader: Reader::Customer, ..key("printer") }), None);
        assert_eq!(memo.get(&Key { offset: 10, ..key("printer") }), None);

        let big = "x".repeat(BUDGET / 3);
        memo.keep(key("a"), &[hit(2, &big)]);
        memo.keep(key("b"), &[hit(3, &big)]);
        memo.keep(key("c"), &[hit(4, &big)]);
        assert_eq!(memo.get(&key("printer")), None, "the oldest answers went first");
        assert_eq!(memo.get(&key("c")).map(|h| h[0].id), Some(4));
        assert!(memo.inner.lock().unwrap().bytes <= BUDGET);
    }

    #[test]
    fn another_version_drops_the_answers() {
        let memos = SearchMemos::default();
        memos.at(1, 5).keep(key("printer"), &[hit(1, "Printer")]);
        assert!(memos.at(1, 5).get(&key("printer")).is_some());
        assert!(memos.at(2, 5).get(&key("printer")).is_none(), "another portal");
        assert!(memos.at(1, 6).get(&key("printer")).is_none(), "version 6");
        memos.at(1, 6).keep(key("printer"), &[hit(2, "Printer 2")]);
        assert_eq!(memos.at(1, 6).get(&key("printer")).map(|h| h[0].id), Some(2));
        assert!(memos.at(1, 5).get(&key("printer")).is_none(), "a version going down");
    }
}
