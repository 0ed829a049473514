//! A rebuild from the previous index gives the same bytes as a clean build of the same releases.

// The rebuild is native (a builder's); `wasm-pack test` builds every test for wasm32.
#![cfg(not(target_arch = "wasm32"))]

use pressroom::{AnalyzedRelease, Date, IndexWriter, PreviousIndex, Release, Reused, Settings};

/// A small deterministic generator, so the corpus is varied and the same on every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn pick<'a>(&mut self, words: &[&'a str]) -> &'a str {
        words[(self.next() % words.len() as u64) as usize]
    }
}

const ENGLISH: &[&str] = &[
    "election",
    "elected",
    "elects",
    "summit",
    "security",
    "cooperation",
    "ministers",
    "meeting",
    "Astana",
    "signed",
    "agreement",
    "energy",
    "résumé",
    "resume",
    "delegation",
    "visit",
];
const RUSSIAN: &[&str] = &[
    "права",
    "правами",
    "встреча",
    "встречи",
    "министр",
    "министров",
];

/// Release `i` of a corpus: languages, categories, acronyms and words vary with `i`, so that
/// removing or adding a release changes the term, category and language tables.
fn release(i: u64) -> Release {
    let mut rng = Rng(i * 7919 + 17);
    let (lang, words) = match i % 4 {
        0 | 1 => (Some("en".to_string()), ENGLISH),
        2 => (Some("ru".to_string()), RUSSIAN),
        _ => (None, ENGLISH),
    };
    let mut body: Vec<String> = (0..20 + i % 30)
        .map(|_| rng.pick(words).to_string())
        .collect();
    if i % 5 == 0 {
        body.push("the Shanghai Cooperation Organisation (SCO) met.".into());
    }
    if i % 7 == 3 {
        body.push(format!("word{i} only here"));
    }
    Release {
        url: format!("/press/{i}"),
        title: format!("{} {} {i}", rng.pick(words), rng.pick(words)),
        date: Some(
            Date::new(
                2020 + (i % 5) as u16,
                1 + (i % 12) as u8,
                1 + (i % 28) as u8,
            )
            .unwrap(),
        ),
        categories: (0..i % 3)
            .map(|c| format!("topic {}", (i + c) % 6))
            .collect(),
        lang: lang
            .filter(|_| i != 9)
            .or((i == 9).then(|| "fr".to_string())),
        body: body.join(" "),
    }
}

fn settings() -> Settings {
    Settings {
        excerpt_words: 24,
        ..Settings::default()
    }
}

fn clean(ids: &[u64]) -> Vec<u8> {
    let mut writer = IndexWriter::new();
    writer.set_settings(settings());
    for &i in ids {
        writer.add(release(i)).unwrap();
    }
    writer.finish().unwrap()
}

/// Rebuilds `now` from the index of `before`: a release of both is kept, others are new.
fn rebuilt(before: &[u64], now: &[u64]) -> Option<Vec<u8>> {
    let previous_bytes = clean(before);
    let previous = PreviousIndex::new(&previous_bytes).unwrap();
    let summaries: Vec<_> = before
        .iter()
        .map(|&i| AnalyzedRelease::new(release(i)).summary())
        .collect();
    let releases = now
        .iter()
        .map(|i| match before.iter().position(|b| b == i) {
            Some(old) => Reused::Kept(old as u32),
            None => Reused::New(AnalyzedRelease::new(release(*i))),
        })
        .collect();
    IndexWriter::rebuild(&previous, &summaries, releases, settings()).unwrap()
}

#[test]
fn a_rebuild_gives_the_bytes_of_a_clean_build() {
    let all: Vec<u64> = (0..60).collect();
    let cases: Vec<(&str, Vec<u64>, Vec<u64>)> = vec![
        ("one new at the end", all[..59].to_vec(), all.clone()),
        ("one new at the start", all[1..].to_vec(), all.clone()),
        (
            "new ones in the middle",
            [&all[..20], &all[25..]].concat(),
            all.clone(),
        ),
        (
            "releases removed",
            all.clone(),
            [&all[..9], &all[10..33], &all[40..]].concat(),
        ),
        (
            "removed and added",
            [&all[..30], &all[31..]].concat(),
            [&all[..3], &all[4..30], &[30], &all[31..57]].concat(),
        ),
        (
            // One left out and one added further on: the ids after both move by nothing.
            "one out, one in, further on",
            all[..40].to_vec(),
            [&all[..10], &all[11..20], &[45], &all[20..40]].concat(),
        ),
        ("nothing changed", all.clone(), all.clone()),
        ("everything new", all[..30].to_vec(), all[30..].to_vec()),
        ("from nothing", Vec::new(), all[..10].to_vec()),
    ];
    for (what, before, now) in cases {
        let expected = clean(&now);
        let got = rebuilt(&before, &now).unwrap_or_else(|| panic!("{what}: no rebuild"));
        assert!(
            got == expected,
            "{what}: the rebuild differs from a clean build"
        );
    }
}

