//! Publication dates found in prose ("26-27 October 2023", "March 08, 2024") and in file paths
//! (`2023/10/27/x.txt`, `2023-10-27-x.md`).

use std::path::{Component, Path};
use std::sync::LazyLock;

use pressroom::Date;
use regex::{Captures, Regex};

/// English month names and their usual abbreviations (`Sept.` included).
const MONTHS: &str = r"jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?";

/// The date forms press releases open with. For a range the last day is kept: an event held on
/// "26-27 October" is reported on the 27th, the day the release was written. In "26-27 October"
/// the day-month-year form simply matches from "27", since "26-" is followed by no month.
static PROSE_DATE: LazyLock<Regex> = LazyLock::new(|| {
    let ordinal = r"(?:st|nd|rd|th)?";
    let pattern = format!(
        r"(?ix)\b(?:
            (?P<iso_y>[0-9]{{4}})-(?P<iso_m>[0-9]{{2}})-(?P<iso_d>[0-9]{{2}})
          | (?P<dmy_d>[0-9]{{1,2}}){ordinal}\s+(?:of\s+)?(?P<dmy_m>{MONTHS})\.?,?\s+(?P<dmy_y>[0-9]{{4}})
          | (?P<mdy_m>{MONTHS})\.?\s+(?:[0-9]{{1,2}}{ordinal}\s*[-–—]\s*)?(?P<mdy_d>[0-9]{{1,2}}){ordinal},?\s+(?P<mdy_y>[0-9]{{4}})
        )\b"
    );
    Regex::new(&pattern).expect("the date pattern is valid")
});

/// `2023-10-27` inside a file name, not part of a longer number.
static NAME_DATE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:^|[^0-9])([0-9]{4})-([0-9]{2})-([0-9]{2})(?:[^0-9]|$)")
        .expect("the file name date pattern is valid")
});

/// The first valid date written in `text`, in any of the forms the module names.
pub(super) fn date_in_text(text: &str) -> Option<Date> {
    PROSE_DATE
        .captures_iter(text)
        .find_map(|captures| date_from_captures(&captures))
}

fn date_from_captures(captures: &Captures) -> Option<Date> {
    let number = |name: &str| captures.name(name)?.as_str().parse::<u16>().ok();
    let month = |name: &str| month_number(captures.name(name)?.as_str());
    let (year, month, day) = if captures.name("iso_y").is_some() {
        (
            number("iso_y")?,
            u8::try_from(number("iso_m")?).ok()?,
            number("iso_d")?,
        )
    } else if captures.name("dmy_y").is_some() {
        (number("dmy_y")?, month("dmy_m")?, number("dmy_d")?)
    } else {
        (number("mdy_y")?, month("mdy_m")?, number("mdy_d")?)
    };
    Date::new(year, month, u8::try_from(day).ok()?)
}

/// The month a (possibly abbreviated) English month name stands for.
fn month_number(name: &str) -> Option<u8> {
    let prefix: String = name
        .chars()
        .take(3)
        .collect::<String>()
        .to_ascii_lowercase();
    let months = [
        "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
    ];
    let index = months.iter().position(|m| *m == prefix)?;
    u8::try_from(index + 1).ok()
}

