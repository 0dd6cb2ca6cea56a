//! The chart of tickets created and resolved per day, drawn on the server as SVG: no script,
//! a `viewBox` so that it scales to a phone's width, a title and description for screen
//! readers and a table of the same numbers beside it.

use super::counts::{DAY, Daily};

/// Days the chart shows, today included.
pub const DAYS: i64 = 30;

/// The drawing's coordinate space (the `viewBox`); the browser scales it to the page.
pub const WIDTH: i64 = 390;
pub const HEIGHT: i64 = 180;
/// Room for the axis labels.
const LEFT: i64 = 30;
const BOTTOM: i64 = 24;
const TOP: i64 = 8;

/// One day of the chart, with its two bars.
pub struct Day {
    /// For the table and the axis, e.g. "2026-12-02".
    pub date: String,
    /// `MM-DD`, under the axis.
    pub short: String,
    pub created: i64,
    pub resolved: i64,
    pub x: i64,
    pub bar_width: i64,
    pub created_y: i64,
    pub created_height: i64,
    pub resolved_x: i64,
    pub resolved_y: i64,
    pub resolved_height: i64,
    /// Every 7th day carries its date under the axis.
    pub labelled: bool,
    pub label_x: i64,
}

pub struct Chart {
    pub days: Vec<Day>,
    /// The largest day, the top of the scale.
    pub max: i64,
    pub created_total: i64,
    pub resolved_total: i64,
    pub baseline_y: i64,
    pub left: i64,
    pub top: i64,
    pub width: i64,
    pub height: i64,
}

/// `YYYY-MM-DD` of a UTC day number.
pub fn iso_date(day: i64) -> String {
    let date = chrono_free_date(day);
    format!("{:04}-{:02}-{:02}", date.0, date.1, date.2)
}

/// Civil date of a day number (days since 1970-01-01), by Howard Hinnant's well-known method.
fn chrono_free_date(day: i64) -> (i64, i64, i64) {
    let z = day + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

/// The chart of the `DAYS` days up to `today`, summing the departments in `days`.
pub fn draw(days: &[Daily], today: i64) -> Chart {
    let first = today - DAYS + 1;
    let mut created = vec![0i64; DAYS as usize];
    let mut resolved = vec![0i64; DAYS as usize];
    for d in days.iter().filter(|d| d.day >= first && d.day <= today) {
        created[(d.day - first) as usize] += d.created;
        resolved[(d.day - first) as usize] += d.resolved;
    }
    let max = created.iter().chain(&resolved).copied().max().unwrap_or(0).max(1);
    let plot_height = HEIGHT - TOP - BOTTOM;
    let slot = (WIDTH - LEFT) / DAYS;
    let bar_width = (slot - 4) / 2;
    let baseline_y = TOP + plot_height;
    let height_of = |n: i64| n.max(0) * plot_height / max;
    let days = (0..DAYS as usize)
        .map(|i| {
            let x = LEFT + i as i64 * slot + 2;
            let (c, r) = (height_of(created[i]), height_of(resolved[i]));
            Day {
                date: iso_date(first + i as i64),
                short: iso_date(first + i as i64)[5..].to_string(),
                created: created[i],
                resolved: resolved[i],
                x,
                bar_width,
                created_y: baseline_y - c,
                created_height: c,
                resolved_x: x + bar_width,
                resolved_y: baseline_y - r,
                resolved_height: r,
                labelled: (DAYS as usize - 1 - i).is_multiple_of(7),
                label_x: x + bar_width,
            }
        })
        .collect();
    Chart {
        days,
        max,
        created_total: created.iter().sum(),
        resolved_total: resolved.iter().sum(),
        baseline_y,
        left: LEFT,
        top: TOP,
        width: WIDTH,
        height: HEIGHT,
    }
}

/// The first day the chart shows.
pub fn first_day(today: i64) -> i64 {
    today - DAYS + 1
}

/// Today's UTC day number.
pub fn today(now: i64) -> i64 {
    now.div_euclid(DAY)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thirty_days_scaled_to_the_largest_and_dated() {
        assert_eq!(iso_date(0), "1970-01-01");
        assert_eq!(iso_date(20_424), "2025-12-02");
        let today = 20_424;
        let d = |day, created, resolved| Daily { department_id: 1, day, created, resolved, ..Default::default() };
        let chart = draw(&[d(today, 4, 1), d(today, 4, 1), d(today - 29, 2, 0), d(today - 30, 100, 100)], today);
        assert_eq!(chart.days.len(), 30);
        assert_eq!(chart.max, 8);
        assert_eq!((chart.created_total, chart.resolved_total), (10, 2));
        let last = chart.days.last().unwrap();
        assert_eq!(last.created_y, chart.top);
        assert!(last.labelled && last.date == "2025-12-02");
        assert_eq!(chart.days[0].created_height * 4, last.created_height);
    }
}
