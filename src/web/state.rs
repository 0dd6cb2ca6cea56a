//! What every handler can reach: the database, the password hasher and the server's settings.

use std::sync::Arc;

use url::Url;

use crate::auth::hashing::PasswordHasher;
use crate::config::SessionLimits;
use crate::db::Db;
use crate::outbox::worker::OutboxSignal;
use crate::secrets::SecretKey;
use crate::web::cookies::CookiePolicy;

#[derive(Clone)]
pub struct AppState(Arc<Inner>);

pub struct Inner {
    pub db: Db,
    pub hasher: PasswordHasher,
    pub cookies: CookiePolicy,
    pub sessions: SessionLimits,
    /// Sessions whose seen-at time this node wrote lately (`crate::auth::sessions::Touches`).
    pub session_touches: crate::auth::sessions::Touches,
    pub public_url: Url,
    pub trust_forwarded_for: bool,
    /// Wakes this node's outbox worker after a message was queued.
    pub outbox: OutboxSignal,
    /// `None` while email is delivered; otherwise why it is not, for administrators.
    pub mail_problem: Option<crate::i18n::Msg>,
    /// `None` while SMS is sent; otherwise why it is not.
    pub sms_problem: Option<crate::i18n::Msg>,
    /// How long a sign-in code stays valid, in seconds.
    pub code_lifetime_secs: i64,
    /// Seals and opens stored secrets; `None` when `FRONTDESK_SECRET_KEY` is not set.
    pub secret_key: Option<SecretKey>,
    /// For OpenID Connect providers (no redirects, short deadlines).
    pub oidc_http: reqwest::Client,
    /// Identity providers this node has discovered lately.
    pub directories: crate::sso::provider::DirectoryCache,
    /// The identity provider hosts portals may use (an operator's setting).
    pub authority_hosts: crate::sso::settings::AuthorityHosts,
    /// Changes made by other nodes and processes (`crate::events`).
    pub events: crate::events::EventBus,
    /// Customers' sessions this node read lately (`crate::auth::signed_in`).
    pub signed_in: crate::auth::signed_in::SignedInCache,
    /// This node's copy of the knowledge bases' lists (`crate::kb::portal_cache`).
    pub kb: crate::kb::portal_cache::KbCache,
    /// This node's copy of the chats' latest messages (`crate::chat::recent`).
    pub chat_messages: crate::chat::recent::RecentMessages,
    /// Where ordinary chat messages are written (`crate::chat::store::MessageWriter`).
    pub chat_writer: crate::chat::store::MessageWriter,
    /// Where sockets read messages other nodes stored (`crate::chat::read_batch`).
    pub chat_reader: crate::chat::read_batch::MessageReader,
    /// Agents' leases and the chat sweeper's periods.
    pub chat: crate::config::ChatTimings,
}

impl AppState {
    pub fn new(inner: Inner) -> Self {
        AppState(Arc::new(inner))
    }
}

impl AppState {
    /// What checking portal settings needs from this server's configuration.
    pub fn settings_context(&self) -> crate::web::settings::SettingsContext {
        crate::web::settings::SettingsContext {
            secret_key: self.secret_key.clone(),
            authority_hosts: self.authority_hosts.clone(),
        }
    }

    /// An absolute URL for a path on this server, for links in emails.
    pub fn absolute(&self, path: &str) -> String {
        format!("{}{path}", self.public_url.as_str().trim_end_matches('/'))
    }

    /// The absolute address of a portal's pages (its own host when it has one), without a
    /// trailing slash.
    pub fn portal_url(&self, portal: &crate::portals::Portal) -> String {
        match &portal.host {
            Some(host) => format!("{}://{host}", self.public_url.scheme()),
            None => self.absolute(&format!("/portal/{}", portal.slug)),
        }
    }
}

impl std::ops::Deref for AppState {
    type Target = Inner;
    fn deref(&self) -> &Inner {
        &self.0
    }
}
