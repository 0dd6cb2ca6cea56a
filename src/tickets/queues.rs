//! The agents' queues: "Mine", "Unassigned", a department's, and "All", each limited to what the
//! agent may see (`access::Scope`), narrowed by the page's filters (`Filters`) and sorted by last
//! activity, creation or priority, a page at a time by keyset (the last row's sort key and id,
//! never `OFFSET`), so a page costs the same at any depth. Each sort walks an index of migration
//! 0014 (`tickets_by_activity`, `_created`, `_priority`); counts stop at `COUNT_CAP`.

use sqlx::any::AnyArguments;
use sqlx::any::AnyRow;
use sqlx::{Arguments, Row};

use super::Status;
use super::access::Scope;
use crate::db::{Backend, Db};

/// Which queue.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Queue {
    /// Assigned to this staff member.
    Mine(i64),
    Unassigned,
    Department(i64),
    All,
}

/// Which statuses a queue shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StatusFilter {
    /// New, open and pending: still asking for work.
    Active,
    Only(Status),
    Any,
}

/// How a queue is sorted; every sort pages by keyset on its key and the id, newest first.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Sort {
    /// Last activity (`updated_at`).
    #[default]
    Activity,
    Created,
    /// Urgent first, then by last activity.
    Priority,
}

impl Sort {
    pub const ALL: [Sort; 3] = [Sort::Activity, Sort::Created, Sort::Priority];

    pub fn as_str(self) -> &'static str {
        match self {
            Sort::Activity => "activity",
            Sort::Created => "created",
            Sort::Priority => "priority",
        }
    }

    pub fn parse(s: &str) -> Option<Sort> {
        Sort::ALL.into_iter().find(|x| x.as_str() == s)
    }

    /// The ORDER BY; `sorted` (`+ 0` on each key) keeps the planner from walking the sort's
    /// index for rows a date range of another column selects: it reads that range by its own
    /// index and sorts it, a cost bounded by the range rather than by the age of its tickets
    /// (PostgreSQL, at a million tickets: 0.1 s instead of 1.3 s for a month created long ago).
    fn order_by(self, sorted: bool) -> &'static str {
        match (self, sorted) {
            (Sort::Activity, false) => "t.updated_at DESC, t.id DESC",
            (Sort::Created, false) => "t.created_at DESC, t.id DESC",
            (Sort::Priority, false) => "t.priority_rank DESC, t.updated_at DESC, t.id DESC",
            (Sort::Activity, true) => "t.updated_at + 0 DESC, t.id + 0 DESC",
            (Sort::Created, true) => "t.created_at + 0 DESC, t.id + 0 DESC",
            (Sort::Priority, true) => "t.priority_rank + 0 DESC, t.updated_at + 0 DESC, t.id + 0 DESC",
        }
    }
}

/// Where a page starts: after this row of the previous page, in the page's sort. `rank` counts
/// only for the priority sort; `key` is `updated_at` or `created_at`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Cursor {
    pub rank: i64,
    pub key: i64,
    pub id: i64,
}

/// Who a ticket is assigned to, as a filter.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AssigneeFilter {
    Staff(i64),
    Nobody,
}

/// The customer filter: tickets whose typed address is `email` (any case), or of the customer
/// account with that address (`customer_id`, found beforehand).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CustomerFilter {
    pub email: String,
    pub customer_id: Option<i64>,
}

/// The filters of the queue page, on top of the queue and the scope. Times are unix seconds,
/// `from` inclusive and `to` exclusive.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Filters {
    pub priority: Option<super::Priority>,
    pub department: Option<i64>,
    pub assignee: Option<AssigneeFilter>,
    pub customer: Option<CustomerFilter>,
    pub created_from: Option<i64>,
    pub created_to: Option<i64>,
    pub updated_from: Option<i64>,
    pub updated_to: Option<i64>,
    pub number: Option<i64>,
    /// Words to find in the subject, the messages and notes, the requester's name or address
    /// (`crate::search`); a search of no words (only punctuation) finds nothing.
    pub words: Option<crate::search::Terms>,
    pub sort: Sort,
}

impl Filters {
    /// A date range on another column than the sort's key.
    fn range_off_sort(&self) -> bool {
        let created = self.created_from.is_some() || self.created_to.is_some();
        let updated = self.updated_from.is_some() || self.updated_to.is_some();
        (created && self.sort != Sort::Created) || (updated && self.sort == Sort::Created)
    }
}

