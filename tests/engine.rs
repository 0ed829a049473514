//! Native integration tests of the engine: writer → bytes → reader → search.
#![cfg(not(target_arch = "wasm32"))]

use pressroom::{
    Date, Error, Filters, Index, IndexWriter, Ranking, RankingOverrides, Release, SearchOptions,
    Settings, Sort,
};

fn release(url: &str, title: &str, date: &str, body: &str) -> Release {
    Release {
        url: url.into(),
        title: title.into(),
        date: Date::parse_iso(date),
        categories: vec!["Press Releases".into()],
        lang: Some("en".into()),
        body: body.into(),
    }
}

fn corpus() -> Vec<Release> {
    vec![
        release(
            "/minsk",
            "CICA Secretary General takes part in international conference on Eurasian security in Minsk",
            "2023-10-27",
            "Ambassador Kairat Sarybay participated in the High-level International Conference Eurasian \
             Security. CICA includes members of the Shanghai Cooperation Organisation (SCO).",
        ),
        release(
            "/security-body",
            "Ministers meet in Astana",
            "2023-11-02",
            "The ministers discussed security and energy. Security was the theme of the day.",
        ),
        release("/security-title", "Security forum opens", "2022-05-01", "A forum opened on Monday."),
        release("/secretariat", "Secretariat staff news", "2021-01-10", "The secretariat welcomed new staff."),
        release("/no-date", "A release without a date", "", "Nothing to see, only words."),
    ]
}

fn build(releases: Vec<Release>) -> Vec<u8> {
    let mut writer = IndexWriter::new();
    for r in releases {
        writer.add(r).unwrap();
    }
    writer.finish().unwrap()
}

fn urls(index: &Index, query: &str) -> Vec<String> {
    index
        .search(query, &SearchOptions::default())
        .unwrap()
        .hits
        .into_iter()
        .map(|h| h.url)
        .collect()
}

#[test]
fn round_trip_keeps_every_stored_field() {
    let index = Index::from_bytes(build(corpus())).unwrap();
    assert_eq!(index.len(), 5);
    let results = index.search("sarybay", &SearchOptions::default()).unwrap();
    assert_eq!(results.total, 1);
    let hit = &results.hits[0];
    assert_eq!(hit.url, "/minsk");
    assert_eq!(hit.title, corpus()[0].title);
    assert_eq!(hit.date.as_deref(), Some("2023-10-27"));
    assert_eq!(hit.categories, ["Press Releases"]);
    assert_eq!(hit.lang.as_deref(), Some("en"));
    assert!(
        hit.excerpt
            .contains("Kairat <mark>Sarybay</mark> participated"),
        "{}",
        hit.excerpt
    );
    assert!(hit.score > 0.0);
    let undated = index
        .search("release without", &SearchOptions::default())
        .unwrap();
    assert_eq!(undated.hits[0].date, None);
}

#[test]
fn the_same_releases_give_byte_identical_indexes() {
    assert_eq!(build(corpus()), build(corpus()));
}

#[test]
fn every_word_must_match_and_the_last_is_a_prefix() {
    let index = Index::from_bytes(build(corpus())).unwrap();
    assert_eq!(urls(&index, "sary"), ["/minsk"]);
    assert_eq!(urls(&index, "SARYBAY"), ["/minsk"]);
    assert_eq!(urls(&index, "Sarybáy"), ["/minsk"]);
    assert_eq!(urls(&index, "kairat sarybay"), ["/minsk"]);
    // AND: a word that no release has empties the result.
    assert!(urls(&index, "sarybay zebra").is_empty());
    // A word followed by a space is complete: `sary ` is not a prefix any more.
    assert!(urls(&index, "sary ").is_empty());
    // Only the last word is a prefix.
    assert!(urls(&index, "sary minsk").is_empty());
    assert!(urls(&index, "").is_empty());
    assert!(urls(&index, "  ?!  ").is_empty());
}

#[test]
fn a_title_match_outranks_body_matches_and_exact_outranks_completion() {
    let index = Index::from_bytes(build(corpus())).unwrap();
    // "/security-body" says security twice in its body; "/security-title" once in its title.
    let ranked = urls(&index, "security ");
    assert_eq!(ranked.len(), 3);
    assert_eq!(ranked[0], "/security-title");
    // Typing `secr`: `secretary` and `secretariat` both complete it; typing `secretariat`
    // in full puts the release that has that exact word first.
    let ranked = urls(&index, "secretariat");
    assert_eq!(ranked[0], "/secretariat");
    let completions = urls(&index, "secr");
    assert_eq!(completions.len(), 2);
}

#[test]
fn completions_are_highlighted_in_excerpts() {
    let index = Index::from_bytes(build(corpus())).unwrap();
    let hit = &index
        .search("participat", &SearchOptions::default())
        .unwrap()
        .hits[0];
    assert!(
        hit.excerpt.contains("<mark>participated</mark>"),
        "{}",
        hit.excerpt
    );
}

