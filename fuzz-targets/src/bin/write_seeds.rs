//! Writes the generated seeds (snapshot files in the current format) into
//! `fuzz/seeds/snapshot/`. Run after a snapshot format change:
//! `cargo run -p fuzz-targets --bin write_seeds`.

use std::fs;
use std::path::Path;

fn main() -> std::io::Result<()> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz/seeds/snapshot");
    fs::create_dir_all(&dir)?;
    let [whole, payload] = fuzz_targets::snapshot::seeds();
    fs::write(dir.join("monitor-file"), whole)?;
    fs::write(dir.join("monitor-payload"), payload)?;
    println!("wrote 2 snapshot seeds to {}", dir.display());
    Ok(())
}
