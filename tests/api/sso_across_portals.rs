//! A portal's own identity provider speaks only for accounts that answer to that portal alone,
//! and only the operator decides which providers may be used at all.

use crate::common;
use crate::common::oidc::{
    DirectoryUser, OidcProvider, SECRET_KEY, TENANT, allowed_hosts, as_refs, connect_portal, secret_key, settings_form,
    sign_in_with_microsoft,
};
use crate::common::*;
use reqwest::StatusCode;

const PASSWORD: &str = "Str0ng-Enough-Pw";

/// Someone in the directory that the default portal's administrators run, who took the user
/// name of beta's administrator.
const FAKE_BOSS: DirectoryUser = DirectoryUser {
    login: "boss@beta.test",
    username: None,
    oid: "e5e5e5e5-0000-4000-8000-000000000005",
    name: "Not the Boss",
    email: None,
};

/// Beta's administrator, who was also (with consent) made an agent of the default portal,
/// whose staff sign in through its own directory.
async fn setup() -> (TestApp, OidcProvider) {
    let provider = OidcProvider::start();
    let app = spawn_with(|c| {
        c.secret_key = Some(secret_key());
        c.entra_authority_hosts = allowed_hosts(&provider);
    })
    .await;
    for args in [
        vec!["portal", "add", "beta", "--name", "Beta Corp"],
        vec!["user", "add", "--portal", "beta", "--role", "admin", "--email", "boss@beta.test", "--name", "Boss"],
        vec!["user", "add", "--portal", "default", "--role", "agent", "--email", "boss@beta.test"],
    ] {
        let out = app.cli(&args, &format!("{PASSWORD}\n"));
        assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
    }
    provider.add_tenant(TENANT, &app, &[FAKE_BOSS]).await;
    connect_portal(&app, "default", &provider.url, "match_username").await;
    (app, provider)
}

#[tokio::test]
async fn a_portals_directory_cannot_sign_in_an_account_another_portal_trusts() {
    let (app, provider) = setup().await;
    let hash_before = app.text("SELECT password_hash AS v FROM staff WHERE email_lower = 'boss@beta.test'").await;

    let b = app.browser();
    let page = sign_in_with_microsoft(&b, "default", FAKE_BOSS.login).await;
    assert_eq!(page.status, StatusCode::FORBIDDEN, "{}", page.body);
    page.assert_contains("also works in Beta Corp");
    assert_eq!(b.get("/manage").await.status, StatusCode::SEE_OTHER, "not signed in");
    assert_eq!(app.count("SELECT COUNT(*) AS n FROM sso_identities").await, 0);
    let hash_after = app.text("SELECT password_hash AS v FROM staff WHERE email_lower = 'boss@beta.test'").await;
    assert_eq!(hash_before, hash_after, "the real owner keeps their password");
    app.manage_as("boss@beta.test", PASSWORD).await;

    // Once beta signs its staff in with the same directory, that directory speaks for them.
    connect_portal(&app, "beta", &provider.url, "match_username").await;
    sign_in_with_microsoft(&app.browser(), "default", FAKE_BOSS.login).await.assert_redirect_to("/manage");
    let issuer = app.text("SELECT issuer AS v FROM sso_identities").await;
    assert_eq!(issuer, provider.issuer(TENANT), "the link records who vouched for it");

    // And when beta stops using it, the link no longer signs the account in.
    common::oidc::set_setting(&app, "beta", "entra_enabled", "false").await.unwrap();
    let page = sign_in_with_microsoft(&app.browser(), "default", FAKE_BOSS.login).await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    page.assert_contains("also works in Beta Corp");
}

#[tokio::test]
async fn only_the_operators_sign_in_hosts_can_be_chosen() {
    let provider = OidcProvider::start();
    // An operator who allows only Microsoft's hosts (the default).
    let app = spawn_with(|c| c.secret_key = Some(secret_key())).await;
    let admin = app.admin().await;
    let page = admin.get("/manage/settings").await;
    let mut form = settings_form(&page);
    form.retain(|(k, _)| k != "entra_authority_host");
    form.push(("entra_authority_host".into(), provider.url.clone()));
    let refused = admin.post("/manage/settings", &as_refs(&form)).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", refused.body);
    refused.assert_contains("must be one of the sign-in hosts this server allows");
    let stored = "SELECT COUNT(*) AS n FROM portal_settings WHERE key = 'entra_authority_host'";
    assert_eq!(app.count(stored).await, 0);

    // The CLI follows the same operator setting.
    let set = ["portal", "set", "default", "entra_authority_host", provider.url.as_str()];
    let out = run_cli_with_env(&app.database_url, &set, "", &[("FRONTDESK_SECRET_KEY", SECRET_KEY)]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("FRONTDESK_ENTRA_AUTHORITY_HOSTS"));
    let env = [("FRONTDESK_SECRET_KEY", SECRET_KEY), ("FRONTDESK_ENTRA_AUTHORITY_HOSTS", provider.url.as_str())];
    let out = run_cli_with_env(&app.database_url, &set, "", &env);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));

    // A host this server does not allow (stored before the operator narrowed the list) is
    // never contacted, however often visitors start a sign-in.
    connect_portal(&app, "default", &provider.url, "match_username").await;
    for _ in 0..3 {
        let page = app.browser().get("/auth/oidc/start?portal=default").await;
        assert_eq!(page.status, StatusCode::SERVICE_UNAVAILABLE);
        page.assert_contains("not one this server allows");
    }
    assert!(provider.log().await.is_empty(), "the provider was never asked anything");
}

