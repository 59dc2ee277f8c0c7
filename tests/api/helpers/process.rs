//! The `authd` binary in a process of its own: run to exit (a subcommand, a start-up failure), or serving.

use std::ops::Deref;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use super::http::Http;

/// How long a served binary may take to answer `/healthz`.
const READY_WITHIN: Duration = Duration::from_secs(20);

/// The `authd` binary, run in an empty temporary directory with `vars` as its whole environment (after
/// `AUTHD_BIND=127.0.0.1:0`), so nothing of the developer's environment leaks in.
pub fn authd<K: AsRef<str>, V: AsRef<str>>(vars: impl IntoIterator<Item = (K, V)>) -> Authd {
    let dir = tempfile::tempdir().unwrap();
    let mut command = Command::new(env!("CARGO_BIN_EXE_authd"));
    command
        .current_dir(dir.path())
        .env_clear()
        .env("AUTHD_BIND", "127.0.0.1:0");
    for (k, v) in vars {
        command.env(k.as_ref(), v.as_ref());
    }
    Authd { command, dir }
}

/// The binary, not started yet.
pub struct Authd {
    command: Command,
    dir: tempfile::TempDir,
}

/// How a run ended.
pub struct Exit {
    /// The exit code; -1 when killed by a signal.
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Authd {
    /// Runs `authd <args>` to its exit.
    pub fn run(mut self, args: &[&str]) -> Exit {
        let output = self
            .command
            .args(args)
            .output()
            .expect("the authd binary runs");
        Exit {
            code: output.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    }

    /// Runs `authd` (serving) until its stderr shows `line` (or 20 s pass), then stops it with SIGTERM; what it
    /// wrote is in the returned `Exit`.
    pub fn run_until(mut self, line: &str) -> Exit {
        let log = self.dir.path().join("stderr.log");
        let mut child = self
            .command
            .stdout(Stdio::piped())
            .stderr(std::fs::File::create(&log).unwrap())
            .spawn()
            .expect("the authd binary starts");
        let deadline = Instant::now() + READY_WITHIN;
        while !std::fs::read_to_string(&log).unwrap().contains(line)
            && child.try_wait().unwrap().is_none()
            && Instant::now() < deadline
        {
            std::thread::sleep(Duration::from_millis(50));
        }
        let pid = i32::try_from(child.id()).unwrap();
        // SAFETY: kill(2) on the pid of a child we own and have not reaped (a no-op error if it exited).
        unsafe { libc::kill(pid, libc::SIGTERM) };
        let output = child.wait_with_output().unwrap();
        Exit {
            code: output.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: std::fs::read_to_string(&log).unwrap(),
        }
    }

    /// Starts the server on a port of its own and waits until it answers `/healthz`.
    pub async fn serve(mut self) -> AuthdProcess {
        // The binary reports no port, so pick a free one; the window for another process to take it is short.
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .unwrap()
            .port();
        let child = self
            .command
            .env("AUTHD_BIND", format!("127.0.0.1:{port}"))
            .env("AUTHD_LOG", "warn")
            .stdout(Stdio::null())
            .spawn()
            .expect("the authd binary starts");
        let process = AuthdProcess {
            child,
            http: Http::local(port),
            _dir: self.dir,
        };
        let deadline = Instant::now() + READY_WITHIN;
        while process
            .client
            .get(process.url("/healthz"))
            .send()
            .await
            .is_err()
        {
            assert!(
                Instant::now() < deadline,
                "authd on port {port} did not come up"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        process
    }
}

/// A serving `authd` process, killed when dropped. Requests go through `Http` (deref).
pub struct AuthdProcess {
    child: Child,
    http: Http,
    _dir: tempfile::TempDir,
}

impl Deref for AuthdProcess {
    type Target = Http;

    fn deref(&self) -> &Http {
        &self.http
    }
}

impl AuthdProcess {
    /// Sends `signal` (`libc::SIGTERM`, `libc::SIGKILL`, ...) to the process.
    pub fn signal(&self, signal: i32) {
        let pid = i32::try_from(self.child.id()).unwrap();
        // SAFETY: kill(2) on the pid of a child this value owns and has not reaped.
        assert_eq!(
            unsafe { libc::kill(pid, signal) },
            0,
            "kill({pid}, {signal})"
        );
    }

    /// The exit code once the process has exited, polling for up to `within`; `None` if it still runs, -1 when
    /// a signal ended it.
    pub async fn exit_within(&mut self, within: Duration) -> Option<i32> {
        let deadline = Instant::now() + within;
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return Some(status.code().unwrap_or(-1));
            }
            if Instant::now() >= deadline {
                return None;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

impl Drop for AuthdProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
