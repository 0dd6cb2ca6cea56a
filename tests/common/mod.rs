//! Test harness: starts the real server on a free loopback port against a fresh database, and a
//! cookie-keeping browser-like client. With `FRONTDESK_TEST_DATABASE_URL=postgres://...` (a
//! server the tests may create databases on) every test gets a new PostgreSQL database instead
//! of a new SQLite file, so one suite covers both backends.

pub mod chat_core;
pub mod language;
pub mod mail;
pub mod node;
pub mod oidc;
pub mod sms;

use std::sync::Arc;

use frontdesk::config::{Config, DatabaseUrl, Secret, SmsConfig, SmsFormat, SmtpConfig, SmtpTls};
use frontdesk::db::Db;
use frontdesk::startup::Application;
use reqwest::StatusCode;
use reqwest::cookie::{CookieStore, Jar};
use sqlx::Row;

pub const ADMIN_EMAIL: &str = "admin@example.com";
pub const ADMIN_PASSWORD: &str = "Admin-Passw0rd!";
pub const AGENT_PASSWORD: &str = "Ag3nt-Secret!x";

pub struct TestApp {
    pub base: String,
    pub db: Db,
    /// The running server's state (for calls the pages make, e.g. chat routing).
    pub state: frontdesk::web::state::AppState,
    pub database_url: DatabaseUrl,
    _dir: tempfile::TempDir,
}

/// A fresh database URL: a new PostgreSQL database, or a SQLite file in `dir`.
pub async fn fresh_database(dir: &tempfile::TempDir) -> DatabaseUrl {
    match std::env::var("FRONTDESK_TEST_DATABASE_URL") {
        Ok(admin_url) if !admin_url.is_empty() => {
            use sqlx::Connection;
            sqlx::any::install_default_drivers();
            let random = frontdesk::web::tokens::random_token().to_lowercase().replace(['-', '_'], "");
            let name = format!("fd_test_{}", &random[..16]);
            let mut conn =
                sqlx::AnyConnection::connect(&admin_url).await.expect("connect to the test PostgreSQL server");
            sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
                .execute(&mut conn)
                .await
                .expect("create test database");
            let mut url = url::Url::parse(&admin_url).expect("FRONTDESK_TEST_DATABASE_URL is a URL");
            url.set_path(&name);
            url.as_str().parse().expect("postgres URL")
        }
        _ => format!("sqlite://{}", dir.path().join("frontdesk.db").display()).parse().expect("sqlite URL"),
    }
}

pub async fn spawn() -> TestApp {
    spawn_with(|_| {}).await
}

/// Starts the server with mail going to a real SMTP server (`sink`); retries after 1 s.
pub async fn spawn_with_mail(sink: &mail::SmtpSink) -> TestApp {
    let port = sink.port;
    spawn_with(|c| use_smtp(c, port)).await
}

pub fn use_smtp(config: &mut Config, port: u16) {
    config.mail.smtp =
        Some(SmtpConfig { host: "127.0.0.1".into(), port, tls: SmtpTls::None, username: None, password: None });
    config.mail.from = "Help Desk <help@frontdesk.test>".into();
    config.mail.retry_base_secs = 1;
}

/// Sends SMS to `gateway` in its JSON format with a bearer token.
pub fn use_sms(config: &mut Config, gateway: &sms::SmsGateway) {
    config.sms = Some(SmsConfig {
        url: gateway.url().parse().unwrap(),
        format: SmsFormat::Json,
        token: Some(Secret::new("gateway-token")),
        username: None,
        password: None,
        from: Some("Frontdesk".into()),
    });
}

/// Starts the server with a config the caller may adjust.
pub async fn spawn_with(adjust: impl FnOnce(&mut Config)) -> TestApp {
    let dir = tempfile::tempdir().expect("temp dir");
    let database_url = fresh_database(&dir).await;
    spawn_on(database_url, dir, adjust).await
}

