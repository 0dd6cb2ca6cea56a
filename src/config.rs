//! One `Config` for the server. Values come from defaults, then `FRONTDESK_*` environment
//! variables, then command-line flags (clap applies that order); see `cli::ServeArgs`.

use std::fmt;
use std::str::FromStr;

use url::Url;

use crate::secrets::SecretKey;

/// A value that must never reach a log or a `Debug` print.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

/// Which database engine a URL names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A database URL that has been checked to name a backend Frontdesk supports.
#[derive(Clone, PartialEq, Eq)]
pub struct DatabaseUrl {
    url: String,
    backend: Backend,
}

impl DatabaseUrl {
    pub fn backend(&self) -> Backend {
        self.backend
    }
    pub fn as_str(&self) -> &str {
        &self.url
    }
}

impl FromStr for DatabaseUrl {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim();
        let backend = if s.starts_with("sqlite:") {
            Backend::Sqlite
        } else if s.starts_with("postgres://") || s.starts_with("postgresql://") {
            Backend::Postgres
        } else {
            return Err(format!(
                "database URL {:?} is not supported: use sqlite://PATH (for example sqlite://frontdesk.db) \
                 or postgres://USER@HOST:PORT/DATABASE",
                redact_url(s)
            ));
        };
        if backend == Backend::Postgres {
            Url::parse(s).map_err(|e| format!("database URL is not a valid URL: {e}"))?;
        } else if s.trim_start_matches("sqlite:").trim_start_matches("//").is_empty() {
            return Err("sqlite URL names no file: use sqlite://PATH, for example sqlite://frontdesk.db".into());
        }
        Ok(DatabaseUrl { url: s.to_string(), backend })
    }
}

impl fmt::Debug for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DatabaseUrl({})", redact_url(&self.url))
    }
}

impl fmt::Display for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&redact_url(&self.url))
    }
}

/// The URL with any password replaced, for messages and logs.
fn redact_url(raw: &str) -> String {
    match Url::parse(raw) {
        Ok(mut url) if url.password().is_some() => {
            let _ = url.set_password(Some("***"));
            url.to_string()
        }
        _ => raw.to_string(),
    }
}

/// Session lifetimes, in seconds.
#[derive(Clone, Copy, Debug)]
pub struct SessionLimits {
    pub idle_secs: i64,
    pub absolute_secs: i64,
}

impl Default for SessionLimits {
    fn default() -> Self {
        SessionLimits { idle_secs: 30 * 60, absolute_secs: 12 * 3600 }
    }
}

/// How to talk to the SMTP server.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SmtpTls {
    /// Plain SMTP (only for a relay on the same machine or a trusted network).
    None,
    /// Upgrade with STARTTLS (usually port 587).
    StartTls,
    /// TLS from the first byte (usually port 465).
    Tls,
}

impl std::str::FromStr for SmtpTls {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "none" => Ok(SmtpTls::None),
            "starttls" => Ok(SmtpTls::StartTls),
            "tls" => Ok(SmtpTls::Tls),
            other => Err(format!("{other:?} is not an SMTP TLS mode: use none, starttls or tls")),
        }
    }
}

#[derive(Clone, Debug)]
pub struct SmtpConfig {
    pub host: String,
    pub port: u16,
    pub tls: SmtpTls,
    pub username: Option<String>,
    pub password: Option<Secret>,
}

/// Outgoing mail. Without SMTP settings messages still queue in the outbox, undelivered.
#[derive(Clone, Debug)]
pub struct MailConfig {
    pub smtp: Option<SmtpConfig>,
    /// `address` or `Name <address>`; a portal's sender name replaces the name.
    pub from: String,
    /// First retry delay after a temporary failure; it doubles with each attempt.
    pub retry_base_secs: i64,
}

impl Default for MailConfig {
    fn default() -> Self {
        MailConfig { smtp: None, from: "Frontdesk <frontdesk@localhost>".into(), retry_base_secs: 30 }
    }
}

/// How the SMS gateway wants its requests.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SmsFormat {
    /// POST JSON `{"to": "+1555...", "body": "..."}`.
    Json,
    /// POST a form `to=...&body=...`.
    Form,
    /// Twilio's Messages API: form `To`, `From`, `Body` to
    /// `{url}/2010-04-01/Accounts/{username}/Messages.json` with Basic auth.
    Twilio,
}

impl std::str::FromStr for SmsFormat {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "json" => Ok(SmsFormat::Json),
            "form" => Ok(SmsFormat::Form),
            "twilio" => Ok(SmsFormat::Twilio),
            other => Err(format!("{other:?} is not an SMS gateway format: use json, form or twilio")),
        }
    }
}

