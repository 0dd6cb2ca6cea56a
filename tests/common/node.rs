//! The real `frontdesk serve` binary as a separate process, for what an in-process server cannot
//! show: `kill -9`, and several nodes on one database.

use std::io::{BufRead, BufReader};
use std::process::{Child, ChildStdout, Command, Stdio};

use super::{ADMIN_EMAIL, ADMIN_PASSWORD};

/// A running node: kill it with `process.kill()` (SIGKILL: no shutdown, no flush).
pub struct Node {
    pub process: Child,
    pub base: String,
    /// Kept open so that the node never writes to a closed pipe.
    _stdout: BufReader<ChildStdout>,
}

/// Starts `frontdesk serve` on port 0 against `db_url` (the administrator of `crate::common`
/// on first run), with `env` added.
pub fn start_node_with(db_url: &str, env: &[(&str, &str)]) -> Node {
    let mut command = Command::new(env!("CARGO_BIN_EXE_frontdesk"));
    command
        .arg("serve")
        .env("FRONTDESK_BIND", "127.0.0.1:0")
        .env("FRONTDESK_DATABASE_URL", db_url)
        .env("FRONTDESK_ADMIN_EMAIL", ADMIN_EMAIL)
        .env("FRONTDESK_ADMIN_PASSWORD", ADMIN_PASSWORD)
        .env("FRONTDESK_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    for (key, value) in env {
        command.env(key, value);
    }
    let mut process = command.spawn().expect("start frontdesk");
    let mut reader = BufReader::new(process.stdout.take().expect("stdout"));
    let mut first = String::new();
    reader.read_line(&mut first).expect("read the first line");
    let base = first.trim().trim_start_matches("Frontdesk is running at ").trim_end_matches('/').to_string();
    assert!(base.starts_with("http://127.0.0.1:"), "frontdesk did not start: {first:?}");
    Node { process, base, _stdout: reader }
}

pub fn start_node(db_url: &str) -> Node {
    start_node_with(db_url, &[])
}

impl Node {
    /// `kill -9`, and waits for the process to be gone.
    pub fn kill_9(&mut self) {
        self.process.kill().expect("kill frontdesk");
        self.process.wait().expect("wait for frontdesk");
    }
}

impl Drop for Node {
    fn drop(&mut self) {
        let _ = self.process.kill();
        let _ = self.process.wait();
    }
}
