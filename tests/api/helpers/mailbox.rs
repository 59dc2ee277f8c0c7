//! Mail as the tests receive it: a real SMTP server (aiosmtpd, `tests/support/smtp_sink.py`) run as a child
//! process, or the outbox directory of the file transport; both leave one `.eml` file per message.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// An SMTP server on a free local port that saves what it receives; stopped when dropped.
pub struct SmtpSink {
    child: Child,
    dir: tempfile::TempDir,
    pub port: u16,
}

impl SmtpSink {
    /// Starts the server (needs `python3` with `aiosmtpd`, which `.ci/run` installs).
    pub fn start() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/support/smtp_sink.py");
        let mut child = Command::new("python3")
            .arg(script)
            .arg(dir.path())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("python3 runs (the SMTP sink needs it, with aiosmtpd installed)");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let port = line.trim().parse().unwrap_or_else(|_| {
            panic!("the SMTP sink did not start (pip install aiosmtpd?): {line:?}")
        });
        Self { child, dir, port }
    }

    /// The `AUTHD_SMTP_URL` for it (plain SMTP: it is on loopback).
    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}?tls=none", self.port)
    }

    pub fn dir(&self) -> &Path {
        self.dir.path()
    }
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The messages in `dir` addressed to `to`, oldest first, with quoted-printable soft breaks undone.
pub fn mails_to(dir: &Path, to: &str) -> Vec<String> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|entries| entries.map(|e| e.unwrap().path()).collect())
        .unwrap_or_default();
    files.retain(|p| p.extension().is_some_and(|e| e == "eml"));
    files.sort_by_key(|p| (std::fs::metadata(p).unwrap().modified().unwrap(), p.clone()));
    files
        .iter()
        .map(|p| unfold(&std::fs::read_to_string(p).unwrap()))
        .filter(|mail| {
            mail.lines()
                .any(|l| l.eq_ignore_ascii_case(&format!("To: {to}")))
        })
        .collect()
}

/// Waits (up to 10 s) until `dir` holds `count` messages to `to`; returns them.
pub async fn wait_for_mails(dir: &Path, to: &str, count: usize) -> Vec<String> {
    for _ in 0..100 {
        let mails = mails_to(dir, to);
        if mails.len() >= count {
            return mails;
        }
        actix_web::rt::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("no {count} mail(s) to {to} arrived in {}", dir.display());
}

/// The one mail of `mails` that contains `needle` (messages are delivered a few at a time, so their order is not
/// the order of the requests).
pub fn mail_with<'a>(mails: &'a [String], needle: &str) -> &'a str {
    let found: Vec<&String> = mails.iter().filter(|m| m.contains(needle)).collect();
    assert_eq!(
        found.len(),
        1,
        "one mail with {needle:?} among {}",
        mails.len()
    );
    found[0]
}

/// The token of the first `#token=` link in `mail`.
pub fn token_in(mail: &str) -> String {
    let start = mail.find("#token=").expect("the mail has a link") + "#token=".len();
    mail[start..start + 43].to_owned()
}

fn unfold(raw: &str) -> String {
    raw.replace("=\r\n", "")
        .replace("=\n", "")
        .replace("=3D", "=")
}
