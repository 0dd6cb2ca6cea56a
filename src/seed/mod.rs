//! `frontdesk seed`: a realistic desk for trying Frontdesk out and for measuring it. Two portals
//! (a large and a small one, so that isolation is exercised), an administrator, agents in
//! departments, customers, tickets spread over a year with replies, internal notes and a few
//! attachments, and knowledge-base articles in English and Portuguese (`articles`). The same `--seed` gives the same desk. Rows go in by the thousand
//! (`bulk::insert`), one transaction per batch of tickets.

mod articles;
mod bulk;
mod content;
mod people;
mod tickets;

use crate::db::Db;

pub use people::SeededPeople;

/// What to build.
#[derive(Clone, Debug)]
pub struct SeedOptions {
    pub seed: u64,
    pub tickets: u64,
    pub customers: u64,
    pub agents: u64,
    pub departments: u64,
    /// Knowledge-base articles, over both portals.
    pub articles: u64,
    /// Seed even though the database already holds tickets.
    pub force: bool,
}

impl Default for SeedOptions {
    fn default() -> Self {
        SeedOptions {
            seed: 1,
            tickets: 20_000,
            customers: 1_000,
            agents: 10,
            departments: 3,
            articles: 1_000,
            force: false,
        }
    }
}

/// The password of every seeded account, printed at the end (the accounts are for trying the
/// desk out, never for production data).
pub const PASSWORD: &str = "Seed-Passw0rd!";

/// Why the seed did not run.
#[derive(Debug, thiserror::Error)]
pub enum SeedError {
    #[error("the database already holds {0} tickets; run with --force to add the seed anyway")]
    HasTickets(i64),
    #[error("{0}")]
    Invalid(String),
    #[error(transparent)]
    Db(#[from] sqlx::Error),
}

/// What was built.
#[derive(Clone, Debug)]
pub struct Report {
    pub people: SeededPeople,
    pub tickets: u64,
    pub messages: u64,
    pub articles: u64,
    /// How long writing the articles took.
    pub articles_secs: f64,
}

/// What the seed is writing, for progress reports.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stage {
    Tickets,
    Articles,
}

/// Builds the desk; `progress` is told how many tickets, then articles, are written after each
/// batch.
pub async fn run(db: &Db, options: &SeedOptions, progress: &(dyn Fn(Stage, u64) + Sync)) -> Result<Report, SeedError> {
    if options.departments == 0 || options.agents == 0 || options.customers == 0 {
        return Err(SeedError::Invalid("--departments, --agents and --customers must be at least 1".into()));
    }
    let existing: i64 =
        sqlx::Row::try_get(&sqlx::query("SELECT COUNT(*) AS n FROM tickets").fetch_one(db.pool()).await?, "n")?;
    if existing > 0 && !options.force {
        return Err(SeedError::HasTickets(existing));
    }
    db.prepare_bulk_load().await?;
    let people = people::seed(db, options).await?;
    let (tickets, messages) = tickets::seed(db, options, &people, &|n| progress(Stage::Tickets, n)).await?;
    // Written a batch at a time, the index is in many pieces; searches read it whole (a few
    // seconds at 1,000,000 tickets).
    crate::search::compact_indexes(db).await?;
    let started = std::time::Instant::now();
    let articles = articles::seed(db, options, &people, &|n| progress(Stage::Articles, n)).await?;
    let articles_secs = started.elapsed().as_secs_f64();
    Ok(Report { people, tickets, messages, articles, articles_secs })
}
