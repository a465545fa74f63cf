//! HTTP method labels: the nine standard methods by name, anything else
//! as [`OTHER_METHOD`], so a client inventing methods cannot grow a table.

/// Label of every method that is not one of the nine standard ones.
pub const OTHER_METHOD: &str = "OTHER";

const STANDARD: [&str; 9] = [
    "GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH",
];

/// The label `method` is counted under: itself when it is a standard
/// method (case-sensitive, as HTTP methods are), [`OTHER_METHOD`] otherwise.
///
/// ```
/// use monitor_core::requests::method_label;
///
/// assert_eq!(method_label("GET"), "GET");
/// assert_eq!(method_label("get"), "OTHER");
/// assert_eq!(method_label("PROPFIND"), "OTHER");
/// ```
pub fn method_label(method: &str) -> &'static str {
    STANDARD
        .iter()
        .find(|m| **m == method)
        .copied()
        .unwrap_or(OTHER_METHOD)
}
