//! Recovery codes through the same hashing threads: argon2id at a small fixed cost. The codes are 60 random bits,
//! so the hash only has to keep a database dump from being usable, not slow down guessing a human's choice.

use argon2::{Block, Params};

use super::{HashError, Passwords, phc};

/// 1 MiB, one pass: ~1-3 ms per code, so checking a set of ten stays cheap.
fn code_params() -> Params {
    Params::new(1024, 1, 1, None).expect("valid argon2 parameters")
}

impl Passwords {
    /// Argon2id PHC strings of `codes`, in one job.
    pub async fn hash_codes(&self, codes: Vec<String>) -> Result<Vec<String>, HashError> {
        self.pool
            .run(move |memory| {
                let params = code_params();
                let mut own = Vec::new();
                let memory = fit(memory, &params, &mut own);
                codes
                    .iter()
                    .map(|code| phc::hash(&params, code.as_bytes(), memory))
                    .collect::<Result<_, _>>()
                    .map_err(HashError::Failed)
            })
            .await
    }

    /// The index of the hash in `stored` that `code` matches, if any. Every hash is checked, so the time taken
    /// does not tell which one matched.
    pub async fn find_code(
        &self,
        code: String,
        stored: Vec<String>,
    ) -> Result<Option<usize>, HashError> {
        self.pool
            .run(move |memory| {
                let mut found = None;
                for (index, hash) in stored.iter().enumerate() {
                    let matches = matches!(
                        phc::verify(hash, code.as_bytes(), memory),
                        phc::Check::Matches { .. }
                    );
                    if matches && found.is_none() {
                        found = Some(index);
                    }
                }
                Ok(found)
            })
            .await
    }
}

/// The thread's memory when it is large enough for `params`, else memory of our own (test settings use less).
fn fit<'a>(memory: &'a mut [Block], params: &Params, own: &'a mut Vec<Block>) -> &'a mut [Block] {
    if memory.len() >= params.block_count() {
        return memory;
    }
    *own = vec![Block::new(); params.block_count()];
    own
}