/// The HTTP gateway that sends SMS. Credentials: a bearer token, or a username and password
/// (Basic auth; for Twilio the account SID and auth token).
#[derive(Clone, Debug)]
pub struct SmsConfig {
    pub url: Url,
    pub format: SmsFormat,
    pub token: Option<Secret>,
    pub username: Option<String>,
    pub password: Option<Secret>,
    /// Sender number or name (required by Twilio).
    pub from: Option<String>,
}

#[derive(Clone, Debug)]
pub struct Config {
    /// Address to listen on, `host:port`; port 0 picks a free port.
    pub bind: String,
    /// The address users reach the server at; links and cookie security follow from it.
    /// `None` means "derive from the bound address".
    pub public_url: Option<Url>,
    pub database_url: DatabaseUrl,
    pub sessions: SessionLimits,
    /// Take the client address from `X-Forwarded-For` (only behind a trusted reverse proxy).
    pub trust_forwarded_for: bool,
    /// Password hashes computed at once; the rest wait their turn.
    pub hash_workers: usize,
    pub admin_email: Option<String>,
    pub admin_password: Option<Secret>,
    pub mail: MailConfig,
    pub sms: Option<SmsConfig>,
    /// How long a sign-in code stays valid.
    pub code_lifetime_secs: i64,
    /// From `FRONTDESK_SECRET_KEY`: seals stored secrets (a portal's Entra ID client secret).
    pub secret_key: Option<SecretKey>,
    /// The Microsoft Entra ID sign-in hosts portals may use (`FRONTDESK_ENTRA_AUTHORITY_HOSTS`).
    pub entra_authority_hosts: crate::sso::settings::AuthorityHosts,
    /// Timeouts and the cap on connections from clients.
    pub connections: ConnectionLimits,
    /// How long a request waits for a database connection, and how long `/healthz` waits.
    pub database_timeouts: DatabaseTimeouts,
    /// How this node leases outbox messages.
    pub outbox: OutboxConfig,
    /// Agents' leases and the chat sweeper's periods (`FRONTDESK_CHAT_*`).
    pub chat: ChatTimings,
}

/// Limits that keep slow or idle clients from holding the server's connections.
#[derive(Clone, Copy, Debug)]
pub struct ConnectionLimits {
    /// Time to send a request's headers; also how long a kept-alive connection may sit idle
    /// between requests.
    pub header_timeout_secs: u64,
    /// Time to send a request's body, counted from the end of its headers.
    pub body_timeout_secs: u64,
    /// Connections served at once. At the cap, a new connection replaces the oldest one that
    /// has no request in progress; when every one is busy, it waits.
    pub max_connections: usize,
}

impl Default for ConnectionLimits {
    fn default() -> Self {
        ConnectionLimits { header_timeout_secs: 20, body_timeout_secs: 60, max_connections: 1000 }
    }
}

/// Database waits. Short, so that an outage gives a quick 503 rather than a hang.
#[derive(Clone, Copy, Debug)]
pub struct DatabaseTimeouts {
    pub acquire_timeout_ms: u64,
    pub health_timeout_ms: u64,
}

impl Default for DatabaseTimeouts {
    fn default() -> Self {
        DatabaseTimeouts { acquire_timeout_ms: 1500, health_timeout_ms: 1000 }
    }
}

/// How this node claims outbox messages.
#[derive(Clone, Debug)]
pub struct OutboxConfig {
    /// This node's name, stable across restarts and distinct from every other node on the same
    /// database: on start, the node takes back the messages it had claimed under that name.
    /// `None`: the host name and the bound address.
    pub node_id: Option<String>,
    /// How long a claim on a message lasts; renewed before each message is sent. Must be longer
    /// than sending one message can take (the SMTP timeout is 30 s).
    pub lease_secs: i64,
}

impl Default for OutboxConfig {
    fn default() -> Self {
        OutboxConfig { node_id: None, lease_secs: 120 }
    }
}

