//! The queue page's address: which queue, which statuses, the filters and the sort, read from
//! the query string (a bad value is a 400 naming the field, never a 500), and written back as
//! one canonical string, so that a filtered queue is a link to bookmark or share and a saved
//! view stores the same text.

use serde::Deserialize;

use crate::error::{AppError, AppResult};
use crate::i18n::Msg;
use crate::tickets::queues::{AssigneeFilter, Cursor, CustomerFilter, Filters, Sort, StatusFilter};
use crate::tickets::{Priority, Status};

/// The query string of the queue page, as typed.
#[derive(Deserialize, Default, Clone, Debug)]
pub struct QueueQuery {
    pub queue: Option<String>,
    pub status: Option<String>,
    pub priority: Option<String>,
    pub department: Option<String>,
    pub assignee: Option<String>,
    pub customer: Option<String>,
    pub created_from: Option<String>,
    pub created_to: Option<String>,
    pub updated_from: Option<String>,
    pub updated_to: Option<String>,
    pub number: Option<String>,
    /// Words to search for.
    pub q: Option<String>,
    pub sort: Option<String>,
    pub after: Option<String>,
    /// A saved view to show (its own filters replace the ones above).
    pub view: Option<String>,
    /// `all`: every checkbox of the page ticked.
    pub select: Option<String>,
}

/// The filter fields in their canonical order, with the values typed (trimmed).
pub const FIELDS: [&str; 13] = [
    "queue",
    "status",
    "priority",
    "department",
    "assignee",
    "customer",
    "created_from",
    "created_to",
    "updated_from",
    "updated_to",
    "number",
    "q",
    "sort",
];

impl QueueQuery {
    fn field(&self, name: &str) -> Option<&str> {
        let value = match name {
            "queue" => &self.queue,
            "status" => &self.status,
            "priority" => &self.priority,
            "department" => &self.department,
            "assignee" => &self.assignee,
            "customer" => &self.customer,
            "created_from" => &self.created_from,
            "created_to" => &self.created_to,
            "updated_from" => &self.updated_from,
            "updated_to" => &self.updated_to,
            "number" => &self.number,
            "q" => &self.q,
            "sort" => &self.sort,
            _ => &None,
        };
        value.as_deref().map(str::trim).filter(|v| !v.is_empty())
    }

    /// The value typed for a field, for the filters form ("" when none).
    pub fn value(&self, name: &str) -> String {
        self.field(name).unwrap_or_default().to_string()
    }

    /// The filters as one query string, fields in a fixed order, empty ones and defaults left
    /// out: the same filters always give the same text (a saved view's, a link's).
    pub fn canonical(&self) -> String {
        let mut out = url::form_urlencoded::Serializer::new(String::new());
        for name in FIELDS {
            let value = self.field(name).filter(|v| !matches!((name, *v), ("status", "active") | ("sort", "activity")));
            if let Some(value) = value {
                out.append_pair(name, value);
            }
        }
        out.finish()
    }

    /// Reads a stored canonical string back (a saved view's).
    pub fn from_canonical(raw: &str) -> AppResult<QueueQuery> {
        serde_urlencoded::from_str(raw).map_err(|_| AppError::bad_request(Msg::new("ticket-queue-bad-view")))
    }
}

fn bad(key: &'static str) -> AppError {
    AppError::bad_request(Msg::new(key))
}

pub fn parse_status(raw: Option<&str>) -> Option<(StatusFilter, &'static str)> {
    match raw.map(str::trim).unwrap_or("") {
        "" | "active" => Some((StatusFilter::Active, "active")),
        "any" => Some((StatusFilter::Any, "any")),
        other => Status::parse(other).map(|s| (StatusFilter::Only(s), s.as_str())),
    }
}

/// A day `YYYY-MM-DD` as the unix time of its first second (UTC).
fn parse_day(raw: &str) -> Option<i64> {
    let mut parts = raw.splitn(3, '-');
    let (y, m, d) = (parts.next()?, parts.next()?, parts.next()?);
    if y.len() != 4 || m.len() != 2 || d.len() != 2 {
        return None;
    }
    let month = time::Month::try_from(m.parse::<u8>().ok()?).ok()?;
    let date = time::Date::from_calendar_date(y.parse().ok()?, month, d.parse().ok()?).ok()?;
    Some(date.midnight().assume_utc().unix_timestamp())
}

/// A day field: its first second, or with `next_day` the first second of the day after (the
/// "to" day is included).
fn day(q: &QueueQuery, name: &str, next_day: bool) -> AppResult<Option<i64>> {
    let Some(raw) = q.field(name) else { return Ok(None) };
    let start = parse_day(raw).ok_or_else(|| bad("ticket-queue-bad-date"))?;
    Ok(Some(if next_day { start + 86_400 } else { start }))
}

