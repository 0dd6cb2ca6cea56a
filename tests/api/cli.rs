//! The operator command line, run as a separate process against the app's database.

use crate::common::*;
use reqwest::StatusCode;

fn text(out: &std::process::Output) -> (String, String) {
    (String::from_utf8_lossy(&out.stdout).into_owned(), String::from_utf8_lossy(&out.stderr).into_owned())
}

#[tokio::test]
async fn portals_are_added_configured_and_shown_from_the_command_line() {
    let app = spawn().await;
    let out = app.cli(&["portal", "add", "acme", "--name", "Acme Support"], "");
    assert!(out.status.success(), "{:?}", text(&out));
    for (key, value) in [
        ("host", "help.acme.test"),
        ("password_policy", "length_only"),
        ("password_min_length", "20"),
        ("listed", "false"),
    ] {
        let out = app.cli(&["portal", "set", "acme", key, value], "");
        assert!(out.status.success(), "{key}: {:?}", text(&out));
    }
    let (shown, _) = text(&app.cli(&["portal", "show", "acme"], ""));
    for line in [
        "slug = acme",
        "name = Acme Support",
        "host = help.acme.test",
        "listed = false",
        "password_policy = length_only",
        "password_min_length = 20",
    ] {
        assert!(shown.contains(line), "{line} missing in {shown}");
    }
    assert_eq!(app.text("SELECT host AS v FROM portals WHERE slug = 'acme'").await, "help.acme.test");

    // Mistakes get a message that says what to do, and a failing exit.
    let out = app.cli(&["portal", "set", "acme", "colour", "blue"], "");
    assert!(!out.status.success());
    assert!(text(&out).1.contains("unknown setting \"colour\"; the settings are: name, host"), "{:?}", text(&out));
    let out = app.cli(&["portal", "set", "acme", "password_min_length", "9"], "");
    assert!(text(&out).1.contains("between 15 and 128"), "{:?}", text(&out));
    let out = app.cli(&["portal", "set", "default", "host", "HELP.acme.test"], "");
    assert!(text(&out).1.contains("another portal already uses the host help.acme.test"), "{:?}", text(&out));
    assert_eq!(app.count("SELECT COUNT(*) AS n FROM portals WHERE host IS NOT NULL").await, 1);
    let out = app.cli(&["portal", "show", "nope"], "");
    assert!(text(&out).1.contains("there is no portal \"nope\""), "{:?}", text(&out));
    let out = app.cli(&["portal", "add", "acme", "--name", "Again"], "");
    assert!(text(&out).1.contains("already exists"), "{:?}", text(&out));
}

