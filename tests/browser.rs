//! Browser tests: the engine compiled to wasm, inside a real browser
//! (`wasm-pack test --headless --chrome` and `--firefox`).
#![cfg(target_arch = "wasm32")]

use pressroom::{Error, Index, IndexWriter, Release, SearchOptions};
use wasm_bindgen::prelude::*;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

/// The index `pressroom-index build tests/fixtures/releases` writes, gzip-compressed as deployed
/// (a native test keeps it byte-identical to a fresh build).
const GOLDEN: &[u8] = include_bytes!("fixtures/golden/index.pri");

#[wasm_bindgen(inline_js = r#"
export async function gunzip(bytes) {
  const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream('gzip'));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}
"#)]
extern "C" {
    /// Inflates as the widget does, with the browser's native `DecompressionStream`.
    async fn gunzip(bytes: &[u8]) -> JsValue;
}

async fn golden() -> Index {
    let raw = js_sys::Uint8Array::new(&gunzip(GOLDEN).await).to_vec();
    Index::from_bytes(raw).expect("the golden index loads in the browser")
}

fn top(index: &Index, query: &str) -> Option<String> {
    let results = index
        .search(query, &SearchOptions::default())
        .expect("search succeeds");
    results.hits.into_iter().next().map(|h| h.title)
}

const CICA: &str =
    "CICA Secretary General takes part in international conference on Eurasian security in Minsk";

#[wasm_bindgen_test]
async fn the_deployed_index_inflates_and_finds_the_seed_release() {
    let index = golden().await;
    assert!(
        index.len() >= 10,
        "the fixture corpus has {} releases",
        index.len()
    );
    for query in [
        "sarybay",
        "sary",
        "SARYBAY",
        "Sarybáy",
        "eurasian security minsk",
    ] {
        assert_eq!(top(&index, query).as_deref(), Some(CICA), "query {query:?}");
    }
    let hit = &index
        .search("sarybay", &SearchOptions::default())
        .unwrap()
        .hits[0];
    assert_eq!(hit.date.as_deref(), Some("2023-10-27"));
    assert!(
        hit.excerpt.contains("<mark>Sarybay</mark>"),
        "{}",
        hit.excerpt
    );
    assert!(top(&index, "qwxzv").is_none());
    // The seed defines "the Shanghai Cooperation Organisation (SCO)": the index learned it.
    assert!(index
        .acronyms()
        .iter()
        .any(|(a, e)| a == "sco" && e.join(" ") == "shanghai cooperation organisation"));
    assert_eq!(top(&index, "SCO ").as_deref(), Some(CICA));
}

/// The extended folding table, gzipped as `pressroom-index build` writes it beside the engine.
const EXTENDED_FOLD: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/fold_extended.bin.gz"));

#[wasm_bindgen_test]
async fn full_width_letters_fetch_their_folding_once_then_match() {
    use pressroom::analyze::{EXTENDED_FOLD_FILE, EXTENDED_FOLD_FILE_LEN};
    use pressroom::{PartRequest, Searched};
    let mut index = golden().await;
    let options = SearchOptions::default();
    // What an IME types: full-width letters, whose folding the module does not carry.
    let query = "ＳＡＲＹＢＡＹ";
    let request = PartRequest {
        file: EXTENDED_FOLD_FILE.to_owned(),
        start: 0,
        end: EXTENDED_FOLD_FILE_LEN,
        gzip: true,
    };
    match index.search_or_need(query, &options).unwrap() {
        Searched::Need(need) => assert_eq!(need, [request.clone()]),
        Searched::Done(results) => panic!("searched without the table: {results:?}"),
    }
    let err = index.search(query, &options).unwrap_err().to_string();
    assert!(err.contains(EXTENDED_FOLD_FILE), "{err}");
    // Plain words still search without it.
    assert_eq!(top(&index, "sarybay").as_deref(), Some(CICA));
    // Bytes that are not this engine's table are refused, naming the file.
    let err = index
        .add_part(
            EXTENDED_FOLD_FILE,
            0,
            request.end,
            b"not a table".to_vec(),
            true,
        )
        .unwrap_err()
        .to_string();
    assert!(err.contains(EXTENDED_FOLD_FILE), "{err}");
    let raw = js_sys::Uint8Array::new(&gunzip(EXTENDED_FOLD).await).to_vec();
    index
        .add_part(EXTENDED_FOLD_FILE, 0, request.end, raw, true)
        .unwrap();
    assert_eq!(top(&index, query).as_deref(), Some(CICA));
    assert_eq!(top(&index, "ｓａｒｙｂáｙ").as_deref(), Some(CICA));
}

#[wasm_bindgen_test]
async fn a_damaged_download_is_an_error_not_a_trap() {
    let mut raw = js_sys::Uint8Array::new(&gunzip(GOLDEN).await).to_vec();
    let middle = raw.len() / 2;
    raw[middle] ^= 0xff;
    assert!(matches!(
        Index::from_bytes(raw.clone()),
        Err(Error::Checksum { .. })
    ));
    raw.truncate(middle);
    assert!(Index::from_bytes(raw).is_err());
    // The gzip bytes themselves are not an index either.
    assert!(matches!(
        Index::from_bytes(GOLDEN.to_vec()),
        Err(Error::NotAnIndex { .. })
    ));
}