/// A ticket as a queue lists it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QueueRow {
    pub id: i64,
    pub number: i64,
    pub subject: String,
    pub status: Status,
    pub priority: String,
    pub priority_rank: i64,
    pub department_id: i64,
    pub assignee_id: Option<i64>,
    pub requester_name: String,
    pub last_speaker: String,
    pub created_at: i64,
    pub updated_at: i64,
}

impl QueueRow {
    pub fn cursor(&self, sort: Sort) -> Cursor {
        match sort {
            Sort::Created => Cursor { rank: 0, key: self.created_at, id: self.id },
            _ => Cursor { rank: self.priority_rank, key: self.updated_at, id: self.id },
        }
    }
}

/// A value bound to a condition.
enum Bound {
    Int(i64),
    Text(String),
}

/// The conditions for a queue, with their arguments, after `portal_id = $1`.
struct Conditions {
    /// What the query reads: `tickets t`, or first the few tickets of one customer.
    from: String,
    sql: String,
    args: AnyArguments,
    next: usize,
    /// Whether the query starts from the search index's matches (few of them).
    from_matches: bool,
}

impl Conditions {
    fn new(portal_id: i64) -> Conditions {
        let mut args = AnyArguments::default();
        let _ = args.add(portal_id);
        Conditions { from: "tickets t".into(), sql: "t.portal_id = $1".into(), args, next: 2, from_matches: false }
    }

    /// Binds a value; its placeholder.
    fn bind(&mut self, value: Bound) -> String {
        let _ = match value {
            Bound::Int(v) => self.args.add(v),
            Bound::Text(v) => self.args.add(v),
        };
        self.next += 1;
        format!("${}", self.next - 1)
    }

    /// Adds ` AND clause`, each `?` in it taking the next of `values`.
    fn push(&mut self, clause: &str, values: Vec<Bound>) {
        let mut parts = clause.split('?');
        self.sql.push_str(" AND ");
        self.sql.push_str(parts.next().unwrap_or_default());
        for (part, value) in parts.zip(values) {
            let placeholder = self.bind(value);
            self.sql.push_str(&placeholder);
            self.sql.push_str(part);
        }
    }

    fn push_int(&mut self, clause: &str, value: i64) {
        self.push(clause, vec![Bound::Int(value)]);
    }

    /// The conditions of a selection, having asked the search index first whether few tickets
    /// hold the words searched for. `None` when the scope allows nothing.
    async fn prepare(
        db: &Db,
        portal_id: i64,
        scope: &Scope,
        selection: Selection<'_>,
    ) -> Result<Option<Conditions>, sqlx::Error> {
        let Selection { queue, status, filters } = selection;
        // A customer filter starts from that customer's few tickets already.
        let few = match &filters.words {
            Some(words) if !words.is_empty() && filters.customer.is_none() => {
                crate::search::few_ticket_matches(db, words, crate::search::TicketSearcher::Agent).await?
            }
            _ => None,
        };
        Ok(Conditions::build(db.backend(), portal_id, scope, queue, status, filters, few))
    }

    /// `None` when the scope allows nothing (an agent in no department).
    fn build(
        backend: Backend,
        portal_id: i64,
        scope: &Scope,
        queue: Queue,
        status: StatusFilter,
        f: &Filters,
        few: Option<(&str, String)>,
    ) -> Option<Conditions> {
        let mut c = Conditions::new(portal_id);
        if let Scope::Departments(ids) = scope {
            if ids.is_empty() {
                return None;
            }
            // Department ids are numbers from the database, never typed by anyone.
            let list: Vec<String> = ids.iter().map(i64::to_string).collect();
            c.sql.push_str(&format!(" AND t.department_id IN ({})", list.join(", ")));
        }
        match queue {
            Queue::Mine(staff_id) => c.push_int("t.assignee_id = ?", staff_id),
            Queue::Unassigned => c.sql.push_str(" AND t.assignee_id IS NULL"),
            Queue::Department(id) => c.push_int("t.department_id = ?", id),
            Queue::All => {}
        }
        match status {
            StatusFilter::Active => c.sql.push_str(" AND t.status IN ('new', 'open', 'pending')"),
            StatusFilter::Only(s) => c.push("t.status = ?", vec![Bound::Text(s.as_str().into())]),
            StatusFilter::Any => {}
        }
        c.filter(f);
        if let Some(words) = &f.words {
            c.search(backend, words, few);
        }
        Some(c)
    }

