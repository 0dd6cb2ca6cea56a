//! A real SMTP server for tests: `tests/smtp_sink.py` (aiosmtpd) on a loopback port, and
//! helpers that read what it received.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub struct SmtpSink {
    pub port: u16,
    dir: PathBuf,
    _tempdir: Option<tempfile::TempDir>,
    child: Option<Child>,
    /// Seconds the server takes to accept each message (0: at once).
    delay_secs: f64,
}

/// A free loopback port (free when this returns; the caller binds it soon after).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

impl SmtpSink {
    pub fn start() -> SmtpSink {
        let tempdir = tempfile::tempdir().unwrap();
        let mut sink = SmtpSink {
            port: free_port(),
            dir: tempdir.path().to_path_buf(),
            _tempdir: Some(tempdir),
            child: None,
            delay_secs: 0.0,
        };
        sink.up();
        sink
    }

    /// A sink that is not listening yet (the SMTP server is "down"); `up` starts it.
    pub fn down() -> SmtpSink {
        let tempdir = tempfile::tempdir().unwrap();
        SmtpSink {
            port: free_port(),
            dir: tempdir.path().to_path_buf(),
            _tempdir: Some(tempdir),
            child: None,
            delay_secs: 0.0,
        }
    }

    pub fn up(&mut self) {
        assert!(self.try_up(), "SMTP sink did not start on port {}", self.port);
    }

    fn try_up(&mut self) -> bool {
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/smtp_sink.py");
        let mut child = Command::new("python3")
            .arg(script)
            .arg(self.port.to_string())
            .arg(&self.dir)
            .arg(self.delay_secs.to_string())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start the SMTP sink (python3 with aiosmtpd: scripts/install-test-deps)");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
        if line.trim() != "ready" {
            let _ = child.kill();
            let _ = child.wait();
            return false;
        }
        self.child = Some(child);
        true
    }

    pub fn messages(&self) -> Vec<Mail> {
        let mut files: Vec<_> = std::fs::read_dir(&self.dir)
            .unwrap()
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "eml"))
            .collect();
        files.sort();
        files.iter().map(|p| Mail::parse(&std::fs::read(p).unwrap())).collect()
    }

    /// Waits for a message to `to` whose subject contains `subject`.
    pub async fn wait_for(&self, to: &str, subject: &str) -> Mail {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if let Some(m) = self.messages().into_iter().find(|m| m.to.contains(to) && m.subject.contains(subject)) {
                return m;
            }
            assert!(Instant::now() < deadline, "no message to {to} about {subject:?}; have: {:?}", self.subjects());
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    pub fn subjects(&self) -> Vec<String> {
        self.messages().into_iter().map(|m| format!("{} -> {}", m.subject, m.to)).collect()
    }
}

impl SmtpSink {
    /// A mail server that takes `delay_secs` to accept each message.
    pub fn start_slow(delay_secs: f64) -> SmtpSink {
        let mut sink = SmtpSink::down();
        sink.delay_secs = delay_secs;
        sink.up();
        sink
    }
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

#[derive(Debug, Clone)]
pub struct Mail {
    pub to: String,
    pub from: String,
    pub subject: String,
    pub text: String,
    pub html: String,
    pub message_id: String,
    pub in_reply_to: String,
    pub references: String,
}

impl Mail {
    fn parse(raw: &[u8]) -> Mail {
        let parsed = mailparse::parse_mail(raw).expect("a MIME message");
        let header = |name: &str| {
            use mailparse::MailHeaderMap;
            parsed.headers.get_first_value(name).unwrap_or_default()
        };
        let (mut text, mut html) = (String::new(), String::new());
        for part in parsed.parts() {
            match part.ctype.mimetype.as_str() {
                "text/plain" => text = part.get_body().unwrap(),
                "text/html" => html = part.get_body().unwrap(),
                _ => {}
            }
        }
        Mail {
            to: header("To"),
            from: header("From"),
            subject: header("Subject"),
            text,
            html,
            message_id: header("Message-ID"),
            in_reply_to: header("In-Reply-To"),
            references: header("References"),
        }
    }

    /// The first link in the text part that contains `needle`, as a path on the server.
    pub fn link(&self, needle: &str) -> String {
        let url = self
            .text
            .split_whitespace()
            .find(|w| w.starts_with("http") && w.contains(needle))
            .unwrap_or_else(|| panic!("no link with {needle:?} in:\n{}", self.text));
        let after_scheme = url.split_once("://").unwrap().1;
        format!("/{}", after_scheme.split_once('/').unwrap().1)
    }
}
