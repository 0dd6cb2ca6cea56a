//! The management interface as administrators and agents use it.

use crate::common::mail::SmtpSink;
use crate::common::*;
use reqwest::StatusCode;

/// Invites an agent through the web, follows the emailed link as the agent would, sets a
/// password and returns it.
async fn invite_agent(app: &TestApp, admin: &Browser, sink: &SmtpSink, email: &str, role: &str) -> String {
    let page = admin.post("/manage/agents", &[("email", email), ("name", "Ana Agent"), ("role", role)]).await;
    page.assert_redirect_to("/manage/agents/");
    assert!(page.location.as_deref().unwrap().ends_with("?msg=invited"));
    let mail = sink.wait_for(email, "Set your password").await;
    let link = mail.link("/manage/password/");
    let agent = app.browser();
    agent.get(&link).await.assert_contains("Set your password").assert_contains("At least 8 characters");
    let password = "Quiet-River-77";
    agent
        .post(&link, &[("new_password", password), ("confirm_password", password)])
        .await
        .assert_redirect_to("/manage/login?msg=password-set");
    password.to_string()
}

#[tokio::test]
async fn an_administrator_invites_an_agent_who_sets_a_password_then_works_within_permissions() {
    let sink = SmtpSink::start();
    let app = spawn_with_mail(&sink).await;
    let admin = app.admin().await;
    let page =
        admin.post("/manage/agents", &[("email", "ana@example.com"), ("name", "Ana Agent"), ("role", "agent")]).await;
    let agent_page = page.location.clone().unwrap();
    // Until the password is set, the agent cannot sign in, whatever they try.
    admin
        .get("/manage/agents")
        .await
        .assert_contains("ana@example.com")
        .assert_contains(">invited<")
        .assert_contains("(valid 72 hours)");
    assert_eq!(
        app.count("SELECT COUNT(*) AS n FROM staff WHERE email_lower = 'ana@example.com' AND password_hash IS NULL")
            .await,
        1
    );
    let refused = app.browser().sign_in_manage("ana@example.com", "").await;
    assert!(refused.status.is_client_error());

    let mail = sink.wait_for("ana@example.com", "Set your password").await;
    assert!(mail.from.contains("help@frontdesk.test"), "{}", mail.from);
    assert!(mail.text.contains("expires in 72 hours") && mail.html.contains("Set your password"), "{}", mail.text);
    let link = mail.link("/manage/password/");
    assert!(mail.text.contains(&format!("{}{link}", app.base)), "links are absolute: {}", mail.text);
    let ana = app.browser();
    let form = ana.get(&link).await;
    form.assert_contains("ana@example.com").assert_contains("Not the characters &#38; or #");
    let page = ana.post(&link, &[("new_password", "weak"), ("confirm_password", "weak")]).await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    page.assert_contains("upper-case letter");
    let mine = "Quiet-River-77";
    ana.post(&link, &[("new_password", mine), ("confirm_password", mine)])
        .await
        .assert_redirect_to("/manage/login?msg=password-set");
    // The link came to her mailbox: this browser is now known to her account.
    assert!(ana.cookie("fd_browser").is_some());
    assert_eq!(app.count("SELECT COUNT(*) AS n FROM known_browsers k JOIN staff s ON s.id = k.staff_id WHERE s.email_lower = 'ana@example.com'").await, 1);
    ana.get("/manage/login?msg=password-set").await.assert_contains("Your password is set.");
    ana.sign_in_manage("ana@example.com", mine).await.assert_redirect_to("/manage");
    admin.get(&agent_page).await.assert_lacks("password not set yet");

    // With no permissions, the agent sees only Home, and admin pages are refused.
    let home = ana.get("/manage").await;
    home.assert_contains("no permissions here yet").assert_lacks(r#"href="/manage/agents""#);
    let page = ana.get("/manage/departments").await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    page.assert_contains("Manage departments");

    // The administrator grants a permission and a department.
    admin
        .post("/manage/departments", &[("name", "Billing")])
        .await
        .assert_redirect_to("/manage/departments?msg=created");
    let ana_id = app.count("SELECT id AS n FROM staff WHERE email_lower = 'ana@example.com'").await;
    let dept_id = app.count("SELECT id AS n FROM departments WHERE name = 'Billing'").await.to_string();
    admin
        .post(
            &format!("/manage/agents/{ana_id}"),
            &[("role", "agent"), ("perm", "manage_departments"), ("perm", "answer_tickets"), ("department", &dept_id)],
        )
        .await
        .assert_redirect_to(&format!("/manage/agents/{ana_id}?msg=saved"));
    assert_eq!(app.count_with("SELECT COUNT(*) AS n FROM staff_permissions WHERE staff_id = $1", ana_id).await, 2);
    assert_eq!(app.count_with("SELECT COUNT(*) AS n FROM department_members WHERE staff_id = $1", ana_id).await, 1);
    let detail = admin.get(&format!("/manage/agents/{ana_id}")).await;
    assert!(detail.body.contains(r#"value="answer_tickets" checked"#), "{}", detail.body);

    let home = ana.get("/manage").await;
    home.assert_contains(r#"href="/manage/departments""#)
        .assert_contains("Answer tickets")
        .assert_lacks(r#"href="/manage/agents""#);
    assert_eq!(ana.get("/manage/departments").await.status, StatusCode::OK);
    assert_eq!(ana.get("/manage/agents").await.status, StatusCode::FORBIDDEN);
    // Settings in the avatar menu: without the permission it leads to the profile.
    ana.get("/manage/settings").await.assert_redirect_to("/manage/profile");
}

#[tokio::test]
async fn disabling_an_agent_ends_their_sessions_and_refuses_sign_in() {
    let sink = SmtpSink::start();
    let app = spawn_with_mail(&sink).await;
    let admin = app.admin().await;
    let pw = invite_agent(&app, &admin, &sink, "dan@example.com", "agent").await;
    let dan = app.browser();
    dan.sign_in_manage("dan@example.com", &pw).await.assert_redirect_to("/manage");
    dan.sign_in_portal("default", "dan@example.com", &pw).await.assert_redirect_to("/portal/default/");
    let dan_id = app.count("SELECT id AS n FROM staff WHERE email_lower = 'dan@example.com'").await;
    assert_eq!(app.count_with("SELECT COUNT(*) AS n FROM sessions WHERE staff_id = $1", dan_id).await, 2);

    admin
        .post(&format!("/manage/agents/{dan_id}/status"), &[("disabled", "true")])
        .await
        .assert_redirect_to(&format!("/manage/agents/{dan_id}?msg=disabled"));
    assert_eq!(app.count_with("SELECT COUNT(*) AS n FROM sessions WHERE staff_id = $1", dan_id).await, 0);
    dan.get("/manage/profile").await.assert_redirect_to("/manage/login");
    let page = dan.sign_in_manage("dan@example.com", &pw).await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    page.assert_contains("disabled");

    admin.post(&format!("/manage/agents/{dan_id}/status"), &[("disabled", "false")]).await;
    dan.sign_in_manage("dan@example.com", &pw).await.assert_redirect_to("/manage");

    // An administrator can end someone's sessions without disabling them.
    admin
        .post(&format!("/manage/agents/{dan_id}/end-sessions"), &[])
        .await
        .assert_redirect_to(&format!("/manage/agents/{dan_id}?msg=sessions-ended"));
    assert_eq!(app.count_with("SELECT COUNT(*) AS n FROM sessions WHERE staff_id = $1", dan_id).await, 0);

    // Nobody disables themselves by mistake.
    let me = app.count("SELECT id AS n FROM staff WHERE email_lower = 'admin@example.com'").await;
    let page = admin.post(&format!("/manage/agents/{me}/status"), &[("disabled", "true")]).await;
    assert_eq!(page.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn password_change_names_each_unmet_rule_and_can_sign_out_other_sessions() {
    let app = spawn().await;
    let admin = app.admin().await;
    let laptop = app.admin().await;
    assert_eq!(app.count("SELECT COUNT(*) AS n FROM sessions").await, 2);
    let page = admin
        .post(
            "/manage/profile/password",
            &[("current_password", ADMIN_PASSWORD), ("new_password", "abc#"), ("confirm_password", "abd#")],
        )
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    for rule in [
        "at least 8 characters",
        "upper-case letter",
        "a digit",
        "special character",
        "must not contain &#38; or #",
        "not the same",
    ] {
        page.assert_contains(rule);
    }
    let page = admin
        .post(
            "/manage/profile/password",
            &[
                ("current_password", "wrong"),
                ("new_password", "Fresh-Start-99"),
                ("confirm_password", "Fresh-Start-99"),
            ],
        )
        .await;
    page.assert_contains("Your current password is not correct.");
    let page = admin
        .post(
            "/manage/profile/password",
            &[("current_password", ADMIN_PASSWORD), ("new_password", "P@ssw0rd"), ("confirm_password", "P@ssw0rd")],
        )
        .await;
    page.assert_contains("most common passwords");

    admin
        .post(
            "/manage/profile/password",
            &[
                ("current_password", ADMIN_PASSWORD),
                ("new_password", "Fresh-Start-99"),
                ("confirm_password", "Fresh-Start-99"),
                ("sign_out_others", "1"),
            ],
        )
        .await
        .assert_redirect_to("/manage/profile?msg=password-changed");
    assert_eq!(app.count("SELECT COUNT(*) AS n FROM sessions").await, 1);
    laptop.get("/manage").await.assert_redirect_to("/manage/login");
    assert_eq!(app.browser().sign_in_manage(ADMIN_EMAIL, ADMIN_PASSWORD).await.status, StatusCode::UNAUTHORIZED);
    app.browser().sign_in_manage(ADMIN_EMAIL, "Fresh-Start-99").await.assert_redirect_to("/manage");
}

#[tokio::test]
async fn people_see_and_end_their_own_sessions() {
    let sink = SmtpSink::start();
    let app = spawn_with_mail(&sink).await;
    let admin = app.admin().await;
    let _phone = app.admin().await;
    let profile = admin.get("/manage/profile").await;
    profile.assert_contains("Where you are signed in").assert_contains("this session");
    let ids: Vec<i64> = {
        use sqlx::Row;
        sqlx::query("SELECT id FROM sessions ORDER BY id")
            .fetch_all(app.db.pool())
            .await
            .unwrap()
            .iter()
            .map(|r| r.get("id"))
            .collect()
    };
    let other = ids[1];
    admin
        .post(&format!("/manage/sessions/{other}/end"), &[])
        .await
        .assert_redirect_to("/manage/profile?msg=session-ended");
    assert_eq!(app.count("SELECT COUNT(*) AS n FROM sessions").await, 1);
    // Someone else's session id is not found.
    let agent_pw = invite_agent(&app, &admin, &sink, "eve@example.com", "agent").await;
    let eve = app.browser();
    eve.sign_in_manage("eve@example.com", &agent_pw).await;
    let eve_session = app.count("SELECT MAX(id) AS n FROM sessions").await;
    let admin_session = ids[0];
    assert_eq!(eve.post(&format!("/manage/sessions/{admin_session}/end"), &[]).await.status, StatusCode::NOT_FOUND);
    assert_eq!(app.count_with("SELECT COUNT(*) AS n FROM sessions WHERE id = $1", eve_session).await, 1);
}

#[tokio::test]
async fn portal_settings_change_the_password_policy_and_refuse_bad_values() {
    let app = spawn().await;
    let admin = app.admin().await;
    let page = admin.get("/manage/settings").await;
    page.assert_contains(r#"value="Help desk""#).assert_contains(r#"<option value="composition" selected"#);

    let page = admin
        .post(
            "/manage/settings",
            &[("name", ""), ("host", "not a host"), ("password_policy", "composition"), ("password_min_length", "7")],
        )
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    page.assert_contains("1 to 100 characters")
        .assert_contains("not a host name")
        .assert_contains("between 8 and 128")
        .assert_contains("customer_signin needs at least one");

    admin
        .post(
            "/manage/settings",
            &[
                ("name", "Acme Support"),
                ("host", ""),
                ("listed", "true"),
                ("signin_password", "1"),
                ("signin_email_code", "1"),
                ("password_policy", "length_only"),
                ("password_min_length", "16"),
            ],
        )
        .await
        .assert_redirect_to("/manage/settings?msg=saved");
    let out = app.cli(&["portal", "show", "default"], "");
    let shown = String::from_utf8_lossy(&out.stdout);
    for line in [
        "name = Acme Support",
        "password_policy = length_only",
        "password_min_length = 16",
        "customer_signin = password,email_code",
    ] {
        assert!(shown.contains(line), "{line} missing in {shown}");
    }

    // The new policy applies: a composition password of 14 characters is now too short, and a
    // long passphrase without symbols is fine.
    let page = admin
        .post(
            "/manage/profile/password",
            &[
                ("current_password", ADMIN_PASSWORD),
                ("new_password", "Sh0rt-but-Ok!!"),
                ("confirm_password", "Sh0rt-but-Ok!!"),
            ],
        )
        .await;
    page.assert_contains("at least 16 characters");
    admin
        .post(
            "/manage/profile/password",
            &[
                ("current_password", ADMIN_PASSWORD),
                ("new_password", "Sh0rt-but-Ok!!-longer"),
                ("confirm_password", "Sh0rt-but-Ok!!-longer"),
            ],
        )
        .await
        .assert_redirect_to("/manage/profile?msg=password-changed");

    // Unlisting removes the portal from the common page.
    admin
        .post(
            "/manage/settings",
            &[
                ("name", "Acme Support"),
                ("signin_password", "1"),
                ("password_policy", "length_only"),
                ("password_min_length", "16"),
            ],
        )
        .await
        .assert_redirect_to("/manage/settings?msg=saved");
    app.browser()
        .get("/login")
        .await
        .assert_lacks("Acme Support")
        .assert_contains("No portal is open for sign-in here");
}

#[tokio::test]
async fn superadmins_add_portals_and_switch_between_them() {
    let app = spawn().await;
    let admin = app.admin().await;
    let page = admin.post("/manage/portals", &[("slug", "Bad Slug"), ("name", "X")]).await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    page.assert_contains("not a valid portal slug");
    admin
        .post("/manage/portals", &[("slug", "acme"), ("name", "Acme")])
        .await
        .assert_redirect_to("/manage/portals?msg=created");
    let page = admin.post("/manage/portals", &[("slug", "acme"), ("name", "Acme again")]).await;
    page.assert_contains("already exists");
    assert_eq!(app.count("SELECT COUNT(*) AS n FROM portals").await, 2);

    admin.post("/manage/switch-portal", &[("portal", "acme")]).await.assert_redirect_to("/manage?msg=switched");
    let home = admin.get("/manage?msg=switched").await;
    home.assert_contains(r#"<span class="muted" id="current-portal">Acme</span>"#);
    admin.post("/manage/departments", &[("name", "Support")]).await;
    let acme_id = app.count("SELECT id AS n FROM portals WHERE slug = 'acme'").await;
    assert_eq!(app.count_with("SELECT COUNT(*) AS n FROM departments WHERE portal_id = $1", acme_id).await, 1);

    // A portal's administrator is not a superadmin and cannot list every portal.
    let out = app
        .cli(&["user", "add", "--portal", "acme", "--role", "admin", "--email", "root@acme.test"], "Acme-Admin-Pw1\n");
    assert!(out.status.success());
    let acme_admin = app.manage_as("root@acme.test", "Acme-Admin-Pw1").await;
    assert_eq!(acme_admin.get("/manage/portals").await.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn customers_are_invited_searched_and_disabled() {
    let sink = SmtpSink::start();
    let app = spawn_with_mail(&sink).await;
    let admin = app.admin().await;
    admin
        .post("/manage/customers", &[("email", "zoe@client.test"), ("name", "Zoe")])
        .await
        .assert_redirect_to("/manage/customers/");
    let dup = admin.post("/manage/customers", &[("email", "ZOE@client.test"), ("name", "Zoe 2")]).await;
    assert_eq!(dup.status, StatusCode::UNPROCESSABLE_ENTITY);
    dup.assert_contains("already has a customer");
    assert_eq!(app.count("SELECT COUNT(*) AS n FROM outbox").await, 1, "a refused form queues nothing");
    admin.post("/manage/customers", &[("email", "yann@client.test"), ("name", "Yann")]).await;
    admin.get("/manage/customers?q=zoe").await.assert_contains("zoe@client.test").assert_lacks("yann@client.test");

    // The customer's link leads to their portal's page.
    let mail = sink.wait_for("zoe@client.test", "Your account at Help desk").await;
    let link = mail.link("/portal/default/password/");
    let zoe = app.browser();
    zoe.get(&link).await.assert_contains("Help desk").assert_contains("zoe@client.test");
    zoe.post(&link, &[("new_password", "Zoe-Own-Pass-1"), ("confirm_password", "Zoe-Own-Pass-1")])
        .await
        .assert_redirect_to("/portal/default/login?msg=password-set");
    zoe.sign_in_portal("default", "zoe@client.test", "Zoe-Own-Pass-1").await.assert_redirect_to("/portal/default/");
    zoe.get("/portal/default/").await.assert_contains("Welcome, Zoe");

    let zoe_id = app.count("SELECT id AS n FROM customers WHERE email_lower = 'zoe@client.test'").await;
    admin.post(&format!("/manage/customers/{zoe_id}/status"), &[("disabled", "true")]).await;
    zoe.get("/portal/default/profile").await.assert_redirect_to("/portal/default/login");
    let page = zoe.sign_in_portal("default", "zoe@client.test", "Zoe-Own-Pass-1").await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn names_are_changed_by_their_owner_and_by_administrators_of_all_their_portals() {
    let sink = SmtpSink::start();
    let app = spawn_with_mail(&sink).await;
    let admin = app.admin().await;
    let pw = invite_agent(&app, &admin, &sink, "dan@example.com", "agent").await;
    let dan_id = app.count("SELECT id AS n FROM staff WHERE email_lower = 'dan@example.com'").await;
    let name = || app.text("SELECT name AS v FROM staff WHERE email_lower = 'dan@example.com'");

    // Their own profile.
    let dan = app.manage_as("dan@example.com", &pw).await;
    dan.get("/manage/profile").await.assert_contains(r#"action="/manage/profile/details""#);
    dan.post("/manage/profile/details", &[("name", "  Daniel Souza ")])
        .await
        .assert_redirect_to("/manage/profile?msg=saved");
    assert_eq!(name().await, "Daniel Souza");
    dan.get("/manage/profile").await.assert_contains("Daniel Souza");
    let too_long = dan.post("/manage/profile/details", &[("name", &"x".repeat(101))]).await;
    assert_eq!(too_long.status, StatusCode::BAD_REQUEST);
    too_long.assert_contains("at most 100 characters");
    assert_eq!(name().await, "Daniel Souza");

    // An administrator, on the agent page, together with the role.
    let page = admin.get(&format!("/manage/agents/{dan_id}")).await;
    page.assert_contains(r#"name="name" type="text" maxlength="100" value="Daniel Souza""#);
    admin
        .post(&format!("/manage/agents/{dan_id}"), &[("name", "Dan Souza"), ("role", "agent")])
        .await
        .assert_redirect_to(&format!("/manage/agents/{dan_id}?msg=saved"));
    assert_eq!(name().await, "Dan Souza");

    // The account is shared: an administrator of only one of its portals may not rename it.
    let out = app.cli(&["portal", "add", "second", "--name", "Second desk"], "");
    assert!(out.status.success());
    let out = app.cli(&["user", "add", "--portal", "second", "--role", "agent", "--email", "dan@example.com"], "");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let pat_pw = invite_agent(&app, &admin, &sink, "pat@example.com", "admin").await;
    let pat = app.manage_as("pat@example.com", &pat_pw).await;
    let refused = pat.post(&format!("/manage/agents/{dan_id}"), &[("name", "Renamed"), ("role", "agent")]).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    refused.assert_contains("also works in Second desk");
    assert_eq!(name().await, "Dan Souza");
    // Role changes that leave the name alone still work for them.
    pat.post(
        &format!("/manage/agents/{dan_id}"),
        &[("name", "Dan Souza"), ("role", "agent"), ("perm", "answer_tickets")],
    )
    .await
    .assert_redirect_to(&format!("/manage/agents/{dan_id}?msg=saved"));
}
