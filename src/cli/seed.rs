//! `frontdesk seed`: fills a database with a realistic desk, with a progress bar, and says how
//! to sign in to it.

use std::time::Instant;

use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};

use crate::db::Db;
use crate::seed::{self, SeedError, SeedOptions, Stage};

const AFTER: &str = "\
Examples:
  A desk of 20,000 tickets on the default SQLite file:
    frontdesk seed
  Only a knowledge base of 100,000 articles, for measuring search:
    frontdesk seed --tickets 0 --articles 100000
  A million tickets on PostgreSQL, for measuring:
    FRONTDESK_DATABASE_URL=postgres://frontdesk@db/frontdesk frontdesk seed --tickets 1000000 --customers 50000
  The same desk again elsewhere (the seed decides every name and text; dates count back from today):
    frontdesk seed --seed 7 --database-url sqlite://other.db
";

/// Fill the database with a realistic desk, for trying Frontdesk out and for benchmarks.
///
/// Builds two portals (acme, large; globex, small), an administrator, agents in departments,
/// customers, and tickets spread over the last year: about 35 % still open (new, open or
/// pending), 5 % reopened, 30 % resolved and 30 % closed, with 1 to 5 messages each, some
/// internal notes and a few attachments. Also knowledge-base articles (1,000 by default) in ten
/// categories per portal: about 70 % in English and 30 % in Portuguese (half of those translate
/// an English one), two thirds public, a sixth for signed-in customers, a sixth internal. Nine
/// in ten customers, tickets and articles go to acme. Every account has the password printed
/// at the end. It refuses a database that already holds
/// tickets unless --force.
#[derive(Args, Debug)]
#[command(after_help = AFTER)]
pub struct SeedArgs {
    /// The random seed: the same seed builds the same desk.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// How many tickets, over both portals.
    #[arg(long, default_value_t = 20_000)]
    tickets: u64,
    /// How many customers, over both portals.
    #[arg(long, default_value_t = 1_000)]
    customers: u64,
    /// Agents of the large portal (the small one gets a fifth as many).
    #[arg(long, default_value_t = 10)]
    agents: u64,
    /// Departments in each portal.
    #[arg(long, default_value_t = 3)]
    departments: u64,
    /// How many knowledge-base articles, over both portals.
    #[arg(long, default_value_t = 1_000)]
    articles: u64,
    /// Seed even if the database already holds tickets (they are kept; the seed adds to them).
    #[arg(long)]
    force: bool,
}

pub async fn run(db: &Db, args: SeedArgs) -> anyhow::Result<()> {
    let options = SeedOptions {
        seed: args.seed,
        tickets: args.tickets,
        customers: args.customers,
        agents: args.agents,
        departments: args.departments,
        articles: args.articles,
        force: args.force,
    };
    let bar = ProgressBar::new(options.tickets);
    let style = ProgressStyle::with_template("{bar:40} {pos}/{len} tickets, {per_sec}, {eta} left")
        .unwrap_or_else(|_| ProgressStyle::default_bar());
    bar.set_style(style);
    let started = Instant::now();
    let articles_style = ProgressStyle::with_template("{bar:40} {pos}/{len} articles, {per_sec}, {eta} left")
        .unwrap_or_else(|_| ProgressStyle::default_bar());
    let stage = std::sync::Mutex::new(Stage::Tickets);
    let on_progress = |now: Stage, written: u64| {
        let mut current = stage.lock().unwrap_or_else(|e| e.into_inner());
        if *current != now {
            *current = now;
            bar.reset();
            bar.set_length(options.articles);
            bar.set_style(articles_style.clone());
        }
        bar.set_position(written);
    };
    let report = match seed::run(db, &options, &on_progress).await {
        Ok(report) => report,
        Err(SeedError::HasTickets(n)) => {
            bar.abandon();
            anyhow::bail!("the database already holds {n} tickets; add --force to seed it anyway");
        }
        Err(e) => {
            bar.abandon();
            return Err(e.into());
        }
    };
    bar.finish_and_clear();
    let people = &report.people;
    println!(
        "Seeded {} tickets with {} messages in {:.1} s.",
        report.tickets,
        report.messages,
        started.elapsed().as_secs_f64()
    );
    println!(
        "Seeded {} knowledge-base articles in {:.1} s (read them at /portal/SLUG/kb).",
        report.articles, report.articles_secs
    );
    println!("Every seeded account's password: {}", seed::PASSWORD);
    println!("  management (/manage/login): {} (administrator of both portals)", people.admin_email);
    if let Some(agent) = people.agent_emails.first() {
        println!("  an agent: {agent} (agent1..agent{} of acme)", options.agents);
    }
    for portal in &people.portals {
        if let Some(customer) = portal.customers.first() {
            println!("  a customer of {} (/portal/{}/login): {}", portal.slug, portal.slug, customer.email);
        }
    }
    Ok(())
}
