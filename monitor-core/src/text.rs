//! Making caller-supplied text safe to keep, for every part that stores
//! it: bounded length, no control characters (no terminal escapes, no NUL).

/// Strips control characters (keeping `\n` and `\t` only where `multiline`)
/// and truncates to `max` bytes on a character boundary, marking the cut
/// with `…` when there is room for it. Returns whether anything changed.
/// Cleaning is idempotent, so ids cleaned on the way in still match when
/// cleaned again on lookup.
pub(crate) fn clean(text: &mut String, max: usize, multiline: bool) -> bool {
    let plain = |b: u8| (0x20..0x7f).contains(&b) || (multiline && (b == b'\n' || b == b'\t'));
    if text.len() <= max && text.bytes().all(plain) {
        return false; // printable ASCII within bounds: the usual case
    }
    let keep = |c: char| !c.is_control() || (multiline && (c == '\n' || c == '\t'));
    let mut changed = false;
    if !text.chars().all(keep) {
        text.retain(keep);
        changed = true;
    }
    if text.len() > max {
        let mark = '…'.len_utf8();
        let mut cut = if max >= mark { max - mark } else { max };
        while !text.is_char_boundary(cut) {
            cut -= 1;
        }
        text.truncate(cut);
        if max >= mark {
            text.push('…');
        }
        changed = true;
    }
    changed
}

#[cfg(test)]
mod tests {
    use super::clean;

    fn cleaned(s: &str, max: usize, multiline: bool) -> (String, bool) {
        let mut s = s.to_owned();
        let changed = clean(&mut s, max, multiline);
        (s, changed)
    }

    #[test]
    fn strips_controls_and_cuts_on_a_boundary() {
        assert_eq!(
            cleaned("a\u{1b}[31mb\u{0}\nc", 100, false),
            ("a[31mbc".into(), true)
        );
        assert_eq!(cleaned("a\nb\tc\u{7}", 100, true), ("a\nb\tc".into(), true));
        let (s, changed) = cleaned(&"é".repeat(100), 11, false);
        assert!(changed && s.len() <= 11 && s.ends_with('…'), "{s}");
        assert_eq!(cleaned("fine", 4, false), ("fine".into(), false));
        assert_eq!(
            cleaned("xxxx", 2, false),
            ("xx".into(), true),
            "no room for the mark"
        );
        let once = cleaned(&"x".repeat(1_000), 128, false).0;
        assert_eq!(
            cleaned(&once, 128, false),
            (once.clone(), false),
            "idempotent"
        );
    }
}
