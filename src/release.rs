//! A press release as the engine receives it, before analysis.

use std::fmt;

/// One press release, already extracted from its source file.
///
/// The index-builder turns `.txt`, `.md`, `.jsonl` and other inputs into
/// `Release`s; the engine does not care where one came from.
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub struct Release {
    /// Where the release lives on the site: absolute (`https://…`) or site-relative (`/press/x.html`).
    pub url: String,
    /// The headline, as plain text (entities already decoded).
    pub title: String,
    /// Publication date, when known.
    pub date: Option<Date>,
    /// Categories, tags, channels: shown as chips and used for filtering.
    pub categories: Vec<String>,
    /// BCP 47 language tag (`en`, `ru`, `zh-Hant`), when known.
    pub lang: Option<String>,
    /// The text of the release as plain text: paragraphs separated by blank lines.
    pub body: String,
}

/// A calendar date (proleptic Gregorian), without time zone.
///
/// Stored in the index as the integer `yyyymmdd`, so that dates sort as numbers.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(try_from = "String", into = "String")]
pub struct Date {
    year: u16,
    month: u8,
    day: u8,
}

impl Date {
    /// Builds a date, checking that the day exists in that month and year.
    ///
    /// ```
    /// use pressroom::Date;
    /// assert!(Date::new(2024, 2, 29).is_some());
    /// assert!(Date::new(2023, 2, 29).is_none());
    /// ```
    pub fn new(year: u16, month: u8, day: u8) -> Option<Date> {
        if !(1..=9999).contains(&year) || !(1..=12).contains(&month) || day == 0 {
            return None;
        }
        let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
        let days = match month {
            1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
            4 | 6 | 9 | 11 => 30,
            _ if leap => 29,
            _ => 28,
        };
        (day <= days).then_some(Date { year, month, day })
    }

    /// Parses the start of an ISO 8601 date or date-time: `2023-10-27`, `2023-10-27T09:00:00Z`.
    pub fn parse_iso(text: &str) -> Option<Date> {
        let text = text.trim();
        let bytes = text.as_bytes();
        if bytes.len() < 10 || bytes[4] != b'-' || bytes[7] != b'-' {
            return None;
        }
        if bytes.len() > 10 && !matches!(bytes[10], b'T' | b't' | b' ') {
            return None;
        }
        let num = |range: std::ops::Range<usize>| -> Option<u16> {
            let part = text.get(range)?;
            part.bytes()
                .all(|b| b.is_ascii_digit())
                .then(|| part.parse().ok())?
        };
        Date::new(
            num(0..4)?,
            u8::try_from(num(5..7)?).ok()?,
            u8::try_from(num(8..10)?).ok()?,
        )
    }

    /// The year.
    pub fn year(self) -> u16 {
        self.year
    }

    /// The month, 1 to 12.
    pub fn month(self) -> u8 {
        self.month
    }

    /// The day of the month, 1 to 31.
    pub fn day(self) -> u8 {
        self.day
    }

    /// The date as the integer `yyyymmdd` (`20231027`), as stored in the index.
    pub fn to_yyyymmdd(self) -> u32 {
        u32::from(self.year) * 10_000 + u32::from(self.month) * 100 + u32::from(self.day)
    }

    /// Days since 1970-01-01 (negative before it), in the proleptic Gregorian calendar.
    ///
    /// ```
    /// use pressroom::Date;
    /// assert_eq!(Date::new(1970, 1, 1).unwrap().days(), 0);
    /// assert_eq!(Date::new(2024, 3, 1).unwrap().days() - Date::new(2024, 2, 28).unwrap().days(), 2);
    /// assert_eq!(Date::new(1969, 12, 31).unwrap().days(), -1);
    /// ```
    pub fn days(self) -> i64 {
        // Howard Hinnant's days_from_civil: years start in March, so leap days come last.
        let (month, day) = (i64::from(self.month), i64::from(self.day));
        let year = i64::from(self.year) - i64::from(month <= 2);
        let era = year.div_euclid(400);
        let year_of_era = year - era * 400;
        let day_of_year = (153 * ((month + 9) % 12) + 2) / 5 + day - 1;
        let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
        era * 146_097 + day_of_era - 719_468
    }

    /// The inverse of [`Date::to_yyyymmdd`]; `None` for `0` or an impossible date.
    pub fn from_yyyymmdd(value: u32) -> Option<Date> {
        let year = u16::try_from(value / 10_000).ok()?;
        Date::new(year, (value / 100 % 100) as u8, (value % 100) as u8)
    }
}

impl TryFrom<String> for Date {
    type Error = String;

    fn try_from(text: String) -> Result<Date, String> {
        Date::parse_iso(&text).ok_or_else(|| format!("not a date (YYYY-MM-DD): {text:?}"))
    }
}

impl From<Date> for String {
    fn from(date: Date) -> String {
        date.to_string()
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso_dates_parse_and_round_trip() {
        let d = Date::parse_iso("2023-10-27T09:30:00Z").unwrap();
        assert_eq!(d.to_string(), "2023-10-27");
        assert_eq!(Date::from_yyyymmdd(d.to_yyyymmdd()), Some(d));
        assert_eq!(Date::parse_iso("2023-13-01"), None);
        assert_eq!(Date::parse_iso("2023-1-01"), None);
        assert_eq!(Date::parse_iso("20231027"), None);
        assert_eq!(Date::parse_iso("2023-10-27x"), None);
        assert_eq!(Date::from_yyyymmdd(0), None);
    }
}
