//! # logibridge-1c — the 1C:Enterprise Native API face of logibridge
//!
//! A Native API external component (`liblogibridge_1c.so`) for 1C:Enterprise 8.3. The
//! platform loads it from a configuration template (`dist/LogiBridge.zip`), then creates
//! objects `Новый("AddIn.LogiBridge.Carreta")` whose properties and methods have Russian
//! and English names.
//!
//! The face is thin, as every face of logibridge, and has no code per call: the classes
//! are generated from the endpoint table when the library loads ([`class`]): one class
//! per service (`Carreta`), each row of the table a method with its Russian and English
//! names, plus the generic class `Client` for any service, including one declared at run
//! time from JSON. Every method converts 1C values to the row's JSON parameters by their
//! types, calls the core's one generic client ([`logibridge::Client`]) and maps
//! [`logibridge::Error`] once — to `false` (BSL raises an exception), the platform's error
//! channel (`AddError`, in Russian) and the `ПоследняяОшибка/LastError` property (the
//! error's JSON). No service rule is re-implemented here.
//!
//! Layout:
//! - [`platform`]: the platform connection (AddError, external events), guarded so that
//!   nothing touches it after `Done`.
//! - [`args`]: 1C values in, JSON parameters out (by the parameter's type).
//! - [`class`]: the classes, generated from the table; overrides and extras of a service.
//! - [`component`]: the object (properties as the core client's options, method calls,
//!   sync and async).
//! - [`carreta`]: the four Carreta methods that need code (hooks).
//!
//! Exports (C linkage): `GetClassNames`, `GetClassObject`, `DestroyObject`,
//! `SetPlatformCapabilities`, `GetAttachType` (the platform's), and `LogiBridgeBuild` (how
//! the library was built, for the package check). Every entry point catches panics.

use std::ffi::{c_int, c_long, c_void};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::OnceLock;

pub mod args;
pub mod carreta;
pub mod class;
pub mod component;
pub mod platform;

use component::Component;

/// The name of the bundle (and of the component in `ПодключитьВнешнююКомпоненту`).
pub const BUNDLE_NAME: &str = "LogiBridge";

/// The source name of external events and errors.
pub const EVENT_SOURCE: &str = "LogiBridge";

/// The class ids joined by `|`, NUL-terminated UTF-16 (what `GetClassNames` returns).
pub fn class_names_utf16() -> &'static [u16] {
    static NAMES: OnceLock<Vec<u16>> = OnceLock::new();
    NAMES.get_or_init(|| {
        // The services known when the library loads, then the generic class.
        let joined = class::class_names().join("|");
        let mut w: Vec<u16> = joined.encode_utf16().collect();
        w.push(0);
        w
    })
}

/// Capabilities the component supports (`eAppCapabilities1` in the platform's terms).
const APP_CAPABILITIES: c_int = 3;

/// `AttachType`: 1 not isolated, 2 isolated, 3 any (the platform chooses).
const ATTACH_ANY: c_int = 3;

/// `const WCHAR_T* GetClassNames()`.
#[no_mangle]
pub extern "C" fn GetClassNames() -> *const u16 {
    catch_unwind(|| class_names_utf16().as_ptr()).unwrap_or(std::ptr::null())
}

/// `long GetClassObject(const WCHAR_T* name, IComponentBase** out)`: nonzero on success.
///
/// # Safety
/// `name` must be a NUL-terminated UTF-16 string and `component` a valid pointer, as the
/// platform passes them.
#[no_mangle]
pub unsafe extern "C" fn GetClassObject(name: *const u16, component: *mut *mut c_void) -> c_long {
    if name.is_null() || component.is_null() {
        return 0;
    }
    let found = catch_unwind(AssertUnwindSafe(|| {
        let name = platform::utf16_ptr_to_string(name);
        class::find(&name)
    }));
    let Ok(Some(class)) = found else { return 0 };
    catch_unwind(AssertUnwindSafe(|| {
        addin1c::create_component(component, Component::new(class))
    }))
    .unwrap_or(0)
}

/// `long DestroyObject(IComponentBase** p)`: 0 on success.
///
/// # Safety
/// `component` must hold a pointer returned by [`GetClassObject`], destroyed once.
#[no_mangle]
pub unsafe extern "C" fn DestroyObject(component: *mut *mut c_void) -> c_long {
    if component.is_null() || (*component).is_null() {
        return -1;
    }
    catch_unwind(AssertUnwindSafe(|| addin1c::destroy_component(component))).unwrap_or(-1)
}

/// `AppCapabilities SetPlatformCapabilities(AppCapabilities)`.
#[no_mangle]
pub extern "C" fn SetPlatformCapabilities(_capabilities: c_int) -> c_int {
    APP_CAPABILITIES
}

/// `AttachType GetAttachType()`: any (the platform may run the component isolated or not).
#[no_mangle]
pub extern "C" fn GetAttachType() -> c_int {
    ATTACH_ANY
}

/// How the library was built: `opt-level=N;debug-assertions=on|off` (NUL-terminated).
pub const BUILD: &str = concat!(env!("LB_ONEC_BUILD"), "\0");

/// `const char* LogiBridgeBuild()`: [`BUILD`]. Not part of the Native API; `make
/// onec-package` and the host harness use it to refuse shipping a debug build.
#[no_mangle]
pub extern "C" fn LogiBridgeBuild() -> *const std::ffi::c_char {
    BUILD.as_ptr().cast()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_build_is_described() {
        let b = unsafe { std::ffi::CStr::from_ptr(LogiBridgeBuild()) }.to_str().unwrap();
        assert!(b.starts_with("opt-level=") && b.contains(";debug-assertions="), "{b}");
        assert_eq!(b.ends_with("=on"), cfg!(debug_assertions), "{b}");
    }

    #[test]
    fn class_names_are_joined_and_terminated() {
        let w = class_names_utf16();
        assert_eq!(*w.last().unwrap(), 0);
        let names = String::from_utf16(&w[..w.len() - 1]).unwrap();
        assert!(
            names.starts_with("Carreta|") && names.ends_with("|Client"),
            "{names}"
        );
        assert!(class::find("Carreta").is_some());
        assert!(class::find("Client").is_some());
        assert!(class::find("Nope").is_none());
    }
}