#[wasm_bindgen_test]
fn the_writer_runs_in_wasm_and_gives_the_same_bytes_twice() {
    let build = || {
        let mut writer = IndexWriter::new();
        for (i, title) in [
            "Ministers meet in Astana",
            "Forum on Asian security",
            "Astana hosts summit",
        ]
        .iter()
        .enumerate()
        {
            writer
                .add(Release {
                    url: format!("/r/{i}"),
                    title: (*title).into(),
                    body: format!("Body of release {i} about Astana and Asia."),
                    ..Release::default()
                })
                .unwrap();
        }
        writer.finish().unwrap()
    };
    let bytes = build();
    assert_eq!(bytes, build());
    let index = Index::from_bytes(bytes).unwrap();
    let results = index.search("astana", &SearchOptions::default()).unwrap();
    assert_eq!(results.total, 3);
    // The two releases with Astana in the title come first.
    let titles: Vec<_> = results.hits.iter().map(|h| h.title.as_str()).collect();
    assert!(
        titles[..2].contains(&"Ministers meet in Astana")
            && titles[..2].contains(&"Astana hosts summit"),
        "{titles:?}"
    );
}

#[wasm_bindgen_test]
fn query_syntax_filters_facets_sorting_and_suggestions_work_in_wasm() {
    use pressroom::{Date, Filters, Sort};
    let mut writer = IndexWriter::new();
    let releases = [
        (
            "/a",
            "Eurasian security conference in Minsk",
            "2023-10-27",
            "Press Releases",
        ),
        (
            "/b",
            "Security of Eurasian energy routes",
            "2022-03-01",
            "Statements",
        ),
        ("/c", "Summit on trade and security", "2024-05-05", "Events"),
    ];
    for (url, title, date, category) in releases {
        writer
            .add(Release {
                url: url.into(),
                title: title.into(),
                date: Date::parse_iso(date),
                categories: vec![category.into()],
                body: format!("{title}. More text."),
                ..Release::default()
            })
            .unwrap();
    }
    let index = Index::from_bytes(writer.finish().unwrap()).unwrap();
    let urls = |q: &str, options: SearchOptions| -> Vec<String> {
        index
            .search(q, &options)
            .unwrap()
            .hits
            .into_iter()
            .map(|h| h.url)
            .collect()
    };
    let plain = SearchOptions::default;
    assert_eq!(urls("\"eurasian security\"", plain()), ["/a"]);
    assert_eq!(urls("security -minsk -trade ", plain()), ["/b"]);
    assert_eq!(urls("minsk OR trade", plain()).len(), 2);
    assert_eq!(urls("title:routes", plain()), ["/b"]);
    let by_date = SearchOptions {
        sort: Sort::Date,
        ..plain()
    };
    assert_eq!(urls("security ", by_date), ["/c", "/a", "/b"]);
    let events = SearchOptions {
        filters: Filters {
            categories: vec!["Events".into()],
            ..Filters::default()
        },
        ..plain()
    };
    assert_eq!(urls("", events), ["/c"]);
    let results = index.search("security ", &plain()).unwrap();
    assert_eq!(results.facets.categories.len(), 3);
    assert_eq!(results.facets.years[0].value, "2024");
    let results = index.search("enerrggy ", &plain()).unwrap();
    assert_eq!(
        (results.total, results.suggestion.as_deref()),
        (0, Some("energy"))
    );
}

#[wasm_bindgen_test]
fn other_forms_of_a_word_are_found_in_wasm_after_the_word_as_typed() {
    let mut writer = IndexWriter::new();
    for (url, title, body) in [
        (
            "/elected",
            "Members elected to the board",
            "The members were elected.",
        ),
        (
            "/election",
            "Board news",
            "The election was held on Monday.",
        ),
        ("/other", "Board news", "Nothing was decided."),
    ] {
        writer
            .add(Release {
                url: url.into(),
                title: title.into(),
                body: body.into(),
                lang: Some("en".into()),
                ..Release::default()
            })
            .unwrap();
    }
    let index = Index::from_bytes(writer.finish().unwrap()).unwrap();
    let results = index.search("elected", &SearchOptions::default()).unwrap();
    // `election` is three edits from `elected`: only its stem brings it, after the word as typed.
    let urls: Vec<&str> = results.hits.iter().map(|h| h.url.as_str()).collect();
    assert_eq!(urls, ["/elected", "/election"]);
    assert!(
        results.hits[1].excerpt.contains("<mark>election</mark>"),
        "{results:?}"
    );
}

#[wasm_bindgen_test]
fn the_accents_typed_rank_the_release_that_writes_them_first_in_wasm() {
    let mut writer = IndexWriter::new();
    for (url, title, date) in [
        ("/plain", "Ano de cosecha", pressroom::Date::new(2024, 5, 1)),
        (
            "/marked",
            "Año de cosecha",
            pressroom::Date::new(2024, 1, 1),
        ),
    ] {
        writer
            .add(Release {
                url: url.into(),
                title: title.into(),
                date,
                ..Release::default()
            })
            .unwrap();
    }
    let index = Index::from_bytes(writer.finish().unwrap()).unwrap();
    let urls = |query: &str| -> Vec<String> {
        let results = index.search(query, &SearchOptions::default()).unwrap();
        results.hits.into_iter().map(|h| h.url).collect()
    };
    // Folding finds both; the newer wins the tie unless the accent typed decides.
    assert_eq!(urls("ano cosecha"), ["/plain", "/marked"]);
    assert_eq!(urls("año cosecha"), ["/marked", "/plain"]);
}
