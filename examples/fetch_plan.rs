//! What a browser fetches for a query on a split index: the pieces each round asks for, and
//! their bytes, read from an index folder on disk.
//!
//!     cargo run --release --example fetch_plan -- DIR "query" ["next query"...]
//!
//! Queries run one after another in one session, as a visitor's would, so later ones show what
//! the cache saves. A native tool: it reads files and inflates gzip with the native engine, so on
//! wasm (where `cargo test --target wasm32` also builds examples) it is empty.

#[cfg(not(target_arch = "wasm32"))]
fn main() -> Result<(), Box<dyn std::error::Error>> {
    fetch_plan::run()
}

#[cfg(target_arch = "wasm32")]
fn main() {}

#[cfg(not(target_arch = "wasm32"))]
mod fetch_plan {
    use std::collections::HashMap;

    use pressroom::{Index, SearchOptions, Searched};

    pub fn run() -> Result<(), Box<dyn std::error::Error>> {
        let mut args = std::env::args().skip(1);
        let dir = std::path::PathBuf::from(args.next().ok_or("usage: fetch_plan DIR QUERY...")?);
        let entry = std::fs::read(dir.join(pressroom::INDEX_FILE))?;
        println!("entry: {} bytes", entry.len());
        let mut index = Index::from_bytes(pressroom::decompress(&entry)?)?;
        let mut files: HashMap<String, Vec<u8>> = HashMap::new();
        for query in args {
            let mut total = 0;
            let mut requests = 0;
            for round in 1.. {
                let started = std::time::Instant::now();
                let answer = index.search_or_need(&query, &SearchOptions::default())?;
                let took = started.elapsed();
                let need = match answer {
                    Searched::Done(results) => {
                        println!(
                        "{query:?}: {} hits in {round} rounds, {requests} requests, {total} bytes \
                         (last search {took:.1?})",
                        results.total
                    );
                        break;
                    }
                    Searched::Need(need) => need,
                };
                let mut by_kind: HashMap<&str, (usize, u64)> = HashMap::new();
                for piece in &need {
                    if !files.contains_key(&piece.file) {
                        files.insert(piece.file.clone(), std::fs::read(dir.join(&piece.file))?);
                    }
                    let bytes =
                        files[&piece.file][piece.start as usize..piece.end as usize].to_vec();
                    let kind = if piece.gzip { "gzip" } else { "raw" };
                    let slot = by_kind.entry(kind).or_default();
                    slot.0 += 1;
                    slot.1 += bytes.len() as u64;
                    total += bytes.len() as u64;
                    requests += 1;
                    let bytes = if piece.gzip {
                        pressroom::decompress(&bytes)?
                    } else {
                        bytes
                    };
                    index.add_part(&piece.file, piece.start, piece.end, bytes, piece.gzip)?;
                }
                println!("  round {round} ({took:.1?}): {by_kind:?}");
            }
        }
        Ok(())
    }
}
