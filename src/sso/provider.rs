//! Talking to a tenant of Microsoft Entra ID (or any OpenID Connect provider laid out like it):
//! discovery, the authorization request, redeeming the code, verifying the ID token.
//!
//! Each node keeps what discovery returned (the provider's addresses and signing keys) for
//! `DirectoryCache::TTL`, keyed by issuer and client, so a sign-in does not wait on two extra
//! requests to the provider. A token signed with a key the cache does not know (the tenant
//! rotated its keys) makes the node discover again once before it refuses the token.

use openidconnect::core::{
    CoreAuthDisplay, CoreAuthPrompt, CoreAuthenticationFlow, CoreErrorResponseType, CoreGenderClaim, CoreJsonWebKey,
    CoreJweContentEncryptionAlgorithm, CoreJwsSigningAlgorithm, CoreRevocableToken, CoreRevocationErrorResponse,
    CoreTokenIntrospectionResponse, CoreTokenType,
};
use openidconnect::{
    AdditionalClaims, AuthType, AuthorizationCode, ClientId, ClientSecret, CsrfToken, EmptyExtraTokenFields,
    EndpointMaybeSet, EndpointNotSet, EndpointSet, IdTokenFields, IssuerUrl, Nonce, PkceCodeChallenge,
    PkceCodeVerifier, PostLogoutRedirectUrl, ProviderMetadataWithLogout, RedirectUrl, RequestTokenError, Scope,
    StandardErrorResponse, StandardTokenResponse, TokenResponse,
};
use openidconnect::{ClaimsVerificationError, SignatureVerificationError};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use url::Url;

/// The claims Entra ID adds that identify a user for good: `tid` (the directory) and `oid` (the
/// user in that directory, the same for every application).
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
pub struct EntraClaims {
    pub tid: Option<String>,
    pub oid: Option<String>,
}
impl AdditionalClaims for EntraClaims {}

type EntraTokenResponse = StandardTokenResponse<
    IdTokenFields<
        EntraClaims,
        EmptyExtraTokenFields,
        CoreGenderClaim,
        CoreJweContentEncryptionAlgorithm,
        CoreJwsSigningAlgorithm,
    >,
    CoreTokenType,
>;

type EntraClient = openidconnect::Client<
    EntraClaims,
    CoreAuthDisplay,
    CoreGenderClaim,
    CoreJweContentEncryptionAlgorithm,
    CoreJsonWebKey,
    CoreAuthPrompt,
    StandardErrorResponse<CoreErrorResponseType>,
    EntraTokenResponse,
    CoreTokenIntrospectionResponse,
    CoreRevocableToken,
    CoreRevocationErrorResponse,
    EndpointSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointMaybeSet,
    EndpointMaybeSet,
>;

/// Why a step with the provider failed. `Display` is for the log; pages say it in their words.
#[derive(Debug, thiserror::Error)]
pub enum ProviderError {
    /// The provider could not be reached or answered with something that is not OpenID Connect.
    #[error("provider unreachable or not answering OpenID Connect: {0}")]
    Unreachable(String),
    /// The provider refused to redeem the code (expired, reused, wrong client secret...).
    #[error("provider refused the code: {0}")]
    Refused(String),
    /// The answer did not pass verification: signature, issuer, audience, expiry, nonce, tenant.
    #[error("ID token rejected: {0}")]
    Rejected(String),
    /// Signed with a key this node does not know (yet): worth discovering again once.
    #[error("ID token signed with an unknown key: {0}")]
    UnknownKey(String),
}

/// The token endpoint's answer, redeemed but not yet verified.
pub struct Redeemed(EntraTokenResponse);

/// Issuer and client ID.
type DirectoryKey = (String, String);

/// Discovered directories, per node, for a few minutes; failed discoveries for a little while,
/// so that visitors starting sign-ins cannot make this node hammer a provider that is down.
#[derive(Default)]
pub struct DirectoryCache {
    entries: Mutex<HashMap<DirectoryKey, (Instant, Arc<Directory>)>>,
    failures: Mutex<HashMap<DirectoryKey, (Instant, String)>>,
}

impl DirectoryCache {
    pub const TTL: Duration = Duration::from_secs(300);
    pub const FAILURE_TTL: Duration = Duration::from_secs(30);