/// Starts a server on an existing database: a second node beside another.
pub async fn spawn_on(database_url: DatabaseUrl, dir: tempfile::TempDir, adjust: impl FnOnce(&mut Config)) -> TestApp {
    let mut config = Config::for_database(database_url.clone());
    config.admin_email = Some(ADMIN_EMAIL.into());
    config.admin_password = Some(Secret::new(ADMIN_PASSWORD));
    config.hash_workers = 2;
    adjust(&mut config);
    let app = Application::build(&config).await.expect("server starts");
    let base = format!("http://127.0.0.1:{}", app.port());
    let db = app.state().db.clone();
    let state = app.state();
    tokio::spawn(app.run_until_stopped());
    TestApp { base, db, state, database_url, _dir: dir }
}

impl TestApp {
    pub fn browser(&self) -> Browser {
        Browser::new(&self.base)
    }

    /// A browser that asks for Brazilian Portuguese (`Accept-Language: pt-BR`).
    pub fn browser_pt(&self) -> Browser {
        Browser::speaking(&self.base, Some("pt-BR"))
    }

    /// A browser asking for Portuguese, signed in to the management interface.
    pub async fn manage_as_pt(&self, email: &str, password: &str) -> Browser {
        let b = self.browser_pt();
        let page = b.sign_in_manage(email, password).await;
        assert_eq!(page.status, StatusCode::SEE_OTHER, "sign-in as {email} failed: {}", page.body);
        b
    }

    /// A browser signed in to the management interface.
    pub async fn manage_as(&self, email: &str, password: &str) -> Browser {
        let b = self.browser();
        let page = b.sign_in_manage(email, password).await;
        assert_eq!(page.status, StatusCode::SEE_OTHER, "sign-in as {email} failed: {}", page.body);
        b
    }

    pub async fn admin(&self) -> Browser {
        self.manage_as(ADMIN_EMAIL, ADMIN_PASSWORD).await
    }

    /// One integer from a query (`SELECT COUNT(*) AS n ...`).
    pub async fn count(&self, sql: &'static str) -> i64 {
        sqlx::query(sql).fetch_one(self.db.pool()).await.expect(sql).try_get("n").expect("column n")
    }

    /// One text value from a query (`SELECT ... AS v ...`).
    pub async fn text(&self, sql: &'static str) -> String {
        sqlx::query(sql).fetch_one(self.db.pool()).await.expect(sql).try_get("v").expect("column v")
    }

    pub async fn count_with(&self, sql: &'static str, arg: i64) -> i64 {
        sqlx::query(sql).bind(arg).fetch_one(self.db.pool()).await.expect(sql).try_get("n").expect("column n")
    }

    /// The `id` column of the one row `sql` (with `$1` = `arg`) finds.
    pub async fn id_of(&self, sql: &'static str, arg: &str) -> i64 {
        sqlx::query(sql).bind(arg).fetch_one(self.db.pool()).await.expect(sql).try_get("id").expect("column id")
    }

    /// A portal (added unless it is `default`) with a department named `Support of {slug}`:
    /// their ids.
    pub async fn portal_with_department(&self, slug: &str) -> (i64, i64) {
        if slug != "default" {
            self.cli_ok(&["portal", "add", slug, "--name", slug], "");
        }
        let portal = self.id_of("SELECT id FROM portals WHERE slug = $1", slug).await;
        (portal, self.department(portal, &format!("Support of {slug}")).await)
    }

    /// A department of the portal (names are unique in these tests); its id.
    pub async fn department(&self, portal_id: i64, name: &str) -> i64 {
        sqlx::query("INSERT INTO departments (portal_id, name, created_at) VALUES ($1, $2, 0)")
            .bind(portal_id)
            .bind(name)
            .execute(self.db.writer())
            .await
            .expect("a department");
        self.id_of("SELECT id FROM departments WHERE name = $1", name).await
    }

    /// A customer of portal `slug` with this password; their id.
    pub async fn customer(&self, slug: &str, email: &str, password: &str) -> i64 {
        let args = ["user", "add", "--portal", slug, "--role", "customer", "--email", email];
        self.cli_ok(&args, &format!("{password}\n"));
        self.id_of("SELECT id FROM customers WHERE email_lower = $1", email).await
    }

