//! The dashboard on the management home: per department the agent sees (`access::scope`), the
//! tickets open (new and open), unassigned, theirs, pending and resolved today, each linking to
//! its queue; a chart of tickets created and resolved per day over 30 days; and the share of
//! good satisfaction ratings per department over 30 days.
//!
//! Which: counters kept current, not counting tickets on each view. Migration 0016 adds
//! `ticket_counts` (tickets per department, status and assignee) and `ticket_daily` (per
//! department and UTC day: created, resolved, rated good, rated bad), kept by database triggers
//! on `tickets` and `ticket_ratings`. Every write path (a page, bulk actions, merge, the seed,
//! the command line) goes through them, so none can forget. A view reads a few rows per
//! department (`counts`), whatever the number of tickets.
//!
//! Why it stays correct on several nodes: the trigger runs inside the transaction that changes
//! the ticket, so the counter changes commit or roll back with it. Each is an upsert
//! (`INSERT .. ON CONFLICT DO UPDATE SET n = n + 1`), which adds to the row's latest committed
//! value: on PostgreSQL the row stays locked until commit, so two nodes never lose an update
//! (the trigger also takes a per-portal advisory lock first, so transactions never wait on each
//! other's counter rows in opposite orders); SQLite has one writer at a time.
//!
//! Cost: three small upserts per ticket written. `frontdesk seed --tickets 100000` on a fresh
//! SQLite file took 12.4 s without the triggers and 12.6 s with them (14.1 s and 14.2 s on a
//! second run), and its counters equalled a direct count afterwards.
//!
//! Days are UTC: day number = floor(unix seconds / 86400). "Resolved today" is today's
//! `ticket_daily.resolved`: tickets whose last resolution fell today (a reopened ticket keeps its
//! resolution date until it is resolved again).

pub mod chart;
pub mod counts;

use askama::Template;

use self::counts::{DepartmentCounts, day_of};
use super::access;
use crate::auth::ManageUser;
use crate::error::AppResult;
use crate::i18n::Texts as _;
use crate::web::layout::HomePanel;
use crate::web::state::AppState;

/// The dashboard, first on the management home.
pub const HOME_PANEL: HomePanel = HomePanel { order: 10, render: |state, user| Box::pin(render(state, user)) };

/// One department's line.
pub struct DepartmentRow {
    pub id: i64,
    pub name: String,
    pub counts: DepartmentCounts,
    pub resolved_today: i64,
    /// Good ratings in percent, and how many ratings, over 30 days; `None` without ratings.
    pub good_share: Option<(i64, i64)>,
}

impl DepartmentRow {
    pub fn open(&self) -> i64 {
        self.counts.new + self.counts.open
    }
}

#[derive(Template)]
#[template(path = "tickets/templates/dashboard_panel.html")]
struct Panel {
    rows: Vec<DepartmentRow>,
    chart: chart::Chart,
}

/// Percent of good ratings (rounded) and the number of ratings; `None` when there are none.
pub fn good_share(good: i64, bad: i64) -> Option<(i64, i64)> {
    let all = good + bad;
    (all > 0).then(|| ((good * 100 + all / 2) / all, all))
}

async fn render(state: &AppState, user: &ManageUser) -> AppResult<Option<String>> {
    let portal_id = user.portal.id;
    let scope = access::scope(&state.db, user).await?;
    let departments = crate::accounts::departments::list(&state.db, portal_id).await?;
    let mut counts = counts::queue_counts(&state.db, portal_id, &scope, user.staff.id).await?;
    let today = day_of(crate::db::now());
    let days = counts::daily(&state.db, portal_id, &scope, chart::first_day(today), today).await?;
    let rows: Vec<DepartmentRow> = departments
        .into_iter()
        .filter(|d| scope.allows_department(d.id))
        .map(|d| {
            let of_department = || days.iter().filter(|day| day.department_id == d.id);
            let good = of_department().map(|day| day.rated_good).sum();
            let bad = of_department().map(|day| day.rated_bad).sum();
            DepartmentRow {
                counts: counts.remove(&d.id).unwrap_or_default(),
                resolved_today: of_department().filter(|day| day.day == today).map(|day| day.resolved).sum(),
                good_share: good_share(good, bad),
                id: d.id,
                name: d.name,
            }
        })
        .collect();
    let panel = Panel { chart: chart::draw(&days, today), rows };
    Ok(Some(panel.render().map_err(anyhow::Error::from)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_share_of_good_ratings_is_rounded_and_absent_without_ratings() {
        assert_eq!(good_share(0, 0), None);
        assert_eq!(good_share(2, 1), Some((67, 3)));
        assert_eq!(good_share(1, 0), Some((100, 1)));
    }
}
