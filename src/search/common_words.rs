//! Which ticket searches this node found to match many tickets lately. Whether a search matches
//! few tickets decides only where its query starts (`few_ticket_matches`), never what it
//! answers; and a word in thousands of tickets stays common for a long while. So a search
//! found common skips the check (a count of up to 2,001 matches on SQLite, a plan's estimate on
//! PostgreSQL: 1.5 to 3 ms of a common word's 10 to 15 at 1,000,000 tickets) for
//! `REMEMBERED_FOR`.

use std::collections::HashMap;
use std::sync::{LazyLock, Mutex};
use std::time::{Duration, Instant};

use super::{Terms, TicketSearcher};

const REMEMBERED_FOR: Duration = Duration::from_secs(600);

/// Searches remembered at most; past that the memory starts afresh (a node's agents search
/// a few hundred different things in ten minutes).
const MOST: usize = 4096;

/// The database (one process may serve several, as the tests do), who searches, and the words.
type Key = (String, TicketSearcher, Terms);

static FOUND_COMMON: LazyLock<Mutex<HashMap<Key, Instant>>> = LazyLock::new(Mutex::default);

/// Whether this search of the database at `database` was found to match many tickets within
/// `REMEMBERED_FOR`.
pub(super) fn known_common(database: &str, terms: &Terms, who: TicketSearcher) -> bool {
    let found = FOUND_COMMON.lock().unwrap_or_else(|e| e.into_inner());
    found.get(&(database.to_string(), who, terms.clone())).is_some_and(|at| at.elapsed() < REMEMBERED_FOR)
}

pub(super) fn remember_common(database: &str, terms: &Terms, who: TicketSearcher) {
    let mut found = FOUND_COMMON.lock().unwrap_or_else(|e| e.into_inner());
    if found.len() >= MOST {
        found.clear();
    }
    found.insert((database.to_string(), who, terms.clone()), Instant::now());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_search_is_remembered_for_its_database_and_searcher_only() {
        let (db, other) = ("sqlite:///tmp/common-words-a.db", "sqlite:///tmp/common-words-b.db");
        let printer = Terms::parse("printer");
        assert!(!known_common(db, &printer, TicketSearcher::Agent));
        remember_common(db, &printer, TicketSearcher::Agent);
        assert!(known_common(db, &printer, TicketSearcher::Agent));
        assert!(!known_common(other, &printer, TicketSearcher::Agent));
        assert!(!known_common(db, &printer, TicketSearcher::Customer));
        assert!(!known_common(db, &Terms::parse("printer paper"), TicketSearcher::Agent));
    }
}
