//! Work shared out among the cores, natively, without a thread pool crate in the engine: a
//! builder's big loops (merging postings, stemming, compressing dictionary parts) take `items`
//! in contiguous ranges, one per core, and give the results back in order, so the output does
//! not depend on the number of cores. In wasm everything runs in turn.

/// `a()` and `b()`, side by side natively.
pub(crate) fn join<A: Send, B: Send>(
    a: impl FnOnce() -> A + Send,
    b: impl FnOnce() -> B + Send,
) -> (A, B) {
    #[cfg(target_arch = "wasm32")]
    {
        (a(), b())
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        std::thread::scope(|scope| {
            let a = scope.spawn(a);
            let b = b();
            (a.join().unwrap_or_else(|e| std::panic::resume_unwind(e)), b)
        })
    }
}

/// `f` of each item, in order, computed on every core.
#[cfg(not(target_arch = "wasm32"))]
pub(crate) fn map<T: Send, R: Send>(items: Vec<T>, f: impl Fn(T) -> R + Sync) -> Vec<R> {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    if threads == 1 || items.len() < 2 {
        return items.into_iter().map(f).collect();
    }
    let per_thread = items.len().div_ceil(threads);
    let mut ranges: Vec<Vec<T>> = Vec::with_capacity(threads);
    let mut items = items;
    while items.len() > per_thread {
        let rest = items.split_off(per_thread);
        ranges.push(std::mem::replace(&mut items, rest));
    }
    ranges.push(items);
    let f = &f;
    std::thread::scope(|scope| {
        let handles: Vec<_> = ranges
            .into_iter()
            .map(|range| scope.spawn(move || range.into_iter().map(f).collect::<Vec<R>>()))
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
            .collect()
    })
}
