//! The snapshot file format: a fixed header, then the state encoded with
//! postcard (compact, no schema on disk).
//!
//! ```text
//! 0   8  magic  "MONSNAP\0"
//! 8   2  format version, little-endian
//! 10  8  payload length, little-endian
//! 18  4  CRC-32 of the payload, little-endian
//! 22  …  payload
//! ```
//!
//! The checksum catches torn or damaged files before a byte is trusted;
//! the version makes a file from a newer release an explicit error rather
//! than garbage.

use super::legacy::{SnapshotV1, SnapshotV2};
use super::{Snapshot, SnapshotError};

/// The format version this build writes and reads.
pub const FORMAT_VERSION: u16 = 3;
/// The oldest format version this build still reads (see `legacy.rs`).
pub const OLDEST_READABLE_VERSION: u16 = 1;
/// Largest snapshot accepted (a sanity bound: the real ones are a few MiB).
pub const MAX_SNAPSHOT_BYTES: u64 = 256 * 1024 * 1024;

pub(super) const MAGIC: &[u8; 8] = b"MONSNAP\0";
pub(super) const HEADER: usize = 22;

impl Snapshot {
    /// The snapshot as file bytes.
    pub fn encode(&self) -> Result<Vec<u8>, SnapshotError> {
        let payload =
            postcard::to_stdvec(self).map_err(|e| SnapshotError::Encode(e.to_string()))?;
        let mut out = Vec::with_capacity(HEADER + payload.len());
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
        out.extend_from_slice(&(payload.len() as u64).to_le_bytes());
        out.extend_from_slice(&crc32fast::hash(&payload).to_le_bytes());
        out.extend_from_slice(&payload);
        Ok(out)
    }

    /// Reads file bytes back, checking magic, version, length and checksum
    /// before decoding. Content checks (sketch ranges, ids) happen when the
    /// parts are restored.
    pub fn decode(bytes: &[u8]) -> Result<Snapshot, SnapshotError> {
        if bytes.len() < HEADER || &bytes[..8] != MAGIC {
            return Err(SnapshotError::NotASnapshot);
        }
        let version = u16::from_le_bytes([bytes[8], bytes[9]]);
        if !(OLDEST_READABLE_VERSION..=FORMAT_VERSION).contains(&version) {
            return Err(SnapshotError::UnsupportedVersion {
                found: version,
                supported: FORMAT_VERSION,
            });
        }
        let mut len = [0u8; 8];
        len.copy_from_slice(&bytes[10..18]);
        let len = u64::from_le_bytes(len);
        if len > MAX_SNAPSHOT_BYTES {
            return Err(SnapshotError::TooLarge {
                size: len,
                max: MAX_SNAPSHOT_BYTES,
            });
        }
        let payload = &bytes[HEADER..];
        if payload.len() as u64 != len {
            return Err(SnapshotError::Truncated {
                expected: len,
                found: payload.len() as u64,
            });
        }
        let mut crc = [0u8; 4];
        crc.copy_from_slice(&bytes[18..22]);
        let (expected, found) = (u32::from_le_bytes(crc), crc32fast::hash(payload));
        if expected != found {
            return Err(SnapshotError::Checksum { expected, found });
        }
        let decoded = match version {
            1 => postcard::from_bytes::<SnapshotV1>(payload).map(Snapshot::from),
            2 => postcard::from_bytes::<SnapshotV2>(payload).map(Snapshot::from),
            _ => postcard::from_bytes(payload),
        };
        decoded.map_err(|e| SnapshotError::Decode(e.to_string()))
    }
}
