//! Staff sign-in with a portal's own Microsoft Entra ID, against a real OpenID Connect provider
//! (npm oidc-provider laid out like Entra ID) on loopback: setup, the sign-in flow, the link
//! rules, what happens to passwords, sign-out, and every way the flow can go wrong.

use crate::common;
use crate::common::oidc::{
    AtProvider, CLIENT_SECRET, DirectoryUser, OidcProvider, SECRET_KEY, TENANT, allowed_hosts, as_refs,
    closed_authority, connect_portal, secret_key, set_setting, settings_form, sign_in_with_microsoft, through_provider,
};
use crate::common::{ADMIN_EMAIL, Browser, TestApp};
use reqwest::StatusCode;
use sqlx::Row;

const ANA: DirectoryUser = DirectoryUser {
    login: "ana@contoso.test",
    username: None,
    oid: "a1a1a1a1-0000-4000-8000-000000000001",
    name: "Ana Silva",
    // The email claim differs from the user name: matching must not use it.
    email: Some("ana.silva@mail.contoso.test"),
};
const BRUNO: DirectoryUser = DirectoryUser {
    login: "bruno@contoso.test",
    username: None,
    oid: "b2b2b2b2-0000-4000-8000-000000000002",
    name: "Bruno Costa",
    // Entra ID sends no email claim for many accounts.
    email: None,
};
/// Someone else in the directory who later gets Ana's user name (a re-created account).
const IMPOSTOR: DirectoryUser = DirectoryUser {
    login: "impostor@contoso.test",
    username: Some("ANA@contoso.test"),
    oid: "c3c3c3c3-0000-4000-8000-000000000003",
    name: "Not Ana",
    email: Some("ana@contoso.test"),
};
/// A directory account with the desk's system administrator's address.
const ADMIN_IN_DIRECTORY: DirectoryUser = DirectoryUser {
    login: ADMIN_EMAIL,
    username: None,
    oid: "d4d4d4d4-0000-4000-8000-000000000004",
    name: "Administrator",
    email: None,
};
const AGENT_PASSWORD: &str = "Agent-Passw0rd!";

/// A server with a secret key, a provider with the test directory, and the portal `default`
/// connected to it under `link_rule`.
async fn setup(link_rule: &str) -> (TestApp, OidcProvider) {
    let provider = OidcProvider::start();
    let app = common::spawn_with(|c| {
        c.secret_key = Some(secret_key());
        c.entra_authority_hosts = allowed_hosts(&provider);
    })
    .await;
    provider.add_tenant(TENANT, &app, &[ANA, BRUNO, IMPOSTOR, ADMIN_IN_DIRECTORY]).await;
    connect_portal(&app, "default", &provider.url, link_rule).await;
    (app, provider)
}

async fn add_agent(app: &TestApp, email: &str, name: &str) {
    let args = ["user", "add", "--portal", "default", "--role", "agent", "--email", email, "--name", name];
    let out = app.cli(&args, &format!("{AGENT_PASSWORD}\n"));
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
}

async fn staff_id(app: &TestApp, email: &str) -> i64 {
    sqlx::query("SELECT id FROM staff WHERE email_lower = $1")
        .bind(email.to_lowercase())
        .fetch_one(app.db.pool())
        .await
        .unwrap()
        .try_get("id")
        .unwrap()
}

async fn sso_sessions(app: &TestApp) -> i64 {
    app.count("SELECT COUNT(*) AS n FROM sessions WHERE sso_portal_id IS NOT NULL").await
}

