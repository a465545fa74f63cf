//! Where snapshots live: written atomically (temporary file, fsync,
//! rename, fsync of the directory), read back with every check, and a bad
//! file moved aside, never deleted or overwritten.

use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

use super::{Snapshot, SnapshotError};
use crate::clock::unix_ms;

/// A snapshot file at one path.
#[derive(Clone, Debug)]
pub struct SnapshotFile {
    path: PathBuf,
}

/// What [`SnapshotFile::load_or_set_aside`] found.
#[derive(Debug)]
pub enum Loaded {
    /// No snapshot yet: start fresh.
    Missing,
    /// A good snapshot.
    Snapshot(Box<Snapshot>),
    /// A damaged or unknown-version file, moved to `moved_to`.
    SetAside {
        /// Why it could not be used.
        error: SnapshotError,
        /// Where it is now.
        moved_to: PathBuf,
    },
    /// A file that could not be read or moved (permissions, I/O); left
    /// where it is, and the monitor starts fresh without overwriting it
    /// until it can be moved.
    Unreadable(SnapshotError),
}

impl SnapshotFile {
    /// The snapshot file at `path`.
    pub fn new(path: impl Into<PathBuf>) -> Self {
        SnapshotFile { path: path.into() }
    }

    /// Its path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Writes `snapshot` atomically: after a crash at any point the file
    /// holds either the previous snapshot or this one, whole.
    pub fn save(&self, snapshot: &Snapshot) -> Result<u64, SnapshotError> {
        let bytes = snapshot.encode()?;
        self.save_bytes(&bytes)?;
        Ok(bytes.len() as u64)
    }

    /// Writes already-encoded bytes atomically (see [`save`](Self::save)).
    pub fn save_bytes(&self, bytes: &[u8]) -> Result<(), SnapshotError> {
        let tmp = self.temp_path();
        let io = |op: &'static str, path: &Path| {
            let path = path.to_path_buf();
            move |source| SnapshotError::Io { op, path, source }
        };
        let written = (|| {
            let mut f = OpenOptions::new()
                .write(true)
                .create(true)
                .truncate(true)
                .open(&tmp)
                .map_err(io("create", &tmp))?;
            f.write_all(bytes).map_err(io("write", &tmp))?;
            f.sync_all().map_err(io("fsync", &tmp))
        })();
        if let Err(e) = written {
            let _ = fs::remove_file(&tmp);
            return Err(e);
        }
        if let Err(e) = fs::rename(&tmp, &self.path).map_err(io("rename", &self.path)) {
            let _ = fs::remove_file(&tmp);
            return Err(e);
        }
        // Make the rename itself durable.
        if let Some(dir) = self.path.parent().filter(|d| !d.as_os_str().is_empty()) {
            File::open(dir)
                .and_then(|d| d.sync_all())
                .map_err(io("fsync directory", dir))?;
        }
        Ok(())
    }

    /// Reads and checks the snapshot; `Ok(None)` when there is none.
    pub fn load(&self) -> Result<Option<Snapshot>, SnapshotError> {
        match fs::metadata(&self.path) {
            // A parent that is not a directory holds no file either: there
            // is nothing to restore or to protect, and saves fail (counted)
            // until the directory is there.
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::NotFound | std::io::ErrorKind::NotADirectory
                ) =>
            {
                return Ok(None);
            }
            Err(source) => {
                return Err(SnapshotError::Io {
                    op: "stat",
                    path: self.path.clone(),
                    source,
                });
            }
            Ok(m) if m.len() > super::MAX_SNAPSHOT_BYTES + 64 => {
                return Err(SnapshotError::TooLarge {
                    size: m.len(),
                    max: super::MAX_SNAPSHOT_BYTES,
                });
            }
            Ok(_) => {}
        }
        let bytes = fs::read(&self.path).map_err(|source| SnapshotError::Io {
            op: "read",
            path: self.path.clone(),
            source,
        })?;
        Snapshot::decode(&bytes).map(Some)
    }

    /// [`load`](Self::load), moving a file that cannot be used aside (to
    /// `<path>.corrupt-<unix ms>`), so the next save does not overwrite
    /// it. Also removes temporary files a crashed writer left.
    pub fn load_or_set_aside(&self) -> Loaded {
        self.remove_stale_temps();
        match self.load() {
            Ok(None) => Loaded::Missing,
            Ok(Some(s)) => Loaded::Snapshot(Box::new(s)),
            Err(error @ SnapshotError::Io { .. }) => Loaded::Unreadable(error),
            Err(error) => match self.set_aside() {
                Ok(moved_to) => Loaded::SetAside { error, moved_to },
                Err(_) => Loaded::Unreadable(error),
            },
        }
    }

    /// Moves the current file to a new `.corrupt-*` name; never replaces an
    /// existing file.
    pub fn set_aside(&self) -> Result<PathBuf, SnapshotError> {
        let stamp = unix_ms(std::time::SystemTime::now());
        for n in 0..1000 {
            let mut name = self.path.clone().into_os_string();
            name.push(format!(".corrupt-{stamp}"));
            if n > 0 {
                name.push(format!("-{n}"));
            }
            let target = PathBuf::from(name);
            if target.exists() {
                continue;
            }
            // A hard link fails rather than replace an existing file.
            return match fs::hard_link(&self.path, &target) {
                Ok(()) => {
                    fs::remove_file(&self.path).map_err(|source| SnapshotError::Io {
                        op: "remove after set-aside",
                        path: self.path.clone(),
                        source,
                    })?;
                    Ok(target)
                }
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
                Err(_) => fs::rename(&self.path, &target)
                    .map(|()| target.clone())
                    .map_err(|source| SnapshotError::Io {
                        op: "set aside",
                        path: target,
                        source,
                    }),
            };
        }
        Err(SnapshotError::Io {
            op: "set aside",
            path: self.path.clone(),
            source: std::io::Error::other("no free .corrupt-* name"),
        })
    }

    fn temp_path(&self) -> PathBuf {
        let mut name = self.path.clone().into_os_string();
        name.push(format!(".tmp-{}", std::process::id()));
        PathBuf::from(name)
    }

    fn remove_stale_temps(&self) {
        let (Some(dir), Some(file)) = (self.path.parent(), self.path.file_name()) else {
            return;
        };
        let dir = if dir.as_os_str().is_empty() {
            Path::new(".")
        } else {
            dir
        };
        let prefix = format!("{}.tmp-", file.to_string_lossy());
        let Ok(entries) = fs::read_dir(dir) else {
            return;
        };
        for entry in entries.flatten() {
            if entry.file_name().to_string_lossy().starts_with(&prefix) {
                let _ = fs::remove_file(entry.path());
            }
        }
    }
}
