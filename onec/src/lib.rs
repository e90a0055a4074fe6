//! # logibridge-1c — the 1C:Enterprise Native API face of logibridge
//!
//! A Native API external component (`liblogibridge_1c.so`) for 1C:Enterprise 8.3. The
//! platform loads it from a configuration template (`dist/LogiBridge.zip`), then creates
//! objects `Новый("AddIn.LogiBridge.Carreta")` whose properties and methods have Russian
//! and English names.
//!
//! The face is thin, as every face of logibridge: it converts 1C values to JSON parameters,
//! calls the core's generic entry ([`logibridge::AnyClient::call_json`]) by endpoint id,
//! and maps [`logibridge::Error`] once — to `false` (BSL raises an exception), the
//! platform's error channel (`AddError`, in Russian) and the `ПоследняяОшибка/LastError`
//! property (the error's JSON). No service rule is re-implemented here.
//!
//! Layout:
//! - [`platform`]: the platform connection (AddError, external events), guarded so that
//!   nothing touches it after `Done`.
//! - [`args`]: 1C values in, typed Rust values out.
//! - [`component`]: the generic class (properties, method table, sync and async calls).
//! - [`carreta`]: the `Carreta` class: its typed methods, each a JSON builder for an id.
//!
//! Exports (C linkage): `GetClassNames`, `GetClassObject`, `DestroyObject`,
//! `SetPlatformCapabilities`, `GetAttachType`. Every entry point catches panics.

use std::ffi::{c_int, c_long, c_void};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::OnceLock;

pub mod args;
pub mod carreta;
pub mod component;
pub mod platform;

use component::{ClassSpec, Component};

/// The name of the bundle (and of the component in `ПодключитьВнешнююКомпоненту`).
pub const BUNDLE_NAME: &str = "LogiBridge";

/// The source name of external events and errors.
pub const EVENT_SOURCE: &str = "LogiBridge";

/// The classes the component exports, in `GetClassNames` order. Later services (Ireca,
/// CargoRun) are new [`ClassSpec`]s in this list; nothing else changes.
pub static CLASSES: &[&ClassSpec] = &[&carreta::CARRETA];

/// Finds a class by its id (as the platform passes it to `GetClassObject`).
pub fn find_class(name: &str) -> Option<&'static ClassSpec> {
    CLASSES.iter().copied().find(|c| c.name == name)
}

/// The class ids joined by `|`, NUL-terminated UTF-16 (what `GetClassNames` returns).
pub fn class_names_utf16() -> &'static [u16] {
    static NAMES: OnceLock<Vec<u16>> = OnceLock::new();
    NAMES.get_or_init(|| {
        let joined = CLASSES.iter().map(|c| c.name).collect::<Vec<_>>().join("|");
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
        find_class(&name)
    }));
    let Ok(Some(spec)) = found else { return 0 };
    catch_unwind(AssertUnwindSafe(|| {
        addin1c::create_component(component, Component::new(spec))
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn class_names_are_joined_and_terminated() {
        let w = class_names_utf16();
        assert_eq!(*w.last().unwrap(), 0);
        assert_eq!(String::from_utf16(&w[..w.len() - 1]).unwrap(), "Carreta");
        assert!(find_class("Carreta").is_some());
        assert!(find_class("Nope").is_none());
    }
}
