//! What a text typed at the counter or given to the CLI may hold: printable
//! characters a clerk can see. Control characters, direction overrides (a
//! U+202E turns "王芳" around on screen and on the receipt), a BOM or
//! zero-width characters hide what the text really says, so every name,
//! address, note and description is asked here before it is kept.

/// Why a text cannot be kept as it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Unprintable {
    #[error("contains control characters")]
    Control,
    #[error("contains direction controls (such as U+202E) that reorder what is shown")]
    Direction,
    #[error("contains invisible characters (a BOM, a zero-width space…)")]
    Invisible,
}

/// Direction controls: embeddings, overrides, isolates and marks.
fn is_direction_control(c: char) -> bool {
    matches!(c, '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// Characters that take no room and show nothing: the BOM, zero-width
/// spaces and joiners, the word joiner and invisible operators, the soft hyphen.
fn is_invisible(c: char) -> bool {
    matches!(c, '\u{00AD}' | '\u{180E}' | '\u{200B}'..='\u{200D}' | '\u{2060}'..='\u{2064}' | '\u{FEFF}')
}

/// What is wrong with `text`, if anything; a line break is allowed only
/// where the text may have several lines (a description).
pub fn unprintable(text: &str, multiline: bool) -> Option<Unprintable> {
    text.chars().find_map(|c| {
        if c == '\n' && multiline {
            None
        } else if c.is_control() {
            Some(Unprintable::Control)
        } else if is_direction_control(c) {
            Some(Unprintable::Direction)
        } else if is_invisible(c) {
            Some(Unprintable::Invisible)
        } else {
            None
        }
    })
}

/// A required text with nothing a clerk can see in it (only spaces, or
/// ideographic spaces).
pub fn is_blank(text: &str) -> bool {
    text.chars().all(char::is_whitespace)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hidden_characters_are_named_and_plain_names_pass() {
        assert_eq!(unprintable("王芳", false), None);
        assert_eq!(unprintable("Zhāng Wěi-Lín O'Brien", false), None);
        assert_eq!(unprintable("王\u{202E}芳", false), Some(Unprintable::Direction));
        assert_eq!(unprintable("\u{FEFF}王芳", false), Some(Unprintable::Invisible));
        assert_eq!(unprintable("王\u{200B}芳", false), Some(Unprintable::Invisible));
        assert_eq!(unprintable("王\u{7}芳", false), Some(Unprintable::Control));
        assert_eq!(unprintable("王\n芳", false), Some(Unprintable::Control));
        assert_eq!(unprintable("first line\nsecond", true), None);
        assert!(is_blank(" \u{3000} "));
        assert!(!is_blank(" 王 "));
    }
}
