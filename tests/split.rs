//! The split layout against the single file: the same releases must give the same answers whichever
//! way the index is stored, while a query fetches only a small share of the parts.
#![cfg(not(target_arch = "wasm32"))]

use std::collections::HashMap;

use pressroom::{
    Date, Filters, Index, IndexWriter, PartRequest, Release, SearchOptions, SearchResults,
    Searched, Sort,
};

/// A deterministic newsroom large enough for a dictionary of many parts: 600 releases over a
/// vocabulary of invented words, plus a few written ones that queries aim at.
fn releases() -> Vec<Release> {
    let mut state = 0x2545_f491_4f6c_dd1du64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let syllables = [
        "ka", "ro", "mi", "sa", "ty", "len", "bor", "qui", "ze", "da", "vel", "an", "ost", "ri",
        "pu", "ne", "gha", "el", "sto", "ur",
    ];
    let vocabulary: Vec<String> = (0..5000)
        .map(|_| {
            let n = 2 + next() % 3;
            (0..n)
                .map(|_| syllables[(next() % syllables.len() as u64) as usize])
                .collect()
        })
        .collect();
    let categories = ["Statements", "Events", "Speeches"];
    let mut out: Vec<Release> = (0..600)
        .map(|i| {
            let words = |n: u64, next: &mut dyn FnMut() -> u64| -> String {
                (0..n)
                    .map(|_| {
                        // Zipf-like: small indexes far more often, as in real text.
                        let r = next() % 5000;
                        vocabulary[((r * r) / 5000) as usize].as_str()
                    })
                    .collect::<Vec<_>>()
                    .join(" ")
            };
            let title = words(6, &mut next);
            let body = words(120, &mut next);
            Release {
                url: format!("/press/{i}"),
                title,
                date: Date::parse_iso(&format!(
                    "20{:02}-{:02}-{:02}",
                    15 + i % 10,
                    1 + i % 12,
                    1 + i % 28
                )),
                categories: vec![categories[i % 3].to_owned()],
                lang: Some(if i % 5 == 0 { "fr" } else { "en" }.to_owned()),
                body,
            }
        })
        .collect();
    // A rare completion of `ka`, which the most frequent completions leave out: found through
    // the text of the releases the other words leave (`norwegian ka`).
    out.push(Release {
        url: "/press/emmys".into(),
        title: "Norwegian water drinks reach the Kazoolympics".into(),
        date: Date::parse_iso("2024-09-06"),
        categories: vec!["Events".into()],
        lang: Some("en".into()),
        body: "Norwegian water at the Kazoolympics week.".into(),
    });
    // A rare completion of `ka` in a title, in releases that match `ka` anyway through a
    // frequent word of their body: the rescoring window completes it from the title
    // (`fjord ka`), from the records it fetches for the page.
    let frequent_ka = vocabulary
        .iter()
        .find(|w| w.starts_with("ka") && w.len() > 2)
        .expect("a word starting with ka");
    for (url, title, date) in [
        (
            "/press/kazoo-title",
            "Fjord water reaches the Kazoofest",
            "2024-03-01",
        ),
        ("/press/kazoo-body", "Fjord water report", "2024-03-02"),
    ] {
        out.push(Release {
            url: url.into(),
            title: title.into(),
            date: Date::parse_iso(date),
            categories: vec!["Events".into()],
            lang: Some("en".into()),
            body: format!("Fjord water and {frequent_ka}, {frequent_ka} again."),
        });
    }
    // Word families: `election` finds `elected` through their stem, from a piece fetched only
    // by the searches that widen to families.
    for (url, title) in [
        ("/press/election", "Board election announced"),
        ("/press/elected", "Members elected to the board"),
    ] {
        out.push(Release {
            url: url.into(),
            title: title.into(),
            date: Date::parse_iso("2024-05-02"),
            categories: vec!["Statements".into()],
            lang: Some("en".into()),
            body: "The members met.".into(),
        });
    }
    out.push(Release {
        url: "/press/minsk".into(),
        title: "CICA Secretary General takes part in international conference on Eurasian security in Minsk".into(),
        date: Date::parse_iso("2023-10-27"),
        categories: vec!["Events".into()],
        lang: Some("en".into()),
        body: "Ambassador Kairat Sarybay participated in the High-level International Conference \
               Eurasian Security. CICA includes members of the Shanghai Cooperation Organisation (SCO)."
            .into(),
    });
    out
}

