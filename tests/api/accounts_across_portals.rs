//! One staff account may work in several portals. Nobody may use their power in one portal to
//! take over, change or shut out an account that also answers to other portals, or to grant more
//! than they hold themselves.

use crate::common::*;
use reqwest::StatusCode;

const PASSWORD: &str = "Str0ng-Enough-Pw";

/// The default portal (with the system administrator), and a portal `beta` with its own
/// administrator `boss@beta.test`; `padmin@default.test` administers the default portal only.
async fn two_portals() -> TestApp {
    let app = spawn().await;
    for args in [
        vec!["portal", "add", "beta", "--name", "Beta Corp"],
        vec!["user", "add", "--portal", "beta", "--role", "admin", "--email", "boss@beta.test", "--name", "Boss"],
        vec!["user", "add", "--portal", "default", "--role", "admin", "--email", "padmin@default.test"],
        vec!["user", "add", "--portal", "default", "--role", "agent", "--email", "mgr@default.test"],
        vec!["user", "add", "--portal", "default", "--role", "agent", "--email", "agent@default.test"],
    ] {
        let out = app.cli(&args, &format!("{PASSWORD}\n"));
        assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
    }
    app
}

async fn staff_id(app: &TestApp, email: &str) -> i64 {
    sqlx::query_scalar::<_, i64>("SELECT id FROM staff WHERE email_lower = $1")
        .bind(email)
        .fetch_one(app.db.pool())
        .await
        .unwrap()
}

async fn memberships(app: &TestApp, id: i64) -> i64 {
    app.count_with("SELECT COUNT(*) AS n FROM staff_portals WHERE staff_id = $1", id).await
}

