//! A department's chat hours (`departments.chat_hours`): a weekly schedule at a fixed UTC offset.
//! Outside it, customers are offered to leave a message instead of a chat. No hours (NULL or
//! empty) means chats are answered at any time.
//!
//! The format, one rule per line (or separated by `;`):
//!
//! ```text
//! UTC-03:00
//! mon-fri 09:00-18:00
//! sat 09:00-12:00 13:00-15:00
//! ```
//!
//! The zone line is `UTC`, `UTC+2`, `UTC-03:00` or `UTC+05:30` (once, anywhere; UTC when left
//! out). A day is `mon tue wed thu fri sat sun`, a range `mon-fri`, a list `mon,wed,fri`; then
//! one or more `HH:MM-HH:MM` periods (`24:00` ends a day). A period cannot cross midnight: write
//! one on each day. Why an offset and not a zone name: the binary carries no time zone database,
//! and a wrong daylight-saving rule is worse than an offset the administrator sees and changes.

use crate::i18n::{Lang, Msg};

/// Longest schedule text accepted.
pub const MAX_CHARS: usize = 1_000;

const DAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
const DAY_KEYS: [&str; 7] = [
    "chat-hours-day-mon",
    "chat-hours-day-tue",
    "chat-hours-day-wed",
    "chat-hours-day-thu",
    "chat-hours-day-fri",
    "chat-hours-day-sat",
    "chat-hours-day-sun",
];

/// A weekly schedule: per day (Monday first), periods in minutes from midnight, `[start, end)`.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Schedule {
    /// Minutes east of UTC.
    pub offset_minutes: i32,
    pub days: [Vec<(u16, u16)>; 7],
}

/// Reads a schedule; the error says which part is wrong and how to write it.
pub fn parse(text: &str) -> Result<Schedule, Msg> {
    if text.chars().count() > MAX_CHARS {
        return Err(Msg::new("chat-hours-too-long").arg("max", MAX_CHARS));
    }
    let mut schedule = Schedule::default();
    let mut zone_seen = false;
    for rule in text.split(['\n', ';']).map(str::trim).filter(|r| !r.is_empty()) {
        if rule.to_ascii_lowercase().starts_with("utc") {
            if zone_seen {
                return Err(Msg::new("chat-hours-two-zones"));
            }
            zone_seen = true;
            schedule.offset_minutes = parse_offset(rule)?;
            continue;
        }
        let mut words = rule.split_whitespace();
        let days = parse_days(words.next().unwrap_or_default())?;
        let periods: Vec<(u16, u16)> = words.map(parse_period).collect::<Result<_, _>>()?;
        if periods.is_empty() {
            return Err(Msg::new("chat-hours-no-period").arg("rule", rule));
        }
        for day in days {
            schedule.days[day].extend(periods.iter().copied());
            schedule.days[day].sort_unstable();
        }
    }
    if schedule.days.iter().all(Vec::is_empty) {
        return Err(Msg::new("chat-hours-empty"));
    }
    Ok(schedule)
}

fn parse_offset(rule: &str) -> Result<i32, Msg> {
    let bad = || Msg::new("chat-hours-bad-zone").arg("zone", rule);
    let rest = rule[3..].trim();
    if rest.is_empty() {
        return Ok(0);
    }
    let (sign, rest) = match rest.as_bytes()[0] {
        b'+' => (1, &rest[1..]),
        b'-' => (-1, &rest[1..]),
        _ => return Err(bad()),
    };
    let (hours, minutes) = match rest.split_once(':') {
        Some((h, m)) => (h, m),
        None => (rest, "0"),
    };
    let hours: i32 = hours.parse().map_err(|_| bad())?;
    let minutes: i32 = minutes.parse().map_err(|_| bad())?;
    if !(0..=14).contains(&hours) || !(0..60).contains(&minutes) {
        return Err(bad());
    }
    Ok(sign * (hours * 60 + minutes))
}

fn day_index(word: &str) -> Result<usize, Msg> {
    let lower = word.to_ascii_lowercase();
    DAYS.iter().position(|d| *d == lower).ok_or_else(|| Msg::new("chat-hours-bad-day").arg("day", word))
}

fn parse_days(word: &str) -> Result<Vec<usize>, Msg> {
    let mut days = Vec::new();
    for part in word.split(',') {
        match part.split_once('-') {
            Some((from, to)) => {
                let (from, to) = (day_index(from)?, day_index(to)?);
                if to < from {
                    return Err(Msg::new("chat-hours-backward-days").arg("days", part));
                }
                days.extend(from..=to);
            }
            None => days.push(day_index(part)?),
        }
    }
    Ok(days)
}

fn parse_time(word: &str, period: &str) -> Result<u16, Msg> {
    let bad = || Msg::new("chat-hours-bad-period").arg("period", period);
    let (h, m) = word.split_once(':').ok_or_else(bad)?;
    if h.is_empty() || h.len() > 2 || m.len() != 2 {
        return Err(bad());
    }
    let (h, m): (u16, u16) = (h.parse().map_err(|_| bad())?, m.parse().map_err(|_| bad())?);
    if m >= 60 || h > 24 || (h == 24 && m != 0) {
        return Err(bad());
    }
    Ok(h * 60 + m)
}