/// A date a file's path spells: `2023-10-27` in the file name first, as Jekyll's `_posts` do,
/// else `…/2023/10/27/…` folders, the deepest such run winning.
pub(super) fn date_in_path(path: &Path) -> Option<Date> {
    let from_name = path.file_name().and_then(|name| {
        let name = name.to_string_lossy();
        let c = NAME_DATE.captures(&name)?;
        Date::new(c[1].parse().ok()?, c[2].parse().ok()?, c[3].parse().ok()?)
    });
    if from_name.is_some() {
        return from_name;
    }
    let segments: Vec<String> = path
        .parent()
        .into_iter()
        .flat_map(Path::components)
        .filter_map(|component| match component {
            Component::Normal(name) => Some(name.to_string_lossy().into_owned()),
            _ => None,
        })
        .collect();
    segments.windows(3).rev().find_map(|run| {
        let digits = |s: &str, lengths: &[usize]| {
            (lengths.contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit()))
                .then(|| s.parse::<u16>().ok())?
        };
        let year = digits(&run[0], &[4])?;
        let month = u8::try_from(digits(&run[1], &[1, 2])?).ok()?;
        let day = u8::try_from(digits(&run[2], &[1, 2])?).ok()?;
        Date::new(year, month, day)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(year: u16, month: u8, day: u8) -> Option<Date> {
        Some(Date::new(year, month, day).unwrap())
    }

    #[test]
    fn day_month_year() {
        assert_eq!(
            date_in_text("held in Minsk on 27 October 2023."),
            date(2023, 10, 27)
        );
        assert_eq!(date_in_text("on the 3rd of Sept. 2024"), date(2024, 9, 3));
        assert_eq!(date_in_text("1 jan 2020"), date(2020, 1, 1));
    }

    #[test]
    fn ranges_keep_the_last_day() {
        assert_eq!(
            date_in_text("held in Minsk, Republic of Belarus, on 26-27 October 2023."),
            date(2023, 10, 27)
        );
        assert_eq!(date_in_text("on 26 – 27 October 2023"), date(2023, 10, 27));
        assert_eq!(
            date_in_text("from 30 October to 2 November 2023"),
            date(2023, 11, 2)
        );
        assert_eq!(date_in_text("on October 26-27, 2023"), date(2023, 10, 27));
    }

    #[test]
    fn month_day_year() {
        assert_eq!(
            date_in_text("YERINGTON, NV, March 08, 2024 /24-7PressRelease/"),
            date(2024, 3, 8)
        );
        assert_eq!(date_in_text("October 27th, 2023"), date(2023, 10, 27));
        assert_eq!(date_in_text("Dec 1 2019"), date(2019, 12, 1));
    }

    #[test]
    fn iso() {
        assert_eq!(
            date_in_text("Published 2023-10-27 at noon"),
            date(2023, 10, 27)
        );
    }

    #[test]
    fn the_first_valid_date_wins() {
        assert_eq!(
            date_in_text("on 31 February 2023, then 1 March 2023"),
            date(2023, 3, 1)
        );
        assert_eq!(
            date_in_text("March 5, 2021 and 2020-01-01"),
            date(2021, 3, 5)
        );
    }

    #[test]
    fn text_without_a_date() {
        assert_eq!(date_in_text("In 2023 we grew 27 percent in October."), None);
        assert_eq!(date_in_text("Item 12345-67-89"), None);
        assert_eq!(date_in_text("Mayor 5 2023"), None);
        // Non-ASCII digits are not read as a year.
        assert_eq!(date_in_text("27 October ٢٠٢٣"), None);
    }

    #[test]
    fn path_folders() {
        assert_eq!(
            date_in_path(Path::new("cica/2023/10/27/minsk.txt")),
            date(2023, 10, 27)
        );
        assert_eq!(
            date_in_path(Path::new("/srv/2019/01/01/site/2023/1/7/x.md")),
            date(2023, 1, 7)
        );
        assert_eq!(date_in_path(Path::new("2023/13/27/x.md")), None);
        assert_eq!(date_in_path(Path::new("2023/10/x.md")), None);
    }

    #[test]
    fn path_file_name_wins_over_folders() {
        assert_eq!(
            date_in_path(Path::new("2020/01/01/2023-10-27-minsk.md")),
            date(2023, 10, 27)
        );
        assert_eq!(
            date_in_path(Path::new("cica-press-release-2023-10-27.txt")),
            date(2023, 10, 27)
        );
        // A longer number is not a date, and an impossible date falls through to the folders.
        assert_eq!(date_in_path(Path::new("id-12023-10-27.md")), None);
        assert_eq!(
            date_in_path(Path::new("2022/5/6/2023-02-30.md")),
            date(2022, 5, 6)
        );
    }
}