    /// A ticket of Rita Requester's (the customer's, if given) in `department`, written directly;
    /// its number.
    pub async fn ticket(&self, portal_id: i64, department_id: i64, customer_id: Option<i64>, subject: &str) -> i64 {
        use frontdesk::tickets::{Actor, Priority, store};
        let new = store::NewTicket {
            portal_id,
            department_id,
            customer_id,
            requester_name: "Rita Requester",
            requester_email: "rita@client.test",
            verified: true,
            priority: Priority::Normal,
            subject,
            body: "The first message.",
            opened_by: Actor::Other,
        };
        let mut tx = self.db.writer().begin().await.expect("a transaction");
        let created = store::create(&mut tx, &new, 1_700_000_000).await.expect("a ticket");
        tx.commit().await.expect("commit");
        created.number
    }

    /// An agent as `agent` makes them, signed in to management.
    pub async fn signed_in_agent(
        &self,
        slug: &str,
        email: &str,
        departments: &[i64],
        permissions: &[&str],
    ) -> (i64, Browser) {
        let name = email.split('@').next().unwrap_or(email);
        let id = self.agent(slug, email, name, departments, permissions).await;
        (id, self.manage_as(email, AGENT_PASSWORD).await)
    }

    /// An agent of portal `slug` (password `AGENT_PASSWORD`) in `departments`, holding
    /// `permissions` there; their id.
    pub async fn agent(&self, slug: &str, email: &str, name: &str, departments: &[i64], permissions: &[&str]) -> i64 {
        let args = ["user", "add", "--portal", slug, "--role", "agent", "--email", email, "--name", name];
        self.cli_ok(&args, &format!("{AGENT_PASSWORD}\n"));
        let id = self.id_of("SELECT id FROM staff WHERE email_lower = $1", email).await;
        let portal = self.id_of("SELECT id FROM portals WHERE slug = $1", slug).await;
        for department in departments {
            sqlx::query("INSERT INTO department_members (department_id, staff_id) VALUES ($1, $2)")
                .bind(department)
                .bind(id)
                .execute(self.db.writer())
                .await
                .expect("a department member");
        }
        for permission in permissions {
            sqlx::query("INSERT INTO staff_permissions (staff_id, portal_id, permission) VALUES ($1, $2, $3)")
                .bind(id)
                .bind(portal)
                .bind(permission)
                .execute(self.db.writer())
                .await
                .expect("a permission");
        }
        id
    }

    /// Runs the `frontdesk` binary and expects it to succeed.
    pub fn cli_ok(&self, args: &[&str], stdin: &str) -> String {
        let out = self.cli(args, stdin);
        assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8_lossy(&out.stdout).to_string()
    }

    /// Runs the `frontdesk` binary against this app's database, with `stdin` as its input.
    /// Stores a portal setting straight in the database, as SQL typed by hand would, and lets
    /// the server know at once.
    /// A file attached to a knowledge-base article, written directly; its id.
    pub async fn kb_article_file(&self, portal_id: i64, article_id: i64, content: &'static [u8]) -> i64 {
        let mut tx = self.db.writer().begin().await.unwrap();
        let body =
            futures_util::stream::once(async move { Ok::<_, std::io::Error>(axum::body::Bytes::from_static(content)) });
        let stored =
            frontdesk::tickets::attachments::store(&mut tx, portal_id, "notes.txt", body, 1 << 20, 100).await.unwrap();
        sqlx::query("INSERT INTO kb_article_attachments (portal_id, article_id, attachment_id) VALUES ($1, $2, $3)")
            .bind(portal_id)
            .bind(article_id)
            .bind(stored.id)
            .execute(&mut *tx)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        stored.id
    }

    pub async fn put_setting(&self, portal_id: i64, key: &str, value: &str) {
        sqlx::query(
            "INSERT INTO portal_settings (portal_id, key, value) VALUES ($1, $2, $3) \
             ON CONFLICT (portal_id, key) DO UPDATE SET value = excluded.value",
        )
        .bind(portal_id)
        .bind(key)
        .bind(value)
        .execute(self.db.writer())
        .await
        .expect("setting stored");
        self.db.config_cache().forget();
    }

    /// The server drops its copy of the portals' settings at once, as if the event bus had
    /// already told it (which takes up to a second; `config_cache.rs` tests that path).
    pub fn cli(&self, args: &[&str], stdin: &str) -> std::process::Output {
        let out = run_cli(&self.database_url, args, stdin);
        self.db.config_cache().forget();
        out
    }
}

pub fn run_cli(database_url: &DatabaseUrl, args: &[&str], stdin: &str) -> std::process::Output {
    run_cli_with_env(database_url, args, stdin, &[])
}