/// How long an agent counts as present after their last sign of life, and what happens when
/// they go quiet. All in seconds except the sweep period.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ChatTimings {
    /// How far each renewal pushes an agent's lease (the presence socket renews it every
    /// third of this). `FRONTDESK_CHAT_LEASE_SECS`.
    pub lease_secs: i64,
    /// After the lease ran out: the agent turns away and gets nothing new.
    /// `FRONTDESK_CHAT_AWAY_AFTER_SECS`.
    pub away_after_secs: i64,
    /// After the lease ran out: the agent's open chats go back to the queue.
    /// `FRONTDESK_CHAT_REQUEUE_AFTER_SECS`.
    pub requeue_after_secs: i64,
    /// How often every node's sweeper looks for expired offers and silent agents.
    /// `FRONTDESK_CHAT_SWEEP_MS`.
    pub sweep_ms: u64,
    /// A presence socket that hears nothing from its page for this long closes, and renews
    /// the lease no more: the page vanished without closing it (a laptop shut, a network
    /// gone). The socket pings every third of the lease or of this, whichever is shorter, and
    /// browsers answer on their own.
    /// A ticket page's viewers socket does the same (the agent leaves the ticket's viewers).
    /// `FRONTDESK_CHAT_SILENT_AFTER_SECS`.
    pub silent_after_secs: u64,
}

impl Default for ChatTimings {
    fn default() -> Self {
        ChatTimings {
            lease_secs: 45,
            away_after_secs: 30,
            requeue_after_secs: 300,
            sweep_ms: 1000,
            silent_after_secs: 45,
        }
    }
}

impl ChatTimings {
    /// The defaults, overridden by whichever `FRONTDESK_CHAT_*` variables are set.
    pub fn from_env() -> Result<ChatTimings, String> {
        fn read<T>(name: &str, default: T, min: T) -> Result<T, String>
        where
            T: std::str::FromStr + PartialOrd + std::fmt::Display,
        {
            match std::env::var(name).ok().filter(|v| !v.trim().is_empty()) {
                None => Ok(default),
                Some(v) => match v.trim().parse::<T>() {
                    Ok(n) if n >= min => Ok(n),
                    _ => Err(format!("{name} must be a whole number of at least {min}, not {v:?}")),
                },
            }
        }
        let d = ChatTimings::default();
        Ok(ChatTimings {
            lease_secs: read("FRONTDESK_CHAT_LEASE_SECS", d.lease_secs, 3)?,
            away_after_secs: read("FRONTDESK_CHAT_AWAY_AFTER_SECS", d.away_after_secs, 0)?,
            requeue_after_secs: read("FRONTDESK_CHAT_REQUEUE_AFTER_SECS", d.requeue_after_secs, 0)?,
            sweep_ms: read("FRONTDESK_CHAT_SWEEP_MS", d.sweep_ms, 50)?,
            silent_after_secs: read("FRONTDESK_CHAT_SILENT_AFTER_SECS", d.silent_after_secs, 3)?,
        })
    }
}

impl Config {
    /// A config for tests and embedding: the given database, a free port on loopback.
    pub fn for_database(database_url: DatabaseUrl) -> Config {
        Config {
            bind: "127.0.0.1:0".into(),
            public_url: None,
            database_url,
            sessions: SessionLimits::default(),
            trust_forwarded_for: false,
            hash_workers: default_hash_workers(),
            admin_email: None,
            admin_password: None,
            mail: MailConfig::default(),
            sms: None,
            code_lifetime_secs: 600,
            secret_key: None,
            entra_authority_hosts: Default::default(),
            connections: ConnectionLimits::default(),
            database_timeouts: DatabaseTimeouts::default(),
            outbox: OutboxConfig::default(),
            chat: ChatTimings::default(),
        }
    }
}

pub fn default_hash_workers() -> usize {
    std::thread::available_parallelism().map(|n| n.get()).unwrap_or(2)
}

/// Parses `FRONTDESK_PUBLIC_URL`: an absolute http(s) URL with no query.
pub fn parse_public_url(s: &str) -> Result<Url, String> {
    let url = Url::parse(s.trim()).map_err(|e| format!("public URL {s:?} is not a valid URL: {e}"))?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
        return Err(format!("public URL {s:?} must start with http:// or https:// and name a host"));
    }
    Ok(url)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn database_url_picks_backend_from_scheme() {
        assert_eq!("sqlite://x.db".parse::<DatabaseUrl>().unwrap().backend(), Backend::Sqlite);
        assert_eq!("postgres://u@h/db".parse::<DatabaseUrl>().unwrap().backend(), Backend::Postgres);
        let err = "mysql://h/db".parse::<DatabaseUrl>().unwrap_err();
        assert!(err.contains("sqlite://"), "{err}");
        assert!("sqlite://".parse::<DatabaseUrl>().is_err());
    }

    #[test]
    fn secrets_and_url_passwords_stay_out_of_debug() {
        let url: DatabaseUrl = "postgres://u:hunter2@h/db".parse().unwrap();
        assert!(!format!("{url:?}").contains("hunter2"));
        assert!(!format!("{:?}", Secret::new("hunter2")).contains("hunter2"));
    }
}