#[tokio::test]
async fn an_account_of_another_portal_joins_only_when_its_owner_accepts() {
    let app = two_portals().await;
    let boss_id = staff_id(&app, "boss@beta.test").await;
    let padmin = app.manage_as("padmin@default.test", PASSWORD).await;

    // Asking does not attach the account: the administrator gets no power over it yet.
    let page = padmin.post("/manage/agents", &[("email", "boss@beta.test"), ("role", "agent")]).await;
    page.assert_redirect_to("/manage/agents?msg=asked");
    assert_eq!(memberships(&app, boss_id).await, 1);
    padmin
        .get("/manage/agents?msg=asked")
        .await
        .assert_contains("join once they accept")
        .assert_contains("boss@beta.test");
    for action in ["end-sessions", "invite", "approve"] {
        let page = padmin.post(&format!("/manage/agents/{boss_id}/{action}"), &[]).await;
        assert_eq!(page.status, StatusCode::NOT_FOUND, "{action}");
    }
    assert_eq!(app.count_with("SELECT COUNT(*) AS n FROM one_time_tokens WHERE staff_id = $1", boss_id).await, 0);
    let asked = app.count("SELECT COUNT(*) AS n FROM outbox WHERE recipient = 'boss@beta.test' AND subject LIKE '%invites you to work in%'").await;
    assert_eq!(asked, 1);

    // The owner sees the invitation once signed in, and accepts it.
    let boss = app.manage_as("boss@beta.test", PASSWORD).await;
    // The same for the system administrator's account, asked from beta.
    boss.post("/manage/agents", &[("email", ADMIN_EMAIL), ("role", "agent")])
        .await
        .assert_redirect_to("/manage/agents?msg=asked");
    let admin_id = staff_id(&app, ADMIN_EMAIL).await;
    assert_eq!(
        app.count_with("SELECT COUNT(*) AS n FROM staff_portals WHERE staff_id = $1 AND portal_id <> 1", admin_id)
            .await,
        0
    );
    boss.get("/manage").await.assert_contains("You are invited to work in 1 more portal");
    let default_id = app.count("SELECT id AS n FROM portals WHERE slug = 'default'").await;
    boss.get("/manage/invitations").await.assert_contains(&format!("invitation-{default_id}"));
    // Nobody else can accept it for them.
    let page = app.admin().await.post(&format!("/manage/invitations/{default_id}/accept"), &[]).await;
    assert_eq!(page.status, StatusCode::NOT_FOUND);
    boss.post(&format!("/manage/invitations/{default_id}/accept"), &[])
        .await
        .assert_redirect_to("/manage/invitations?msg=accepted");
    assert_eq!(memberships(&app, boss_id).await, 2);
    assert_eq!(app.count_with("SELECT COUNT(*) AS n FROM portal_invitations WHERE staff_id = $1", boss_id).await, 0);

    // Now a member here, but still beta's administrator: the default portal's administrator
    // acts only within their portal.
    let sessions_before = app.count_with("SELECT COUNT(*) AS n FROM sessions WHERE staff_id = $1", boss_id).await;
    padmin.post(&format!("/manage/agents/{boss_id}/end-sessions"), &[]).await.assert_redirect_to("/manage/agents/");
    assert_eq!(
        app.count_with("SELECT COUNT(*) AS n FROM sessions WHERE staff_id = $1", boss_id).await,
        sessions_before,
        "boss's session works in beta, which is not padmin's to end"
    );
    assert_eq!(boss.get("/manage/agents").await.status, StatusCode::OK);
    for action in ["invite", "approve"] {
        let page = padmin.post(&format!("/manage/agents/{boss_id}/{action}"), &[]).await;
        assert_eq!(page.status, StatusCode::FORBIDDEN, "{action}");
        page.assert_contains("also works in Beta Corp");
    }
    assert_eq!(app.count_with("SELECT COUNT(*) AS n FROM one_time_tokens WHERE staff_id = $1", boss_id).await, 0);
    let page = padmin.post(&format!("/manage/agents/{boss_id}/status"), &[("disabled", "true")]).await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn a_system_administrator_adds_an_existing_account_directly() {
    let app = two_portals().await;
    let admin = app.admin().await;
    admin
        .post("/manage/agents", &[("email", "boss@beta.test"), ("role", "agent")])
        .await
        .assert_redirect_to("/manage/agents/");
    assert_eq!(memberships(&app, staff_id(&app, "boss@beta.test").await).await, 2);
}

#[tokio::test]
async fn portal_administrators_cannot_change_a_system_administrator() {
    let app = two_portals().await;
    let admin_id = staff_id(&app, ADMIN_EMAIL).await;
    let padmin = app.manage_as("padmin@default.test", PASSWORD).await;
    let page = padmin.post(&format!("/manage/agents/{admin_id}"), &[("name", "Pwned"), ("role", "agent")]).await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    page.assert_contains("system administrator");
    let page = padmin.post(&format!("/manage/agents/{admin_id}"), &[("role", "agent")]).await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    let page = padmin.post(&format!("/manage/agents/{admin_id}/status"), &[("disabled", "true")]).await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    let still = "SELECT COUNT(*) AS n FROM staff s JOIN staff_portals sp ON sp.staff_id = s.id \
                 WHERE s.id = $1 AND s.disabled_at IS NULL AND s.name <> 'Pwned' AND sp.role = 'admin'";
    assert_eq!(app.count_with(still, admin_id).await, 1);
    // They still sign in and manage.
    app.admin().await.get("/manage/agents").await.assert_contains("padmin@default.test");
}

#[tokio::test]
async fn nobody_grants_a_role_or_permission_they_do_not_hold() {
    let app = two_portals().await;
    let [padmin_id, mgr_id, agent_id] = [
        staff_id(&app, "padmin@default.test").await,
        staff_id(&app, "mgr@default.test").await,
        staff_id(&app, "agent@default.test").await,
    ];
    let admin = app.admin().await;
    admin
        .post(&format!("/manage/agents/{mgr_id}"), &[("role", "agent"), ("perm", "manage_agents")])
        .await
        .assert_redirect_to(&format!("/manage/agents/{mgr_id}?msg=saved"));
    let mgr = app.manage_as("mgr@default.test", PASSWORD).await;

    // Demoting an administrator, promoting oneself, or adding an administrator: refused.
    for (target, fields) in [
        (padmin_id, vec![("role", "agent")]),
        (mgr_id, vec![("role", "admin"), ("perm", "manage_agents")]),
        (mgr_id, vec![("role", "agent"), ("perm", "manage_agents"), ("perm", "manage_portal_settings")]),
        (agent_id, vec![("role", "agent"), ("perm", "answer_tickets")]),
    ] {
        let page = mgr.post(&format!("/manage/agents/{target}"), &fields).await;
        assert_eq!(page.status, StatusCode::FORBIDDEN, "{target} {fields:?}: {}", page.body);
    }
    let page = mgr.post("/manage/agents", &[("email", "new@default.test"), ("role", "admin")]).await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    assert_eq!(app.count("SELECT COUNT(*) AS n FROM staff WHERE email_lower = 'new@default.test'").await, 0);
    let admins = "SELECT COUNT(*) AS n FROM staff_portals WHERE staff_id = $1 AND role = 'admin'";
    assert_eq!(app.count_with(admins, padmin_id).await, 1);
    assert_eq!(app.count_with(admins, mgr_id).await, 0);
    let perms = "SELECT COUNT(*) AS n FROM staff_permissions WHERE staff_id = $1";
    assert_eq!(app.count_with(perms, mgr_id).await, 1);
    assert_eq!(app.count_with(perms, agent_id).await, 0);

    // Nor may they act on an administrator's place here: sessions, links, Microsoft account.
    let padmin = app.manage_as("padmin@default.test", PASSWORD).await;
    for action in ["end-sessions", "invite", "unlink-microsoft", "approve"] {
        let page = mgr.post(&format!("/manage/agents/{padmin_id}/{action}"), &[]).await;
        assert_eq!(page.status, StatusCode::FORBIDDEN, "{action}: {}", page.body);
    }
    assert_eq!(padmin.get("/manage/agents").await.status, StatusCode::OK, "still signed in");
    assert_eq!(app.count_with("SELECT COUNT(*) AS n FROM one_time_tokens WHERE staff_id = $1", padmin_id).await, 0);

    // What they hold, they may pass on.
    mgr.post(&format!("/manage/agents/{agent_id}"), &[("role", "agent"), ("perm", "manage_agents")])
        .await
        .assert_redirect_to(&format!("/manage/agents/{agent_id}?msg=saved"));
    assert_eq!(app.count_with(perms, agent_id).await, 1);
}

#[tokio::test]
async fn another_portals_customer_id_changes_nothing() {
    let app = two_portals().await;
    let out = app.cli(
        &["user", "add", "--portal", "beta", "--role", "customer", "--email", "carl@beta.test"],
        &format!("{PASSWORD}\n"),
    );
    assert!(out.status.success());
    let carl_id = app.count("SELECT id AS n FROM customers WHERE email_lower = 'carl@beta.test'").await;
    let carl = app.browser();
    carl.sign_in_portal("beta", "carl@beta.test", PASSWORD).await.assert_redirect_to("/portal/beta/");

    let padmin = app.manage_as("padmin@default.test", PASSWORD).await;
    for (path, fields) in [
        (format!("/manage/customers/{carl_id}/status"), vec![("disabled", "true")]),
        (format!("/manage/customers/{carl_id}/end-sessions"), vec![]),
    ] {
        assert_eq!(padmin.post(&path, &fields).await.status, StatusCode::NOT_FOUND, "{path}");
    }
    assert_eq!(app.count_with("SELECT COUNT(*) AS n FROM sessions WHERE customer_id = $1", carl_id).await, 1);
    assert_eq!(carl.get("/portal/beta/profile").await.status, StatusCode::OK);
}

#[tokio::test]
async fn the_last_system_administrator_stays_even_when_two_disable_each_other_at_once() {
    let app = two_portals().await;
    sqlx::query("UPDATE staff SET is_superadmin = 1 WHERE email_lower = 'padmin@default.test'")
        .execute(app.db.pool())
        .await
        .unwrap();
    let (first, second) = (staff_id(&app, ADMIN_EMAIL).await, staff_id(&app, "padmin@default.test").await);
    let active = "SELECT COUNT(*) AS n FROM staff WHERE is_superadmin = 1 AND disabled_at IS NULL";
    for _ in 0..5 {
        let (a, b) = (app.admin().await, app.manage_as("padmin@default.test", PASSWORD).await);
        let disable = [("disabled", "true")];
        let (to_second, to_first) =
            (format!("/manage/agents/{second}/status"), format!("/manage/agents/{first}/status"));
        let (pa, pb) = tokio::join!(a.post(&to_second, &disable), b.post(&to_first, &disable));
        assert!(pa.status != StatusCode::INTERNAL_SERVER_ERROR && pb.status != StatusCode::INTERNAL_SERVER_ERROR);
        assert_eq!(app.count(active).await, 1, "{} {}", pa.status, pb.status);
        sqlx::query("UPDATE staff SET disabled_at = NULL").execute(app.db.pool()).await.unwrap();
    }
}

#[tokio::test]
async fn an_invitation_ends_with_its_senders_power() {
    let app = two_portals().await;
    let out = app.cli(
        &["user", "add", "--portal", "beta", "--role", "admin", "--email", "boss2@beta.test"],
        &format!("{PASSWORD}\n"),
    );
    assert!(out.status.success());
    let boss2 = app.manage_as("boss2@beta.test", PASSWORD).await;
    boss2
        .post("/manage/agents", &[("email", "padmin@default.test"), ("role", "admin")])
        .await
        .assert_redirect_to("/manage/agents?msg=asked");
    // The sender is no longer an administrator of beta when the answer comes.
    let boss2_id = staff_id(&app, "boss2@beta.test").await;
    let boss = app.manage_as("boss@beta.test", PASSWORD).await;
    boss.post(&format!("/manage/agents/{boss2_id}"), &[("role", "agent")])
        .await
        .assert_redirect_to(&format!("/manage/agents/{boss2_id}?msg=saved"));
    // The invitation is withdrawn with the power, and does not come back with it.
    assert_eq!(app.count("SELECT COUNT(*) AS n FROM portal_invitations").await, 0);
    boss.post(&format!("/manage/agents/{boss2_id}"), &[("role", "admin")])
        .await
        .assert_redirect_to(&format!("/manage/agents/{boss2_id}?msg=saved"));
    let padmin = app.manage_as("padmin@default.test", PASSWORD).await;
    let beta_id = app.count("SELECT id AS n FROM portals WHERE slug = 'beta'").await;
    let page = padmin.post(&format!("/manage/invitations/{beta_id}/accept"), &[]).await;
    assert_eq!(page.status, StatusCode::NOT_FOUND);
    assert_eq!(memberships(&app, staff_id(&app, "padmin@default.test").await).await, 1);
}

#[tokio::test]
async fn two_administrators_removing_or_demoting_each_other_leave_one() {
    let app = two_portals().await;
    let out = app.cli(
        &["user", "add", "--portal", "beta", "--role", "admin", "--email", "boss2@beta.test"],
        &format!("{PASSWORD}\n"),
    );
    assert!(out.status.success());
    let (boss_id, boss2_id) = (staff_id(&app, "boss@beta.test").await, staff_id(&app, "boss2@beta.test").await);
    let beta_admins = "SELECT COUNT(*) AS n FROM staff_portals sp JOIN portals p ON p.id = sp.portal_id \
                       WHERE p.slug = 'beta' AND sp.role = 'admin'";
    for action in ["remove", "demote"] {
        let (a, b) =
            (app.manage_as("boss@beta.test", PASSWORD).await, app.manage_as("boss2@beta.test", PASSWORD).await);
        let (to_2, to_1) = match action {
            "remove" => (format!("/manage/agents/{boss2_id}/remove"), format!("/manage/agents/{boss_id}/remove")),
            _ => (format!("/manage/agents/{boss2_id}"), format!("/manage/agents/{boss_id}")),
        };
        let fields: &[(&str, &str)] = if action == "remove" { &[] } else { &[("role", "agent")] };
        let (pa, pb) = tokio::join!(a.post(&to_2, fields), b.post(&to_1, fields));
        assert!(pa.status.is_redirection() || pb.status.is_redirection(), "{action}: one of them goes through");
        assert_eq!(app.count(beta_admins).await, 1, "{action}: {} {}", pa.status, pb.status);
        // Back to two administrators for the next round.
        for (email, role) in [("boss@beta.test", "admin"), ("boss2@beta.test", "admin")] {
            let args = ["user", "add", "--portal", "beta", "--role", role, "--email", email];
            assert!(app.cli(&args, &format!("{PASSWORD}\n")).status.success());
        }
    }
}

#[tokio::test]
async fn an_agent_cannot_remove_someone_who_holds_more_than_they_do() {
    let app = two_portals().await;
    let [mgr_id, agent_id] = [staff_id(&app, "mgr@default.test").await, staff_id(&app, "agent@default.test").await];
    let admin = app.admin().await;
    admin.post(&format!("/manage/agents/{mgr_id}"), &[("role", "agent"), ("perm", "manage_agents")]).await;
    admin.post(&format!("/manage/agents/{agent_id}"), &[("role", "agent"), ("perm", "manage_portal_settings")]).await;
    let mgr = app.manage_as("mgr@default.test", PASSWORD).await;
    let page = mgr.post(&format!("/manage/agents/{agent_id}/remove"), &[]).await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    assert_eq!(memberships(&app, agent_id).await, 1);
}

#[tokio::test]
async fn a_portal_removes_someone_who_also_works_elsewhere_and_only_from_itself() {
    let app = two_portals().await;
    let out = app.cli(
        &["user", "add", "--portal", "beta", "--role", "agent", "--email", "mgr@default.test"],
        &format!("{PASSWORD}\n"),
    );
    assert!(out.status.success());
    let [mgr_id, padmin_id] = [staff_id(&app, "mgr@default.test").await, staff_id(&app, "padmin@default.test").await];
    let mgr = app.manage_as("mgr@default.test", PASSWORD).await;
    mgr.post("/manage/switch-portal", &[("portal", "beta")]).await;
    let padmin = app.manage_as("padmin@default.test", PASSWORD).await;

    padmin.post(&format!("/manage/agents/{mgr_id}/remove"), &[]).await.assert_redirect_to("/manage/agents?msg=removed");
    assert_eq!(memberships(&app, mgr_id).await, 1);
    let in_default = "SELECT COUNT(*) AS n FROM staff_portals sp JOIN portals p ON p.id = sp.portal_id \
                      WHERE sp.staff_id = $1 AND p.slug = 'default'";
    assert_eq!(app.count_with(in_default, mgr_id).await, 0);
    padmin.get("/manage/agents").await.assert_lacks("mgr@default.test");
    assert_eq!(mgr.get("/manage/agents").await.status, StatusCode::FORBIDDEN, "still signed in, in beta");

    // Nobody removes themselves, the last administrator, or an administrator without being one.
    let page = padmin.post(&format!("/manage/agents/{padmin_id}/remove"), &[]).await;
    assert_eq!(page.status, StatusCode::BAD_REQUEST);
    let admin_id = staff_id(&app, ADMIN_EMAIL).await;
    let page = padmin.post(&format!("/manage/agents/{admin_id}/remove"), &[]).await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    assert_eq!(memberships(&app, padmin_id).await, 1);
}

#[tokio::test]
async fn the_new_routes_refuse_another_portals_ids() {
    let app = two_portals().await;
    let (boss_id, padmin_id) = (staff_id(&app, "boss@beta.test").await, staff_id(&app, "padmin@default.test").await);
    // Beta asks padmin in; the default portal's administrator cannot withdraw beta's invitation,
    // nor remove beta's administrator, nor accept for anyone but themselves.
    let boss = app.manage_as("boss@beta.test", PASSWORD).await;
    boss.post("/manage/agents", &[("email", "agent@default.test"), ("role", "agent")])
        .await
        .assert_redirect_to("/manage/agents?msg=asked");
    let agent_id = staff_id(&app, "agent@default.test").await;
    let padmin = app.manage_as("padmin@default.test", PASSWORD).await;
    for path in [
        format!("/manage/agents/invitations/{agent_id}/withdraw"),
        format!("/manage/agents/{boss_id}/remove"),
        format!("/manage/agents/{boss_id}/end-sessions"),
    ] {
        assert_eq!(padmin.post(&path, &[]).await.status, StatusCode::NOT_FOUND, "{path}");
    }
    let beta_id = app.count("SELECT id AS n FROM portals WHERE slug = 'beta'").await;
    assert_eq!(padmin.post(&format!("/manage/invitations/{beta_id}/accept"), &[]).await.status, StatusCode::NOT_FOUND);
    assert_eq!(app.count("SELECT COUNT(*) AS n FROM portal_invitations").await, 1);
    assert_eq!(memberships(&app, boss_id).await, 1);
    assert_eq!(memberships(&app, padmin_id).await, 1);
    // Without the permission, the page itself is refused.
    let agent = app.manage_as("agent@default.test", PASSWORD).await;
    assert_eq!(agent.post(&format!("/manage/agents/{padmin_id}/remove"), &[]).await.status, StatusCode::FORBIDDEN);
}