    /// The directory for an issuer and client, from the cache while it is fresh.
    pub async fn get(
        &self,
        http: &reqwest::Client,
        issuer: &str,
        client_id: &str,
    ) -> Result<Arc<Directory>, ProviderError> {
        let key = (issuer.to_string(), client_id.to_string());
        if let Some((at, dir)) = self.entries.lock().expect("cache lock").get(&key)
            && at.elapsed() < Self::TTL
        {
            return Ok(dir.clone());
        }
        if let Some((at, why)) = self.failures.lock().expect("cache lock").get(&key)
            && at.elapsed() < Self::FAILURE_TTL
        {
            return Err(ProviderError::Unreachable(format!("{why} (not retried for a few seconds)")));
        }
        self.refresh(http, issuer, client_id).await
    }

    /// Discovers again, whatever the cache holds.
    pub async fn refresh(
        &self,
        http: &reqwest::Client,
        issuer: &str,
        client_id: &str,
    ) -> Result<Arc<Directory>, ProviderError> {
        let key = (issuer.to_string(), client_id.to_string());
        let dir = match discover(http, issuer, client_id).await {
            Ok(dir) => Arc::new(dir),
            Err(e) => {
                self.failures.lock().expect("cache lock").insert(key, (Instant::now(), e.to_string()));
                return Err(e);
            }
        };
        self.failures.lock().expect("cache lock").remove(&key);
        self.entries.lock().expect("cache lock").insert(key, (Instant::now(), dir.clone()));
        Ok(dir)
    }
}

/// A user the provider vouched for, after every check.
#[derive(Clone, Debug)]
pub struct DirectoryUser {
    pub tenant_id: String,
    pub object_id: String,
    /// `preferred_username` (usually the user principal name); may be missing.
    pub username: Option<String>,
    pub email: Option<String>,
    pub name: Option<String>,
}

/// One tenant's provider, as discovered from its issuer.
pub struct Directory {
    metadata: ProviderMetadataWithLogout,
    client_id: ClientId,
}

pub async fn discover(http: &reqwest::Client, issuer: &str, client_id: &str) -> Result<Directory, ProviderError> {
    let issuer = IssuerUrl::new(issuer.to_string()).map_err(|e| ProviderError::Unreachable(e.to_string()))?;
    let metadata = ProviderMetadataWithLogout::discover_async(issuer, http)
        .await
        .map_err(|e| ProviderError::Unreachable(error_chain(&e)))?;
    Ok(Directory { metadata, client_id: ClientId::new(client_id.to_string()) })
}

fn error_chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}

impl Directory {
    fn client(&self, secret: Option<&str>, redirect: &str) -> Result<EntraClient, ProviderError> {
        let redirect = RedirectUrl::new(redirect.to_string()).map_err(|e| ProviderError::Unreachable(e.to_string()))?;
        Ok(EntraClient::from_provider_metadata(
            self.metadata.clone(),
            self.client_id.clone(),
            secret.map(|s| ClientSecret::new(s.to_string())),
        )
        .set_redirect_uri(redirect)
        // Entra ID takes the secret in the form body; Basic auth would need it URL-encoded first.
        .set_auth_type(AuthType::RequestBody))
    }

    /// Where to send the browser: the authorization code flow with PKCE (S256), `state` and
    /// `nonce`, asking for `openid profile email`.
    pub fn authorize_url(
        &self,
        redirect: &str,
        state: &str,
        nonce: &str,
        pkce_verifier: &str,
        login_hint: Option<&str>,
    ) -> Result<Url, ProviderError> {
        let client = self.client(None, redirect)?;
        let challenge = PkceCodeChallenge::from_code_verifier_sha256(&PkceCodeVerifier::new(pkce_verifier.into()));
        let (state, nonce) = (state.to_string(), nonce.to_string());
        let mut request = client
            .authorize_url(
                CoreAuthenticationFlow::AuthorizationCode,
                move || CsrfToken::new(state),
                move || Nonce::new(nonce),
            )
            .add_scope(Scope::new("profile".into()))
            .add_scope(Scope::new("email".into()))
            .set_pkce_challenge(challenge);
        if let Some(hint) = login_hint {
            request = request.add_extra_param("login_hint", hint);
        }
        Ok(request.url().0)
    }