fn writer() -> IndexWriter {
    let mut writer = IndexWriter::new();
    for r in releases() {
        writer.add(r).unwrap();
    }
    writer
}

/// A browser's part cache: what was fetched, and how many bytes.
struct Parts {
    files: HashMap<String, Vec<u8>>,
    fetched: u64,
    requests: usize,
    /// What each round of [`Parts::search`] asked for, in order.
    rounds: Vec<Vec<PartRequest>>,
}

impl Parts {
    fn fetch(&mut self, index: &mut Index, request: &PartRequest) {
        let file = &self.files[&request.file];
        let bytes = file[request.start as usize..request.end as usize].to_vec();
        self.fetched += bytes.len() as u64;
        self.requests += 1;
        let bytes = if request.gzip {
            pressroom::decompress(&bytes).unwrap()
        } else {
            bytes
        };
        index
            .add_part(
                &request.file,
                request.start,
                request.end,
                bytes,
                request.gzip,
            )
            .unwrap();
    }

    /// Searches as the browser does: ask, fetch what is needed, ask again.
    fn search(&mut self, index: &mut Index, query: &str, options: &SearchOptions) -> SearchResults {
        for _round in 0..8 {
            match index.search_or_need(query, options).unwrap() {
                Searched::Done(results) => return results,
                Searched::Need(requests) => {
                    assert!(!requests.is_empty());
                    assert_apart(&requests);
                    for r in &requests {
                        self.fetch(index, r);
                    }
                    self.rounds.push(requests);
                }
            }
        }
        panic!("{query:?} still needs parts after 8 rounds");
    }
}

/// A round's ranges of one file never overlap: a server may refuse such a request, or send
/// the whole file (`www/serve.mjs` does).
fn assert_apart(requests: &[PartRequest]) {
    let mut ranges: Vec<(&str, u64, u64)> = requests
        .iter()
        .map(|r| (r.file.as_str(), r.start, r.end))
        .collect();
    ranges.sort_unstable();
    for pair in ranges.windows(2) {
        assert!(
            pair[0].0 != pair[1].0 || pair[0].2 <= pair[1].1,
            "overlapping ranges in one round: {pair:?}"
        );
    }
}

fn split_index() -> (Index, Parts, u64) {
    let split = writer().finish_split().unwrap();
    let total = split.parts.iter().map(|p| p.1.len() as u64).sum();
    let index = Index::from_bytes(split.entry).unwrap();
    let parts = Parts {
        files: split.parts.into_iter().collect(),
        fetched: 0,
        requests: 0,
        rounds: Vec::new(),
    };
    (index, parts, total)
}

fn queries() -> Vec<(&'static str, SearchOptions)> {
    let plain = SearchOptions::default;
    let filtered = |filters: Filters| SearchOptions {
        filters,
        ..SearchOptions::default()
    };
    vec![
        ("sarybay", plain()),
        ("sarybai", plain()),
        ("eurasain security", plain()),
        ("k", plain()),
        ("ka", plain()),
        ("karo", plain()),
        ("kar", plain()),
        ("\"eurasian security\"", plain()),
        ("ro -ka", plain()),
        ("mi OR sa", plain()),
        ("title:ze", plain()),
        ("sco", plain()),
        ("norwegian ka", plain()),
        ("norwegian water ka", plain()),
        ("fjord ka", plain()),
        ("fjord water ka", plain()),
        ("election", plain()),
        ("elected board", plain()),
        ("shanghai cooperation organisation", plain()),
        ("zzzzzz", plain()),
        ("kasaro", plain()),
        (
            "rosa",
            SearchOptions {
                sort: Sort::Date,
                limit: 25,
                ..plain()
            },
        ),
        (
            "da",
            SearchOptions {
                offset: 10,
                limit: 10,
                ..plain()
            },
        ),
        (
            "ka",
            filtered(Filters {
                categories: vec!["Events".into()],
                years: vec![2019, 2020],
                ..Filters::default()
            }),
        ),
        (
            "",
            filtered(Filters {
                langs: vec!["fr".into()],
                ..Filters::default()
            }),
        ),
    ]
}