pub fn run_cli_with_env(
    database_url: &DatabaseUrl,
    args: &[&str],
    stdin: &str,
    env: &[(&str, &str)],
) -> std::process::Output {
    use std::io::Write;
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_frontdesk"))
        .args(args)
        .env_remove("FRONTDESK_SECRET_KEY")
        .envs(env.iter().copied())
        .env("FRONTDESK_DATABASE_URL", database_url.as_str())
        .env("FRONTDESK_LOG", "warn")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("run frontdesk");
    child.stdin.take().expect("stdin").write_all(stdin.as_bytes()).expect("write stdin");
    child.wait_with_output().expect("frontdesk finishes")
}

/// What a request returned.
#[derive(Debug)]
pub struct Page {
    pub status: StatusCode,
    pub body: String,
    pub location: Option<String>,
    pub headers: reqwest::header::HeaderMap,
}

impl Page {
    pub fn assert_status(&self, status: StatusCode) -> &Self {
        assert_eq!(self.status, status, "{}", self.body);
        self
    }

    pub fn assert_contains(&self, needle: &str) -> &Self {
        assert!(self.body.contains(needle), "expected {needle:?} in the page (status {}):\n{}", self.status, self.body);
        self
    }
    pub fn assert_lacks(&self, needle: &str) -> &Self {
        assert!(!self.body.contains(needle), "did not expect {needle:?} in the page:\n{}", self.body);
        self
    }
    pub fn assert_redirect_to(&self, prefix: &str) -> &Self {
        assert!(self.status.is_redirection(), "expected a redirect, got {}:\n{}", self.status, self.body);
        let loc = self.location.as_deref().unwrap_or("");
        assert!(loc.starts_with(prefix), "expected a redirect to {prefix}, got {loc}");
        self
    }
    /// Text between `before` and the next `after`.
    pub fn between(&self, before: &str, after: &str) -> String {
        let start =
            self.body.find(before).unwrap_or_else(|| panic!("{before:?} not in page:\n{}", self.body)) + before.len();
        let end = self.body[start..].find(after).expect("end marker") + start;
        self.body[start..end].to_string()
    }
}

/// A cookie-keeping client that does not follow redirects, so tests see each step.
#[derive(Clone)]
pub struct Browser {
    pub client: reqwest::Client,
    pub jar: Arc<Jar>,
    pub base: String,
}

impl Browser {
    pub fn new(base: &str) -> Browser {
        Browser::speaking(base, None)
    }

    /// A browser whose `Accept-Language` is `language` (e.g. `pt-BR`), or none.
    pub fn speaking(base: &str, language: Option<&str>) -> Browser {
        let jar = Arc::new(Jar::default());
        let mut headers = reqwest::header::HeaderMap::new();
        if let Some(language) = language {
            headers.insert("accept-language", language.parse().expect("a header value"));
        }
        let client = reqwest::Client::builder()
            .cookie_provider(jar.clone())
            .redirect(reqwest::redirect::Policy::none())
            .default_headers(headers)
            .build()
            .expect("client");
        Browser { client, jar, base: base.to_string() }
    }

