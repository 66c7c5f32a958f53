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
