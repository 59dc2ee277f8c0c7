//! The key ring on disk, shared by every instance: `ring.json` (which keys exist, their kind, algorithm and
//! state) next to one PKCS#8 PEM file per key, all in `AUTHD_KEY_DIR`, files mode 0600.
//!
//! Writes are atomic (temporary file, fsync, rename) and serialised between processes by `.ring.lock`, so an
//! instance polling `ring.json` sees either the old ring or the new one, and two operators (or three instances
//! starting on an empty shared directory) cannot lose each other's keys. Key files are written before the
//! `ring.json` that names them and removed after the `ring.json` that no longer does.

mod files;
mod keygen;
mod ops;
mod state;
#[cfg(test)]
mod tests;

pub(crate) use keygen::thumbprint;
pub use ops::{MAX_LEEWAY, Rotation, generate, initialise, list, retire, rotate};
pub use state::{KeyAlg, KeyState, RingEntry, RingFile, STATE_FILE};