#[test]
fn a_split_index_answers_exactly_as_the_single_file() {
    let whole = Index::from_bytes(writer().finish().unwrap()).unwrap();
    let (mut split, mut parts, _) = split_index();
    assert!(split.is_split() && !whole.is_split());
    assert_eq!(split.len(), whole.len());
    assert_eq!(split.term_count(), whole.term_count());
    for (query, options) in queries() {
        let expected = whole.search(query, &options).unwrap();
        let got = parts.search(&mut split, query, &options);
        assert_eq!(got, expected, "{query:?} {options:?}");
    }
    // Some queries must find something, or the comparison proves little.
    let found = queries()
        .iter()
        .filter(|(q, o)| whole.search(q, o).unwrap().total > 0)
        .count();
    assert!(found >= 15, "only {found} queries found anything");
    let family = whole.search("election", &SearchOptions::default()).unwrap();
    let urls: Vec<&str> = family.hits.iter().map(|h| h.url.as_str()).collect();
    assert_eq!(urls, ["/press/election", "/press/elected"]);
    let typing = whole.search("fjord ka", &SearchOptions::default()).unwrap();
    let urls: Vec<&str> = typing.hits.iter().map(|h| h.url.as_str()).collect();
    assert_eq!(urls, ["/press/kazoo-title", "/press/kazoo-body"]);
}

#[test]
fn a_query_fetches_a_small_share_of_the_parts() {
    let (mut index, mut parts, total) = split_index();
    assert!(total > 200_000, "the parts hold {total} bytes");
    let results = parts.search(&mut index, "sarybay", &SearchOptions::default());
    assert_eq!(results.hits[0].url, "/press/minsk");
    assert!(results.hits[0].excerpt.contains("<mark>Sarybay</mark>"));
    assert!(
        parts.fetched * 20 < total,
        "fetched {} of {total} bytes",
        parts.fetched
    );
    // Asking again costs nothing: every piece is kept.
    let before = (parts.fetched, parts.requests);
    parts.search(&mut index, "sarybay", &SearchOptions::default());
    assert_eq!((parts.fetched, parts.requests), before);
}

#[test]
fn acronyms_travel_in_buckets_fetched_with_the_queries_that_need_them() {
    let (mut index, mut parts, _) = split_index();
    // The entry file carries none: each is in the bucket of the range of words that holds its
    // acronym, and in that of its expansion's first word.
    assert_eq!(index.acronyms(), []);
    parts.search(&mut index, "kasaro", &SearchOptions::default());
    assert_eq!(
        index.acronyms(),
        [],
        "no word of that query starts an acronym or expansion"
    );
    let by_acronym = parts.search(&mut index, "sco", &SearchOptions::default());
    let sco = (
        "sco".to_owned(),
        vec![
            "shanghai".to_owned(),
            "cooperation".into(),
            "organisation".into(),
        ],
    );
    assert!(index.acronyms().contains(&sco), "{:?}", index.acronyms());
    // The same answers as the single file, which keeps every acronym in one section.
    let whole = Index::from_bytes(writer().finish().unwrap()).unwrap();
    assert!(whole.acronyms().contains(&sco));
    assert_eq!(
        by_acronym,
        whole.search("sco", &SearchOptions::default()).unwrap()
    );
    assert!(!by_acronym.hits.is_empty());
}

