//! Memory the allocator holds on to: the two settings fitrisk makes for memory alone, each
//! measured beside it.

/// `mi_option_purge_delay`: the place of `purge_delay` in mimalloc 3's `mi_option_e`
/// (`mimalloc.h`), for which libmimalloc-sys has no constant. A test checks its default.
#[cfg(feature = "mimalloc")]
const PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

// It comes just before an option the crate does name.
#[cfg(feature = "mimalloc")]
const _: () = assert!(PURGE_DELAY + 1 == libmimalloc_sys::mi_option_use_numa_nodes);

/// From now on, memory freed goes back to the system at once, not after mimalloc's delay of a
/// second. Called once the parallel pass is done: aggregation and the output files free
/// memory a stage at a time, and what mimalloc kept of it for that second added to each later
/// stage's peak. Measured on a thirty-year history (7,874 runs), a warm report's peak is
/// 46 MB with this and 52-55 MB without: it is what keeps a warm report under the 50 MB bound
/// (docs/performance.md, Memory). The pass itself keeps the delay: its workers free and
/// allocate samples all the time, and handing those back at once made a cold run 11 % slower.
pub(crate) fn hand_back_at_once() {
    #[cfg(feature = "mimalloc")]
    // SAFETY: setting an option has no preconditions; mimalloc reads it on its next purge.
    unsafe {
        libmimalloc_sys::mi_option_set(PURGE_DELAY, 0)
    }
}

/// Makes polars' one buffer of zeros now, at start. polars makes it (8 MB, and keeps it) the
/// first time a column needs zeros — writing the first Parquet page of a column with nulls.
/// Made at start, it comes from the kernel as untouched pages, which cost no memory; made once
/// the report has freed memory, the allocator may hand it some of that and zero it by hand,
/// which makes all 8 MB resident. Which of the two happened varied from run to run: a warm
/// report of a thirty-year history peaked at 47 or 55 MB without this, 45-46 MB with it
/// (docs/performance.md, Memory).
pub(crate) fn make_polars_zeroes_early() {
    drop(polars_buffer::Buffer::<u8>::zeroed(1));
}

#[cfg(all(test, feature = "mimalloc"))]
mod tests {
    /// `PURGE_DELAY` is mimalloc's purge delay: its default is 1,000 ms (no other option of
    /// mimalloc 3 defaults to 1,000; mimalloc 2's purge delay is 10), unless the environment
    /// sets it; and `hand_back_at_once` sets it to 0. Nothing else in this test binary reads
    /// or sets it.
    #[test]
    fn the_option_set_is_the_purge_delay() {
        // SAFETY: reading an option has no preconditions.
        let get = || unsafe { libmimalloc_sys::mi_option_get(super::PURGE_DELAY) };
        let set_outside = ["MIMALLOC_PURGE_DELAY", "MIMALLOC_RESET_DELAY"]
            .iter()
            .any(|v| std::env::var_os(v).is_some());
        if !set_outside {
            assert_eq!(get(), 1000);
        }
        super::hand_back_at_once();
        assert_eq!(get(), 0);
    }
}