#[test]
fn paging_and_ties_are_stable() {
    let same = |i: usize| {
        release(
            &format!("/same-{i}"),
            "Identical title",
            "2020-01-01",
            "same body",
        )
    };
    let index = Index::from_bytes(build((0..25).map(same).collect())).unwrap();
    let page = |offset| {
        let options = SearchOptions {
            limit: 10,
            offset,
            ..SearchOptions::default()
        };
        index
            .search("identical", &options)
            .unwrap()
            .hits
            .into_iter()
            .map(|h| h.url)
            .collect::<Vec<_>>()
    };
    let all: Vec<String> = [page(0), page(10), page(20)].concat();
    let expected: Vec<String> = (0..25).map(|i| format!("/same-{i}")).collect();
    // Equal scores and dates fall back to indexing order, so pages never overlap or skip.
    assert_eq!(all, expected);
    assert_eq!(page(0), page(0));
}

#[test]
fn settings_chosen_at_build_time_apply_and_queries_can_override_them() {
    let mut writer = IndexWriter::new();
    for r in corpus() {
        writer.add(r).unwrap();
    }
    // Without a title weight, the release that says `security` twice in its body wins.
    writer.set_settings(Settings {
        excerpt_words: 5,
        ranking: Ranking {
            title_weight: 0.0,
            title_match_bonus: 0.0,
            exact_title_bonus: 0.0,
            k1: f64::NAN, // unusable: the default is kept
            ..Ranking::default()
        },
    });
    let index = Index::from_bytes(writer.finish().unwrap()).unwrap();
    assert_eq!(index.settings().excerpt_words, 5);
    assert_eq!(index.settings().ranking.k1, Ranking::default().k1);
    let results = index
        .search("security ", &SearchOptions::default())
        .unwrap();
    assert_eq!(results.hits[0].url, "/security-body");
    let words = results.hits[0]
        .excerpt
        .trim_end_matches('…')
        .split_whitespace()
        .count();
    assert_eq!(words, 5, "{}", results.hits[0].excerpt);

    let restored = SearchOptions {
        ranking: RankingOverrides::from(Ranking::default()),
        excerpt_words: Some(12),
        ..SearchOptions::default()
    };
    let results = index.search("security ", &restored).unwrap();
    assert_eq!(results.hits[0].url, "/security-title");
    let json: SearchOptions = serde_json::from_str(r#"{"ranking": {"titleWeight": 6}}"#).unwrap();
    assert_eq!(json.ranking.get("titleWeight"), Some(6.0));
    let typo = serde_json::from_str::<SearchOptions>(r#"{"ranking": {"k1": 1, "titleWieght": 6}}"#)
        .unwrap_err()
        .to_string();
    assert!(
        typo.contains("\"titleWieght\"") && typo.contains("titleWeight"),
        "{typo}"
    );
    assert!(serde_json::from_str::<SearchOptions>(r#"{"ranking": {"k1": "high"}}"#).is_err());
    assert!(serde_json::from_str::<SearchOptions>(r#"{"ranking": [6]}"#).is_err());
    // Written as the map it is read from: only the weights set, by name.
    let set: RankingOverrides = serde_json::from_str(r#"{"k1": 1.5, "titleWeight": 6}"#).unwrap();
    assert_eq!(
        serde_json::to_value(&set).unwrap(),
        serde_json::json!({"titleWeight": 6.0, "k1": 1.5})
    );
    assert_eq!(
        serde_json::from_value::<RankingOverrides>(serde_json::to_value(&set).unwrap()).unwrap(),
        set
    );
}

#[test]
fn analyzed_releases_survive_a_serde_round_trip() {
    let analyzed = pressroom::AnalyzedRelease::new(corpus().remove(0));
    let json = serde_json::to_string(&analyzed).unwrap();
    assert!(
        json.contains("\"2023-10-27\""),
        "dates serialize as ISO strings"
    );
    let back: pressroom::AnalyzedRelease = serde_json::from_str(&json).unwrap();
    assert_eq!(back, analyzed);
}

#[test]
fn positions_are_stored_per_field() {
    let index = Index::from_bytes(build(corpus())).unwrap();
    // Release 1: "The ministers discussed security and energy. Security was ..."
    let positions = index.positions("security", 1).unwrap().unwrap();
    assert!(positions.title.is_empty());
    assert_eq!(positions.body, [3, 6]);
    assert_eq!(index.positions("security", 3).unwrap(), None);
    assert_eq!(index.positions("nonexistent", 0).unwrap(), None);
}

#[test]
fn gzip_on_disk_round_trips_and_raw_bytes_pass_through() {
    let raw = build(corpus());
    let stored = pressroom::compress(&raw);
    assert_eq!(&stored[..2], &[0x1f, 0x8b]);
    assert!(stored.len() < raw.len());
    assert_eq!(pressroom::decompress(&stored).unwrap(), raw);
    assert_eq!(pressroom::decompress(&raw).unwrap(), raw);
    assert_eq!(
        pressroom::compress(&raw),
        stored,
        "compression must be deterministic"
    );
    // The entry file's compression: the same gzip, deterministic, smaller.
    let best = pressroom::compress_best(&raw);
    assert_eq!(&best[..2], &[0x1f, 0x8b]);
    assert_eq!(pressroom::decompress(&best).unwrap(), raw);
    assert_eq!(pressroom::compress_best(&raw), best);
    assert!(
        best.len() < stored.len(),
        "{} of {}",
        best.len(),
        stored.len()
    );
}

#[test]
fn damaged_indexes_are_errors_never_panics() {
    let raw = build(corpus());
    assert!(matches!(
        Index::from_bytes(b"<!doctype html>".to_vec()),
        Err(Error::NotAnIndex { .. })
    ));
    for cut in 0..raw.len() {
        assert!(
            Index::from_bytes(raw[..cut].to_vec()).is_err(),
            "truncated at {cut}"
        );
    }
    for at in 0..raw.len() {
        let mut bad = raw.clone();
        bad[at] ^= 0x55;
        assert!(Index::from_bytes(bad).is_err(), "flipped byte {at}");
    }
}

/// Damage that keeps the checksum valid (a bug in a writer, or a crafted file) must still be
/// caught by the structural checks or give a correct-looking result, never a panic.
#[test]
fn damage_behind_a_valid_checksum_never_panics() {
    let raw = build(corpus());
    for at in 20..raw.len() {
        for flip in [0x01u8, 0x80, 0xff] {
            let mut bad = raw.clone();
            bad[at] ^= flip;
            let crc = crc::Crc::<u32>::new(&crc::CRC_32_ISO_HDLC).checksum(&bad[20..]);
            bad[16..20].copy_from_slice(&crc.to_le_bytes());
            if let Ok(index) = Index::from_bytes(bad) {
                for q in ["sarybay", "secr", "security the", "a"] {
                    let _ = index.search(q, &SearchOptions::default());
                }
            }
        }
    }
}

#[test]
fn any_query_string_gives_results_or_an_empty_list() {
    let index = Index::from_bytes(build(corpus())).unwrap();
    let long_query = "security ".repeat(120_000); // about 1 MB
    let hostile = [
        "",
        " ",
        "\"",
        "\"eurasian",
        "- - -",
        "-",
        "!!! ??? ...",
        "the the the",
        "🙂🙂 security",
        "الأمن", // RTL
        "\u{FFFD}\u{FFFD}",
        "\0\u{1}\u{7f}",
        "a\u{0301}\u{0301}\u{0301}",
        &long_query,
    ];
    for query in hostile {
        let results = index.search(query, &SearchOptions::default()).unwrap();
        assert!(results.hits.len() <= results.total, "{query:.40?}");
    }
    let results = index
        .search(&long_query, &SearchOptions::default())
        .unwrap();
    assert!(results.truncated, "a 1 MB query is cut, and says so");
    assert_eq!(results.total, 3, "the words kept still search");
    assert!(
        !index
            .search("security", &SearchOptions::default())
            .unwrap()
            .truncated
    );
    // More words than are searched: the first ones count, and the result says it was cut.
    let many = format!("{} sarybay", "kairat ".repeat(40));
    assert!(
        index
            .search(&many, &SearchOptions::default())
            .unwrap()
            .truncated
    );
}

#[test]
fn typos_are_forgiven_but_rank_below_exact_and_prefix_matches() {
    let index = Index::from_bytes(build(corpus())).unwrap();
    // One substitution, one transposition (counted as one edit), in words of 5+ letters.
    assert_eq!(urls(&index, "sarybai"), ["/minsk"]);
    assert_eq!(urls(&index, "Eurasain security"), ["/minsk"]);
    assert_eq!(urls(&index, "kairat sarybai"), ["/minsk"]);
    // Words under 5 letters must be typed right.
    assert!(
        urls(&index, "minsq").contains(&"/minsk".to_owned()),
        "5 letters allow one typo"
    );
    assert!(urls(&index, "mins ").is_empty());

    let titled = |url: &str, title: &str| release(url, title, "2024-01-01", "Text.");
    let index = Index::from_bytes(build(vec![
        titled("/typo", "Secura returns"),
        titled("/prefix", "Securely stored"),
        titled("/exact", "Secure networks"),
    ]))
    .unwrap();
    assert_eq!(urls(&index, "secure"), ["/exact", "/prefix", "/typo"]);
    let hit = &index
        .search("secura ", &SearchOptions::default())
        .unwrap()
        .hits;
    assert_eq!(hit[0].url, "/typo", "the word typed right comes first");
    // The first two letters swapped are forgiven too, at a lower weight.
    assert_eq!(urls(&index, "escure "), ["/exact"]);
    let first_letter = index
        .search("escure ", &SearchOptions::default())
        .unwrap()
        .hits[0]
        .score;
    let later_letter = index
        .search("secare ", &SearchOptions::default())
        .unwrap()
        .hits[0]
        .score;
    assert!(
        first_letter < later_letter,
        "{first_letter} < {later_letter}"
    );
    // A wrong first letter is not looked for: that would mean reading the whole dictionary (every
    // part of a split index) for every word typed.
    assert!(urls(&index, "xecure").is_empty());
    // A dropped or wrong second letter is found when nothing else is near.
    assert_eq!(urls(&index, "scure "), ["/exact"]);
    assert_eq!(urls(&index, "sxcure "), ["/exact"]);

    // A word that five releases contain as typed is taken as meant: its typo neighbours are
    // not added. One fewer release, and it is widened again.
    let mut releases: Vec<Release> = (0..5)
        .map(|i| titled(&format!("/pilot{i}"), "Pilot research"))
        .collect();
    releases.push(titled("/pivot", "Pivot research"));
    let index = Index::from_bytes(build(releases.clone())).unwrap();
    let found = urls(&index, "pilot");
    assert_eq!(found.len(), 5, "{found:?}");
    assert!(!found.contains(&"/pivot".to_owned()), "{found:?}");
    releases.remove(0);
    let index = Index::from_bytes(build(releases)).unwrap();
    let found = urls(&index, "pilot");
    assert_eq!(
        found.len(),
        5,
        "four pilots and the pivot a typo away: {found:?}"
    );
    assert!(found.contains(&"/pivot".to_owned()), "{found:?}");
}

fn newsroom() -> Index {
    let r = |url: &str, title: &str, date: &str, cats: &[&str], lang: &str, body: &str| Release {
        url: url.into(),
        title: title.into(),
        date: Date::parse_iso(date),
        categories: cats.iter().map(|c| (*c).into()).collect(),
        lang: Some(lang.into()),
        body: body.into(),
    };
    Index::from_bytes(build(vec![
        r(
            "/a",
            "Eurasian security conference in Minsk",
            "2023-10-27",
            &["Press Releases"],
            "en",
            "Leaders discussed Eurasian security and energy.",
        ),
        r(
            "/b",
            "Security of Eurasian energy routes",
            "2022-03-01",
            &["Statements"],
            "en",
            "Energy routes and security across Eurasia.",
        ),
        r(
            "/c",
            "Summit on trade",
            "2024-05-05",
            &["Press Releases", "Events"],
            "en-GB",
            "A summit on trade and security was held.",
        ),
        r(
            "/d",
            "Forum on culture",
            "2024-06-01",
            &["Events"],
            "fr",
            "Un forum sur la culture. Security was not discussed.",
        ),
        r(
            "/e",
            "Press release on energy",
            "2021-01-01",
            &["Press Releases"],
            "en",
            "Energy policy news.",
        ),
    ]))
    .unwrap()
}

fn search(index: &Index, query: &str, options: SearchOptions) -> pressroom::SearchResults {
    index.search(query, &options).unwrap()
}

fn hit_urls(results: &pressroom::SearchResults) -> Vec<&str> {
    results.hits.iter().map(|h| h.url.as_str()).collect()
}

#[test]
fn phrases_need_the_words_together_in_order() {
    let index = newsroom();
    // Both /a and /b have both words; only /a has them side by side in this order.
    assert_eq!(
        urls(&index, "eurasian security "),
        ["/a", "/b"].map(String::from)
    );
    assert_eq!(urls(&index, "\"eurasian security\""), ["/a"]);
    assert_eq!(urls(&index, "\"security eurasian\""), Vec::<String>::new());
    // The phrase in the body counts too; a hyphenated word is a phrase of its parts.
    assert_eq!(urls(&index, "\"energy routes\""), ["/b"]);
}

#[test]
fn exclusions_or_and_title_fields() {
    let index = newsroom();
    let without_minsk = urls(&index, "security -minsk ");
    assert_eq!(without_minsk.len(), urls(&index, "security ").len() - 1);
    assert!(!without_minsk.contains(&"/a".to_owned()));
    let without = urls(&index, "security -\"eurasian security\"");
    assert!(
        !without.contains(&"/a".to_owned()) && without.contains(&"/b".to_owned()),
        "{without:?}"
    );
    let either = urls(&index, "summit OR forum");
    assert_eq!(either.len(), 2, "{either:?}");
    assert!(either.contains(&"/c".to_owned()) && either.contains(&"/d".to_owned()));
    // `security` is in the body of /c and /d but in the title of /a and /b only.
    let mut titled = urls(&index, "title:security ");
    titled.sort();
    assert_eq!(titled, ["/a", "/b"]);
    assert_eq!(urls(&index, "title:\"eurasian energy\""), ["/b"]);
}

#[test]
fn filters_facets_and_sorting() {
    let index = newsroom();
    let all = search(&index, "security ", SearchOptions::default());
    assert_eq!(all.total, 4);
    let count = |facet: &[pressroom::FacetCount], value: &str| {
        facet
            .iter()
            .find(|f| f.value == value)
            .map_or(0, |f| f.count)
    };
    assert_eq!(count(&all.facets.categories, "Press Releases"), 2);
    assert_eq!(count(&all.facets.categories, "Events"), 2);
    assert_eq!(count(&all.facets.years, "2024"), 2);
    assert_eq!(all.facets.years[0].value, "2024", "years newest first");
    assert_eq!(count(&all.facets.langs, "fr"), 1);

    let events = SearchOptions {
        filters: Filters {
            categories: vec!["Events".into()],
            ..Filters::default()
        },
        ..SearchOptions::default()
    };
    let filtered = search(&index, "security ", events.clone());
    assert_eq!(filtered.total, 2);
    // The category facet still counts the other categories (it ignores its own filter)…
    assert_eq!(count(&filtered.facets.categories, "Statements"), 1);
    // …while the year facet counts only what the category filter lets through.
    assert_eq!(count(&filtered.facets.years, "2023"), 0);

    let years = SearchOptions {
        filters: Filters {
            years: vec![2022, 2023],
            ..Filters::default()
        },
        ..SearchOptions::default()
    };
    let mut found = hit_urls(&search(&index, "security ", years))
        .into_iter()
        .map(String::from)
        .collect::<Vec<_>>();
    found.sort();
    assert_eq!(found, ["/a", "/b"]);
    let range = SearchOptions {
        filters: Filters {
            from: Date::parse_iso("2023-01-01"),
            to: Date::parse_iso("2024-05-31"),
            ..Filters::default()
        },
        ..SearchOptions::default()
    };
    let mut found = hit_urls(&search(&index, "security ", range))
        .into_iter()
        .map(String::from)
        .collect::<Vec<_>>();
    found.sort();
    assert_eq!(found, ["/a", "/c"]);
    let english = SearchOptions {
        filters: Filters {
            langs: vec!["en".into()],
            ..Filters::default()
        },
        ..SearchOptions::default()
    };
    assert_eq!(
        search(&index, "security ", english).total,
        3,
        "`en` takes en-GB too"
    );

    let newest = SearchOptions {
        sort: Sort::Date,
        ..SearchOptions::default()
    };
    assert_eq!(
        hit_urls(&search(&index, "security ", newest)),
        ["/d", "/c", "/a", "/b"]
    );
    // An empty query with a filter browses the newest releases.
    let browse = search(&index, "", events);
    assert_eq!(hit_urls(&browse), ["/d", "/c"]);
    assert_eq!(browse.total, 2);
    assert_eq!(
        search(&index, "", SearchOptions::default()).total,
        0,
        "an empty box lists nothing"
    );
}

#[test]
fn did_you_mean_suggests_indexed_words_that_find_something() {
    let index = newsroom();
    let results = search(&index, "confrence minsq zzzz", SearchOptions::default());
    assert_eq!(results.total, 0);
    assert_eq!(results.suggestion, None, "no word is near zzzz");
    let results = search(&index, "eurasain secruity minks ", SearchOptions::default());
    // Typos are forgiven for 5+ letters; `minks` (5) is one swap from `minsk`: found directly.
    assert_eq!(results.total, 1);
    let results = search(&index, "culturre festival ", SearchOptions::default());
    assert_eq!(results.total, 0);
    assert_eq!(
        results.suggestion, None,
        "`festival` is nowhere, so no suggestion finds anything"
    );
    let results = search(&index, "energgyy ", SearchOptions::default());
    assert_eq!(
        results.total, 0,
        "two typos in an 8-letter word are not forgiven"
    );
    assert_eq!(results.suggestion.as_deref(), Some("energy"));
}

#[test]
fn acronyms_learned_from_the_releases_find_their_expansions_and_back() {
    let index = Index::from_bytes(build(vec![
        release(
            "/defines",
            "Summit of regional organisations",
            "2023-01-01",
            "Members of the Shanghai Cooperation Organisation (SCO) met.",
        ),
        release(
            "/short",
            "SCO ministers meet",
            "2023-02-01",
            "The SCO ministers met in Astana.",
        ),
        release(
            "/long",
            "Statement",
            "2023-03-01",
            "The Shanghai Cooperation Organisation issued a statement.",
        ),
        release(
            "/other",
            "Cooperation in Shanghai",
            "2023-04-01",
            "An organisation for cooperation opened in Shanghai.",
        ),
    ]))
    .unwrap();
    assert_eq!(
        index.acronyms(),
        [(
            "sco".to_owned(),
            vec![
                "shanghai".to_owned(),
                "cooperation".into(),
                "organisation".into()
            ]
        )]
    );
    let mut found = urls(&index, "SCO ");
    found.sort();
    assert_eq!(
        found,
        ["/defines", "/long", "/short"],
        "the acronym finds the spelled-out form"
    );
    let mut found = urls(&index, "shanghai cooperation organisation ");
    found.sort();
    // `/other` has the three words apart; the acronym brings in `/short`.
    assert_eq!(found, ["/defines", "/long", "/short"]);
    // While `sco` may still be a word being typed, the expansion's words need not be adjacent
    // (no positions are fetched), so `/other` comes in too, below the releases that name it.
    let typing = urls(&index, "sco");
    let mut found = typing.clone();
    found.sort();
    assert_eq!(found, ["/defines", "/long", "/other", "/short"]);
    let mut naming = typing[..2].to_vec();
    naming.sort();
    assert_eq!(naming, ["/defines", "/short"], "{typing:?}");
    let hit = &index
        .search("sco ", &SearchOptions::default())
        .unwrap()
        .hits;
    let long = hit.iter().find(|h| h.url == "/long").unwrap();
    assert!(
        long.excerpt
            .contains("<mark>Shanghai</mark> <mark>Cooperation</mark>"),
        "{}",
        long.excerpt
    );
}

#[test]
fn scripts_without_spaces_match_words_inside_runs() {
    // Word segmentation leaves Thai, Lao, Khmer, Myanmar, Chinese and Japanese kana one cluster
    // per term, at build and at query time alike; a query word becomes a phrase of those
    // clusters, so it matches where the characters stand together, in order.
    let index = Index::from_bytes(build(vec![
        release(
            "/th",
            "ข่าวประเทศไทย",
            "2024-01-01",
            "รัฐบาลไทยประกาศนโยบายใหม่วันนี้",
        ),
        release(
            "/zh",
            "人权宣言",
            "2024-01-02",
            "人人生而自由，在尊严和权利上一律平等。",
        ),
        release(
            "/ja",
            "ニュース",
            "2024-01-03",
            "すべての人間は、生まれながらにして自由である。",
        ),
        release("/km", "ព័ត៌មាន", "2024-01-04", "ព្រះរាជាណាចក្រកម្ពុជា"),
    ]))
    .unwrap();
    assert_eq!(urls(&index, "ประเทศไทย"), ["/th"]);
    assert_eq!(urls(&index, "นโยบาย "), ["/th"]);
    let mut free = urls(&index, "自由");
    free.sort();
    assert_eq!(
        free,
        ["/ja", "/zh"],
        "自由 (freedom) is in the Chinese and the Japanese text"
    );
    assert_eq!(urls(&index, "一律平等"), ["/zh"]);
    assert!(
        urls(&index, "平等一律").is_empty(),
        "the characters must stand in order"
    );
    assert_eq!(urls(&index, "生まれ"), ["/ja"]);
    assert_eq!(urls(&index, "កម្ពុជា"), ["/km"]);
    let hit = &index
        .search("一律平等", &SearchOptions::default())
        .unwrap()
        .hits[0];
    assert!(
        hit.excerpt.contains("<mark>一</mark><mark>律</mark>"),
        "{}",
        hit.excerpt
    );
}

/// Three releases for each of sixty common words that start with `em` (`ema` … `emzemz`): more
/// than a two-letter prefix expands to.
fn sixty_common_em_words() -> Vec<Release> {
    (0..60)
        .flat_map(|i| {
            let word = format!("em{}", char::from(b'a' + (i % 26) as u8)).repeat(1 + i / 26);
            (0..3).map(move |j| {
                release(
                    &format!("/common-{i}-{j}"),
                    &format!("{word} news"),
                    "2024-01-01",
                    &format!("{word} was the word of the day."),
                )
            })
        })
        .collect()
}

#[test]
fn a_rare_word_being_typed_is_found_beyond_the_most_frequent_completions() {
    // Sixty common words start with `em`: more than a two-letter prefix expands to, so the rare
    // `emmys` is not among the completions searched through the dictionary.
    let mut releases = sixty_common_em_words();
    releases.push(release(
        "/emmys",
        "Hydra.sci brings Norwegian water to the Emmys",
        "2025-09-06",
        "Hydra.sci served Norwegian water at Emmys week.",
    ));
    let index = Index::from_bytes(build(releases)).unwrap();
    let results = index
        .search("hydra norwegian em", &SearchOptions::default())
        .unwrap();
    assert_eq!(hit_urls(&results), ["/emmys"]);
    assert!(
        results.hits[0].title.contains("Emmys")
            && results.hits[0].excerpt.contains("<mark>Emmys</mark>"),
        "{results:?}"
    );
    // Alone, `em` still means its most frequent completions, which `emmys` is not.
    let alone = index.search("em", &SearchOptions::default()).unwrap();
    assert!(!hit_urls(&alone).contains(&"/emmys"), "{alone:?}");
}

#[test]
fn a_completion_left_out_but_in_a_title_counts_as_a_title_match() {
    // As above, `em` expands to sixty common words but not to the rare `emmys`. Both releases
    // below match `em` through the common `ema` in their body, so the search does not look for
    // other completions in them; the rescoring window, which reads their titles, finds `emmys`
    // in one and scores it as a title match of every word.
    let mut releases = sixty_common_em_words();
    releases.push(release(
        "/title",
        "Hydra.sci brings Norwegian water to the Emmys",
        "2025-09-06",
        "Hydra.sci said ema when it served water at the Emmys.",
    ));
    releases.push(release(
        "/body",
        "Hydra.sci water report",
        "2025-09-07",
        "Hydra.sci said ema, ema and ema again.",
    ));
    let index = Index::from_bytes(build(releases)).unwrap();
    let results = index.search("hydra em", &SearchOptions::default()).unwrap();
    assert_eq!(hit_urls(&results), ["/title", "/body"], "{results:?}");
    assert!(results.hits[0].score > results.hits[1].score);
    assert!(
        results.hits[0].excerpt.contains("<mark>Emmys</mark>"),
        "{results:?}"
    );
    // Without the title's completion the newer release with more `ema` wins: the window's
    // rescoring, not the dictionary, put `/title` first.
    let body_only = index
        .search("hydra ema", &SearchOptions::default())
        .unwrap();
    assert_eq!(hit_urls(&body_only), ["/body", "/title"], "{body_only:?}");
    // Sorted by date, nothing is rescored.
    let by_date = SearchOptions {
        sort: Sort::Date,
        ..SearchOptions::default()
    };
    assert_eq!(
        hit_urls(&index.search("hydra em", &by_date).unwrap()),
        ["/body", "/title"]
    );
}

#[test]
fn words_standing_together_outrank_the_same_words_apart() {
    let filler = "the board met on monday and spoke about many things with the press ";
    let index = Index::from_bytes(build(vec![
        release(
            "/apart",
            "Quarterly report",
            "2024-06-01",
            &format!(
                "Solar output rose. {} Energy prices fell.",
                filler.repeat(3)
            ),
        ),
        release(
            "/together",
            "Quarterly report",
            "2024-01-01",
            &format!(
                "Solar energy output rose. {} Prices fell.",
                filler.repeat(3)
            ),
        ),
    ]))
    .unwrap();
    // Same words, same lengths: only proximity tells them apart, and without it the newer wins.
    let ranked = |bonus: f64| {
        let options = SearchOptions {
            ranking: serde_json::from_str(&format!(r#"{{"proximityBonus": {bonus}}}"#)).unwrap(),
            ..SearchOptions::default()
        };
        let results = index.search("solar energy", &options).unwrap();
        (hit_urls(&results).join(" "), results.hits[0].score)
    };
    let (with, near_score) = ranked(0.5);
    let (without, plain_score) = ranked(0.0);
    assert_eq!(with, "/together /apart");
    assert_eq!(without, "/apart /together");
    // Adjacent words, in the order typed, get the whole bonus.
    assert!(
        (near_score / plain_score - 1.5).abs() < 1e-3,
        "{near_score} {plain_score}"
    );
    // A title that holds every word is measured in the title, however the body reads.
    let titled = Index::from_bytes(build(vec![
        release(
            "/t-apart",
            "Solar farm opens, energy flows",
            "2024-06-01",
            "Solar energy.",
        ),
        release(
            "/t-together",
            "Solar energy farm opens today",
            "2024-01-01",
            "Solar and more energy.",
        ),
    ]))
    .unwrap();
    assert_eq!(
        hit_urls(
            &titled
                .search("solar energy", &SearchOptions::default())
                .unwrap()
        ),
        ["/t-together", "/t-apart"]
    );
}

#[test]
fn words_in_the_order_typed_outrank_the_same_words_reversed() {
    // Same words, same lengths, equally close: only their order tells the titles apart, and
    // without the bonus the newer (reversed) one wins.
    let index = Index::from_bytes(build(vec![
        release(
            "/reversed",
            "Annual Roth conference opens",
            "2024-06-01",
            "Speakers announced.",
        ),
        release(
            "/in-order",
            "Roth annual conference opens",
            "2024-01-01",
            "Speakers announced.",
        ),
    ]))
    .unwrap();
    let ranked = |query: &str, bonus: f64| {
        let options = SearchOptions {
            ranking: serde_json::from_str(&format!(r#"{{"proximityBonus": {bonus}}}"#)).unwrap(),
            ..SearchOptions::default()
        };
        let results = index.search(query, &options).unwrap();
        let scores: Vec<f64> = results.hits.iter().map(|h| h.score).collect();
        (hit_urls(&results).join(" "), scores)
    };
    let (order, scores) = ranked("roth annual conference", 1.0);
    assert_eq!(order, "/in-order /reversed", "{scores:?}");
    // In order and adjacent: the whole bonus. Reversed, `annual roth conference` is as tight
    // but out of order, so it counts a quarter: 1 + 0.25.
    let (_, plain) = ranked("roth annual conference", 0.0);
    assert!(
        (scores[0] / plain[1] - 2.0).abs() < 1e-3,
        "{scores:?} {plain:?}"
    );
    assert!(
        (scores[1] / plain[0] - 1.25).abs() < 1e-3,
        "{scores:?} {plain:?}"
    );
    assert_eq!(
        ranked("roth annual conference", 0.0).0,
        "/reversed /in-order"
    );
    // Typed the other way round, the other title wins.
    assert_eq!(
        ranked("annual roth conference", 1.0).0,
        "/reversed /in-order"
    );
}

#[test]
fn other_forms_of_a_word_are_found_after_the_words_as_typed() {
    let in_lang = |url: &str, title: &str, body: &str, lang: Option<&str>| Release {
        lang: lang.map(str::to_owned),
        ..release(url, title, "2024-03-01", body)
    };
    let index = Index::from_bytes(build(vec![
        // Says `election` often, in the title too: by BM25 alone it would outscore `/exact`.
        in_lang(
            "/election",
            "Election results",
            "The election was calm. Election observers praised the election.",
            Some("en"),
        ),
        in_lang(
            "/exact",
            "Regional news",
            "Turnout in the elections was high.",
            Some("en-GB"),
        ),
        in_lang("/elected", "Mayor elected", "She was elected.", Some("en")),
        // Russian: `права` and `правами` share a stem (and are too far apart for a typo).
        in_lang("/ru", "Права человека", "Текст о правах.", Some("ru")),
        in_lang("/ru-2", "Наделены правами", "Все люди.", Some("ru")),
        // No language given: its words get no family.
        in_lang("/plain", "Votes counted", "The votes were counted.", None),
        in_lang("/plain-2", "Counting began", "Counting began.", None),
    ]))
    .unwrap();
    let results = index
        .search("elections", &SearchOptions::default())
        .unwrap();
    // The word as typed first, however well another form scores; then its family.
    assert_eq!(hit_urls(&results), ["/exact", "/election", "/elected"]);
    assert_eq!(results.total, 3);
    let election = &results.hits[1];
    assert!(
        election.excerpt.contains("<mark>election</mark>"),
        "{election:?}"
    );
    assert!(
        results.hits[0].score < election.score,
        "the order is by tier, not by score: {results:?}"
    );
    // The family works from any of its words, and in each release's language.
    assert_eq!(urls(&index, "election")[0], "/election");
    assert!(urls(&index, "election").contains(&"/exact".to_owned()));
    assert_eq!(urls(&index, "правами"), ["/ru-2", "/ru"]);
    // Without a language there is no stemmer: `counted` does not find `counting`.
    assert_eq!(urls(&index, "counted"), ["/plain"]);
    // Exclusions and phrases take the word as typed.
    assert_eq!(
        urls(&index, "elected -elections"),
        ["/elected", "/election"]
    );
    assert_eq!(urls(&index, "\"the elections\""), ["/exact"]);
    // A stem weight of 0 turns families off (`election` is still one typo away).
    let off = SearchOptions {
        ranking: RankingOverrides::from(Ranking {
            stem_weight: 0.0,
            ..Ranking::default()
        }),
        ..SearchOptions::default()
    };
    let mut off = hit_urls(&index.search("elections", &off).unwrap())
        .into_iter()
        .map(str::to_owned)
        .collect::<Vec<_>>();
    off.sort();
    assert_eq!(off, ["/election", "/exact"]);
}

#[test]
fn a_query_that_finds_enough_as_typed_is_not_widened_to_families() {
    let votes = |n: usize| {
        let mut releases: Vec<Release> = (0..n)
            .map(|i| {
                release(
                    &format!("/counted-{i}"),
                    "Counted",
                    "2024-01-01",
                    "Votes were counted.",
                )
            })
            .collect();
        releases.push(release(
            "/counting",
            "Counting",
            "2024-01-01",
            "Counting began.",
        ));
        Index::from_bytes(build(releases)).unwrap()
    };
    let all = SearchOptions {
        limit: 100,
        ..SearchOptions::default()
    };
    let enough = votes(pressroom::FAMILY_BELOW)
        .search("counted", &all)
        .unwrap();
    assert_eq!(enough.total, pressroom::FAMILY_BELOW);
    assert!(!hit_urls(&enough).contains(&"/counting"));
    // One fewer, and the family widens the search, after the words as typed.
    let fewer = votes(pressroom::FAMILY_BELOW - 1)
        .search("counted", &all)
        .unwrap();
    assert_eq!(fewer.total, pressroom::FAMILY_BELOW);
    assert_eq!(hit_urls(&fewer).last(), Some(&"/counting"), "{fewer:?}");
}

#[test]
fn words_written_with_the_accents_typed_rank_first() {
    let index = Index::from_bytes(build(vec![
        // Newer, so it would win the tie that folding makes.
        release(
            "/plain",
            "Resume writing tips",
            "2024-05-01",
            "Write a resume.",
        ),
        release(
            "/marked",
            "Résumé writing tips",
            "2024-01-01",
            "Write a résumé.",
        ),
    ]))
    .unwrap();
    // Both are found either way; the spelling typed decides the order.
    assert_eq!(urls(&index, "résumé"), ["/marked", "/plain"]);
    assert_eq!(urls(&index, "RÉSUMÉ tips"), ["/marked", "/plain"]);
    assert_eq!(urls(&index, "resume"), ["/plain", "/marked"]);
    // While the word is being typed, a word starting with the marks typed counts.
    assert_eq!(urls(&index, "rés"), ["/marked", "/plain"]);
    // A word left out with `-` gives no bonus.
    assert_eq!(urls(&index, "tips -résumés"), ["/plain", "/marked"]);
    let off = SearchOptions {
        ranking: RankingOverrides::from(Ranking {
            diacritic_bonus: 0.0,
            ..Ranking::default()
        }),
        ..SearchOptions::default()
    };
    let hits = index.search("résumé", &off).unwrap();
    assert_eq!(hit_urls(&hits), ["/plain", "/marked"]);
}

#[test]
fn recency_weighting_lifts_recent_releases_only_when_asked() {
    let index = Index::from_bytes(build(vec![
        release(
            "/old",
            "Harbour expansion",
            "2020-06-01",
            "The harbour grows. Harbour traffic doubled, and the harbour hired harbour pilots.",
        ),
        release("/new", "Harbour expansion", "2024-06-01", "Works began."),
        release(
            "/undated",
            "Harbour expansion",
            "",
            "The harbour grows, the harbour hires.",
        ),
    ]))
    .unwrap();
    let with = |weight: f64, half_life: f64| SearchOptions {
        ranking: RankingOverrides::from(Ranking {
            recency_weight: weight,
            recency_half_life: half_life,
            ..Ranking::default()
        }),
        ..SearchOptions::default()
    };
    let order = |options: SearchOptions| {
        hit_urls(&index.search("harbour", &options).unwrap())
            .into_iter()
            .map(str::to_owned)
            .collect::<Vec<_>>()
    };
    // By default the body's mentions decide; recency only breaks ties.
    assert_eq!(
        order(SearchOptions::default()),
        ["/old", "/undated", "/new"]
    );
    // Counted from the newest release: `/new` gets the full share, `/old` (four years back)
    // a sixteenth of it, and the undated release none.
    assert_eq!(order(with(1.0, 365.0)), ["/new", "/old", "/undated"]);
    // With a half-life of ten years, four years back still counts for most of it.
    let old_over_new = |options: SearchOptions| {
        let hits = index.search("harbour", &options).unwrap().hits;
        let score = |url: &str| hits.iter().find(|h| h.url == url).unwrap().score;
        score("/old") / score("/new")
    };
    let (short, long) = (
        old_over_new(with(1.0, 365.0)),
        old_over_new(with(1.0, 3650.0)),
    );
    let expected = (1.0 + 0.5f64.powf(1461.0 / 3650.0)) / (1.0 + 0.5f64.powf(1461.0 / 365.0));
    assert!(
        (long / short - expected).abs() < 1e-3,
        "{short} {long} {expected}"
    );
}