/// Whether `r` is a gzip piece that a fresh copy of the index with `entry` refuses as junk (a
/// count of one and nothing after it) with an error naming `what`: which kind of piece it is
/// (a piece of PREFIXES names PREFIXES, a dictionary part TERMS).
fn refuses_junk_naming(entry: &[u8], r: &PartRequest, what: &str) -> bool {
    let mut copy = Index::from_bytes(entry.to_vec()).unwrap();
    r.gzip
        && copy
            .add_part(&r.file, r.start, r.end, vec![1], true)
            .is_err_and(|e| e.to_string().contains(what))
}

#[test]
fn one_letter_completions_come_in_a_piece_fetched_with_the_first_query_that_types_one() {
    let (mut index, mut parts, _) = split_index();
    let entry = writer().finish_split().unwrap().entry;
    let is_prefixes = |r: &PartRequest| refuses_junk_naming(&entry, r, "PREFIXES");
    // Whole words need none.
    parts.search(&mut index, "sarybay", &SearchOptions::default());
    assert!(!parts.rounds.concat().iter().any(is_prefixes));
    // One letter: its piece comes in the first round, and the answer is the single file's.
    let rounds = parts.rounds.len();
    let k = parts.search(&mut index, "k", &SearchOptions::default());
    let pieces: Vec<PartRequest> = parts.rounds[rounds]
        .iter()
        .filter(|r| is_prefixes(r))
        .cloned()
        .collect();
    assert_eq!(pieces.len(), 1, "{:?}", parts.rounds[rounds]);
    let whole = Index::from_bytes(writer().finish().unwrap()).unwrap();
    assert_eq!(k, whole.search("k", &SearchOptions::default()).unwrap());
    assert!(!k.hits.is_empty());
    // Another letter of the same piece fetches nothing more of PREFIXES.
    let rounds = parts.rounds.len();
    parts.search(&mut index, "m", &SearchOptions::default());
    assert!(!parts.rounds[rounds..].concat().iter().any(is_prefixes));
}

#[test]
fn the_dictionary_parts_of_an_expansion_come_in_one_round() {
    let (mut index, mut parts, _) = split_index();
    let entry = writer().finish_split().unwrap().entry;
    // A dictionary part is the piece that refuses junk naming TERMS.
    let is_dictionary = |r: &PartRequest| refuses_junk_naming(&entry, r, "TERMS");
    // `sco` is defined as "Shanghai Cooperation Organisation": the acronym's bucket and part
    // come first, then the parts of all three words of its expansion, together.
    let results = parts.search(&mut index, "sco", &SearchOptions::default());
    assert!(!results.hits.is_empty());
    let with_parts: Vec<usize> = (0..parts.rounds.len())
        .filter(|&i| parts.rounds[i].iter().any(is_dictionary))
        .collect();
    assert_eq!(with_parts, [0, 1], "{:?}", parts.rounds);
}

#[test]
fn split_builds_are_deterministic_and_parts_are_named_by_content() {
    let a = writer().finish_split().unwrap();
    let b = writer().finish_split().unwrap();
    assert_eq!(a, b);
    assert!(!a.parts.is_empty());
    for (name, _) in &a.parts {
        assert!(
            name.starts_with(pressroom::PART_PREFIX) && name.ends_with(".bin"),
            "{name}"
        );
    }
    // Another corpus, other names: a host may cache a part forever.
    let mut other = writer();
    other
        .add(Release {
            url: "/press/extra".into(),
            title: "One more release".into(),
            body: "It changes the dictionary.".into(),
            ..Release::default()
        })
        .unwrap();
    let c = other.finish_split().unwrap();
    let names = |s: &pressroom::SplitIndex| s.parts.iter().map(|p| p.0.clone()).collect::<Vec<_>>();
    assert_ne!(names(&a), names(&c));
}

