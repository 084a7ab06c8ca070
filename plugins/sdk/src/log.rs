//! The host's `log` import.

/// Severity of a log line; the host maps it onto its `tracing` levels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum Level {
    /// Very detailed tracing.
    Trace = 0,
    /// Debugging detail.
    Debug = 1,
    /// Normal operation.
    Info = 2,
    /// Something the operator should look at.
    Warn = 3,
    /// Something failed.
    Error = 4,
}

#[cfg(target_arch = "wasm32")]
#[link(wasm_import_module = "numbot:plugin/host@0.1.0")]
unsafe extern "C" {
    #[link_name = "log"]
    fn host_log(level: i32, ptr: *const u8, len: usize);
}

/// Writes `message` into the host's log, tagged with this plugin's id.
pub fn log(level: Level, message: &str) {
    #[cfg(target_arch = "wasm32")]
    // SAFETY: the canonical ABI lowers `log(level, string)` to (i32, ptr, len);
    // the host copies the string out before returning.
    unsafe {
        host_log(level as i32, message.as_ptr(), message.len())
    }
    #[cfg(not(target_arch = "wasm32"))]
    eprintln!("[{level:?}] {message}");
}