#[tokio::test]
async fn first_sign_in_links_by_user_name_and_later_ones_by_directory_ids() {
    let (app, provider) = setup("match_username").await;
    add_agent(&app, "ana@contoso.test", "Ana Silva").await;
    let ana = staff_id(&app, "ana@contoso.test").await;

    let browser = app.browser();
    browser
        .get("/manage/login?portal=default")
        .await
        .assert_contains("Sign in with Microsoft")
        .assert_contains("/auth/oidc/start?portal=default");
    let answer = sign_in_with_microsoft(&browser, "default", ANA.login).await;
    answer.assert_redirect_to("/manage");
    browser.get("/manage").await.assert_contains("Ana Silva");
    let profile = browser.get("/manage/profile").await;
    profile.assert_contains("Management interface, with Microsoft").assert_contains("You sign in with Microsoft.");
    profile.assert_lacks(r#"action="/manage/profile/password""#);
    let change = browser
        .post(
            "/manage/profile/password",
            &[("current_password", ""), ("new_password", "New-Passw0rd!x"), ("confirm_password", "New-Passw0rd!x")],
        )
        .await;
    assert_eq!(change.status, StatusCode::BAD_REQUEST);
    change.assert_contains("no Frontdesk password to change");

    // Linked on the directory's stable ids; the Frontdesk password is gone.
    let row = sqlx::query("SELECT staff_id, tenant_id, object_id, username FROM sso_identities")
        .fetch_one(app.db.pool())
        .await
        .unwrap();
    assert_eq!(row.try_get::<i64, _>("staff_id").unwrap(), ana);
    assert_eq!(row.try_get::<String, _>("tenant_id").unwrap(), TENANT);
    assert_eq!(row.try_get::<String, _>("object_id").unwrap(), ANA.oid);
    assert_eq!(app.count_with("SELECT COUNT(*) AS n FROM staff WHERE id = $1 AND password_hash IS NULL", ana).await, 1);
    assert_eq!(sso_sessions(&app).await, 1);

    // What was asked of the provider: code flow, PKCE S256, state, nonce, the three scopes.
    let log = provider.log().await;
    let auth = log.iter().find(|r| r["path"].as_str().unwrap().ends_with("/auth")).expect("authorization request");
    let q = &auth["query"];
    assert_eq!(q["response_type"], "code");
    assert_eq!(q["code_challenge_method"], "S256");
    assert_eq!(q["code_challenge"].as_str().unwrap().len(), 43);
    assert_eq!(
        q["scope"].as_str().unwrap().split(' ').collect::<std::collections::BTreeSet<_>>(),
        ["email", "openid", "profile"].into()
    );
    assert!(q["state"].as_str().unwrap().len() >= 43 && q["nonce"].as_str().unwrap().len() >= 43);
    assert_eq!(q["redirect_uri"], format!("{}/auth/oidc/callback", app.base));
    // Only hashes of the state and of the browser's secret are stored.
    let stored = app.text("SELECT state_hash AS v FROM sso_flows").await;
    assert_ne!(stored, q["state"].as_str().unwrap());

    // A later sign-in finds the account by tid + oid, and returns to the page that asked for it.
    let again = Browser::new(&app.base);
    let login = again.get("/manage/login?portal=default&next=%2Fmanage%2Fprofile").await;
    let start = login.between(r#"id="microsoft-sign-in" href=""#, r#"""#).replace("&#38;", "&");
    assert_eq!(start, format!("{}/auth/oidc/start?portal=default&next=%2Fmanage%2Fprofile", app.base));
    let callback = common::oidc::through_provider_from(&again, &start, AtProvider::SignInAs(ANA.login)).await;
    again.get(&callback).await.assert_redirect_to("/manage/profile");
    assert_eq!(app.count("SELECT COUNT(*) AS n FROM sso_identities").await, 1);

    // Another directory account with the same user name (and Ana's address as its email) does
    // not get Ana's account.
    let other = Browser::new(&app.base);
    let refused = sign_in_with_microsoft(&other, "default", IMPOSTOR.login).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    refused.assert_contains("already linked to another Microsoft account");
    assert_eq!(other.get("/manage").await.status, StatusCode::SEE_OTHER, "not signed in");
}

#[tokio::test]
async fn a_linked_account_has_no_password_and_its_forgot_page_says_self_managed() {
    let (app, _provider) = setup("match_username").await;
    add_agent(&app, "ana@contoso.test", "Ana Silva").await;
    let b = app.browser();
    sign_in_with_microsoft(&b, "default", ANA.login).await.assert_redirect_to("/manage");

    // The old password no longer signs in, on either interface.
    let attempt = app.browser().sign_in_manage("ana@contoso.test", AGENT_PASSWORD).await;
    assert_eq!(attempt.status, StatusCode::UNAUTHORIZED);
    let attempt = app.browser().sign_in_portal("default", "ana@contoso.test", AGENT_PASSWORD).await;
    assert_eq!(attempt.status, StatusCode::UNAUTHORIZED);

    // The portal's staff sign-in page sends "Forgot your password?" to the seed's message.
    let login = app.browser().get("/manage/login?portal=default").await;
    login.assert_contains(r#"href="/manage/forgot?portal=default""#);
    let forgot = app.browser().get("/manage/forgot?portal=default").await;
    assert_eq!(forgot.status, StatusCode::OK);
    forgot.assert_contains("This user belongs to a self-managed group. Contact the account administrator.");
    forgot.assert_lacks("Send me a link");

    // The general form answers as for anyone, and emails the same message instead of a link.
    let page = app.browser().post("/manage/forgot", &[("email", "ana@contoso.test")]).await;
    page.assert_contains("If ana@contoso.test has an account here");
    let body = wait_for_outbox(&app, "ana@contoso.test").await;
    assert!(body.contains("This user belongs to a self-managed group"), "{body}");
    assert_eq!(app.count("SELECT COUNT(*) AS n FROM one_time_tokens WHERE used_at IS NULL").await, 0);

    // The administrator sees how the account signs in, and is not offered to send a password link.
    let admin = app.admin().await;
    let id = staff_id(&app, "ana@contoso.test").await;
    let agent = admin.get(&format!("/manage/agents/{id}")).await;
    agent
        .assert_contains("signs in with Microsoft")
        .assert_contains("ana@contoso.test")
        .assert_lacks("set-password link");

    // No set-password link can be sent while Microsoft manages the account.
    let refused = admin.post(&format!("/manage/agents/{id}/invite"), &[]).await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST);
    refused.assert_contains("signs in with Microsoft and has no Frontdesk password");
    // Added to another portal, they need no invitation either.
    let out = app.cli(&["portal", "add", "second", "--name", "Second desk"], "");
    assert!(out.status.success());
    admin.post("/manage/switch-portal", &[("portal", "second")]).await.assert_redirect_to("/manage");
    let added = admin.post("/manage/agents", &[("email", "ana@contoso.test"), ("name", ""), ("role", "agent")]).await;
    added.assert_redirect_to(&format!("/manage/agents/{id}?msg=added-microsoft"));
    assert_eq!(app.count("SELECT COUNT(*) AS n FROM one_time_tokens WHERE used_at IS NULL").await, 0);
    admin.post("/manage/switch-portal", &[("portal", "default")]).await.assert_redirect_to("/manage");

    // Unlinking gives the account back to Frontdesk passwords.
    let unlinked = admin.post(&format!("/manage/agents/{id}/unlink-microsoft"), &[]).await;
    unlinked.assert_redirect_to(&format!("/manage/agents/{id}"));
    assert_eq!(app.count("SELECT COUNT(*) AS n FROM sso_identities").await, 0);
    assert_eq!(sso_sessions(&app).await, 0, "the sessions it signed in ended");
    assert_eq!(b.get("/manage").await.status, StatusCode::SEE_OTHER);
    let agent = admin.get(&format!("/manage/agents/{id}")).await;
    agent.assert_lacks("signs in with Microsoft").assert_contains("Send the invitation again");
}

async fn wait_for_outbox(app: &TestApp, recipient: &str) -> String {
    for _ in 0..100 {
        let row = sqlx::query("SELECT body_text FROM outbox WHERE recipient = $1 ORDER BY id DESC")
            .bind(recipient)
            .fetch_optional(app.db.pool())
            .await
            .unwrap();
        if let Some(row) = row {
            return row.try_get("body_text").unwrap();
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("no email queued to {recipient}");
}

#[tokio::test]
async fn create_pending_makes_an_agent_who_waits_for_approval() {
    let (app, _provider) = setup("create_pending").await;
    let b = app.browser();
    // Bruno's directory account has no email claim: his user name is his address.
    let page = sign_in_with_microsoft(&b, "default", BRUNO.login).await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    page.assert_contains("waiting for an administrator");
    assert_eq!(b.get("/manage").await.status, StatusCode::SEE_OTHER, "not signed in");

    let id = staff_id(&app, BRUNO.login).await;
    let row = sqlx::query(
        "SELECT s.name, s.awaiting_approval, s.password_hash, sp.role FROM staff s \
         JOIN staff_portals sp ON sp.staff_id = s.id WHERE s.id = $1",
    )
    .bind(id)
    .fetch_one(app.db.pool())
    .await
    .unwrap();
    assert_eq!(row.try_get::<String, _>("name").unwrap(), "Bruno Costa");
    assert_eq!(row.try_get::<i64, _>("awaiting_approval").unwrap(), 1);
    assert_eq!(row.try_get::<Option<String>, _>("password_hash").unwrap(), None);
    assert_eq!(row.try_get::<String, _>("role").unwrap(), "agent");
    assert_eq!(app.count_with("SELECT COUNT(*) AS n FROM staff_permissions WHERE staff_id = $1", id).await, 0);
    let notice = wait_for_outbox(&app, ADMIN_EMAIL).await;
    assert!(notice.contains("Bruno Costa") && notice.contains(&format!("/manage/agents/{id}")), "{notice}");

    // Still waiting at the next try.
    let again = sign_in_with_microsoft(&app.browser(), "default", BRUNO.login).await;
    assert_eq!(again.status, StatusCode::FORBIDDEN);
    assert_eq!(app.count("SELECT COUNT(*) AS n FROM staff").await, 2, "no second account");

    let admin = app.admin().await;
    admin.get("/manage").await.assert_contains("1 person waits for your approval");
    admin.get("/manage/agents").await.assert_contains("waiting for approval");
    admin.get(&format!("/manage/agents/{id}")).await.assert_contains("Approve");
    admin.post(&format!("/manage/agents/{id}/approve"), &[]).await.assert_redirect_to(&format!("/manage/agents/{id}"));
    let b = app.browser();
    sign_in_with_microsoft(&b, "default", BRUNO.login).await.assert_redirect_to("/manage");
    b.get("/manage").await.assert_contains("Bruno Costa");
}

#[tokio::test]
async fn sign_out_ends_the_session_and_goes_through_the_provider() {
    let (app, provider) = setup("match_username").await;
    add_agent(&app, "ana@contoso.test", "Ana Silva").await;
    let b = app.browser();
    sign_in_with_microsoft(&b, "default", ANA.login).await.assert_redirect_to("/manage");
    assert_eq!(sso_sessions(&app).await, 1);

    let out = b.post("/manage/logout", &[]).await;
    let end_session = format!("{}/session/end", provider.issuer(TENANT));
    out.assert_redirect_to(&end_session);
    let location = reqwest::Url::parse(out.location.as_deref().unwrap()).unwrap();
    let params: std::collections::HashMap<_, _> = location.query_pairs().into_owned().collect();
    assert_eq!(params["client_id"], common::oidc::CLIENT_ID);
    assert_eq!(params["post_logout_redirect_uri"], format!("{}/auth/oidc/signed-out", app.base));
    assert_eq!(params["state"], "default");
    assert_eq!(sso_sessions(&app).await, 0, "the local session ended first");
    assert_eq!(b.get("/manage").await.status, StatusCode::SEE_OTHER);

    // At the provider: confirm, and come back to the portal's staff sign-in page.
    let confirm = b.get(location.as_str()).await;
    assert_eq!(confirm.status, StatusCode::OK, "{}", confirm.body);
    let action = confirm.between(r#"action=""#, r#"""#);
    let xsrf = confirm.between(r#"name="xsrf" value=""#, r#"""#);
    let action = location.join(&action).unwrap();
    let done = b.post_raw(action.as_str(), &[("xsrf", &xsrf), ("logout", "yes")]).await;
    done.assert_redirect_to(&format!("{}/auth/oidc/signed-out", app.base));
    let back = b.get(done.location.as_deref().unwrap()).await;
    back.assert_redirect_to("/manage/login?portal=default&msg=signed-out");
    b.get(back.location.as_deref().unwrap()).await.assert_contains("You have signed out.");

    // A password session signs out locally as before.
    let admin = app.admin().await;
    admin.post("/manage/logout", &[]).await.assert_redirect_to("/manage/login?msg=signed-out");

    // With the provider out of reach, the local sign-out still happens, and the page says what
    // is left to do.
    let b = app.browser();
    sign_in_with_microsoft(&b, "default", ANA.login).await.assert_redirect_to("/manage");
    // The provider goes away, and the sign-out reaches a node that has not discovered it yet.
    let (public, hosts) = (app.base.parse::<url::Url>().unwrap(), allowed_hosts(&provider));
    let second = common::spawn_on(app.database_url.clone(), tempfile::tempdir().unwrap(), |c| {
        c.secret_key = Some(secret_key());
        c.entra_authority_hosts = hosts;
        c.public_url = Some(public);
    })
    .await;
    drop(provider);
    let b = Browser { base: second.base.clone(), ..b.clone() };
    let out = b.post("/manage/logout", &[]).await;
    out.assert_redirect_to("/manage/login?portal=default&msg=signed-out-here");
    assert_eq!(sso_sessions(&app).await, 0);
    b.get(out.location.as_deref().unwrap()).await.assert_contains("close the browser");
}

#[tokio::test]
async fn id_tokens_that_fail_a_check_sign_no_one_in() {
    let (app, provider) = setup("match_username").await;
    add_agent(&app, "ana@contoso.test", "Ana Silva").await;
    for kind in ["aud", "iss", "exp", "signature", "tid", "other-tenant", "nonce", "unknown-key"] {
        provider.tamper(TENANT, kind).await;
        let b = app.browser();
        let page = sign_in_with_microsoft(&b, "default", ANA.login).await;
        assert_eq!(page.status, StatusCode::UNAUTHORIZED, "{kind}: {}", page.body);
        page.assert_contains("did not pass our checks").assert_contains("Try again with Microsoft");
        assert_eq!(b.get("/manage").await.status, StatusCode::SEE_OTHER, "{kind}: not signed in");
    }
    assert_eq!(sso_sessions(&app).await, 0);
    assert_eq!(app.count("SELECT COUNT(*) AS n FROM sso_identities").await, 0, "nothing linked");
    // The same flow with an untouched token works.
    sign_in_with_microsoft(&app.browser(), "default", ANA.login).await.assert_redirect_to("/manage");
}

#[tokio::test]
async fn the_provider_is_discovered_once_and_again_when_its_keys_rotate() {
    let (app, provider) = setup("match_username").await;
    add_agent(&app, "ana@contoso.test", "Ana Silva").await;
    let discoveries = |log: &[serde_json::Value], path: &str| {
        log.iter().filter(|r| r["path"].as_str().unwrap().ends_with(path)).count()
    };
    for _ in 0..3 {
        sign_in_with_microsoft(&app.browser(), "default", ANA.login).await.assert_redirect_to("/manage");
    }
    let log = provider.log().await;
    assert_eq!(discoveries(&log, "/.well-known/openid-configuration"), 1, "discovery is kept between sign-ins");
    assert_eq!(discoveries(&log, "/jwks"), 1);

    // The tenant signs with a new key: the node fetches the keys again and accepts the token.
    provider.tamper(TENANT, "rotated").await;
    sign_in_with_microsoft(&app.browser(), "default", ANA.login).await.assert_redirect_to("/manage");
    let log = provider.log().await;
    assert_eq!(discoveries(&log, "/jwks"), 2, "keys fetched again once");
}

#[tokio::test]
async fn the_state_is_required_single_use_and_bound_to_the_browser() {
    let (app, _provider) = setup("match_username").await;
    add_agent(&app, "ana@contoso.test", "Ana Silva").await;

    let b = app.browser();
    let callback = through_provider(&b, "default", AtProvider::SignInAs(ANA.login)).await;
    b.get(&callback).await.assert_redirect_to("/manage");
    // The same answer again (a replay, or the back button).
    let replay = app.browser().get(&callback).await;
    assert_eq!(replay.status, StatusCode::BAD_REQUEST);
    replay.assert_contains("already completed once");

    let code = reqwest::Url::parse(&callback).unwrap().query_pairs().find(|(k, _)| k == "code").unwrap().1.to_string();
    let missing = app.browser().get(&format!("/auth/oidc/callback?code={code}")).await;
    assert_eq!(missing.status, StatusCode::BAD_REQUEST);
    missing.assert_contains("does not say which sign-in");
    let unknown = app.browser().get(&format!("/auth/oidc/callback?code={code}&state=made-up")).await;
    assert_eq!(unknown.status, StatusCode::BAD_REQUEST);
    unknown.assert_contains("does not belong to any sign-in");

    // An answer carried to another browser does not sign that browser in.
    let first = app.browser();
    let callback = through_provider(&first, "default", AtProvider::SignInAs(ANA.login)).await;
    let elsewhere = Browser::new(&app.base);
    let page = elsewhere.get(&callback).await;
    assert_eq!(page.status, StatusCode::BAD_REQUEST);
    page.assert_contains("started in another browser");
    assert_eq!(elsewhere.get("/manage").await.status, StatusCode::SEE_OTHER);

    // A flow left too long expires.
    let slow = app.browser();
    let callback = through_provider(&slow, "default", AtProvider::SignInAs(ANA.login)).await;
    sqlx::query("UPDATE sso_flows SET expires_at = 0 WHERE used_at IS NULL").execute(app.db.writer()).await.unwrap();
    let page = slow.get(&callback).await;
    assert_eq!(page.status, StatusCode::BAD_REQUEST);
    page.assert_contains("has expired").assert_contains("Try again with Microsoft");
    assert_eq!(sso_sessions(&app).await, 1, "only the first, real sign-in");
}

#[tokio::test]
async fn problems_end_on_pages_that_say_what_to_do() {
    let (app, _provider) = setup("match_username").await;

    // Cancelled at the provider.
    let b = app.browser();
    let callback = through_provider(&b, "default", AtProvider::Cancel).await;
    let page = b.get(&callback).await;
    assert_eq!(page.status, StatusCode::UNAUTHORIZED);
    page.assert_contains("cancelled at Microsoft");

    // A directory user with no staff account here.
    let page = sign_in_with_microsoft(&app.browser(), "default", ANA.login).await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    page.assert_contains("There is no staff account for ana@contoso.test in");
    assert_eq!(app.count("SELECT COUNT(*) AS n FROM staff").await, 1, "nothing created under match_username");

    // The desk's system administrator is never tied to a portal's directory: their password
    // must keep working whatever happens to it.
    let page = sign_in_with_microsoft(&app.browser(), "default", ADMIN_IN_DIRECTORY.login).await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    page.assert_contains("system administrators sign in with their email address and password");
    assert_eq!(app.count("SELECT COUNT(*) AS n FROM sso_identities").await, 0);
    app.admin().await;

    // A wrong client secret: the provider refuses to redeem the code.
    set_setting(&app, "default", "entra_client_secret", "wrong secret").await.unwrap();
    let page = sign_in_with_microsoft(&app.browser(), "default", ANA.login).await;
    assert_eq!(page.status, StatusCode::BAD_GATEWAY);
    page.assert_contains("Microsoft did not accept this sign-in").assert_contains("Entra ID settings");

    // The provider cannot be reached.
    let closed = closed_authority();
    set_setting(&app, "default", "entra_authority_host", &closed).await.unwrap();
    let page = app.browser().get("/auth/oidc/start?portal=default").await;
    assert_eq!(page.status, StatusCode::SERVICE_UNAVAILABLE);
    page.assert_contains("could not reach").assert_contains("Try again in a few minutes");

    // Turned off.
    set_setting(&app, "default", "entra_enabled", "false").await.unwrap();
    let page = app.browser().get("/auth/oidc/start?portal=default").await;
    assert_eq!(page.status, StatusCode::NOT_FOUND);
    page.assert_contains("does not use Microsoft sign-in");
    app.browser().get("/manage/login?portal=default").await.assert_lacks("Sign in with Microsoft");
    let forgot = app.browser().get("/manage/forgot?portal=default").await;
    forgot.assert_contains("Send me a link").assert_lacks("self-managed");
}

#[tokio::test]
async fn administrators_connect_a_portal_on_its_settings_page() {
    let provider = OidcProvider::start();
    let app = common::spawn_with(|c| {
        c.secret_key = Some(secret_key());
        c.entra_authority_hosts = allowed_hosts(&provider);
    })
    .await;
    provider.add_tenant(TENANT, &app, &[ANA]).await;
    let admin = app.admin().await;
    let page = admin.get("/manage/settings").await;
    page.assert_contains(&format!("{}/auth/oidc/callback", app.base)).assert_contains("Directory (tenant) ID");

    let mut form = settings_form(&page);
    form.retain(|(k, _)| !k.starts_with("entra_"));
    let with = |extra: &[(&str, &str)]| {
        let mut f: Vec<(String, String)> = form.clone();
        f.extend(extra.iter().map(|(k, v)| (k.to_string(), v.to_string())));
        f
    };
    // Turning it on before it is complete, or with a tenant that is not a GUID, says why.
    // Nothing of a refused form is stored, not even its valid parts.
    let mut fields = with(&[("entra_enabled", "true"), ("entra_tenant_id", "contoso.onmicrosoft.com")]);
    fields.iter_mut().filter(|(k, _)| k == "name").for_each(|(_, v)| *v = "Renamed desk".into());
    let refused = admin.post("/manage/settings", &as_refs(&fields)).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    refused.assert_contains("is a GUID").assert_contains("cannot be turned on yet");
    assert_eq!(app.text("SELECT name AS v FROM portals WHERE slug = 'default'").await, "Help desk");
    assert_eq!(app.count("SELECT COUNT(*) AS n FROM portal_settings WHERE key LIKE 'entra_%'").await, 0);

    let fields = with(&[
        ("entra_tenant_id", TENANT),
        ("entra_client_id", common::oidc::CLIENT_ID),
        ("entra_client_secret", CLIENT_SECRET),
        ("entra_authority_host", &provider.url),
        ("entra_link_rule", "match_username"),
        ("entra_enabled", "true"),
    ]);
    admin.post("/manage/settings", &as_refs(&fields)).await.assert_redirect_to("/manage/settings?msg=saved");
    let stored = app.text("SELECT value AS v FROM portal_settings WHERE key = 'entra_client_secret'").await;
    assert!(stored.starts_with("v1:") && !stored.contains("client.secret"), "sealed: {stored}");
    let page = admin.get("/manage/settings").await;
    page.assert_lacks(CLIENT_SECRET).assert_contains("stored; leave empty to keep it");

    // Saving again with the secret field empty keeps the secret.
    let fields = with(&[
        ("entra_tenant_id", TENANT),
        ("entra_client_id", common::oidc::CLIENT_ID),
        ("entra_authority_host", &provider.url),
        ("entra_link_rule", "match_username"),
        ("entra_enabled", "true"),
    ]);
    admin.post("/manage/settings", &as_refs(&fields)).await.assert_redirect_to("/manage/settings?msg=saved");
    assert_eq!(app.text("SELECT value AS v FROM portal_settings WHERE key = 'entra_client_secret'").await, stored);

    // And it works: the admin's link for staff leads to Microsoft sign-in.
    add_agent(&app, "ana@contoso.test", "Ana Silva").await;
    sign_in_with_microsoft(&app.browser(), "default", ANA.login).await.assert_redirect_to("/manage");
    // The common management sign-in page offers the organisation.
    app.browser()
        .get("/manage/login")
        .await
        .assert_contains("Sign in with Microsoft")
        .assert_contains(r#"name="portal" value="default""#);
}

#[tokio::test]
async fn without_a_secret_key_no_secret_is_stored() {
    let app = common::spawn().await;
    let admin = app.admin().await;
    let page = admin.get("/manage/settings").await;
    page.assert_contains("FRONTDESK_SECRET_KEY is not set");
    let mut form = settings_form(&page);
    form.retain(|(k, _)| !k.starts_with("entra_"));
    form.push(("entra_client_secret".into(), CLIENT_SECRET.into()));
    let refused = admin.post("/manage/settings", &as_refs(&form)).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    refused.assert_contains("cannot store secrets").assert_lacks(CLIENT_SECRET);
    assert_eq!(app.count("SELECT COUNT(*) AS n FROM portal_settings WHERE key = 'entra_client_secret'").await, 0);

    // The CLI says the same, and with the key it stores the secret read from standard input.
    let out = app.cli(&["portal", "set", "default", "entra_client_secret", "-"], &format!("{CLIENT_SECRET}\n"));
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("FRONTDESK_SECRET_KEY"));
    let env = [("FRONTDESK_SECRET_KEY", SECRET_KEY)];
    let out = common::run_cli_with_env(
        &app.database_url,
        &["portal", "set", "default", "entra_client_secret", "-"],
        &format!("{CLIENT_SECRET}\n"),
        &env,
    );
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let stored = app.text("SELECT value AS v FROM portal_settings WHERE key = 'entra_client_secret'").await;
    assert_eq!(secret_key().open(&stored, "portal:1:entra_client_secret").unwrap(), CLIENT_SECRET);
    let out = common::run_cli_with_env(&app.database_url, &["portal", "show", "default"], "", &env);
    let shown = String::from_utf8_lossy(&out.stdout);
    assert!(shown.contains("entra_client_secret = (stored, encrypted)") && !shown.contains(CLIENT_SECRET), "{shown}");
    let out = app.cli(&["portal", "set", "default", "entra_link_rule", "by_email"], "");
    assert!(String::from_utf8_lossy(&out.stderr).contains("match_username or create_pending"));
}

/// The settings form's current fields (inputs with a value, checked boxes, selected options).
#[tokio::test]
async fn a_sign_in_started_on_one_node_finishes_on_another() {
    let (first, provider) = setup("match_username").await;
    let first_hosts = allowed_hosts(&provider);
    add_agent(&first, "ana@contoso.test", "Ana Silva").await;
    // Both nodes answer at one public address, as behind a load balancer.
    let public: url::Url = first.base.parse().unwrap();
    let second = common::spawn_on(first.database_url.clone(), tempfile::tempdir().unwrap(), |c| {
        c.secret_key = Some(secret_key());
        c.entra_authority_hosts = first_hosts;
        c.public_url = Some(public);
    })
    .await;

    let b = first.browser();
    let callback = through_provider(&b, "default", AtProvider::SignInAs(ANA.login)).await;
    // The provider's answer reaches the other node.
    let on_second = callback.replacen(&first.base, &second.base, 1);
    assert_ne!(on_second, callback);
    b.get(&on_second).await.assert_redirect_to("/manage");
    let at_second = Browser { base: second.base.clone(), ..b.clone() };
    at_second.get("/manage").await.assert_contains("Ana Silva");
    b.get("/manage").await.assert_contains("Ana Silva");
}

#[tokio::test]
async fn on_a_portals_own_host_microsoft_sign_in_starts_on_the_public_address() {
    const PORTAL_HOST: &str = "support.acme.test";
    let (app, provider) = setup("match_username").await;
    add_agent(&app, ANA.login, ANA.name).await;
    assert!(app.cli(&["portal", "set", "default", "host", PORTAL_HOST], "").status.success());

    let b = app.browser();
    let login = b.get_on_host(PORTAL_HOST, "/manage/login?portal=default").await;
    let href = login.between(r#"id="microsoft-sign-in" href=""#, r#"""#).replace("&#38;", "&");
    // What a browser on the portal's host does with the link: a relative one stays on that host.
    let start = match href.strip_prefix('/') {
        Some(_) => b.get_on_host(PORTAL_HOST, &href).await,
        None => b.get(&href).await,
    };
    assert_eq!(start.status, StatusCode::SEE_OTHER, "{href}: {}", start.body);
    assert!(start.location.as_deref().unwrap_or_default().starts_with(&provider.url), "{:?}", start.location);
    assert_eq!(app.count("SELECT COUNT(*) AS n FROM sso_flows").await, 1);
    // The flow's cookie is on the public address, where Microsoft sends the person back.
    assert!(b.cookie(frontdesk::sso::flows::BROWSER_COOKIE).is_some());
    let callback = common::oidc::through_provider_from(&b, &href, AtProvider::SignInAs(ANA.login)).await;
    b.get(&callback).await.assert_redirect_to("/manage");
    b.get("/manage").await.assert_contains("Ana Silva");
    assert_eq!(sso_sessions(&app).await, 1);

    // The common page's organisation form, on the portal's host, goes to the public address too.
    let common_page = b.get_on_host(PORTAL_HOST, "/manage/login").await;
    common_page.assert_contains(&format!(r#"action="{}/auth/oidc/start""#, app.base));
}