#[test]
fn damaged_or_foreign_pieces_are_errors_never_panics() {
    let (mut index, parts, _) = split_index();
    let Searched::Need(requests) = index
        .search_or_need("sarybay", &SearchOptions::default())
        .unwrap()
    else {
        panic!("a fresh split index needs its dictionary");
    };
    let dict = requests.iter().find(|r| r.gzip).expect("a dictionary part");
    let file = &parts.files[&dict.file];
    let piece = pressroom::decompress(&file[dict.start as usize..dict.end as usize]).unwrap();
    // Each byte flipped in turn: an error or a sound part, never a panic.
    let entry = writer().finish_split().unwrap().entry;
    for i in (0..piece.len()).step_by(7) {
        let mut bad = piece.clone();
        bad[i] ^= 0x5a;
        let mut copy = Index::from_bytes(entry.clone()).unwrap();
        if copy
            .add_part(&dict.file, dict.start, dict.end, bad, true)
            .is_ok()
        {
            let _ = copy.search_or_need("sarybay", &SearchOptions::default());
        }
    }
    // A part that says its postings run past the POSTINGS space, or that its word family
    // piece lies where a dictionary part does, is refused (format 11: `varint k | k heads |
    // varint tail | varint family file + 1 [| start | length] | fst`).
    let varint = |bytes: &[u8], at: &mut usize| {
        let (mut value, mut shift) = (0u64, 0);
        loop {
            let byte = bytes[*at];
            *at += 1;
            value |= u64::from(byte & 0x7f) << shift;
            if byte < 0x80 {
                return value;
            }
            shift += 7;
        }
    };
    let put = |out: &mut Vec<u8>, mut value: u64| {
        while value >= 0x80 {
            out.push((value as u8) | 0x80);
            value >>= 7;
        }
        out.push(value as u8);
    };
    let mut at = 0;
    for _ in 0..varint(&piece, &mut at) {
        varint(&piece, &mut at); // each head
    }
    let heads_end = at;
    varint(&piece, &mut at); // tail
    let tail_end = at;
    if varint(&piece, &mut at) > 0 {
        varint(&piece, &mut at);
        varint(&piece, &mut at);
    }
    let (heads, fst) = (&piece[..heads_end], &piece[at..]);
    let file_index = index
        .part_files()
        .iter()
        .position(|f| *f == dict.file)
        .unwrap() as u64;
    for (tampered, expected) in [
        (
            [heads, &[0xff, 0xff, 0xff, 0xff, 0x0f, 0], fst].concat(),
            "postings tail",
        ),
        (
            {
                let mut bytes = piece[..tail_end].to_vec();
                put(&mut bytes, file_index + 1);
                put(&mut bytes, dict.start);
                put(&mut bytes, dict.end - dict.start);
                [bytes, fst.to_vec()].concat()
            },
            "family piece",
        ),
    ] {
        let mut copy = Index::from_bytes(entry.clone()).unwrap();
        let err = copy
            .add_part(&dict.file, dict.start, dict.end, tampered, true)
            .unwrap_err();
        assert!(err.to_string().contains(expected), "{err}");
    }
    // A part of another index, a cut download and a range past the end are refused by name.
    let err = index
        .add_part("pressroom-0000000000000000.bin", 0, 4, vec![0; 4], false)
        .unwrap_err();
    assert!(
        err.to_string().contains("pressroom-0000000000000000.bin"),
        "{err}"
    );
    let raw = requests.iter().find(|r| !r.gzip);
    if let Some(r) = raw {
        let err = index
            .add_part(&r.file, r.start, r.end, vec![0; 1], false)
            .unwrap_err();
        assert!(err.to_string().contains("cut short"), "{err}");
    }
    let err = index
        .add_part(&dict.file, 0, u64::MAX, Vec::new(), false)
        .unwrap_err();
    assert!(err.to_string().contains("outside"), "{err}");
}