    /// Redeems the code at the token endpoint (once: codes are single use).
    pub async fn redeem(
        &self,
        http: &reqwest::Client,
        secret: &str,
        redirect: &str,
        code: &str,
        pkce_verifier: &str,
    ) -> Result<Redeemed, ProviderError> {
        let client = self.client(Some(secret), redirect)?;
        let response = client
            .exchange_code(AuthorizationCode::new(code.to_string()))
            .map_err(|e| ProviderError::Unreachable(format!("the provider has no token endpoint: {e}")))?
            .set_pkce_verifier(PkceCodeVerifier::new(pkce_verifier.to_string()))
            .request_async(http)
            .await
            .map_err(|e| match e {
                RequestTokenError::ServerResponse(r) => ProviderError::Refused(r.to_string()),
                RequestTokenError::Request(e) => ProviderError::Unreachable(error_chain(&e)),
                other => ProviderError::Rejected(error_chain(&other)),
            })?;
        Ok(Redeemed(response))
    }

    /// Verifies the ID token: signature (RS256, against the keys the tenant publishes), issuer,
    /// audience, expiry and nonce; then that `tid` is the configured tenant and `oid` is present.
    pub fn verify(
        &self,
        redeemed: &Redeemed,
        secret: &str,
        redirect: &str,
        expected_nonce: &str,
        tenant_id: &str,
    ) -> Result<DirectoryUser, ProviderError> {
        let client = self.client(Some(secret), redirect)?;
        let id_token = redeemed
            .0
            .id_token()
            .ok_or_else(|| ProviderError::Rejected("the token response has no ID token".into()))?;
        let verifier = client.id_token_verifier().set_allowed_algs([CoreJwsSigningAlgorithm::RsaSsaPkcs1V15Sha256]);
        let claims = id_token
            .claims(&verifier, |nonce: Option<&Nonce>| match nonce {
                Some(n) if crate::web::tokens::constant_time_eq(n.secret(), expected_nonce) => Ok(()),
                Some(_) => Err("the nonce is not the one this sign-in sent".to_string()),
                None => Err("the ID token carries no nonce".to_string()),
            })
            .map_err(|e| match e {
                ClaimsVerificationError::SignatureVerification(SignatureVerificationError::NoMatchingKey) => {
                    ProviderError::UnknownKey(error_chain(&e))
                }
                e => ProviderError::Rejected(error_chain(&e)),
            })?;
        let extra = claims.additional_claims();
        match extra.tid.as_deref() {
            Some(tid) if tid.eq_ignore_ascii_case(tenant_id) => {}
            Some(tid) => return Err(ProviderError::Rejected(format!("tid {tid} is not the portal's tenant"))),
            None => return Err(ProviderError::Rejected("the ID token has no tid claim".into())),
        }
        let object_id = extra
            .oid
            .clone()
            .filter(|o| !o.trim().is_empty())
            .ok_or_else(|| ProviderError::Rejected("the ID token has no oid claim".into()))?;
        Ok(DirectoryUser {
            tenant_id: tenant_id.to_ascii_lowercase(),
            object_id: object_id.to_ascii_lowercase(),
            username: claims.preferred_username().map(|u| u.to_string()),
            email: claims.email().map(|e| e.to_string()),
            name: claims.name().and_then(|n| n.get(None)).map(|n| n.to_string()),
        })
    }

    /// The provider's end-session address with a way back to `post_logout` (carrying `state`),
    /// if the provider has one.
    pub fn end_session_url(&self, post_logout: &str, state: &str) -> Option<Url> {
        let endpoint = self.metadata.additional_metadata().end_session_endpoint.clone()?;
        let back = PostLogoutRedirectUrl::new(post_logout.to_string()).ok()?;
        Some(
            openidconnect::LogoutRequest::from(endpoint)
                .set_client_id(self.client_id.clone())
                .set_post_logout_redirect_uri(back)
                .set_state(CsrfToken::new(state.to_string()))
                .http_get_url(),
        )
    }
}

/// The HTTP client for providers: no redirects followed (discovery and token answers come
/// straight from the provider), and a deadline so a hung provider cannot hold a page.
pub fn http_client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .connect_timeout(std::time::Duration::from_secs(5))
        .timeout(std::time::Duration::from_secs(10))
        .build()
        .expect("a client with a rustls backend and no custom certificates builds")
}
