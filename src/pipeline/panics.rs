//! Panics inside a worker become ledger rows, never a crash and never noise on the screen.
//!
//! [`catch`] runs a closure under `catch_unwind` and returns the panic's message and place. A
//! process-wide panic hook is installed once: on a thread inside `catch` it keeps the message
//! for the ledger (the default hook would print it over the progress bar); on every other
//! thread it hands the panic to the hook that was there before, so nothing else changes.

use std::cell::{Cell, RefCell};
use std::panic::{self, AssertUnwindSafe};
use std::sync::Once;

thread_local! {
    static CATCHING: Cell<bool> = const { Cell::new(false) };
    static MESSAGE: RefCell<Option<String>> = const { RefCell::new(None) };
}

static HOOK: Once = Once::new();

/// Marks the current thread as catching for its lifetime, unwinding included.
struct Catching;

impl Catching {
    fn start() -> Catching {
        CATCHING.with(|c| c.set(true));
        MESSAGE.with(|m| m.borrow_mut().take());
        Catching
    }
}

impl Drop for Catching {
    fn drop(&mut self) {
        CATCHING.with(|c| c.set(false));
    }
}

fn install_hook() {
    HOOK.call_once(|| {
        let previous = panic::take_hook();
        panic::set_hook(Box::new(move |info| {
            if !CATCHING.with(Cell::get) {
                return previous(info);
            }
            let payload = info
                .payload()
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| info.payload().downcast_ref::<String>().cloned())
                .unwrap_or_default();
            let place = info
                .location()
                .map(|l| format!(" at {}:{}", l.file(), l.line()))
                .unwrap_or_default();
            MESSAGE.with(|m| *m.borrow_mut() = Some(format!("{payload}{place}")));
        }));
    });
}

/// Runs `f`; a panic inside it comes back as its message (with the place it happened).
pub(crate) fn catch<T>(f: impl FnOnce() -> T) -> Result<T, String> {
    install_hook();
    let guard = Catching::start();
    let result = panic::catch_unwind(AssertUnwindSafe(f));
    drop(guard);
    result.map_err(|_| {
        MESSAGE
            .with(|m| m.borrow_mut().take())
            .unwrap_or_else(|| "no message".to_string())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_comes_back_with_its_message_and_the_thread_is_clean_after() {
        let err = catch(|| -> u32 { panic!("bad field {}", 7) }).unwrap_err();
        assert!(err.starts_with("bad field 7 at "), "{err}");
        assert!(err.contains("panics.rs"), "{err}");
        assert_eq!(catch(|| 5), Ok(5));
        assert!(!CATCHING.with(Cell::get));
    }
}