#[tokio::test]
async fn users_get_passwords_from_standard_input_checked_against_the_policy() {
    let app = spawn().await;
    let out = app
        .cli(&["user", "add", "--portal", "default", "--role", "agent", "--email", "weak@example.com"], "password\n");
    assert!(!out.status.success());
    let (_, err) = text(&out);
    assert!(err.contains("does not meet the policy") && err.contains("upper-case"), "{err}");
    assert_eq!(app.count("SELECT COUNT(*) AS n FROM staff WHERE email_lower = 'weak@example.com'").await, 0);

    let out = app.cli(
        &["user", "add", "--portal", "default", "--role", "agent", "--email", "Ok@Example.com", "--name", "Oki"],
        "Good-Agent-Pw1\n",
    );
    assert!(out.status.success(), "{:?}", text(&out));
    let b = app.manage_as("ok@example.com", "Good-Agent-Pw1").await;
    b.get("/manage").await.assert_contains("Oki");

    // set-password replaces the password and ends every session of the account.
    let out = app.cli(&["user", "set-password", "--email", "ok@example.com"], "Newer-Agent-Pw2\n");
    assert!(out.status.success(), "{:?}", text(&out));
    assert!(text(&out).0.contains("1 session(s) ended"));
    b.get("/manage").await.assert_redirect_to("/manage/login");
    app.manage_as("ok@example.com", "Newer-Agent-Pw2").await;

    // The same email can be a customer of two portals: two accounts.
    app.cli(&["portal", "add", "beta", "--name", "Beta"], "");
    for portal in ["default", "beta"] {
        let out = app.cli(
            &["user", "add", "--portal", portal, "--role", "customer", "--email", "same@client.test"],
            &format!("{portal}-Customer-Pw1\n"),
        );
        assert!(out.status.success(), "{:?}", text(&out));
    }
    assert_eq!(app.count("SELECT COUNT(*) AS n FROM customers WHERE email_lower = 'same@client.test'").await, 2);
    let out =
        app.cli(&["user", "set-password", "--email", "same@client.test", "--portal", "beta"], "Beta-Changed-Pw9\n");
    assert!(out.status.success(), "{:?}", text(&out));
    app.browser()
        .sign_in_portal("beta", "same@client.test", "Beta-Changed-Pw9")
        .await
        .assert_redirect_to("/portal/beta/");
    app.browser()
        .sign_in_portal("default", "same@client.test", "default-Customer-Pw1")
        .await
        .assert_redirect_to("/portal/default/");

    // list shows who is there and in what state; disable ends sessions and refuses sign-in.
    let (listed, _) = text(&app.cli(&["user", "list", "--portal", "default", "--customers"], ""));
    assert!(listed.contains("staff\tadmin\tadmin@example.com\tAdministrator\tactive"), "{listed}");
    assert!(listed.contains("staff\tagent\tOk@Example.com\tOki\tactive"), "{listed}");
    assert!(listed.contains("customer\t\tsame@client.test\tsame\tactive"), "{listed}");
    let (listed, _) = text(&app.cli(&["user", "list", "--portal", "default"], ""));
    assert!(!listed.contains("customer"), "{listed}");

    let agent = app.manage_as("ok@example.com", "Newer-Agent-Pw2").await;
    let out = app.cli(&["user", "disable", "--email", "OK@example.com"], "");
    assert!(out.status.success(), "{:?}", text(&out));
    assert!(text(&out).0.contains("disabled; its sessions have ended"));
    agent.get("/manage").await.assert_redirect_to("/manage/login");
    let refused = app.browser().sign_in_manage("ok@example.com", "Newer-Agent-Pw2").await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let (listed, _) = text(&app.cli(&["user", "list", "--portal", "default"], ""));
    assert!(listed.contains("Oki\tdisabled"), "{listed}");
    let out = app.cli(&["user", "enable", "--email", "ok@example.com"], "");
    assert!(out.status.success(), "{:?}", text(&out));
    app.manage_as("ok@example.com", "Newer-Agent-Pw2").await;

    // A customer, by portal; the wrong portal or an unknown account says so.
    let out = app.cli(&["user", "disable", "--email", "same@client.test", "--portal", "beta"], "");
    assert!(out.status.success(), "{:?}", text(&out));
    let refused = app.browser().sign_in_portal("beta", "same@client.test", "Beta-Changed-Pw9").await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    app.browser()
        .sign_in_portal("default", "same@client.test", "default-Customer-Pw1")
        .await
        .assert_redirect_to("/portal/default/");
    let out = app.cli(&["user", "disable", "--email", "nobody@client.test", "--portal", "beta"], "");
    assert!(!out.status.success() && text(&out).1.contains("portal beta has no customer nobody@client.test"));
    let out = app.cli(&["user", "disable", "--email", "same@client.test"], "");
    assert!(text(&out).1.contains("for a customer, add --portal SLUG"), "{:?}", text(&out));

    // The last system administrator cannot be disabled.
    let out = app.cli(&["user", "disable", "--email", "admin@example.com"], "");
    assert!(!out.status.success());
    assert!(text(&out).1.contains("only active system administrator"), "{:?}", text(&out));
    app.admin().await;
}

#[test]
fn help_teaches_the_commands_and_the_environment() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_frontdesk")).arg("--help").output().unwrap();
    let help = String::from_utf8_lossy(&out.stdout);
    for needle in [
        "serve",
        "portal",
        "user",
        "FRONTDESK_DATABASE_URL",
        "Examples:",
        "frontdesk portal set acme password_policy length_only",
    ] {
        assert!(help.contains(needle), "{needle} missing in:\n{help}");
    }
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_frontdesk")).args(["serve", "--help"]).output().unwrap();
    let help = String::from_utf8_lossy(&out.stdout);
    for needle in
        ["FRONTDESK_BIND", "127.0.0.1:8080", "FRONTDESK_PUBLIC_URL", "__Host-", "FRONTDESK_SESSION_IDLE_MINUTES"]
    {
        assert!(help.contains(needle), "{needle} missing in:\n{help}");
    }
}