    fn filter(&mut self, f: &Filters) {
        if let Some(p) = f.priority {
            self.push("t.priority = ?", vec![Bound::Text(p.as_str().into())]);
        }
        if let Some(id) = f.department {
            self.push_int("t.department_id = ?", id);
        }
        match f.assignee {
            Some(AssigneeFilter::Staff(id)) => self.push_int("t.assignee_id = ?", id),
            Some(AssigneeFilter::Nobody) => self.sql.push_str(" AND t.assignee_id IS NULL"),
            None => {}
        }
        if let Some(customer) = &f.customer {
            self.customer(customer);
        }
        let ranges = [
            ("t.created_at >= ?", f.created_from),
            ("t.created_at < ?", f.created_to),
            ("t.updated_at >= ?", f.updated_from),
            ("t.updated_at < ?", f.updated_to),
            ("t.number = ?", f.number),
        ];
        for (clause, value) in ranges {
            if let Some(v) = value {
                self.push_int(clause, v);
            }
        }
    }

    /// The tickets whose text holds every word (each engine's own index, migration 0019).
    /// When few tickets match (`few`: what to read, and its value), the query starts from them.
    fn search(&mut self, backend: Backend, words: &crate::search::Terms, few: Option<(&str, String)>) {
        if words.is_empty() {
            self.sql.push_str(" AND 1 = 0");
            return;
        }
        if let Some((source, value)) = few {
            let placeholder = self.bind(Bound::Text(value));
            self.from = source.replace('?', &placeholder);
            self.sql.push_str(" AND t.id = found.id");
            self.from_matches = true;
            return;
        }
        let (clause, value) = crate::search::ticket_condition(backend, words, crate::search::TicketSearcher::Agent);
        self.push(clause, vec![Bound::Text(value)]);
    }

    /// A customer has few tickets: the query starts from them (found by the address typed on
    /// them, or the account) and sorts them, rather than walk a sort's index looking for them.
    /// `CROSS JOIN` keeps that order on SQLite, which has no statistics to choose it by.
    fn customer(&mut self, customer: &CustomerFilter) {
        let email = self.bind(Bound::Text(customer.email.clone()));
        let mut theirs =
            format!("SELECT e.id FROM tickets e WHERE e.portal_id = $1 AND lower(e.requester_email) = lower({email})");
        if let Some(id) = customer.customer_id {
            let id = self.bind(Bound::Int(id));
            theirs.push_str(&format!(
                " UNION SELECT c.id FROM tickets c WHERE c.portal_id = $1 AND c.customer_id = {id}"
            ));
        }
        self.from = format!("({theirs}) theirs CROSS JOIN tickets t");
        self.sql.push_str(" AND t.id = theirs.id");
    }

    /// Only the rows after `cursor` in `sort` (a row-value comparison, which both engines read
    /// as a range of the sort's index).
    fn after(&mut self, sort: Sort, cursor: Cursor) {
        match sort {
            Sort::Activity => {
                self.push("(t.updated_at, t.id) < (?, ?)", vec![Bound::Int(cursor.key), Bound::Int(cursor.id)])
            }
            Sort::Created => {
                self.push("(t.created_at, t.id) < (?, ?)", vec![Bound::Int(cursor.key), Bound::Int(cursor.id)])
            }
            Sort::Priority => self.push(
                "(t.priority_rank, t.updated_at, t.id) < (?, ?, ?)",
                vec![Bound::Int(cursor.rank), Bound::Int(cursor.key), Bound::Int(cursor.id)],
            ),
        }
    }
}

/// What a queue page shows: the queue, its statuses and the filters.
#[derive(Clone, Copy, Debug)]
pub struct Selection<'a> {
    pub queue: Queue,
    pub status: StatusFilter,
    pub filters: &'a Filters,
}

