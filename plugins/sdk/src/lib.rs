//! The numbot guest SDK.
//!
//! A plugin implements one of [`Validator`], [`Formatter`] or [`Policy`] on a
//! `Default` type and exports it with one line:
//!
//! ```ignore
//! #[derive(Default)]
//! struct Mine;
//! impl numbot_plugin_sdk::Policy for Mine { /* ... */ }
//! numbot_plugin_sdk::export_policy!(Mine);
//! ```
//!
//! The macro generates the WIT bindings (`numbot:plugin@0.1.0`) inside the
//! plugin crate and converts between them and the plain types here, so that
//! plugin authors never touch wit-bindgen.

mod log;
mod types;

pub use log::{log, Level};
pub use types::*;

/// A plugin's settings: the `[settings]` table of its manifest, overridden by the host config.
pub type Settings = Vec<(String, String)>;

/// Reads an uploaded file and finds the phone numbers in it.
pub trait Validator: Default + 'static {
    /// Applies the operator's settings; called once, before any other call.
    fn configure(&mut self, _settings: &Settings) -> Result<(), String> {
        Ok(())
    }

    /// Validates one file; an `Err` means the file as a whole is unusable.
    fn validate(&mut self, file_name: &str, data: &[u8]) -> Result<Validation, String>;
}

/// Formats phone numbers for the countries it claims.
pub trait Formatter: Default + 'static {
    /// Applies the operator's settings; called once, before any other call.
    fn configure(&mut self, _settings: &Settings) -> Result<(), String> {
        Ok(())
    }

    /// The countries this formatter answers for.
    fn countries(&self) -> Countries;

    /// Formats a batch: one result per input, in order.
    fn format(
        &mut self,
        numbers: Vec<String>,
        default_country: Option<String>,
    ) -> Vec<Result<Formatted, String>>;
}

/// Picks which file and which number a user gets.
pub trait Policy: Default + 'static {
    /// Applies the operator's settings; called once, before any other call.
    fn configure(&mut self, _settings: &Settings) -> Result<(), String> {
        Ok(())
    }

    /// Chooses among `request.candidates`; every candidate has `available > 0`.
    fn select(&mut self, request: &Request<'_>) -> Result<Choice, String>;
}

/// Finds the verification code in an SMS text.
pub trait Extractor: Default + 'static {
    /// Applies the operator's settings; called once, before any other call.
    fn configure(&mut self, _settings: &Settings) -> Result<(), String> {
        Ok(())
    }

    /// The code `text` carries, as the user should type it; `None` when there is none.
    fn extract(&mut self, text: &str) -> Option<String>;
}

/// Support for the export macros; not part of the API.
#[doc(hidden)]
pub mod __private {
    pub use wit_bindgen;

    /// The one string a result's spans point into. Values that repeat (a
    /// category on every row, a reason on many) are written once.
    #[derive(Default)]
    pub struct Text {
        text: String,
        shared: std::collections::HashMap<String, (u32, u32)>,
    }

    impl Text {
        /// Appends `s`: its span.
        pub fn push(&mut self, s: &str) -> (u32, u32) {
            let start = self.text.len() as u32;
            self.text.push_str(s);
            (start, s.len() as u32)
        }

        /// The span of `s`, written once however often it comes.
        pub fn push_shared(&mut self, s: &str) -> (u32, u32) {
            if let Some(span) = self.shared.get(s) {
                return *span;
            }
            let span = self.push(s);
            self.shared.insert(s.to_string(), span);
            span
        }

        /// The finished text.
        pub fn into_string(self) -> String {
            self.text
        }
    }

    /// Sends panic messages to the host's log before the trap, so that the
    /// host's error says why the plugin crashed.
    pub fn install_panic_hook() {
        static ONCE: std::sync::Once = std::sync::Once::new();
        ONCE.call_once(|| {
            std::panic::set_hook(Box::new(|info| {
                crate::log(crate::Level::Error, &format!("panic: {info}"));
            }))
        });
    }
}

include!(concat!(env!("OUT_DIR"), "/export_macros.rs"));
