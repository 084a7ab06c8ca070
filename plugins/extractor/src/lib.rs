//! The default extractor plugin: finds the verification code in an SMS.
//! The logic is plain Rust in [`extract`], tested natively on the corpora.

pub mod extract;

use numbot_plugin_sdk::{export_extractor, Extractor};

/// Keyword-first, multilingual, with a bounded digit fallback.
#[derive(Default)]
pub struct DefaultExtractor;

impl Extractor for DefaultExtractor {
    fn extract(&mut self, text: &str) -> Option<String> {
        extract::extract(text)
    }
}

export_extractor!(DefaultExtractor);
