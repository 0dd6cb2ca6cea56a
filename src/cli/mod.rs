//! The command line: `frontdesk serve`, and operator commands to set up portals and accounts
//! from a script. Every command connects to the same database as the server and migrates it.
//! The commands' arguments are here; `portals` and `users` carry them out.

mod portals;
mod seed;
mod users;

use std::io::IsTerminal;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};

use crate::config::{
    self, Config, DatabaseUrl, MailConfig, Secret, SessionLimits, SmsConfig, SmsFormat, SmtpConfig, SmtpTls,
};
use crate::db::Db;
use crate::secrets::SecretKey;
use crate::startup::Application;

const EXAMPLES: &str = "\
Examples:
  Start the help desk on a SQLite file (created on first start):
    frontdesk serve
  Start it on PostgreSQL, reachable as https://help.example.com behind a proxy:
    FRONTDESK_DATABASE_URL=postgres://frontdesk@db/frontdesk \\
    FRONTDESK_PUBLIC_URL=https://help.example.com frontdesk serve --bind 0.0.0.0:8080
  Add a portal, configure it, and add an agent (password read from standard input):
    frontdesk portal add acme --name 'Acme Support'
    frontdesk portal set acme password_policy length_only
    frontdesk portal set acme default_language pt-BR
    printf '%s\\n' \"$AGENT_PASSWORD\" | frontdesk user add --portal acme --role agent --email ana@acme.test
  Let acme's staff sign in with its Microsoft Entra ID (FRONTDESK_SECRET_KEY must be set):
    frontdesk portal set acme entra_tenant_id 72f988bf-86f1-41af-91ab-2d7cd011db47
    frontdesk portal set acme entra_client_id 0f1e2d3c-4b5a-4697-8877-665544332211
    printf '%s\\n' \"$CLIENT_SECRET\" | frontdesk portal set acme entra_client_secret -
    frontdesk portal set acme entra_enabled true
";

#[derive(Parser, Debug)]
#[command(
    name = "frontdesk",
    version,
    about = "A self-hosted help desk: customer portals and a management interface over one database.",
    long_about = "A self-hosted help desk: customer portals and a management interface over one database.\n\n\
                  Run `frontdesk serve` to start the web server. The other commands set up portals and \
                  accounts in the same database, so a desk can be configured from a script. Every setting \
                  can come from a FRONTDESK_* environment variable or a flag; flags win.",
    after_help = EXAMPLES
)]
pub struct Cli {
    /// Database: sqlite://PATH (the file is created on first start) or postgres://USER@HOST:PORT/DB.
    #[arg(long, env = "FRONTDESK_DATABASE_URL", default_value = "sqlite://frontdesk.db", global = true)]
    database_url: String,

    #[command(subcommand)]
    command: Command,
}

// Parsed once per process: the size of `Serve` does not matter.
#[allow(clippy::large_enum_variant)]
#[derive(Subcommand, Debug)]
enum Command {
    /// Start the web server (portals at /login and /portal/SLUG/, management at /manage).
    ///
    /// Secrets come from the environment only: FRONTDESK_ADMIN_PASSWORD, FRONTDESK_SMTP_PASSWORD,
    /// FRONTDESK_SMS_TOKEN, FRONTDESK_SMS_PASSWORD, and FRONTDESK_SECRET_KEY (32+ characters, the
    /// same on every node), which seals stored secrets such as a portal's Entra ID client secret.
    Serve(ServeArgs),
    /// Add, configure and inspect portals.
    #[command(subcommand)]
    Portal(PortalCommand),
    /// Add, list, disable and enable accounts, and set their passwords.
    #[command(subcommand)]
    User(UserCommand),
    /// Fill the database with a realistic desk (portals, people, tickets), for trying it out.
    Seed(seed::SeedArgs),
}

