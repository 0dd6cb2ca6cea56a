//! Reading the counters that the triggers of migration 0016 keep (`ticket_counts`,
//! `ticket_daily`): a few rows per department, whatever the number of tickets. See the module
//! doc of `dashboard` for why they stay correct.

use std::collections::HashMap;

use sqlx::Row;

use crate::db::Db;
use crate::tickets::Status;
use crate::tickets::access::Scope;
use crate::tickets::queues::{Queue, StatusFilter};

/// Seconds in a UTC day: day numbers are `unix_seconds / DAY` rounded down.
pub const DAY: i64 = 86_400;

/// The UTC day number of a Unix time.
pub fn day_of(unix_seconds: i64) -> i64 {
    unix_seconds.div_euclid(DAY)
}

/// A department's tickets, by status and by who has them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DepartmentCounts {
    pub department_id: i64,
    pub new: i64,
    pub open: i64,
    pub pending: i64,
    pub resolved: i64,
    pub closed: i64,
    /// New, open or pending, assigned to nobody.
    pub unassigned: i64,
    /// New, open or pending, assigned to the staff member asked about.
    pub mine: i64,
}

impl DepartmentCounts {
    fn add(&mut self, status: Status, assignee_id: i64, staff_id: i64, n: i64) {
        match status {
            Status::New => self.new += n,
            Status::Open => self.open += n,
            Status::Pending => self.pending += n,
            Status::Resolved => self.resolved += n,
            Status::Closed => self.closed += n,
        }
        if status.is_active() && assignee_id == 0 {
            self.unassigned += n;
        }
        if status.is_active() && assignee_id == staff_id {
            self.mine += n;
        }
    }
}

/// The counts of every department of `portal_id` that `scope` shows, by department id, for
/// the staff member `staff_id` ("mine"). Departments without tickets are absent.
pub async fn queue_counts(
    db: &Db,
    portal_id: i64,
    scope: &Scope,
    staff_id: i64,
) -> Result<HashMap<i64, DepartmentCounts>, sqlx::Error> {
    let rows =
        sqlx::query("SELECT department_id, status, assignee_id, n FROM ticket_counts WHERE portal_id = $1 AND n <> 0")
            .bind(portal_id)
            .fetch_all(db.pool())
            .await?;
    let mut counts: HashMap<i64, DepartmentCounts> = HashMap::new();
    for r in &rows {
        let department_id: i64 = r.try_get("department_id")?;
        if !scope.allows_department(department_id) {
            continue;
        }
        let code: String = r.try_get("status")?;
        let Some(status) = Status::parse(&code) else { continue };
        let entry =
            counts.entry(department_id).or_insert_with(|| DepartmentCounts { department_id, ..Default::default() });
        entry.add(status, r.try_get("assignee_id")?, staff_id, r.try_get("n")?);
    }
    Ok(counts)
}

/// One row of `ticket_counts`: how many tickets of a department have a status and an assignee
/// (0 for none).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CountRow {
    pub department_id: i64,
    pub status: Status,
    pub assignee_id: i64,
    pub n: i64,
}

/// A portal's counters with every assignee but `staff_id` and nobody (0) summed as -1: what
/// the queue menu needs, a few rows per department whatever the number of agents.
pub async fn rows(db: &Db, portal_id: i64, staff_id: i64) -> Result<Vec<CountRow>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT department_id, status, CASE WHEN assignee_id IN (0, $2) THEN assignee_id ELSE -1 END AS assignee_id, \
         CAST(SUM(n) AS BIGINT) AS n FROM ticket_counts WHERE portal_id = $1 AND n <> 0 \
         GROUP BY department_id, status, CASE WHEN assignee_id IN (0, $2) THEN assignee_id ELSE -1 END",
    )
    .bind(portal_id)
    .bind(staff_id)
    .fetch_all(db.pool())
    .await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in &rows {
        let code: String = r.try_get("status")?;
        let Some(status) = Status::parse(&code) else { continue };
        out.push(CountRow {
            department_id: r.try_get("department_id")?,
            status,
            assignee_id: r.try_get("assignee_id")?,
            n: r.try_get("n")?,
        });
    }
    Ok(out)
}

/// How many tickets a queue holds in the statuses shown, exactly, from the counters.
pub fn queue_total(rows: &[CountRow], scope: &Scope, queue: Queue, status: StatusFilter) -> i64 {
    let wanted = |s: Status| match status {
        StatusFilter::Active => s.is_active(),
        StatusFilter::Only(only) => s == only,
        StatusFilter::Any => true,
    };
    let in_queue = |r: &CountRow| match queue {
        Queue::Mine(staff_id) => r.assignee_id == staff_id,
        Queue::Unassigned => r.assignee_id == 0,
        Queue::Department(id) => r.department_id == id,
        Queue::All => true,
    };
    rows.iter()
        .filter(|r| scope.allows_department(r.department_id) && wanted(r.status) && in_queue(r))
        .map(|r| r.n)
        .sum()
}

/// One department's day.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Daily {
    pub department_id: i64,
    pub day: i64,
    pub created: i64,
    pub resolved: i64,
    pub rated_good: i64,
    pub rated_bad: i64,
}

/// The days `first_day..=last_day` of the departments `scope` shows.
pub async fn daily(
    db: &Db,
    portal_id: i64,
    scope: &Scope,
    first_day: i64,
    last_day: i64,
) -> Result<Vec<Daily>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT department_id, day, created, resolved, rated_good, rated_bad FROM ticket_daily \
         WHERE portal_id = $1 AND day >= $2 AND day <= $3",
    )
    .bind(portal_id)
    .bind(first_day)
    .bind(last_day)
    .fetch_all(db.pool())
    .await?;
    let mut days = Vec::with_capacity(rows.len());
    for r in &rows {
        let department_id: i64 = r.try_get("department_id")?;
        if scope.allows_department(department_id) {
            days.push(Daily {
                department_id,
                day: r.try_get("day")?,
                created: r.try_get("created")?,
                resolved: r.try_get("resolved")?,
                rated_good: r.try_get("rated_good")?,
                rated_bad: r.try_get("rated_bad")?,
            });
        }
    }
    Ok(days)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_active_tickets_count_as_unassigned_or_mine() {
        let mut c = DepartmentCounts::default();
        c.add(Status::New, 0, 7, 2);
        c.add(Status::Open, 7, 7, 3);
        c.add(Status::Pending, 8, 7, 1);
        c.add(Status::Resolved, 0, 7, 5);
        c.add(Status::Closed, 7, 7, 4);
        assert_eq!((c.new, c.open, c.pending, c.resolved, c.closed), (2, 3, 1, 5, 4));
        assert_eq!((c.unassigned, c.mine), (2, 3));
        assert_eq!(day_of(86_399), 0);
        assert_eq!(day_of(86_400), 1);
        assert_eq!(day_of(-1), -1);
    }
}
