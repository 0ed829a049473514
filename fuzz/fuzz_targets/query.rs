//! The query parser and search on any string: results or an empty list, never a panic or an
//! error. The first input bytes choose the options (paging, sort, excerpt length, filters), the
//! rest is the query, decoded lossily as a browser's string would reach the engine.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use pressroom::{Date, Index, IndexWriter, Release, SearchOptions, Sort};

/// A small index with what queries reach for: phrases, acronyms, accents, typos, categories,
/// dates, languages, and scripts written without spaces.
fn index() -> &'static Index {
    static INDEX: OnceLock<Index> = OnceLock::new();
    INDEX.get_or_init(|| {
        let releases = [
            ("/minsk", "CICA Secretary General takes part in international conference on Eurasian security in Minsk", "2023-10-27", "Press Releases", "en",
             "Ambassador Kairat Sarybay participated in the High-level International Conference Eurasian Security. CICA includes members of the Shanghai Cooperation Organisation (SCO)."),
            ("/astana", "Ministers meet in Astana", "2023-11-02", "News", "en-GB",
             "The ministers discussed security and energy. Security was the theme of the day. COVID-19 measures ended."),
            ("/forum", "Security forum opens", "2022-05-01", "Events", "en", "A forum opened on Monday in São Paulo; the café served crème brûlée."),
            ("/lyon", "L’usine de Lyon ouvre ses portes", "2024-03-15", "Communiqués", "fr", "« Une étape majeure », a déclaré la directrice. Œuvre, Straße."),
            ("/beijing", "北京会议开幕", "2024-06-20", "News", "zh", "亚洲相互协作与信任措施会议在北京举行。"),
            ("/riyadh", "مؤتمر الأمن في الرياض", "", "News", "ar", "ناقش الوزراء الأمن والطاقة."),
            ("/xss\"><script>", "<img src=x onerror=alert(1)> & \u{202e}RTL", "2021-01-10", "<b>cat</b>", "", "🙂 emoji 🙂 and \u{0}\u{1} controls &amp; entities"),
        ];
        let mut writer = IndexWriter::new();
        for (url, title, date, category, lang, body) in releases {
            writer
                .add(Release {
                    url: url.into(),
                    title: title.into(),
                    date: Date::parse_iso(date),
                    categories: vec![category.into()],
                    lang: (!lang.is_empty()).then(|| lang.into()),
                    body: body.into(),
                })
                .expect("the fixture releases are valid");
        }
        Index::from_bytes(writer.finish().expect("the fixture index builds")).expect("it loads")
    })
}

fuzz_target!(|data: &[u8]| {
    let (options, query) = match data {
        [a, b, rest @ ..] => (options(*a, *b), rest),
        _ => (SearchOptions::default(), data),
    };
    let query = String::from_utf8_lossy(query);
    let results = index()
        .search(&query, &options)
        .expect("any query gives results or an empty list");
    assert!(results.hits.len() <= options.limit.max(1));
    assert!(results.hits.len() <= results.total);
    for hit in &results.hits {
        assert!(hit.score.is_finite(), "score {} for {query:?}", hit.score);
        // The excerpt is escaped: the only tags in it are the engine's own <mark>s.
        let stripped = hit.excerpt.replace("<mark>", "").replace("</mark>", "");
        assert!(
            !stripped.contains('<') && !stripped.contains('>'),
            "{}",
            hit.excerpt
        );
    }
});

fn options(a: u8, b: u8) -> SearchOptions {
    let mut options = SearchOptions {
        limit: usize::from(a & 0x0f),
        offset: usize::from(a >> 4),
        sort: if b & 1 == 1 {
            Sort::Date
        } else {
            Sort::Relevance
        },
        excerpt_words: (b & 2 == 2).then_some(usize::from(b >> 4)),
        ..SearchOptions::default()
    };
    if b & 4 == 4 {
        options.filters.years = vec![2023, 2024];
        options.filters.categories = vec!["News".into()];
    }
    if b & 8 == 8 {
        options.filters.langs = vec!["en".into()];
        options.filters.from = Date::parse_iso("2022-01-01");
    }
    options
}