#[derive(Args, Debug)]
struct ServeArgs {
    /// Address to listen on (host:port). Port 0 picks a free port.
    #[arg(long, env = "FRONTDESK_BIND", default_value = "127.0.0.1:8080")]
    bind: String,
    /// The address people reach Frontdesk at; links in emails and cookie security follow from it.
    /// An https URL makes cookies Secure with the __Host- prefix. Default: http://BIND.
    #[arg(long, env = "FRONTDESK_PUBLIC_URL")]
    public_url: Option<String>,
    /// Minutes of inactivity after which a session ends.
    #[arg(long, env = "FRONTDESK_SESSION_IDLE_MINUTES", default_value_t = 30, value_parser = clap::value_parser!(i64).range(1..=1440))]
    session_idle_minutes: i64,
    /// Hours after sign-in at which a session ends, active or not.
    #[arg(long, env = "FRONTDESK_SESSION_ABSOLUTE_HOURS", default_value_t = 12, value_parser = clap::value_parser!(i64).range(1..=720))]
    session_absolute_hours: i64,
    /// Take the client address from X-Forwarded-For. Only behind a reverse proxy you trust.
    #[arg(long, env = "FRONTDESK_TRUST_FORWARDED_FOR", default_value_t = false)]
    trust_forwarded_for: bool,
    /// Passwords hashed at once (Argon2id is CPU-heavy); default: the number of cores.
    #[arg(long, env = "FRONTDESK_HASH_WORKERS", value_parser = clap::value_parser!(u16).range(1..=256))]
    hash_workers: Option<u16>,
    /// Email of the first administrator, created on first start with an empty database.
    #[arg(long, env = "FRONTDESK_ADMIN_EMAIL")]
    admin_email: Option<String>,
    /// SMTP server for outgoing mail. Without it, mail waits in the outbox undelivered.
    /// The password is read from FRONTDESK_SMTP_PASSWORD only.
    #[arg(long, env = "FRONTDESK_SMTP_HOST")]
    smtp_host: Option<String>,
    /// SMTP port; default 25 (none), 587 (starttls) or 465 (tls).
    #[arg(long, env = "FRONTDESK_SMTP_PORT")]
    smtp_port: Option<u16>,
    /// none, starttls or tls.
    #[arg(long, env = "FRONTDESK_SMTP_TLS", default_value = "starttls")]
    smtp_tls: SmtpTls,
    #[arg(long, env = "FRONTDESK_SMTP_USERNAME")]
    smtp_username: Option<String>,
    /// Sender of every email: `help@example.com` or `Help desk <help@example.com>`.
    #[arg(long, env = "FRONTDESK_MAIL_FROM", default_value = "Frontdesk <frontdesk@localhost>")]
    mail_from: String,
    /// SMS gateway endpoint (for Twilio, its API base such as https://api.twilio.com). Without it,
    /// portals cannot send sign-in codes by SMS. A bearer token comes from FRONTDESK_SMS_TOKEN,
    /// Basic credentials from FRONTDESK_SMS_USERNAME and FRONTDESK_SMS_PASSWORD.
    #[arg(long, env = "FRONTDESK_SMS_URL")]
    sms_url: Option<String>,
    /// json ({"to", "body"}), form (to=&body=) or twilio (Messages API).
    #[arg(long, env = "FRONTDESK_SMS_FORMAT", default_value = "json")]
    sms_format: SmsFormat,
    #[arg(long, env = "FRONTDESK_SMS_USERNAME")]
    sms_username: Option<String>,
    /// Sender number or name for SMS (required by Twilio).
    #[arg(long, env = "FRONTDESK_SMS_FROM")]
    sms_from: Option<String>,
    /// Minutes a sign-in code stays valid.
    #[arg(long, env = "FRONTDESK_CODE_MINUTES", default_value_t = 10, value_parser = clap::value_parser!(i64).range(1..=60))]
    code_minutes: i64,
    /// Seconds before the first retry of a message that could not be sent; doubles each time.
    #[arg(long, env = "FRONTDESK_OUTBOX_RETRY_SECS", default_value_t = 30, value_parser = clap::value_parser!(i64).range(1..=3600))]
    outbox_retry_secs: i64,
    /// Comma-separated Microsoft Entra ID sign-in hosts that portals may use (default: Microsoft's
    /// public, US Government and China clouds). Only the operator decides which identity
    /// providers may vouch for staff.
    #[arg(long, env = "FRONTDESK_ENTRA_AUTHORITY_HOSTS")]
    entra_authority_hosts: Option<crate::sso::settings::AuthorityHosts>,
    /// Seconds a client has to send a request's headers; also how long a kept-alive connection
    /// may sit idle between requests.
    #[arg(long, env = "FRONTDESK_HEADER_TIMEOUT_SECS", default_value_t = 20, value_parser = clap::value_parser!(u64).range(1..=600))]
    header_timeout_secs: u64,
    /// Seconds a client has to send a request's body once its headers are in.
    #[arg(long, env = "FRONTDESK_BODY_TIMEOUT_SECS", default_value_t = 60, value_parser = clap::value_parser!(u64).range(1..=3600))]
    body_timeout_secs: u64,
    /// Client connections served at once. Keep it below the process's open-file limit.
    #[arg(long, env = "FRONTDESK_MAX_CONNECTIONS", default_value_t = 1000, value_parser = clap::value_parser!(u64).range(1..=1_000_000))]
    max_connections: u64,
    /// Milliseconds a request waits for a database connection before answering 503.
    #[arg(long, env = "FRONTDESK_DB_ACQUIRE_TIMEOUT_MS", default_value_t = 1500, value_parser = clap::value_parser!(u64).range(100..=60_000))]
    db_acquire_timeout_ms: u64,
    /// Milliseconds /healthz waits for the database before answering 503.
    #[arg(long, env = "FRONTDESK_HEALTH_TIMEOUT_MS", default_value_t = 1000, value_parser = clap::value_parser!(u64).range(100..=60_000))]
    health_timeout_ms: u64,
    /// This node's name among the nodes on one database, the same across its restarts. Default:
    /// the host name and the --bind address.
    #[arg(long, env = "FRONTDESK_NODE_ID")]
    node_id: Option<String>,
    /// Seconds a node holds a claimed outbox message; renewed before each message is sent.
    #[arg(long, env = "FRONTDESK_OUTBOX_LEASE_SECS", default_value_t = 120, value_parser = clap::value_parser!(i64).range(5..=3600))]
    outbox_lease_secs: i64,
}