fn positive(raw: &str) -> Option<i64> {
    raw.parse::<i64>().ok().filter(|n| *n > 0)
}

/// The filters of the query string; the customer's account is looked up later (`customer_id`).
pub fn parse_filters(q: &QueueQuery) -> AppResult<Filters> {
    let priority = q.field("priority").map(|p| Priority::parse(p).ok_or_else(|| bad("ticket-queue-bad-priority")));
    let department = q.field("department").map(|d| positive(d).ok_or_else(|| bad("ticket-queue-bad-department")));
    let assignee = q.field("assignee").map(|a| match a {
        "none" => Ok(AssigneeFilter::Nobody),
        id => positive(id).map(AssigneeFilter::Staff).ok_or_else(|| bad("ticket-queue-bad-assignee")),
    });
    let customer = q.field("customer").map(|c| {
        crate::accounts::Email::parse(c)
            .map(|e| CustomerFilter { email: e.as_str().to_string(), customer_id: None })
            .map_err(|_| bad("ticket-queue-bad-customer"))
    });
    let number =
        q.field("number").map(|n| positive(n.trim_start_matches('#')).ok_or_else(|| bad("ticket-queue-bad-number")));
    let sort = match q.field("sort") {
        None => Sort::Activity,
        Some(s) => Sort::parse(s).ok_or_else(|| bad("ticket-queue-bad-sort"))?,
    };
    Ok(Filters {
        priority: priority.transpose()?,
        department: department.transpose()?,
        assignee: assignee.transpose()?,
        customer: customer.transpose()?,
        created_from: day(q, "created_from", false)?,
        created_to: day(q, "created_to", true)?,
        updated_from: day(q, "updated_from", false)?,
        updated_to: day(q, "updated_to", true)?,
        number: number.transpose()?,
        words: q.field("q").map(crate::search::Terms::parse),
        sort,
    })
}

/// The cursor of a page link: `key:id`, or `rank:key:id` for the priority sort.
pub fn parse_cursor(raw: Option<&str>, sort: Sort) -> AppResult<Option<Cursor>> {
    let Some(raw) = raw.filter(|r| !r.is_empty()) else { return Ok(None) };
    let numbers: Option<Vec<i64>> = raw.split(':').map(|p| p.parse().ok()).collect();
    let cursor = match (sort, numbers.as_deref()) {
        (Sort::Priority, Some(&[rank, key, id])) => Some(Cursor { rank, key, id }),
        (Sort::Activity | Sort::Created, Some(&[key, id])) => Some(Cursor { rank: 0, key, id }),
        _ => None,
    };
    cursor.map(Some).ok_or_else(|| bad("tickets-bad-page"))
}

pub fn format_cursor(cursor: Cursor, sort: Sort) -> String {
    match sort {
        Sort::Priority => format!("{}:{}:{}", cursor.rank, cursor.key, cursor.id),
        _ => format!("{}:{}", cursor.key, cursor.id),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn query(raw: &str) -> QueueQuery {
        serde_urlencoded::from_str(raw).unwrap()
    }

    #[test]
    fn the_canonical_string_is_ordered_and_drops_defaults_and_blanks() {
        let q = query("sort=priority&priority=high&status=active&customer=+A%40b.test+&number=&queue=all");
        assert_eq!(q.canonical(), "queue=all&priority=high&customer=A%40b.test&sort=priority");
        assert_eq!(QueueQuery::from_canonical(&q.canonical()).unwrap().canonical(), q.canonical());
    }

    #[test]
    fn days_include_the_last_one_and_bad_values_are_refused() {
        let f = parse_filters(&query("created_from=2024-02-28&created_to=2024-02-29")).unwrap();
        assert_eq!(f.created_from, Some(1_709_078_400));
        assert_eq!(f.created_to, Some(1_709_078_400 + 2 * 86_400));
        for bad in ["created_to=2024-02-30", "updated_from=24-1-1", "priority=huge", "assignee=-3", "number=x"] {
            assert!(parse_filters(&query(bad)).is_err(), "{bad}");
        }
        assert_eq!(parse_filters(&query("number=%231042")).unwrap().number, Some(1042));
    }

    #[test]
    fn cursors_read_back_in_their_sort() {
        let c = Cursor { rank: 4, key: 1_700_000_000, id: 9 };
        assert_eq!(parse_cursor(Some(&format_cursor(c, Sort::Priority)), Sort::Priority).unwrap(), Some(c));
        assert!(parse_cursor(Some("1:2"), Sort::Priority).is_err());
        assert!(parse_cursor(Some("1:2:3"), Sort::Created).is_err());
    }
}
