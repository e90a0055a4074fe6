//! The platform side of a component object: the connection (`IAddInDefBase`) the platform
//! hands to `Init`, reached from the platform's thread (errors) and from the runtime's
//! worker threads (external events of asynchronous calls).
//!
//! The rule that shapes this module: the connection must never be touched after `Done`
//! (or after the object is destroyed). [`Link`] holds the pointer under a mutex; `detach`
//! clears it, waiting for an event being posted right now to finish, and every later use
//! finds `None` and drops its message. Asynchronous tasks hold an `Arc<Link>`, so a result
//! that arrives after `Done` or `DestroyObject` is dropped safely.

use std::ffi::{c_long, c_ushort, c_void};
use std::sync::{Arc, Mutex, MutexGuard};

use addin1c::{CString1C, Connection};

/// `AddError` message codes (1000–1009 are the platform's). `ADDIN_E_VERY_IMPORTANT`
/// shows the "!!!" mark; a method that then returns `false` makes BSL raise an exception.
pub const ADDIN_E_VERY_IMPORTANT: c_ushort = 1004;

/// The `scode` passed with errors: `E_FAIL` as a signed 32-bit HRESULT. Whether the
/// platform uses its sign to raise the exception by itself is not documented publicly;
/// the method returns `false` as well, which raises it in any case.
pub const SCODE_E_FAIL: c_long = 0x8000_4005_u32 as i32 as c_long;

/// Depth of the platform's external event queue the component asks for before its first
/// asynchronous call. The platform starts at 1 and drops the events that do not fit.
pub const EVENT_BUFFER_DEPTH: c_long = 1000;

/// The slot of `AddError` in the platform interface's vtable: after the virtual
/// destructor, which takes two slots with the Itanium C++ ABI (g++, Linux) and one with
/// MSVC.
#[cfg(unix)]
const ADD_ERROR_SLOT: usize = 2;
#[cfg(not(unix))]
const ADD_ERROR_SLOT: usize = 1;

type AddErrorFn =
    unsafe extern "system" fn(*const c_void, c_ushort, *const u16, *const u16, c_long) -> bool;

/// The platform connection of one component object, or nothing once detached.
#[derive(Debug, Default)]
pub struct Link {
    // The `IAddInDefBase*` as an address (raw pointers are not `Send`). The platform owns
    // it and keeps it valid from `Init` until `Done`.
    conn: Mutex<Option<usize>>,
}

impl Link {
    /// A link with no connection yet.
    pub fn new() -> Arc<Link> {
        Arc::new(Link::default())
    }

    fn lock(&self) -> MutexGuard<'_, Option<usize>> {
        self.conn.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Stores the connection given to `Init`.
    pub fn attach(&self, conn: &'static Connection) {
        *self.lock() = Some(conn as *const Connection as usize);
    }

    /// Forgets the connection (`Done`, `DestroyObject`). Waits for an event being posted
    /// on another thread to finish; nothing reaches the platform afterwards.
    pub fn detach(&self) {
        *self.lock() = None;
    }

    /// Whether a connection is attached.
    pub fn is_attached(&self) -> bool {
        self.lock().is_some()
    }

    /// Runs `f` with the connection while holding the lock, or returns `None` when there
    /// is none (not initialised, or done).
    fn with<R>(&self, f: impl FnOnce(&Connection) -> R) -> Option<R> {
        let guard = self.lock();
        let addr = (*guard)?;
        // SAFETY: the platform keeps the connection alive until `Done`, and `detach` (called
        // from `Done` and on destruction) cannot clear it while this lock is held.
        let conn = unsafe { &*(addr as *const Connection) };
        Some(f(conn))
    }

    /// Reports an error through the platform's error channel (`IAddInDefBase::AddError`).
    /// Returns whether the platform accepted it (false when not attached).
    pub fn add_error(&self, code: c_ushort, source: &str, description: &str) -> bool {
        let source = CString1C::new(source);
        let description = CString1C::new(description);
        self.with(|conn| unsafe {
            // addin1c wraps only the event calls of the connection; AddError is the first
            // method of the same vtable, called here through it.
            let object = conn as *const Connection as *const *const usize;
            let vtable = *object;
            let f: AddErrorFn =
                std::mem::transmute::<usize, AddErrorFn>(*vtable.add(ADD_ERROR_SLOT));
            f(
                object as *const c_void,
                code,
                source.as_ptr(),
                description.as_ptr(),
                SCODE_E_FAIL,
            )
        })
        .unwrap_or(false)
    }

    /// Posts an external event (`ОбработкаВнешнегоСобытия(Источник, Событие, Данные)` in
    /// BSL). Returns false when the platform refused it (queue full) or when the object is
    /// already done — then the event is dropped.
    pub fn external_event(&self, source: &str, message: &str, data: &str) -> bool {
        let (s, m, d) = (
            CString1C::new(source),
            CString1C::new(message),
            CString1C::new(data),
        );
        self.with(|conn| conn.external_event(&s, &m, &d))
            .unwrap_or(false)
    }

    /// Raises the platform's external event queue to at least `depth`.
    pub fn ensure_event_buffer_depth(&self, depth: c_long) -> bool {
        self.with(|conn| {
            if conn.get_event_buffer_depth() >= depth {
                true
            } else {
                conn.set_event_buffer_depth(depth)
            }
        })
        .unwrap_or(false)
    }
}

/// Reads a NUL-terminated UTF-16 string (invalid surrogates become U+FFFD).
///
/// # Safety
/// `p` must point to a NUL-terminated UTF-16 string.
pub unsafe fn utf16_ptr_to_string(p: *const u16) -> String {
    let mut len = 0;
    while *p.add(len) != 0 {
        len += 1;
    }
    String::from_utf16_lossy(std::slice::from_raw_parts(p, len))
}

/// The text of a name the platform passes (NUL-terminated slice), without the NUL.
pub fn name_to_string(name: &[u16]) -> String {
    let end = name.iter().position(|&c| c == 0).unwrap_or(name.len());
    String::from_utf16_lossy(&name[..end])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unattached_link_drops_everything() {
        let link = Link::new();
        assert!(!link.is_attached());
        assert!(!link.add_error(ADDIN_E_VERY_IMPORTANT, "LogiBridge", "ошибка"));
        assert!(!link.external_event("LogiBridge", "1", "{}"));
        assert!(!link.ensure_event_buffer_depth(EVENT_BUFFER_DEPTH));
    }

    #[test]
    fn names_stop_at_nul() {
        let w: Vec<u16> = "Поиск\0".encode_utf16().collect();
        assert_eq!(name_to_string(&w), "Поиск");
    }

    #[test]
    fn scode_is_the_negative_e_fail() {
        const { assert!(SCODE_E_FAIL < 0) };
        assert_eq!(SCODE_E_FAIL as i32 as u32, 0x8000_4005);
    }
}