#[derive(Subcommand, Debug)]
enum PortalCommand {
    /// Add a portal. Its pages are at /portal/SLUG/.
    Add {
        /// Short name in its address: lower-case letters, digits and dashes.
        slug: String,
        /// Display name.
        #[arg(long)]
        name: String,
    },
    /// Change one setting of a portal. Keys: name, host, listed, sender_name, default_language
    /// (en, pt-BR, or empty for the browser's), customer_signin, password_policy,
    /// password_min_length, and for staff sign-in with Microsoft Entra ID:
    /// entra_tenant_id, entra_client_id, entra_client_secret, entra_authority_host,
    /// entra_link_rule (match_username or create_pending) and entra_enabled (true/false).
    /// Give the client secret as - to read it from standard input (or a hidden prompt), so it stays
    /// out of process lists and shell history; storing it needs FRONTDESK_SECRET_KEY.
    Set { slug: String, key: String, value: String },
    /// Print every setting of a portal.
    Show { slug: String },
    /// List all portals.
    List,
}

#[derive(Subcommand, Debug)]
enum UserCommand {
    /// Add an account. The password is read from the first line of standard input when that is
    /// not a terminal, else asked for (never give it on the command line).
    Add {
        #[arg(long)]
        portal: String,
        /// admin and agent are staff (one account for every portal they work in); customer belongs to the portal.
        #[arg(long, value_parser = ["admin", "agent", "customer"])]
        role: String,
        #[arg(long)]
        email: String,
        #[arg(long, default_value = "")]
        name: String,
        /// A customer's mobile number with country code, for sign-in codes by SMS
        /// (as people write it: "+1 (555) 123-0001").
        #[arg(long)]
        mobile: Option<String>,
    },
    /// Set an account's password (read like `user add`) and end all its sessions. With --portal,
    /// the customer of that portal; without, the staff account.
    SetPassword {
        #[arg(long)]
        email: String,
        #[arg(long)]
        portal: Option<String>,
    },
    /// List a portal's staff (with --customers, its customers too), one per line, tab-separated:
    /// kind, role, email, name, status (active, invited, disabled, awaiting-approval, microsoft).
    List {
        #[arg(long)]
        portal: String,
        #[arg(long)]
        customers: bool,
    },
    /// Disable an account and end all its sessions. With --portal, the customer of that portal;
    /// without, the staff account (in every portal it works in).
    Disable {
        #[arg(long)]
        email: String,
        #[arg(long)]
        portal: Option<String>,
    },
    /// Enable a disabled account again (same arguments as disable).
    Enable {
        #[arg(long)]
        email: String,
        #[arg(long)]
        portal: Option<String>,
    },
}

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    init_logging();
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(r) => r,
        Err(e) => return fail(anyhow::anyhow!("cannot start the async runtime: {e}")),
    };
    match runtime.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => fail(e),
    }
}

fn fail(e: anyhow::Error) -> ExitCode {
    let chain: Vec<String> = e.chain().map(|c| c.to_string()).collect();
    eprintln!("error: {}", chain.join(": "));
    ExitCode::FAILURE
}

fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_env("FRONTDESK_LOG")
        // The access log's own line for a 5xx would repeat the one line the error already wrote.
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn,tower_http::trace::on_failure=off"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .init();
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    let database_url: DatabaseUrl =
        cli.database_url.parse().map_err(|e: String| anyhow::anyhow!("FRONTDESK_DATABASE_URL: {e}"))?;
    match cli.command {
        Command::Serve(args) => serve(database_url, args).await,
        Command::Portal(cmd) => portals::run(&Db::connect(&database_url).await?, cmd).await,
        Command::User(cmd) => users::run(&Db::connect(&database_url).await?, cmd).await,
        Command::Seed(args) => seed::run(&Db::connect(&database_url).await?, args).await,
    }
}

