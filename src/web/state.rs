//! What every handler can reach: the database, the password hasher and the server's settings.

use std::sync::Arc;

use url::Url;

use crate::auth::hashing::PasswordHasher;
use crate::config::SessionLimits;
use crate::db::Db;
use crate::web::cookies::CookiePolicy;

#[derive(Clone)]
pub struct AppState(Arc<Inner>);

pub struct Inner {
    pub db: Db,
    pub hasher: PasswordHasher,
    pub cookies: CookiePolicy,
    pub sessions: SessionLimits,
    pub public_url: Url,
    pub trust_forwarded_for: bool,
}

impl AppState {
    pub fn new(inner: Inner) -> Self {
        AppState(Arc::new(inner))
    }
}

impl std::ops::Deref for AppState {
    type Target = Inner;
    fn deref(&self) -> &Inner {
        &self.0
    }
}
