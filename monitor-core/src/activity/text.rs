//! Making caller-supplied text safe to keep: bounded length, no control
//! characters, and phone-like PII masked to its last four digits.

/// Longest activity id (and parent id) kept, in bytes.
pub const ID_BYTES: usize = 128;
/// Longest kind, client id or category kept, in bytes.
pub const NAME_BYTES: usize = 128;
/// Longest attribute or label key kept, in bytes.
pub const KEY_BYTES: usize = 64;
/// Longest attribute value kept, in bytes.
pub const VALUE_BYTES: usize = 256;
/// Longest outcome result or label value kept, in bytes.
pub const LABEL_BYTES: usize = 64;
/// Longest progress note kept, in bytes.
pub const NOTE_BYTES: usize = 512;
/// Most attributes one activity keeps; further new keys are dropped and
/// counted.
pub const MAX_ATTRIBUTES: usize = 16;
/// Most labels one outcome keeps; further new keys are dropped and counted.
pub const MAX_OUTCOME_LABELS: usize = 8;

/// `text` without control characters, truncated to `max` bytes on a
/// character boundary (see [`crate::text::clean`]), and whether anything
/// was changed.
pub(crate) fn clean(mut text: String, max: usize) -> (String, bool) {
    let changed = crate::text::clean(&mut text, max, false);
    (text, changed)
}

/// [`clean`] for borrowed text.
pub(crate) fn clean_str(text: &str, max: usize) -> (String, bool) {
    clean(text.to_owned(), max)
}

/// Cleans `text` to `max` bytes, adding one to `cuts` if it changed.
pub(crate) fn clean_counted(text: String, max: usize, cuts: &mut u64) -> String {
    let (text, changed) = clean(text, max);
    *cuts += u64::from(changed);
    text
}

/// `Some(cleaned)` unless the cleaned text is empty.
pub(crate) fn clean_opt(text: String, max: usize, cuts: &mut u64) -> Option<String> {
    Some(clean_counted(text, max, cuts)).filter(|t| !t.is_empty())
}

/// Masks a PII value (a phone number) so that only its last four ASCII
/// digits stay visible.
///
/// The rule: every character that is not an ASCII digit is dropped; every
/// digit but the last four becomes `*`. A value with four digits or fewer
/// (or none) becomes `****`, so short values leak neither digits nor
/// length. The stars are capped so the result fits [`VALUE_BYTES`].
///
/// ```
/// use monitor_core::activity::mask_pii;
///
/// assert_eq!(mask_pii("+1 (555) 123-4567"), "*******4567");
/// assert_eq!(mask_pii("1234"), "****");
/// assert_eq!(mask_pii("no digits"), "****");
/// ```
pub fn mask_pii(raw: &str) -> String {
    mask(raw).0
}

/// [`mask_pii`], and whether the star run was capped.
pub(crate) fn mask(raw: &str) -> (String, bool) {
    let digits = raw.bytes().filter(u8::is_ascii_digit).count();
    if digits <= 4 {
        return ("****".to_owned(), false);
    }
    let stars = digits - 4;
    let kept_stars = stars.min(VALUE_BYTES - 4);
    let mut out = "*".repeat(kept_stars);
    out.extend(
        raw.bytes()
            .filter(u8::is_ascii_digit)
            .skip(stars)
            .map(char::from),
    );
    (out, kept_stars < stars)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_to_the_last_four_digits() {
        assert_eq!(mask_pii("+1 (555) 123-4567"), "*******4567");
        assert_eq!(mask_pii("5551234567"), "******4567");
        assert_eq!(mask_pii("12345"), "*2345");
        assert_eq!(mask_pii("1234"), "****");
        assert_eq!(mask_pii("12"), "****");
        assert_eq!(mask_pii(""), "****");
        assert_eq!(mask_pii("alice@example.com"), "****");
        // Non-ASCII digits are dropped, never shown.
        assert_eq!(mask_pii("٠١٢٣٤٥٦ 98765"), "*8765");
    }

    #[test]
    fn masking_a_huge_value_stays_bounded() {
        let raw = "9".repeat(100_000) + "1234";
        let (masked, capped) = mask(&raw);
        assert!(capped);
        assert!(masked.len() <= VALUE_BYTES);
        assert!(masked.ends_with("1234"));
        assert!(masked[..masked.len() - 4].bytes().all(|b| b == b'*'));
    }
}