fn parse_period(word: &str) -> Result<(u16, u16), Msg> {
    let (start, end) = word.split_once('-').ok_or_else(|| Msg::new("chat-hours-bad-period").arg("period", word))?;
    let (start, end) = (parse_time(start, word)?, parse_time(end, word)?);
    if end <= start {
        return Err(Msg::new("chat-hours-backward-period").arg("period", word));
    }
    Ok((start, end))
}

impl Schedule {
    /// Whether `unix_secs` falls in one of the periods.
    pub fn is_open(&self, unix_secs: i64) -> bool {
        let local = unix_secs + i64::from(self.offset_minutes) * 60;
        let days_since_epoch = local.div_euclid(86_400);
        // 1970-01-01 was a Thursday (index 3, Monday being 0).
        let day = (days_since_epoch + 3).rem_euclid(7) as usize;
        let minute = (local.rem_euclid(86_400) / 60) as u16;
        self.days[day].iter().any(|(start, end)| (*start..*end).contains(&minute))
    }

    /// The offset as people read it: `UTC−03:00`.
    pub fn zone(&self) -> String {
        let sign = if self.offset_minutes < 0 { '−' } else { '+' };
        let abs = self.offset_minutes.unsigned_abs();
        if abs == 0 { "UTC".into() } else { format!("UTC{sign}{:02}:{:02}", abs / 60, abs % 60) }
    }

    /// One line per day with hours, in `lang`: `Monday: 09:00–18:00`.
    pub fn describe(&self, lang: Lang) -> Vec<String> {
        let clock = |m: u16| format!("{:02}:{:02}", m / 60, m % 60);
        (0..7)
            .filter(|d| !self.days[*d].is_empty())
            .map(|d| {
                let periods: Vec<String> =
                    self.days[d].iter().map(|(s, e)| format!("{}–{}", clock(*s), clock(*e))).collect();
                format!("{}: {}", lang.t(DAY_KEYS[d]), periods.join(", "))
            })
            .collect()
    }
}

/// Whether a department with these stored hours answers chats at `unix_secs`. No hours: always.
/// Hours that no longer read (stored by an older version) count as none, and are logged.
pub fn open_at(stored: Option<&str>, unix_secs: i64) -> bool {
    match stored.map(str::trim).filter(|s| !s.is_empty()) {
        None => true,
        Some(text) => match parse(text) {
            Ok(schedule) => schedule.is_open(unix_secs),
            Err(e) => {
                tracing::warn!(error = %e.english(), "a department's chat hours do not read; treated as always open");
                true
            }
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // 2026-12-07 is a Monday; 12:00 UTC.
    const MONDAY_NOON_UTC: i64 = 1_796_644_800;

    #[test]
    fn a_schedule_reads_and_answers_at_its_offset() {
        let s = parse("UTC-03:00\nmon-fri 09:00-18:00; sat 09:00-12:00 13:00-15:00").unwrap();
        assert_eq!(s.offset_minutes, -180);
        assert_eq!(s.days[5], vec![(540, 720), (780, 900)]);
        assert!(s.days[6].is_empty());
        // Monday 09:00 at UTC-3.
        assert!(s.is_open(MONDAY_NOON_UTC));
        // Monday 08:59 at UTC-3.
        assert!(!s.is_open(MONDAY_NOON_UTC - 60));
        // Sunday 12:00 at UTC-3.
        assert!(!s.is_open(MONDAY_NOON_UTC - 86_400));
        assert_eq!(s.zone(), "UTC−03:00");
        assert_eq!(s.describe(Lang::En)[0], "Monday: 09:00–18:00");
    }

    #[test]
    fn mistakes_are_named() {
        assert_eq!(parse("mon 9-17").unwrap_err().key, "chat-hours-bad-period");
        assert_eq!(parse("monday 09:00-17:00").unwrap_err().key, "chat-hours-bad-day");
        assert_eq!(parse("mon 18:00-09:00").unwrap_err().key, "chat-hours-backward-period");
        assert_eq!(parse("fri-mon 09:00-17:00").unwrap_err().key, "chat-hours-backward-days");
        assert_eq!(parse("UTC+25\nmon 09:00-17:00").unwrap_err().key, "chat-hours-bad-zone");
        assert_eq!(parse("UTC\nUTC+1\nmon 09:00-17:00").unwrap_err().key, "chat-hours-two-zones");
        assert_eq!(parse("mon").unwrap_err().key, "chat-hours-no-period");
        assert_eq!(parse("UTC+1").unwrap_err().key, "chat-hours-empty");
        assert!(parse("sun 00:00-24:00").unwrap().is_open(MONDAY_NOON_UTC - 86_400));
        assert!(open_at(None, 0) && open_at(Some("  "), 0) && open_at(Some("garbage"), 0));
    }
}