#[test]
fn a_rebuild_declines_what_it_cannot_reproduce() {
    let before: Vec<u64> = (0..10).collect();
    let bytes = clean(&before);
    let previous = PreviousIndex::new(&bytes).unwrap();
    let summaries: Vec<_> = before
        .iter()
        .map(|&i| AnalyzedRelease::new(release(i)).summary())
        .collect();
    // Kept releases out of their previous order: ids would not follow the postings.
    let swapped = vec![Reused::Kept(1), Reused::Kept(0)];
    assert_eq!(
        IndexWriter::rebuild(&previous, &summaries, swapped, settings()).unwrap(),
        None
    );
    // Summaries that do not belong to this index.
    let kept = vec![Reused::Kept(0)];
    assert_eq!(
        IndexWriter::rebuild(&previous, &summaries[1..], kept, settings()).unwrap(),
        None
    );
    // An id the previous index does not have.
    let beyond = vec![Reused::Kept(10)];
    assert_eq!(
        IndexWriter::rebuild(&previous, &summaries, beyond, settings()).unwrap(),
        None
    );
}

#[test]
fn only_a_single_file_index_of_this_version_can_be_rebuilt() {
    let bytes = clean(&[1, 2, 3]);
    let split = pressroom::SplitIndex::from_single(&bytes).unwrap();
    assert!(PreviousIndex::new(&split.entry).is_err());
    let mut damaged = bytes.clone();
    let last = damaged.len() - 1;
    damaged[last] ^= 1;
    assert!(matches!(
        PreviousIndex::new(&damaged),
        Err(pressroom::Error::Checksum { .. })
    ));
}

#[test]
fn a_release_added_where_another_left_is_merged_in_order() {
    // Left out: `b`; added between `c` and `d`: `n`. The ids of `a` and `d` do not move, and
    // `alpha` is in `a`, `n` and `d`.
    let release = |url: &str, body: &str| Release {
        url: url.into(),
        title: url.into(),
        body: body.into(),
        ..Release::default()
    };
    let before = [
        release("a", "alpha beta"),
        release("b", "gamma"),
        release("c", "delta"),
        release("d", "alpha"),
    ];
    let now = [
        before[0].clone(),
        before[2].clone(),
        release("n", "alpha"),
        before[3].clone(),
    ];
    let build = |releases: &[Release]| {
        let mut writer = IndexWriter::new();
        for r in releases {
            writer.add(r.clone()).unwrap();
        }
        writer.finish().unwrap()
    };
    let previous_bytes = build(&before);
    let previous = PreviousIndex::new(&previous_bytes).unwrap();
    let summaries: Vec<_> = before
        .iter()
        .map(|r| AnalyzedRelease::new(r.clone()).summary())
        .collect();
    let releases = vec![
        Reused::Kept(0),
        Reused::Kept(2),
        Reused::New(AnalyzedRelease::new(now[2].clone())),
        Reused::Kept(3),
    ];
    let rebuilt = IndexWriter::rebuild(&previous, &summaries, releases, Settings::default())
        .unwrap()
        .unwrap();
    assert!(rebuilt == build(&now));
}

/// The index of `releases`, added in that order.
fn built(releases: impl IntoIterator<Item = Release>) -> Vec<u8> {
    let mut writer = IndexWriter::new();
    writer.set_settings(settings());
    for release in releases {
        writer.add(release).unwrap();
    }
    writer.finish().unwrap()
}

#[test]
fn numbering_by_date_gives_the_index_of_the_same_releases_added_oldest_first() {
    // Releases in an order that is not their dates', some undated and some of one day.
    let corpus: Vec<Release> = (0..60)
        .map(|i| {
            let mut r = release(i);
            if i % 11 == 4 {
                r.date = None;
            }
            if i % 13 == 6 {
                r.date = Date::new(2022, 2, 2);
            }
            r
        })
        .collect();
    let as_added = built(corpus.clone());
    let renumbered = PreviousIndex::new(&as_added)
        .unwrap()
        .numbered_by_date()
        .unwrap()
        .expect("the releases are not in date order");
    // Undated first, then oldest first, releases of one day in the order they were added: the
    // same bytes as adding them in that order.
    let mut order: Vec<u32> = (0..corpus.len() as u32).collect();
    order.sort_by_key(|&i| corpus[i as usize].date);
    assert_eq!(renumbered.from, order);
    let in_date_order = built(order.iter().map(|&i| corpus[i as usize].clone()));
    assert_eq!(renumbered.index, in_date_order);
    // In date order already: nothing to renumber.
    assert_eq!(
        PreviousIndex::new(&in_date_order)
            .unwrap()
            .numbered_by_date()
            .unwrap(),
        None
    );
    // Every query gives the same hits, ties broken alike.
    let (before, after) = (
        pressroom::Index::from_bytes(as_added).unwrap(),
        pressroom::Index::from_bytes(renumbered.index).unwrap(),
    );
    let newest = pressroom::SearchOptions {
        sort: pressroom::Sort::Date,
        limit: 50,
        ..Default::default()
    };
    let in_2022 = pressroom::SearchOptions {
        filters: pressroom::Filters {
            years: vec![2022],
            ..Default::default()
        },
        limit: 50,
        ..Default::default()
    };
    for (query, options) in [
        ("election", pressroom::SearchOptions::default()),
        ("\"energy summit\"", pressroom::SearchOptions::default()),
        ("sco", pressroom::SearchOptions::default()),
        ("министр", pressroom::SearchOptions::default()),
        ("meeting -visit", newest.clone()),
        ("elect", in_2022.clone()),
        ("", in_2022),
    ] {
        let (a, b) = (
            before.search(query, &options).unwrap(),
            after.search(query, &options).unwrap(),
        );
        assert!(a.total > 0, "{query:?}");
        assert_eq!(a, b, "{query:?}");
    }
}
