//! The dashboard's files, compiled into the binary: a fixed table looked
//! up by exact name, so no request ever reaches the filesystem and no path
//! can climb out of it.
//!
//! The files live in `monitor-axum/assets/`: the page, its style sheet,
//! its ES modules and the vendored charting library uPlot 1.6.32 (MIT,
//! `uPlot.LICENSE`; `npm pack uplot`, files copied from `dist/`).

use std::hash::{DefaultHasher, Hash, Hasher};
use std::sync::OnceLock;

/// One embedded file.
pub(crate) struct Asset {
    /// The name after `assets/` (or `index.html` for the page).
    pub(crate) name: &'static str,
    /// Its `Content-Type`.
    pub(crate) content_type: &'static str,
    /// Its bytes.
    pub(crate) body: &'static [u8],
}

const JS: &str = "text/javascript; charset=utf-8";
const CSS: &str = "text/css; charset=utf-8";

macro_rules! asset {
    ($name:literal, $type:expr) => {
        Asset {
            name: $name,
            content_type: $type,
            body: include_bytes!(concat!("../../../assets/", $name)),
        }
    };
}

/// The page itself, served at `/`.
pub(crate) const INDEX: Asset = asset!("index.html", "text/html; charset=utf-8");

/// Everything under `/assets/`.
pub(crate) const ASSETS: &[Asset] = &[
    asset!("app.js", JS),
    asset!("api.js", JS),
    asset!("live.js", JS),
    asset!("charts.js", JS),
    asset!("marks.js", JS),
    asset!("changes.js", JS),
    asset!("analytics.js", JS),
    asset!("heatmap.js", JS),
    asset!("topusers.js", JS),
    asset!("panels.js", JS),
    asset!("errors.js", JS),
    asset!("ops.js", JS),
    asset!("queues.js", JS),
    asset!("actions.js", JS),
    asset!("audit.js", JS),
    asset!("backup.js", JS),
    asset!("dom.js", JS),
    asset!("format.js", JS),
    asset!("style.css", CSS),
    asset!("uPlot.iife.min.js", JS),
    asset!("uPlot.min.css", CSS),
    asset!("uPlot.LICENSE", "text/plain; charset=utf-8"),
    asset!("favicon.svg", "image/svg+xml"),
];

/// The asset called `name`, if there is one.
pub(crate) fn find(name: &str) -> Option<&'static Asset> {
    ASSETS.iter().find(|a| a.name == name)
}

impl Asset {
    /// A strong validator of the bytes (`"…"`, quoted as `ETag` wants),
    /// so browsers revalidate cheaply and never keep an old file after
    /// the binary changes.
    pub(crate) fn etag(&self) -> &'static str {
        static TAGS: OnceLock<Vec<String>> = OnceLock::new();
        let tags = TAGS.get_or_init(|| {
            std::iter::once(&INDEX)
                .chain(ASSETS)
                .map(|a| {
                    let mut h = DefaultHasher::new();
                    a.body.hash(&mut h);
                    format!("\"{:016x}\"", h.finish())
                })
                .collect()
        });
        let index = ASSETS
            .iter()
            .position(|a| a.name == self.name)
            .map_or(0, |i| i + 1);
        tags.get(index).map_or("\"0\"", String::as_str)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_plain_and_typed() {
        for (i, a) in ASSETS.iter().enumerate() {
            assert!(!a.body.is_empty(), "{}", a.name);
            assert!(!a.name.contains('/') && !a.name.starts_with('.'));
            assert!(ASSETS[..i].iter().all(|b| b.name != a.name));
            assert_eq!(find(a.name).map(|f| f.name), Some(a.name));
        }
        assert!(find("../Cargo.toml").is_none());
        assert!(find("").is_none());
        assert_ne!(INDEX.etag(), ASSETS[0].etag());
    }
}