#[test]
fn a_split_folder_opens_whole_from_disk() {
    let dir = std::env::temp_dir().join(format!("pressroom-split-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let split = writer().finish_split().unwrap();
    std::fs::write(
        dir.join(pressroom::INDEX_FILE),
        pressroom::compress(&split.entry),
    )
    .unwrap();
    for (name, bytes) in &split.parts {
        std::fs::write(dir.join(name), bytes).unwrap();
    }
    let index = Index::open(&dir).unwrap();
    let whole = Index::from_bytes(writer().finish().unwrap()).unwrap();
    for (query, options) in queries() {
        assert_eq!(
            index.search(query, &options).unwrap(),
            whole.search(query, &options).unwrap()
        );
    }
    // A missing part is an error naming it.
    std::fs::remove_file(dir.join(&split.parts[0].0)).unwrap();
    let err = Index::open(&dir).unwrap_err();
    assert!(err.to_string().contains(&split.parts[0].0), "{err}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn an_index_of_the_previous_format_version_still_opens() {
    let v1 = include_bytes!("fixtures/compat/format-v1.pri");
    let raw = pressroom::decompress(v1).unwrap();
    assert_eq!(u32::from_le_bytes(raw[8..12].try_into().unwrap()), 1);
    let index = Index::from_bytes(raw).unwrap();
    let results = index.search("sarybay", &SearchOptions::default()).unwrap();
    assert!(
        results.hits[0].excerpt.contains("<mark>Sarybay</mark>"),
        "{results:?}"
    );
    // A version-2 split index (its COLUMNS held exact body lengths) opens from its folder.
    let v2 = Index::open(std::path::Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/compat/format-v2-split"
    )))
    .unwrap();
    let results = v2.search("sarybay", &SearchOptions::default()).unwrap();
    assert!(
        results.hits[0].excerpt.contains("<mark>Sarybay</mark>"),
        "{results:?}"
    );
    // A version-3 split index (SETTINGS without `proximityBonus`), a version-4 one (no word
    // families, SETTINGS without `stemWeight`), a version-5 one (record offsets as a raw
    // array, not pages of lengths), a version-6 one (pages of 1,024 releases, each located by
    // its absolute start and end), a version-7 one (title lengths in the entry, not in the
    // postings), a version-8 one (the manifest's other tables with absolute offsets, every
    // one-letter prefix's completions in the entry), a version-9 one (acronym buckets by
    // first character, body lengths to within 1/16), a version-10 one (dictionary parts
    // listed with their postings lengths and first terms, word family pieces in the manifest)
    // and a version-11 one (head lengths without gzip bits, no manifest flags) open with the
    // missing weights' defaults and the weights their
    // builder wrote (`proximityBonus` was 0.5 by default before version 6), and rank as this
    // version's build of the same releases does with those weights.
    let open = |folder: &str| {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(folder);
        Index::open(&dir).unwrap_or_else(|e| panic!("{folder}: {e}"))
    };
    let now = open("tests/fixtures/golden/split");
    for (folder, proximity) in [
        ("tests/fixtures/compat/format-v3-split", None),
        ("tests/fixtures/compat/format-v4-split", Some(0.5)),
        ("tests/fixtures/compat/format-v5-split", Some(0.5)),
        ("tests/fixtures/compat/format-v6-split", None),
        ("tests/fixtures/compat/format-v7-split", None),
        ("tests/fixtures/compat/format-v8-split", None),
        ("tests/fixtures/compat/format-v9-split", None),
        ("tests/fixtures/compat/format-v10-split", None),
        ("tests/fixtures/compat/format-v11-split", None),
    ] {
        let old = open(folder);
        let version = std::fs::read(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join(folder)
                .join("index.pri"),
        )
        .unwrap();
        let version = pressroom::decompress(&version).unwrap();
        assert!(
            u32::from_le_bytes(version[8..12].try_into().unwrap()) < pressroom::FORMAT_VERSION,
            "{folder}"
        );
        let defaults = pressroom::Ranking::default();
        let written = pressroom::Ranking {
            proximity_bonus: proximity.unwrap_or(defaults.proximity_bonus),
            ..defaults
        };
        assert_eq!(old.settings().ranking, written, "{folder}");
        for query in ["sarybay", "eurasian security", "cica sec"] {
            let options = SearchOptions {
                ranking: serde_json::from_str(&format!(
                    r#"{{"proximityBonus": {}}}"#,
                    written.proximity_bonus
                ))
                .unwrap(),
                ..SearchOptions::default()
            };
            // The same hits in the same order. Their scores differ a little: versions 3 to 9
            // keep body lengths to within 1/16, this one to within 1/8.
            let (mut was, mut is) = (
                old.search(query, &options).unwrap(),
                now.search(query, &options).unwrap(),
            );
            assert!(!is.hits.is_empty(), "{query:?}");
            for (a, b) in was.hits.iter_mut().zip(&mut is.hits) {
                assert!(
                    (a.score / b.score - 1.0).abs() < 0.05,
                    "{folder}: {query:?}: {} {}",
                    a.score,
                    b.score
                );
                (a.score, b.score) = (0.0, 0.0);
            }
            assert_eq!(was, is, "{folder}: {query:?}");
        }
    }
    // An older single file is not cut into a split index of this version, whose entry would
    // read its numbers (body lengths) otherwise.
    let err = pressroom::SplitIndex::from_single(&pressroom::decompress(v1).unwrap()).unwrap_err();
    assert!(err.to_string().contains("format version 1,"), "{err}");
    // A version this engine does not know is refused with a clear message.
    let mut future = pressroom::decompress(v1).unwrap();
    future[8..12].copy_from_slice(&99u32.to_le_bytes());
    let err = Index::from_bytes(future).unwrap_err().to_string();
    assert!(err.contains("format version 99"), "{err}");
}

#[test]
fn a_page_of_record_lengths_is_fetched_once_and_checked() {
    let (mut index, mut parts, _) = split_index();
    let results = parts.search(&mut index, "sarybay", &SearchOptions::default());
    assert!(!results.hits.is_empty());
    // Every gzip piece the first query fetched; the page of record lengths is the one that
    // refuses a page holding no length with an error naming it.
    let first_round = parts.rounds[0].clone();
    let gzip: Vec<PartRequest> = parts
        .rounds
        .concat()
        .into_iter()
        .filter(|r| r.gzip)
        .collect();
    let entry = writer().finish_split().unwrap().entry;
    let add = |r: &PartRequest, bytes: Vec<u8>| {
        let mut copy = Index::from_bytes(entry.clone()).unwrap();
        copy.add_part(&r.file, r.start, r.end, bytes, true)
            .err()
            .map(|e| e.to_string())
    };
    let pages: Vec<&PartRequest> = gzip
        .iter()
        .filter(|r| add(r, vec![0]).is_some_and(|e| e.contains("record lengths")))
        .collect();
    // 128 releases to a page.
    assert_eq!(pages.len(), index.len().div_ceil(128), "{gzip:?}");
    // The fixture's pages are small together: they come with the dictionary, not a round later.
    for page in &pages {
        assert!(first_round.contains(page), "{first_round:?}");
    }
    let inflate = |page: &PartRequest| {
        let file = &parts.files[&page.file];
        pressroom::decompress(&file[page.start as usize..page.end as usize]).unwrap()
    };
    // The first page, whose records start at 0.
    let page = *pages
        .iter()
        .find(|p| inflate(p)[0] == 0)
        .expect("the first page");
    let good = inflate(page);
    for p in &pages {
        assert_eq!(add(p, inflate(p)), None);
    }
    // One length too many, one too few, and a record past the end of the records: refused.
    for bad in [
        [good.clone(), vec![1]].concat(),
        good[..good.len() - 1].to_vec(),
        [vec![0], vec![0xff, 0xff, 0xff, 0x7f], good[1..].to_vec()].concat(),
    ] {
        let err = add(page, bad).expect("a damaged page is refused");
        assert!(err.contains("record lengths"), "{err}");
    }
    // A session of many queries locates every release of the page without fetching it again.
    let mut fresh = Index::from_bytes(entry).unwrap();
    parts.rounds.clear();
    for (query, options) in queries() {
        parts.search(&mut fresh, query, &options);
    }
    for page in pages {
        let again = parts.rounds.concat().iter().filter(|r| *r == page).count();
        assert_eq!(again, 1, "each page is fetched once in a session");
    }
}