#[tokio::test]
async fn a_provider_that_fails_discovery_is_not_asked_again_at_once() {
    let provider = OidcProvider::start();
    let app = spawn_with(|c| {
        c.secret_key = Some(secret_key());
        c.entra_authority_hosts = allowed_hosts(&provider);
    })
    .await;
    // The portal names a tenant the provider does not know: discovery fails.
    connect_portal(&app, "default", &provider.url, "match_username").await;
    for _ in 0..5 {
        let page = app.browser().get("/auth/oidc/start?portal=default").await;
        assert_eq!(page.status, StatusCode::SERVICE_UNAVAILABLE);
    }
    let asked =
        provider.log().await.iter().filter(|r| r["path"].as_str().unwrap().contains("openid-configuration")).count();
    assert!(asked <= 1, "discovery was tried {asked} times");
}

/// Someone in the default portal's directory with the user name of an agent it created.
const NEW_HIRE: DirectoryUser = DirectoryUser {
    login: "newhire@beta.test",
    username: None,
    oid: "f6f6f6f6-0000-4000-8000-000000000006",
    name: "New Hire",
    email: None,
};

#[tokio::test]
async fn a_session_from_one_portals_directory_cannot_take_its_account_into_another() {
    let (app, provider) = setup().await;
    provider.add_tenant(TENANT, &app, &[FAKE_BOSS, NEW_HIRE]).await;
    let args = ["user", "add", "--portal", "default", "--role", "agent", "--email", "newhire@beta.test"];
    assert!(app.cli(&args, &format!("{PASSWORD}\n")).status.success());
    let directory_session = app.browser();
    sign_in_with_microsoft(&directory_session, "default", NEW_HIRE.login).await.assert_redirect_to("/manage");

    // Beta asks the account in; the session the default portal's directory vouched for cannot
    // accept for it.
    let boss = app.manage_as("boss@beta.test", PASSWORD).await;
    boss.post("/manage/agents", &[("email", "newhire@beta.test"), ("role", "admin")])
        .await
        .assert_redirect_to("/manage/agents?msg=asked");
    let beta_id = app.count("SELECT id AS n FROM portals WHERE slug = 'beta'").await;
    let page = directory_session.post(&format!("/manage/invitations/{beta_id}/accept"), &[]).await;
    assert_eq!(page.status, StatusCode::FORBIDDEN, "{}", page.body);
    let in_beta = "SELECT COUNT(*) AS n FROM staff_portals sp JOIN staff s ON s.id = sp.staff_id \
                   WHERE s.email_lower = 'newhire@beta.test' AND sp.portal_id = $1";
    assert_eq!(app.count_with(in_beta, beta_id).await, 0);

    // The default portal's administrator points it at another directory (beta's, say): what the
    // old directory vouched for ends, so this session cannot try again under the new one.
    let other = directory_session.clone();
    common::oidc::set_setting(&app, "default", "entra_tenant_id", "0a0a0a0a-0000-4000-8000-00000000000a")
        .await
        .unwrap();
    other.get("/manage").await.assert_redirect_to("/manage/login");
    assert_eq!(app.count("SELECT COUNT(*) AS n FROM sessions WHERE sso_portal_id IS NOT NULL").await, 0);
    common::oidc::set_setting(&app, "default", "entra_tenant_id", TENANT).await.unwrap();
    sign_in_with_microsoft(&directory_session, "default", NEW_HIRE.login).await.assert_redirect_to("/manage");

    // Added by a system administrator instead: the directory's session ends at its next request.
    let admin = app.admin().await;
    admin.post("/manage/switch-portal", &[("portal", "beta")]).await;
    admin
        .post("/manage/agents", &[("email", "newhire@beta.test"), ("role", "agent")])
        .await
        .assert_redirect_to("/manage/agents/");
    assert_eq!(app.count_with(in_beta, beta_id).await, 1);
    directory_session.get("/manage").await.assert_redirect_to("/manage/login");
    assert_eq!(app.count("SELECT COUNT(*) AS n FROM sessions WHERE sso_portal_id IS NOT NULL").await, 0);
}