async fn serve(database_url: DatabaseUrl, args: ServeArgs) -> anyhow::Result<()> {
    let public_url = args
        .public_url
        .as_deref()
        .filter(|s| !s.is_empty())
        .map(config::parse_public_url)
        .transpose()
        .map_err(|e| anyhow::anyhow!("FRONTDESK_PUBLIC_URL: {e}"))?;
    let config = Config {
        bind: args.bind,
        public_url,
        database_url,
        sessions: SessionLimits {
            idle_secs: args.session_idle_minutes * 60,
            absolute_secs: args.session_absolute_hours * 3600,
        },
        trust_forwarded_for: args.trust_forwarded_for,
        hash_workers: args.hash_workers.map(usize::from).unwrap_or_else(config::default_hash_workers),
        admin_email: args.admin_email,
        admin_password: std::env::var("FRONTDESK_ADMIN_PASSWORD").ok().filter(|p| !p.is_empty()).map(Secret::new),
        mail: MailConfig {
            smtp: args.smtp_host.filter(|h| !h.is_empty()).map(|host| SmtpConfig {
                host,
                port: args.smtp_port.unwrap_or(match args.smtp_tls {
                    SmtpTls::None => 25,
                    SmtpTls::StartTls => 587,
                    SmtpTls::Tls => 465,
                }),
                tls: args.smtp_tls,
                username: args.smtp_username.filter(|u| !u.is_empty()),
                password: std::env::var("FRONTDESK_SMTP_PASSWORD").ok().filter(|p| !p.is_empty()).map(Secret::new),
            }),
            from: args.mail_from,
            retry_base_secs: args.outbox_retry_secs,
        },
        sms: match args.sms_url.filter(|u| !u.is_empty()) {
            None => None,
            Some(url) => Some(SmsConfig {
                url: url::Url::parse(&url)
                    .map_err(|e| anyhow::anyhow!("FRONTDESK_SMS_URL {url:?} is not a URL: {e}"))?,
                format: args.sms_format,
                token: env_secret("FRONTDESK_SMS_TOKEN"),
                username: args.sms_username.filter(|u| !u.is_empty()),
                password: env_secret("FRONTDESK_SMS_PASSWORD"),
                from: args.sms_from.filter(|f| !f.is_empty()),
            }),
        },
        code_lifetime_secs: args.code_minutes * 60,
        secret_key: SecretKey::from_env().map_err(anyhow::Error::msg)?,
        entra_authority_hosts: args.entra_authority_hosts.unwrap_or_default(),
        connections: config::ConnectionLimits {
            header_timeout_secs: args.header_timeout_secs,
            body_timeout_secs: args.body_timeout_secs,
            max_connections: usize::try_from(args.max_connections).unwrap_or(usize::MAX),
        },
        database_timeouts: config::DatabaseTimeouts {
            acquire_timeout_ms: args.db_acquire_timeout_ms,
            health_timeout_ms: args.health_timeout_ms,
        },
        outbox: config::OutboxConfig {
            node_id: args.node_id.filter(|n| !n.trim().is_empty()),
            lease_secs: args.outbox_lease_secs,
        },
        chat: config::ChatTimings::from_env().map_err(anyhow::Error::msg)?,
    };
    let app = Application::build(&config).await?;
    print_welcome(&app);
    app.run_until_stopped().await?;
    Ok(())
}

/// Tells the operator where to sign in (and, on first start, as whom). Written with `writeln!`
/// so that a closed standard output cannot stop the server.
fn print_welcome(app: &Application) {
    use std::io::Write;
    let base = app.public_url().as_str().trim_end_matches('/').to_string();
    let mut text = format!(
        "Frontdesk is running at {base}/\n  Management sign-in: {base}/manage/login\n  Customer sign-in:   {base}/login\n"
    );
    if let Some(first) = &app.first_run {
        text.push_str(&format!("First start: created the portal {:?} and its administrator\n", first.portal_slug));
        text.push_str(&format!("  email:    {}\n", first.email));
        if first.generated {
            text.push_str(&format!(
                "  password: {}   (generated: you will choose your own at first sign-in)\n",
                first.password.expose()
            ));
        } else {
            text.push_str("  password: the one in FRONTDESK_ADMIN_PASSWORD\n");
        }
    }
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(text.as_bytes()).and_then(|()| out.flush());
}

/// A secret from the environment only (never a flag: flags show in process lists).
fn env_secret(name: &str) -> Option<Secret> {
    std::env::var(name).ok().filter(|v| !v.is_empty()).map(Secret::new)
}
