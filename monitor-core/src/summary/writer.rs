//! The directory side: a summary's two files written atomically (temp
//! file, fsync, rename), the files that already exist, and retention.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use super::period::{PeriodKind, SummaryPeriod};
use super::report::Summary;

/// The two extensions a summary is written with.
pub(crate) const EXTENSIONS: [&str; 2] = ["json", "csv"];

/// Why writing a summary failed.
#[derive(Debug, thiserror::Error)]
#[error("{what} {path}: {source}")]
pub struct WriteError {
    /// The step that failed (`create directory`, `write`, `rename`, …).
    pub what: &'static str,
    /// The file or directory it failed on.
    pub path: PathBuf,
    /// The underlying error.
    #[source]
    pub source: std::io::Error,
}

fn at<'a>(what: &'static str, path: &'a Path) -> impl FnOnce(std::io::Error) -> WriteError + 'a {
    move |source| WriteError {
        what,
        path: path.to_owned(),
        source,
    }
}

/// The path of `period`'s file with `extension` in `dir`.
pub(crate) fn file_of(dir: &Path, period: &SummaryPeriod, extension: &str) -> PathBuf {
    dir.join(format!("{}.{extension}", period.file_stem()))
}

/// Both files of `period` exist in `dir`.
pub(crate) fn exists(dir: &Path, period: &SummaryPeriod) -> bool {
    EXTENSIONS.iter().all(|e| file_of(dir, period, e).is_file())
}

/// Writes `summary` as `<stem>.json` and `<stem>.csv` into `dir`
/// (created if missing). Each file appears whole or not at all; the CSV
/// is renamed last, so "both exist" means both are complete.
pub(crate) fn write(
    dir: &Path,
    period: &SummaryPeriod,
    summary: &Summary,
) -> Result<(), WriteError> {
    fs::create_dir_all(dir).map_err(at("create directory", dir))?;
    let json_path = file_of(dir, period, "json");
    let json = serde_json::to_vec_pretty(summary)
        .map_err(|e| std::io::Error::other(e.to_string()))
        .map_err(at("serialize", &json_path))?;
    let csv_path = file_of(dir, period, "csv");
    let csv = summary.to_csv().map_err(at("serialize", &csv_path))?;
    write_atomic(&json_path, &json)?;
    write_atomic(&csv_path, &csv)?;
    if let Ok(d) = fs::File::open(dir) {
        // Makes the renames durable; a directory that cannot be opened
        // for this (some platforms) still has the files.
        let _ = d.sync_all();
    }
    Ok(())
}

fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), WriteError> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = path.with_file_name(format!(".{name}.tmp"));
    let result = (|| {
        let mut f = fs::File::create(&tmp).map_err(at("create", &tmp))?;
        f.write_all(bytes).map_err(at("write", &tmp))?;
        f.sync_all().map_err(at("fsync", &tmp))?;
        fs::rename(&tmp, path).map_err(at("rename", path))
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result
}

/// Deletes the oldest `kind` summaries in `dir` past the newest `keep`
/// (by name, which sorts by date); returns how many files were deleted.
/// Only files named as this module writes them are considered.
pub(crate) fn prune(dir: &Path, kind: PeriodKind, keep: usize) -> Result<u64, WriteError> {
    let prefix = format!("summary-{}-", kind.as_str());
    let mut stems: Vec<String> = Vec::new();
    for entry in fs::read_dir(dir).map_err(at("list", dir))?.flatten() {
        let name = entry.file_name();
        let Some(name) = name.to_str() else { continue };
        let Some((stem, ext)) = name.rsplit_once('.') else {
            continue;
        };
        if stem.starts_with(&prefix)
            && EXTENSIONS.contains(&ext)
            && !stems.iter().any(|s| s == stem)
        {
            stems.push(stem.to_owned());
        }
    }
    stems.sort_unstable();
    let old = stems.len().saturating_sub(keep);
    let mut deleted = 0;
    for stem in &stems[..old] {
        for ext in EXTENSIONS {
            let path = dir.join(format!("{stem}.{ext}"));
            match fs::remove_file(&path) {
                Ok(()) => deleted += 1,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(at("delete", &path)(e)),
            }
        }
    }
    Ok(deleted)
}
