//! Making caller-supplied text safe to keep: bounded length, no control
//! characters (no terminal escapes, no NUL), and a count of every cut.

use std::collections::BTreeMap;

/// Bounds applied to every logged error.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Longest message kept, in bytes (default 4 KiB).
    pub message_bytes: usize,
    /// Longest service, operation, error type or client id (default 128).
    pub name_bytes: usize,
    /// Most context entries kept (default 16).
    pub context_entries: usize,
    /// Longest context key (default 64) and value (default 512).
    pub context_key_bytes: usize,
    /// See `context_key_bytes`.
    pub context_value_bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            message_bytes: 4 * 1024,
            name_bytes: 128,
            context_entries: 16,
            context_key_bytes: 64,
            context_value_bytes: 512,
        }
    }
}

pub(crate) use crate::text::clean;

/// Applies `limits` to a context map; returns how many fields were cut or
/// dropped.
pub(crate) fn clean_context(context: &mut BTreeMap<String, String>, limits: &Limits) -> u64 {
    let mut cuts = 0;
    if context.len() > limits.context_entries {
        cuts += (context.len() - limits.context_entries) as u64;
        while context.len() > limits.context_entries {
            context.pop_last();
        }
    }
    let entries = std::mem::take(context);
    for (mut key, mut value) in entries {
        cuts += u64::from(clean(&mut key, limits.context_key_bytes, false));
        cuts += u64::from(clean(&mut value, limits.context_value_bytes, true));
        context.insert(key, value);
    }
    cuts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strips_control_characters_but_keeps_newlines_in_messages() {
        let mut s = String::from("a\u{1b}[31mred\u{0}\nline\ttab\r");
        assert!(clean(&mut s, 100, true));
        assert_eq!(s, "a[31mred\nline\ttab");
        let mut name = String::from("db\nwriter");
        assert!(clean(&mut name, 100, false));
        assert_eq!(name, "dbwriter");
    }

    #[test]
    fn truncates_on_a_char_boundary() {
        let mut s = "é".repeat(3000); // 6000 bytes
        assert!(clean(&mut s, 4096, true));
        assert!(s.len() <= 4096);
        assert!(s.ends_with('…'));
        let mut short = String::from("fine");
        assert!(!clean(&mut short, 4096, true));
    }

    #[test]
    fn context_is_bounded() {
        let limits = Limits::default();
        let mut ctx: BTreeMap<String, String> = (0..40)
            .map(|i| (format!("k{i:02}"), "v".repeat(1000)))
            .collect();
        let cuts = clean_context(&mut ctx, &limits);
        assert_eq!(ctx.len(), 16);
        assert!(ctx.values().all(|v| v.len() <= 512));
        assert_eq!(cuts, 24 + 16);
    }
}