/// One page of a queue: `limit` tickets after `after`, in the filters' sort.
pub async fn page(
    db: &Db,
    portal_id: i64,
    scope: &Scope,
    selection: Selection<'_>,
    after: Option<Cursor>,
    limit: i64,
) -> Result<Vec<QueueRow>, sqlx::Error> {
    let filters = selection.filters;
    let Some(mut c) = Conditions::prepare(db, portal_id, scope, selection).await? else {
        return Ok(Vec::new());
    };
    if let Some(cursor) = after {
        c.after(filters.sort, cursor);
    }
    let sql = format!(
        "SELECT t.id, t.number, t.subject, t.status, t.priority, t.priority_rank, t.department_id, t.assignee_id, \
         t.requester_name, t.last_speaker, t.created_at, t.updated_at FROM {} WHERE {} ORDER BY {} LIMIT ${}",
        c.from,
        c.sql,
        filters.sort.order_by(filters.range_off_sort()),
        c.next
    );
    let _ = c.args.add(limit);
    // Audited: the string holds this module's conditions; every value is bound.
    let query = sqlx::query_with(sqlx::AssertSqlSafe(sql), c.args).persistent(planned_once(filters));
    let rows = query.fetch_all(db.pool()).await?;
    rows.iter().map(queue_row).collect()
}

/// Counts stop here: a menu shows "1000+" rather than walk a million rows on every page view.
pub const COUNT_CAP: i64 = 1000;

/// How many tickets a selection holds, up to `COUNT_CAP + 1` (more than the cap: "1000+").
pub async fn count_capped(
    db: &Db,
    portal_id: i64,
    scope: &Scope,
    selection: Selection<'_>,
) -> Result<i64, sqlx::Error> {
    let Some(c) = Conditions::prepare(db, portal_id, scope, selection).await? else { return Ok(0) };
    // Where many tickets match, the first matches of the index often hold more than the cap
    // already: counted from them, a common word's count no longer reads every match (SQLite, a
    // million tickets: 2.4 ms instead of 15). Otherwise the count is made in full, after a
    // look at those first matches that cost 8 ms at most.
    let Selection { queue, status, filters } = selection;
    if !c.from_matches
        && filters.customer.is_none()
        && let Some(words) = filters.words.as_ref().filter(|w| !w.is_empty())
        && let Some(first) =
            crate::search::first_ticket_matches(db.backend(), words, crate::search::TicketSearcher::Agent)
        && let Some(sampled) = Conditions::build(db.backend(), portal_id, scope, queue, status, filters, Some(first))
    {
        let n = capped_count_of(db, sampled, filters).await?;
        if n > COUNT_CAP {
            return Ok(n);
        }
    }
    capped_count_of(db, c, filters).await
}

async fn capped_count_of(db: &Db, c: Conditions, filters: &Filters) -> Result<i64, sqlx::Error> {
    let sql = format!(
        "SELECT COUNT(*) AS n FROM (SELECT 1 AS one FROM {} WHERE {} LIMIT {}) capped",
        c.from,
        c.sql,
        COUNT_CAP + 1
    );
    let query = sqlx::query_with(sqlx::AssertSqlSafe(sql), c.args).persistent(planned_once(filters));
    query.fetch_one(db.pool()).await?.try_get("n")
}

/// Whether a selection's statement may keep one plan for every value (a prepared statement
/// kept by the connection). Not with words searched: a word on one ticket and a word on a
/// tenth of them want different plans, and PostgreSQL's plan for any word, chosen after five
/// runs, joined every match against every ticket walked (84 ms for 600 matches at 20,000
/// tickets instead of 5). Planned each time instead, with the words known.
fn planned_once(filters: &Filters) -> bool {
    filters.words.is_none()
}

/// A capped count as the menu shows it.
pub fn count_label(n: i64) -> String {
    if n > COUNT_CAP { format!("{COUNT_CAP}+") } else { n.to_string() }
}

fn queue_row(r: &AnyRow) -> Result<QueueRow, sqlx::Error> {
    let status: String = r.try_get("status")?;
    Ok(QueueRow {
        id: r.try_get("id")?,
        number: r.try_get("number")?,
        subject: r.try_get("subject")?,
        status: Status::parse(&status).ok_or_else(|| sqlx::Error::Protocol(format!("unknown status {status}")))?,
        priority: r.try_get("priority")?,
        priority_rank: r.try_get("priority_rank")?,
        department_id: r.try_get("department_id")?,
        assignee_id: r.try_get("assignee_id")?,
        requester_name: r.try_get("requester_name")?,
        last_speaker: r.try_get("last_speaker")?,
        created_at: r.try_get("created_at")?,
        updated_at: r.try_get("updated_at")?,
    })
}
