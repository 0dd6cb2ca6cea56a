//! Dates and times in each language's format. Every time is shown in UTC, and says so, until
//! people get a time zone of their own.

use time::OffsetDateTime;
use time::format_description::BorrowedFormatItem;
use time::macros::format_description;

use super::Lang;

fn format(ts: i64, items: &[BorrowedFormatItem<'_>]) -> String {
    OffsetDateTime::from_unix_timestamp(ts).ok().and_then(|t| t.format(items).ok()).unwrap_or_default()
}

/// A Unix time in `lang`: `2026-11-24 09:30 UTC`, `24/11/2026 09:30 UTC`.
pub fn datetime(lang: Lang, ts: i64) -> String {
    match lang {
        Lang::En => format(ts, format_description!("[year]-[month]-[day] [hour]:[minute] UTC")),
        Lang::PtBr => format(ts, format_description!("[day]/[month]/[year] [hour]:[minute] UTC")),
    }
}

/// The day of a Unix time in `lang`: `2026-11-24`, `24/11/2026`.
pub fn date(lang: Lang, ts: i64) -> String {
    match lang {
        Lang::En => format(ts, format_description!("[year]-[month]-[day]")),
        Lang::PtBr => format(ts, format_description!("[day]/[month]/[year]")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_language_writes_dates_its_own_way() {
        let ts = 1_795_512_600; // 2026-11-24 09:30 UTC
        assert_eq!(datetime(Lang::En, ts), "2026-11-24 09:30 UTC");
        assert_eq!(datetime(Lang::PtBr, ts), "24/11/2026 09:30 UTC");
        assert_eq!(date(Lang::PtBr, ts), "24/11/2026");
    }
}
