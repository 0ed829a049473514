//! Sorting that costs the wasm module one function, not one per element type.
//!
//! The standard library's sorts are fast, and each element type and comparison gets its own copy
//! of them: 2 to 4 KB of wasm each (quicksort, small-sort networks, pivot selection). The engine
//! sorts some twenty kinds of lists, most of them short (a query's terms, facet counts, a
//! family's members), so those copies made up about a sixth of the module's code.
//!
//! [`sort_by`] sorts positions (`u32`) with one merge sort that calls the comparison through a
//! `dyn` reference, then moves the elements into place: the merge sort exists once, and each
//! caller adds only its comparison and a small permutation loop. It is stable, as
//! `slice::sort_by` is. The hot paths of a search that sort long lists (a query's matches by
//! release, the best hits' selection) keep the standard library's sorts.

use std::cmp::Ordering;

/// Sorts `v` by `compare`, keeping equal elements in their order (a stable sort).
pub(crate) fn sort_by<T>(v: &mut [T], mut compare: impl FnMut(&T, &T) -> Ordering) {
    if v.len() < 2 {
        return;
    }
    let n = u32::try_from(v.len()).expect("fewer than 2^32 elements to sort");
    let mut order: Vec<u32> = (0..n).collect();
    {
        let v = &*v;
        merge_sort(&mut order, &mut |a, b| {
            compare(&v[a as usize], &v[b as usize])
        });
    }
    permute(v, &mut order);
}

/// Sorts `v` by the key `f` gives each element (stable).
pub(crate) fn sort_by_key<T, K: Ord>(v: &mut [T], mut f: impl FnMut(&T) -> K) {
    sort_by(v, |a, b| f(a).cmp(&f(b)));
}

/// Sorts `v` in its natural order (stable).
pub(crate) fn sort<T: Ord>(v: &mut [T]) {
    sort_by(v, T::cmp);
}

/// Sorts and removes repeats: the sorted set of `v`'s elements.
pub(crate) fn sort_dedup<T: Ord>(v: &mut Vec<T>) {
    sort(v);
    v.dedup();
}

/// Runs this long are sorted by insertion before merging.
const RUN: usize = 8;

/// A stable bottom-up merge sort of positions; the one copy of the algorithm in the module.
fn merge_sort(order: &mut [u32], compare: &mut dyn FnMut(u32, u32) -> Ordering) {
    let n = order.len();
    for run in order.chunks_mut(RUN) {
        for i in 1..run.len() {
            let mut j = i;
            while j > 0 && compare(run[j - 1], run[j]) == Ordering::Greater {
                run.swap(j - 1, j);
                j -= 1;
            }
        }
    }
    if n <= RUN {
        return;
    }
    // Each pass merges pairs of sorted runs of `width` from `a` into `b`, then they trade places.
    let mut a = order.to_vec();
    let mut width = RUN;
    let mut b = vec![0u32; n];
    while width < n {
        let mut start = 0;
        while start < n {
            let mid = (start + width).min(n);
            let end = (start + 2 * width).min(n);
            let (mut i, mut j, mut k) = (start, mid, start);
            while i < mid && j < end {
                // Ties take the left run's element first: the sort is stable.
                if compare(a[i], a[j]) == Ordering::Greater {
                    b[k] = a[j];
                    j += 1;
                } else {
                    b[k] = a[i];
                    i += 1;
                }
                k += 1;
            }
            b[k..k + mid - i].copy_from_slice(&a[i..mid]);
            k += mid - i;
            b[k..k + end - j].copy_from_slice(&a[j..end]);
            start = end;
        }
        std::mem::swap(&mut a, &mut b);
        width *= 2;
    }
    order.copy_from_slice(&a);
}

/// Moves `v`'s elements so that position `i` holds the one that was at `order[i]`, following
/// each cycle of the permutation with swaps (`order` is left as the identity).
fn permute<T>(v: &mut [T], order: &mut [u32]) {
    for start in 0..v.len() {
        let mut at = start;
        loop {
            let from = order[at] as usize;
            order[at] = at as u32;
            if from == start {
                break;
            }
            v.swap(at, from);
            at = from;
        }
    }
}

// Native only: proptest does not build for wasm32.
#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        // Tiny keys so that ties are common and stability is tested; lengths cross the run
        // length and several merge widths.
        #[test]
        fn sorts_as_the_standard_stable_sort(keys in proptest::collection::vec(0u8..6, 0..100)) {
            let mut ours: Vec<(u8, usize)> = keys.iter().copied().zip(0..).collect();
            let mut std = ours.clone();
            sort_by(&mut ours, |a, b| a.0.cmp(&b.0));
            std.sort_by_key(|a| a.0);
            prop_assert_eq!(ours, std);
        }

        #[test]
        fn sort_dedup_is_the_sorted_set(words in proptest::collection::vec("[ab]{0,3}", 0..40)) {
            let mut ours = words.clone();
            sort_dedup(&mut ours);
            let set: std::collections::BTreeSet<String> = words.into_iter().collect();
            prop_assert_eq!(ours, set.into_iter().collect::<Vec<_>>());
        }
    }

    #[test]
    fn sorts_by_key_in_reverse_and_long_inputs() {
        let mut v: Vec<u32> = (0..1000).map(|i| (i * 7919) % 1000).collect();
        sort_by_key(&mut v, |&x| std::cmp::Reverse(x));
        assert_eq!(v, (0..1000).rev().collect::<Vec<_>>());
        let mut s = vec!["b".to_string(), "a".into(), "c".into()];
        sort(&mut s);
        assert_eq!(s, ["a", "b", "c"]);
    }
}