    pub fn cookie(&self, name: &str) -> Option<String> {
        let url: reqwest::Url = self.base.parse().expect("base URL");
        let header = self.jar.cookies(&url)?;
        header
            .to_str()
            .ok()?
            .split("; ")
            .filter_map(|p| p.split_once('='))
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v.to_string())
    }

    async fn page(resp: reqwest::Response) -> Page {
        let status = resp.status();
        let headers = resp.headers().clone();
        let location = headers.get("location").and_then(|v| v.to_str().ok()).map(str::to_string);
        let body = resp.text().await.expect("body");
        Page { status, body, location, headers }
    }

    /// A path on the app, or an absolute URL elsewhere (an identity provider).
    fn url(&self, path: &str) -> String {
        if path.starts_with("http://") || path.starts_with("https://") {
            path.to_string()
        } else {
            format!("{}{path}", self.base)
        }
    }

    /// GET as a browser that reached this server by the host name `host` (a portal's own).
    pub async fn get_on_host(&self, host: &str, path: &str) -> Page {
        Self::page(self.client.get(self.url(path)).header("host", host).send().await.expect("GET")).await
    }

    pub async fn get(&self, path: &str) -> Page {
        Self::page(self.client.get(self.url(path)).send().await.expect("GET")).await
    }

    /// GET until `done` holds of the page: for a change made by another writer, which reaches
    /// a node's copies within a second or so (an event, or a poll). Panics with the last page
    /// after five seconds.
    pub async fn get_until(&self, path: &str, what: &str, done: impl Fn(&Page) -> bool) -> Page {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
        loop {
            let page = self.get(path).await;
            if done(&page) {
                return page;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "{path} never showed {what} (status {}):\n{}",
                page.status,
                page.body
            );
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
    }

    /// GET, then follow redirects within the site.
    pub async fn follow(&self, path: &str) -> Page {
        let mut page = self.get(path).await;
        for _ in 0..5 {
            match (&page.location, page.status.is_redirection()) {
                (Some(loc), true) => page = self.get(&loc.clone()).await,
                _ => break,
            }
        }
        page
    }

    /// POSTs a form with this browser's CSRF token added (fetching a page first if needed).
    pub async fn post(&self, path: &str, fields: &[(&str, &str)]) -> Page {
        if self.cookie("fd_csrf").is_none() {
            self.get("/login").await;
        }
        let csrf = self.cookie("fd_csrf").expect("csrf cookie");
        let mut form: Vec<(&str, &str)> = vec![("csrf", csrf.as_str())];
        form.extend_from_slice(fields);
        self.post_raw(path, &form).await
    }

    /// POSTs exactly these fields, no CSRF token added.
    pub async fn post_raw(&self, path: &str, fields: &[(&str, &str)]) -> Page {
        let resp = self.client.post(self.url(path)).form(fields).send().await.expect("POST");
        Self::page(resp).await
    }

    /// POSTs a multipart form as a browser sends a form with files: this browser's CSRF token
    /// first, then `fields`, then each `(filename, content)` of `files` as a `files` part.
    pub async fn post_multipart(&self, path: &str, fields: &[(&str, &str)], files: &[(&str, &[u8])]) -> Page {
        if self.cookie("fd_csrf").is_none() {
            self.get("/login").await;
        }
        let csrf = self.cookie("fd_csrf").expect("csrf cookie");
        let form = reqwest::multipart::Form::new().text("csrf", csrf);
        self.post_form(path, with_files(with_fields(form, fields), files)).await
    }

    /// POSTs exactly this multipart form (see `with_fields`, `with_files`).
    pub async fn post_form(&self, path: &str, form: reqwest::multipart::Form) -> Page {
        let resp = self.client.post(self.url(path)).multipart(form).send().await.expect("POST");
        Self::page(resp).await
    }

    /// GET, with the body as bytes (a download).
    pub async fn get_bytes(&self, path: &str) -> (StatusCode, reqwest::header::HeaderMap, Vec<u8>) {
        let resp = self.client.get(self.url(path)).send().await.expect("GET");
        let (status, headers) = (resp.status(), resp.headers().clone());
        (status, headers, resp.bytes().await.expect("body").to_vec())
    }

    pub async fn sign_in_manage(&self, email: &str, password: &str) -> Page {
        self.post("/manage/login", &[("email", email), ("password", password)]).await
    }

    pub async fn sign_in_portal(&self, slug: &str, email: &str, password: &str) -> Page {
        self.post(&format!("/portal/{slug}/login"), &[("email", email), ("password", password)]).await
    }
}

/// `form` with these text fields added, in order.
pub fn with_fields(form: reqwest::multipart::Form, fields: &[(&str, &str)]) -> reqwest::multipart::Form {
    fields.iter().fold(form, |form, (name, value)| form.text(name.to_string(), value.to_string()))
}

/// `form` with each `(filename, content)` added as a `files` part, as a file input sends them.
pub fn with_files(form: reqwest::multipart::Form, files: &[(&str, &[u8])]) -> reqwest::multipart::Form {
    files.iter().fold(form, |form, (filename, content)| {
        let part = reqwest::multipart::Part::bytes(content.to_vec())
            .file_name(filename.to_string())
            .mime_str("application/octet-stream")
            .expect("a MIME type");
        form.part("files", part)
    })
}
