//! A numbot code extractor: the first group of 4 to 8 digits in an SMS
//! (`Your code is 482913`). The host relays the code to the user who holds
//! the number; a message without one gives `None`.

use numbot_plugin_sdk::{export_extractor, Extractor};

/// The first group of 4 to 8 digits.
#[derive(Default)]
pub struct __TYPE__;

impl Extractor for __TYPE__ {
    fn extract(&mut self, text: &str) -> Option<String> {
        text.split(|c: char| !c.is_ascii_digit())
            .find(|group| (4..=8).contains(&group.len()))
            .map(str::to_string)
    }
}

export_extractor!(__TYPE__);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_code() {
        let code = __TYPE__.extract("G-482913 is your verification code.");
        assert_eq!(code.as_deref(), Some("482913"));
    }

    #[test]
    fn a_message_without_a_code_gives_none() {
        assert_eq!(__TYPE__.extract("Call us on 12 or 123, thanks"), None);
    }
}
