//! The one error of the key code: which file, and what is wrong with it.

use std::path::{Path, PathBuf};

/// A key file or the ring state that could not be read, written or used.
#[derive(Debug, thiserror::Error)]
#[error("{path}: {problem}")]
pub struct KeyError {
    /// The key file, `ring.json` or the key directory.
    pub path: PathBuf,
    /// What went wrong with it.
    pub problem: String,
}

impl KeyError {
    pub(crate) fn new(path: &Path, problem: impl std::fmt::Display) -> Self {
        Self {
            path: path.to_owned(),
            problem: problem.to_string(),
        }
    }
}
