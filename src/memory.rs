//! Memory the allocator holds on to.

/// Hands freed memory back to the system now. mimalloc keeps freed pages for a second before it
/// returns them, so one stage's freed memory would otherwise add to the next stage's peak; each
/// stage that frees much (the parallel pass, each output table) calls this once it is done
/// (README, Performance). Does nothing without mimalloc.
pub(crate) fn release_freed() {
    #[cfg(feature = "mimalloc")]
    // SAFETY: `mi_collect` only walks mimalloc's own free lists; it has no preconditions.
    unsafe {
        libmimalloc_sys::mi_collect(true)
    }
}

/// Makes polars' one buffer of zeros now, at start. polars makes it (8 MB, and keeps it) the
/// first time a column needs zeros — writing the first Parquet page of a column with nulls.
/// Made at start, it comes from the kernel as untouched pages, which cost no memory; made once
/// the report has freed memory, the allocator may hand it some of that and zero it by hand,
/// which makes all 8 MB resident. Which of the two happened varied from run to run.
pub(crate) fn make_polars_zeroes_early() {
    drop(polars_buffer::Buffer::<u8>::zeroed(1));
}
