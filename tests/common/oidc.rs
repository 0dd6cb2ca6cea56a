//! A real OpenID Connect provider for tests: `tests/oidc/provider.mjs` (npm oidc-provider, laid
//! out like Microsoft Entra ID) on a loopback port, and the steps a person takes through it.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

use frontdesk::secrets::SecretKey;
use frontdesk::sso::settings::AuthorityHosts;
use frontdesk::web::settings::SettingsContext;

use super::{Browser, Page, TestApp};

pub const TENANT: &str = "6e4c3a2b-1f0d-4e9c-8b7a-5d4c3b2a1f0e";
pub const CLIENT_ID: &str = "0f1e2d3c-4b5a-4697-8877-665544332211";
/// With characters that need care in a form body.
pub const CLIENT_SECRET: &str = "Xy7~client.secret_with+odd&chars=";
pub const SECRET_KEY: &str = "a test FRONTDESK_SECRET_KEY of 32+ characters";

pub fn secret_key() -> SecretKey {
    SecretKey::from_passphrase(SECRET_KEY).expect("test key is long enough")
}

/// A user in the test directory: `login` is typed on the provider's page, and is also their
/// `preferred_username` unless `username` says otherwise.
#[derive(Clone, Copy)]
pub struct DirectoryUser {
    pub login: &'static str,
    pub username: Option<&'static str>,
    pub oid: &'static str,
    pub name: &'static str,
    pub email: Option<&'static str>,
}

pub struct OidcProvider {
    pub url: String,
    child: Child,
    http: reqwest::Client,
}

impl Drop for OidcProvider {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl OidcProvider {
    pub fn start() -> OidcProvider {
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/oidc/provider.mjs");
        let mut child = Command::new("node")
            .arg(script)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start the test OpenID Connect provider (node; scripts/install-test-deps)");
        let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
        let url = loop {
            let line = lines.next().expect("the provider printed its address").expect("read provider output");
            if let Ok(v) = serde_json::from_str::<serde_json::Value>(&line) {
                break v["url"].as_str().expect("url").to_string();
            }
        };
        OidcProvider { url, child, http: reqwest::Client::new() }
    }

    pub fn issuer(&self, tenant: &str) -> String {
        format!("{}/{tenant}/v2.0", self.url)
    }

    /// Adds a directory with the app registered in it as a client.
    pub async fn add_tenant(&self, tenant: &str, app: &TestApp, users: &[DirectoryUser]) {
        let accounts: Vec<serde_json::Value> = users
            .iter()
            .map(|u| serde_json::json!({"login": u.login, "username": u.username, "oid": u.oid, "name": u.name, "email": u.email}))
            .collect();
        let body = serde_json::json!({
            "tenant": tenant,
            "clients": [{
                "client_id": CLIENT_ID,
                "client_secret": CLIENT_SECRET,
                "redirect_uris": [format!("{}/auth/oidc/callback", app.base)],
                "post_logout_redirect_uris": [format!("{}/auth/oidc/signed-out", app.base)],
            }],
            "accounts": accounts,
        });
        let resp = self.http.post(format!("{}/_control/tenants", self.url)).json(&body).send().await.unwrap();
        assert!(resp.status().is_success(), "add tenant: {}", resp.text().await.unwrap());
    }

    /// Makes the tenant's next ID token wrong in one way (see provider.mjs).
    pub async fn tamper(&self, tenant: &str, kind: &str) {
        let body = serde_json::json!({"tenant": tenant, "kind": kind});
        let resp = self.http.post(format!("{}/_control/tamper", self.url)).json(&body).send().await.unwrap();
        assert!(resp.status().is_success());
    }

