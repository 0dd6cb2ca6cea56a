//! Builds the server: database, migrations, first-run bootstrap, listener. `Application::build`
//! binds before it returns, so callers (and tests, which bind port 0) learn the real port.

use std::net::SocketAddr;
use std::time::Duration;

use anyhow::Context;
use tokio::net::TcpListener;
use url::Url;

use crate::auth::hashing::PasswordHasher;
use crate::auth::{codes, sessions, throttle};
use crate::bootstrap::{self, FirstRun};
use crate::config::{Config, ConnectionLimits};
use crate::db::Db;
use crate::i18n::Msg;
use crate::outbox::sms::SmsSender;
use crate::outbox::smtp::SmtpSender;
use crate::outbox::worker::{self, OutboxSignal, Sender, WorkerSettings};
use crate::web::cookies::CookiePolicy;
use crate::web::state::{AppState, Inner};

pub struct Application {
    listener: TcpListener,
    state: AppState,
    local_addr: SocketAddr,
    connection_limits: ConnectionLimits,
    /// Set when this start created the first administrator.
    pub first_run: Option<FirstRun>,
}

impl Application {
    pub async fn build(config: &Config) -> anyhow::Result<Application> {
        let db = Db::connect_with(&config.database_url, config.database_timeouts).await?;
        let listener = TcpListener::bind(&config.bind).await.with_context(|| {
            format!("cannot listen on {}: is another program using that port? Set FRONTDESK_BIND or --bind to another address", config.bind)
        })?;
        let local_addr = listener.local_addr()?;
        let public_url = match &config.public_url {
            Some(u) => u.clone(),
            None => Url::parse(&format!("http://{local_addr}")).context("bound address is not a URL")?,
        };
        let first_run = bootstrap::ensure_first_admin(&db, config).await?;
        let hasher = PasswordHasher::new(config.hash_workers);
        // Make the dummy hash now, so the first sign-in for an unknown account takes no longer
        // than any other.
        hasher.verify("", None).await?;
        let outbox = OutboxSignal::default();
        let workers = WorkerSettings {
            node_id: config.outbox.node_id.clone().unwrap_or_else(|| worker::default_node_id(local_addr)),
            lease_secs: config.outbox.lease_secs,
            retry_base_secs: config.mail.retry_base_secs,
        };
        let mail_problem = match &config.mail.smtp {
            Some(smtp) => {
                let sender = Sender::Email(SmtpSender::new(smtp, &config.mail.from)?);
                worker::spawn_worker(db.clone(), sender, outbox.clone(), workers.clone());
                None
            }
            None => {
                let problem = Msg::new("outbox-mail-not-delivered");
                tracing::warn!("{}", problem.english());
                Some(problem)
            }
        };
        let sms_problem = match &config.sms {
            Some(sms) => {
                let sender = Sender::Sms(SmsSender::new(sms)?);
                worker::spawn_worker(db.clone(), sender, outbox.clone(), workers.clone());
                None
            }
            None => Some(Msg::new("outbox-sms-not-sent")),
        };
        if config.secret_key.is_none() && !crate::sso::settings::enabled_portal_ids(&db).await?.is_empty() {
            tracing::warn!(
                "FRONTDESK_SECRET_KEY is not set, so sign-in with Microsoft cannot work for the portals that use it: \
                 set it (the same on every node) and restart"
            );
        }
        let events = crate::events::start(&db);
        let kb = crate::kb::portal_cache::KbCache::following(&events);
        let signed_in = crate::auth::signed_in::SignedInCache::following(&events);
        let chat_messages = crate::chat::recent::RecentMessages::default();
        let chat_writer = crate::chat::store::MessageWriter::start(&db, &events, &chat_messages);
        let chat_reader = crate::chat::read_batch::MessageReader::start(db.clone());
        let state = AppState::new(Inner {
            events,
            cookies: CookiePolicy { secure: public_url.scheme() == "https" },
            db,
            hasher,
            sessions: config.sessions,
            public_url,
            trust_forwarded_for: config.trust_forwarded_for,
            outbox,
            mail_problem,
            sms_problem,
            code_lifetime_secs: config.code_lifetime_secs,
            secret_key: config.secret_key.clone(),
            oidc_http: crate::sso::provider::http_client(),
            directories: Default::default(),
            authority_hosts: config.entra_authority_hosts.clone(),
            kb,
            signed_in,
            chat_messages,
            chat_writer,
            chat_reader,
            session_touches: Default::default(),
            chat: config.chat,
        });
        crate::chat::sweeper::spawn(state.clone());
        Ok(Application { listener, state, local_addr, connection_limits: config.connections, first_run })
    }

    pub fn port(&self) -> u16 {
        self.local_addr.port()
    }

    pub fn public_url(&self) -> &Url {
        &self.state.public_url
    }

    pub fn state(&self) -> AppState {
        self.state.clone()
    }

    /// Serves until Ctrl-C or SIGTERM, then finishes the requests in flight.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        spawn_janitor(self.state.clone());
        crate::search::start_upkeep(&self.state.db);
        let app = crate::web::router(self.state.clone());
        tracing::info!(address = %self.local_addr, public_url = %self.state.public_url, "frontdesk is listening");
        crate::serve::serve(self.listener, app, self.connection_limits, shutdown_signal()).await?;
        // What the requests just finished stored is told to the other nodes before the end.
        self.state.events.flush(std::time::Duration::from_secs(5)).await;
        self.state.db.close().await;
        Ok(())
    }
}

/// Deletes expired sessions, stale throttle counts and uploads never linked to a message every
/// few minutes. Safe on every node at
/// once: the deletes are idempotent.
fn spawn_janitor(state: AppState) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(300));
        loop {
            tick.tick().await;
            let purged = async {
                Ok::<_, sqlx::Error>(
                    sessions::purge_expired(&state.db, state.sessions).await?
                        + throttle::purge_stale(&state.db).await?
                        + codes::purge_stale(&state.db).await?
                        + crate::sso::flows::purge(&state.db).await?
                        + crate::auth::known_browsers::purge_stale(&state.db).await?
                        + crate::tickets::visitors::links::purge_expired(&state.db, crate::db::now()).await?
                        + crate::tickets::satisfaction::purge_expired(&state.db, crate::db::now()).await?
                        + crate::tickets::attachments::sweep_pending(&state.db, crate::db::now()).await?,
                )
            };
            match purged.await {
                Ok(0) => {}
                Ok(n) => {
                    tracing::info!(
                        records = n,
                        "purged expired sessions, throttle counts, codes, sign-in flows and abandoned uploads"
                    )
                }
                Err(e) => tracing::warn!(error = %e, "could not purge expired records"),
            }
        }
    });
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
    tracing::info!("shutting down");
}