    /// The requests the provider received.
    pub async fn log(&self) -> Vec<serde_json::Value> {
        self.http.get(format!("{}/_control/log", self.url)).send().await.unwrap().json().await.unwrap()
    }
}

/// A loopback address where no provider answers, reserved once per test process so that servers
/// can allow it before a test points a portal at it.
pub fn closed_authority() -> String {
    static CLOSED: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    CLOSED.get_or_init(|| format!("http://127.0.0.1:{}", super::mail::free_port())).clone()
}

/// The sign-in hosts a test server allows: the provider's, and the closed address.
pub fn allowed_hosts(provider: &OidcProvider) -> AuthorityHosts {
    format!("{},{}", provider.url, closed_authority()).parse().expect("test authority hosts")
}

/// Sets one portal setting as an operator's `frontdesk portal set` would, on a server whose
/// operator allows the sign-in host being set.
pub async fn set_setting(app: &TestApp, slug: &str, key: &str, value: &str) -> Result<(), String> {
    let portal = frontdesk::portals::by_slug(&app.db, slug).await.unwrap().expect("portal");
    let hosts = if key == "entra_authority_host" { value.parse().expect("host") } else { AuthorityHosts::default() };
    let context = SettingsContext { secret_key: Some(secret_key()), authority_hosts: hosts };
    frontdesk::web::settings::set(&app.db, &context, &portal, key, value).await.map_err(|e| e.to_string())
}

/// Connects a portal to a directory of `provider` (as `frontdesk portal set` would).
pub async fn connect_portal(app: &TestApp, slug: &str, authority: &str, link_rule: &str) {
    let portal = frontdesk::portals::by_slug(&app.db, slug).await.unwrap().expect("portal");
    let context =
        SettingsContext { secret_key: Some(secret_key()), authority_hosts: authority.parse().expect("authority") };
    for (k, v) in [
        ("entra_tenant_id", TENANT),
        ("entra_client_id", CLIENT_ID),
        ("entra_client_secret", CLIENT_SECRET),
        ("entra_authority_host", authority),
        ("entra_link_rule", link_rule),
        ("entra_enabled", "true"),
    ] {
        frontdesk::web::settings::set(&app.db, &context, &portal, k, v).await.unwrap_or_else(|e| panic!("{k}: {e}"));
    }
}

/// Resolves a `Location` against the URL it came from.
fn join(from: &str, location: &str) -> String {
    reqwest::Url::parse(from).unwrap().join(location).unwrap().to_string()
}

pub enum AtProvider<'a> {
    SignInAs(&'a str),
    Cancel,
}

/// Starts a Microsoft sign-in for a portal's staff and goes through the provider's pages, up to
/// the provider sending the browser back. Returns that callback address (not yet visited).
pub async fn through_provider(browser: &Browser, slug: &str, action: AtProvider<'_>) -> String {
    through_provider_from(browser, &format!("/auth/oidc/start?portal={slug}"), action).await
}

/// The same, starting from a given start address (with `next`, say).
pub async fn through_provider_from(browser: &Browser, start_path: &str, action: AtProvider<'_>) -> String {
    let start = browser.get(start_path).await;
    assert_eq!(start.status, reqwest::StatusCode::SEE_OTHER, "start: {}", start.body);
    let mut url = start.location.clone().expect("to the provider");
    let callback = format!("{}/auth/oidc/callback", browser.base);
    for _ in 0..10 {
        let page = browser.get(&url).await;
        if page.status.is_redirection() {
            let next = join(&url, page.location.as_deref().expect("location"));
            if next.starts_with(&callback) {
                return next;
            }
            url = next;
            continue;
        }
        assert!(page.body.contains("Sign in to your account"), "provider page {url}: {}", page.body);
        let answer = match action {
            AtProvider::SignInAs(login) => browser.post_raw(&url, &[("login", login)]).await,
            AtProvider::Cancel => browser.post_raw(&url, &[("login", ""), ("cancel", "1")]).await,
        };
        assert!(answer.status.is_redirection(), "provider sign-in: {} {}", answer.status, answer.body);
        url = join(&url, answer.location.as_deref().unwrap());
        if url.starts_with(&callback) {
            return url;
        }
    }
    panic!("the provider never sent the browser back");
}

/// A whole Microsoft sign-in; returns the app's answer to the callback.
pub async fn sign_in_with_microsoft(browser: &Browser, slug: &str, login: &str) -> Page {
    let callback = through_provider(browser, slug, AtProvider::SignInAs(login)).await;
    browser.get(&callback).await
}

/// The fields of a settings page as a browser would submit them (without the CSRF token).
pub fn settings_form(page: &Page) -> Vec<(String, String)> {
    let mut fields = Vec::new();
    for input in page.body.split("<input").skip(1) {
        let tag = &input[..input.find('>').unwrap()];
        let attr =
            |name: &str| tag.split(&format!(r#"{name}=""#)).nth(1).map(|r| r[..r.find('"').unwrap()].to_string());
        let (Some(name), value) = (attr("name"), attr("value").unwrap_or_default()) else { continue };
        if name == "csrf" || (tag.contains(r#"type="checkbox""#) && !tag.contains("checked")) {
            continue;
        }
        fields.push((name, value));
    }
    for select in page.body.split("<select").skip(1) {
        let name = select.split(r#"name=""#).nth(1).map(|r| r[..r.find('"').unwrap()].to_string()).unwrap();
        let options = &select[..select.find("</select>").unwrap()];
        let chosen =
            options.split("<option").skip(1).find(|o| o.contains(" selected")).or(options.split("<option").nth(1));
        let value = chosen.and_then(|o| o.split(r#"value=""#).nth(1)).map(|r| r[..r.find('"').unwrap()].to_string());
        fields.push((name, value.unwrap_or_default()));
    }
    fields
}

pub fn as_refs(fields: &[(String, String)]) -> Vec<(&str, &str)> {
    fields.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect()
}
