//! Signing in, passwords, profiles and their emails in Brazilian Portuguese: every page of
//! `src/auth` for a browser that asks for it, the profile's language beating the browser's, the
//! switcher before sign-in, and emails in their recipient's language.

use crate::common;
use crate::common::mail::SmtpSink;
use crate::common::*;
use reqwest::StatusCode;

const CUSTOMER: &str = "bia@client.test";
const CUSTOMER_PASSWORD: &str = "Cust0mer-Secret!";

fn assert_portuguese(page: &Page, expected: &[&str]) {
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains(r#"<html lang="pt-BR">"#), "not marked pt-BR:\n{}", page.body);
    for text in expected {
        page.assert_contains(text);
    }
    page.assert_no_english();
}

fn add_customer(app: &TestApp) {
    let args = ["user", "add", "--portal", "default", "--role", "customer", "--email", CUSTOMER, "--name", "Bia"];
    app.cli_ok(&args, &format!("{CUSTOMER_PASSWORD}\n"));
}

async fn stored_language(app: &TestApp, sql: &'static str) -> Option<String> {
    use sqlx::Row;
    sqlx::query(sql).fetch_one(app.db.pool()).await.expect(sql).try_get("v").expect("column v")
}

/// Invites an agent from an English administrator's browser; the invitation's link.
async fn invite_agent(app: &TestApp, sink: &SmtpSink, email: &str, subject: &str) -> (common::mail::Mail, String) {
    let admin = app.admin().await;
    admin.post("/manage/agents", &[("email", email), ("name", "Rui"), ("role", "agent")]).await;
    let mail = sink.wait_for(email, subject).await;
    let link = mail.link("/manage/password/");
    (mail, link)
}

#[tokio::test]
async fn every_sign_in_page_speaks_portuguese() {
    let sink = SmtpSink::start();
    let app = spawn_with_mail(&sink).await;
    add_customer(&app);
    app.cli_ok(&["portal", "set", "default", "customer_signin", "password,email_code"], "");
    let pt = app.browser_pt();

    let login = pt.get("/login").await;
    assert_portuguese(&login, &["Entrar", "Esqueceu sua senha?", "interface de gestão", "E-mail", "Senha"]);
    login.assert_contains(r#"<nav class="language-switcher" aria-label="Idioma">"#);
    login.assert_contains(r#"hreflang="pt-BR" lang="pt-BR" aria-current="true""#);
    login.assert_contains(r#"href="/language/en?next=%2Flogin""#);
    assert_portuguese(
        &pt.get("/portal/default/login").await,
        &["Entrar em", "Ou entre com um código", "Receber código", "Enviamos um código de 6 dígitos por e-mail."],
    );
    assert_portuguese(&pt.get("/portal/default/login/code").await, &["Digite seu código", "Pedir um novo código"]);
    let sent = pt.post("/portal/default/login/code/request", &[("identity", CUSTOMER)]).await;
    assert_portuguese(&sent, &["enviamos um código de 6 dígitos por e-mail. Ele expira em"]);
    let wrong = pt.post("/portal/default/login/code", &[("code", "000000")]).await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    wrong.assert_contains("Esse código não está correto");
    assert_portuguese(&pt.get("/forgot").await, &["Esqueceu sua senha?", "Enviar o link", "Voltar para a entrada"]);
    let asked = pt.post("/portal/default/forgot", &[("email", CUSTOMER)]).await;
    assert_portuguese(&asked, &["Esqueceu sua senha de", "O link expira em 1 hora"]);
    assert_portuguese(&pt.get("/manage/login").await, &["Interface de gestão", "Clientes entram pelo"]);
    assert_portuguese(&pt.get("/manage/forgot").await, &["Informe o e-mail da sua conta"]);
    let wrong = pt.sign_in_manage(ADMIN_EMAIL, "not-the-password").await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    wrong.assert_contains("O e-mail ou a senha estão incorretos.");

    // A set-password page from an invitation (the invitation itself in English: nobody chose).
    let (mail, link) = invite_agent(&app, &sink, "rui@example.com", "Set your password").await;
    assert!(mail.text.contains("Hello Rui,"), "{}", mail.text);
    let form = pt.get(&link).await;
    assert_portuguese(
        &form,
        &["Defina sua senha", "A nova senha deve conter no mínimo 8 dígitos", "Repita a nova senha"],
    );
    form.assert_contains("Deve conter uma letra maiúscula")
        .assert_contains("Não podem ser utilizados os caracteres especiais “&#38;” e “#”");
    let weak = pt.post(&link, &[("new_password", "abc"), ("confirm_password", "abd")]).await;
    assert_eq!(weak.status, StatusCode::UNPROCESSABLE_ENTITY);
    weak.assert_contains("(ela tem 3)").assert_contains("As duas senhas não são iguais.");

    // Both profiles, signed in.
    let staff = app.manage_as_pt(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let profile = staff.get("/manage/profile").await;
    assert_portuguese(&profile, &["Seu perfil", "Alterar sua senha", "Onde você está conectado", "esta sessão"]);
    // The password rules in the desk's own words, the four kinds of character in one line.
    for rule in [
        "A nova senha deve conter no mínimo 8 dígitos",
        "<li>Deve conter uma letra maiúscula, uma minúscula, um carácter especial e um número</li>",
        "Não podem ser utilizados os caracteres especiais “&#38;” e “#”",
    ] {
        profile.assert_contains(rule);
    }
    profile.assert_lacks("<li></li>");
    profile.assert_contains(r#"<option value="" selected>Automático</option>"#);
    profile.assert_contains(r#"<option value="pt-BR" lang="pt-BR">Português (Brasil)</option>"#);
    let today = profile.between("esta sessão</span></td>", "</tr>");
    assert!(today.contains(" UTC") && today.contains('/'), "dates in the Brazilian form: {today}");
    let refused = staff
        .post(
            "/manage/profile/password",
            &[("current_password", "wrong"), ("new_password", "x"), ("confirm_password", "x")],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    refused.assert_contains("Sua senha atual não está correta.");

    let customer = app.browser_pt();
    customer.sign_in_portal("default", CUSTOMER, CUSTOMER_PASSWORD).await.assert_redirect_to("/portal/default/");
    let profile = customer.get("/portal/default/profile").await;
    assert_portuguese(&profile, &["Seu perfil", "Seus dados", "Número de celular", "Encerrar minhas outras sessões"]);
}

#[tokio::test]
async fn a_profile_choice_beats_the_browser_and_emails_follow_their_recipient() {
    let sink = SmtpSink::start();
    let app = spawn_with_mail(&sink).await;
    add_customer(&app);

    // A customer with an English browser chooses Portuguese.
    let en = app.browser();
    en.sign_in_portal("default", CUSTOMER, CUSTOMER_PASSWORD).await.assert_redirect_to("/portal/default/");
    en.get("/portal/default/profile").await.assert_contains("Your profile");
    en.post("/portal/default/profile/details", &[("name", "Bia"), ("mobile", ""), ("language", "pt-BR")])
        .await
        .assert_redirect_to("/portal/default/profile?msg=saved");
    let sql = "SELECT language AS v FROM customers WHERE email_lower = 'bia@client.test'";
    assert_eq!(stored_language(&app, sql).await.as_deref(), Some("pt-BR"));
    let profile = en.get("/portal/default/profile?msg=saved").await;
    assert_portuguese(&profile, &["Seu perfil", "Salvo."]);
    profile.assert_contains(r#"<option value="pt-BR" lang="pt-BR" selected>"#);

    // Her reset email is in Portuguese though an English browser asked for it.
    app.browser().post("/portal/default/forgot", &[("email", CUSTOMER)]).await;
    let reset = sink.wait_for(CUSTOMER, "Redefina sua senha de").await;
    assert!(reset.text.contains("Olá, Bia!") && reset.text.contains("expira em 1 hora"), "{}", reset.text);
    assert!(reset.html.contains(r#"<html lang="pt-BR">"#) && reset.html.contains("Se o botão não funcionar"));
    // So is the notice that her password changed.
    let link = reset.link("/password/");
    let new_password = "Outra-Senha-42";
    en.post(&link, &[("new_password", new_password), ("confirm_password", new_password)])
        .await
        .assert_redirect_to("/portal/default/login?msg=password-set");
    let notice = sink.wait_for(CUSTOMER, "foi alterada").await;
    assert!(notice.text.contains("Os links enviados antes"), "{}", notice.text);

    // Choosing English again beats a Portuguese browser.
    let pt = app.browser_pt();
    pt.sign_in_portal("default", CUSTOMER, new_password).await.assert_redirect_to("/portal/default/");
    pt.post("/portal/default/profile/details", &[("name", "Bia"), ("language", "en")]).await;
    assert_eq!(stored_language(&app, sql).await.as_deref(), Some("en"));
    let english = pt.get("/portal/default/profile").await;
    english.assert_contains(r#"<html lang="en">"#).assert_contains("Your profile");
    // "Automatic" stores nothing.
    pt.post("/portal/default/profile/details", &[("name", "Bia"), ("language", "")]).await;
    assert_eq!(stored_language(&app, sql).await, None);
    pt.get("/portal/default/profile").await.assert_contains("Seu perfil");

    // A staff member with an English browser chooses Portuguese: pages and emails follow.
    let admin = app.admin().await;
    admin
        .post("/manage/profile/details", &[("name", "Ada Admin"), ("language", "pt-BR")])
        .await
        .assert_redirect_to("/manage/profile?msg=saved");
    let sql = "SELECT language AS v FROM staff WHERE email_lower = 'admin@example.com'";
    assert_eq!(stored_language(&app, sql).await.as_deref(), Some("pt-BR"));
    assert_portuguese(&admin.get("/manage/profile").await, &["Seu perfil"]);
    app.browser().post("/manage/forgot", &[("email", ADMIN_EMAIL)]).await;
    let reset = sink.wait_for(ADMIN_EMAIL, "Redefina sua senha de Frontdesk").await;
    assert!(reset.text.contains("Olá, Ada Admin!"), "{}", reset.text);

    // On a portal's pages too; there, a staff member's details form holds only the language.
    let in_portal = app.browser();
    in_portal.sign_in_portal("default", ADMIN_EMAIL, ADMIN_PASSWORD).await.assert_redirect_to("/portal/default/");
    let page = in_portal.get("/portal/default/profile").await;
    assert_portuguese(&page, &["Seu perfil", "Idioma"]);
    page.assert_lacks(r#"name="mobile""#);
    in_portal
        .post("/portal/default/profile/details", &[("language", "en")])
        .await
        .assert_redirect_to("/portal/default/profile?msg=saved");
    assert_eq!(stored_language(&app, sql).await.as_deref(), Some("en"));
    in_portal.get("/portal/default/profile?msg=saved").await.assert_contains("Your profile").assert_contains("Saved.");
}

#[tokio::test]
async fn invitations_use_the_portals_language_when_the_invitee_chose_none() {
    let sink = SmtpSink::start();
    let app = spawn_with_mail(&sink).await;
    app.cli_ok(&["portal", "set", "default", "default_language", "pt-BR"], "");
    let (mail, link) = invite_agent(&app, &sink, "rui@example.com", "Defina sua senha de").await;
    assert!(mail.text.contains("Você agora é agente em"), "{}", mail.text);
    assert!(mail.text.contains("expira em 72 horas"), "{}", mail.text);
    // The page behind the link speaks the portal's language to an English browser too.
    assert_portuguese(&app.browser().get(&link).await, &["Defina sua senha"]);
}

#[tokio::test]
async fn the_switcher_chooses_before_sign_in_and_never_leaves_the_site() {
    let app = spawn().await;
    let b = app.browser();
    b.get("/login").await.assert_contains(r#"<html lang="en">"#).assert_contains("Forgot your password?");
    b.get("/language/pt-BR?next=%2Flogin").await.assert_redirect_to("/login");
    assert_portuguese(&b.get("/login").await, &["Esqueceu sua senha?"]);
    // The portal's own route to the switcher, back to English.
    let back = b.get("/portal/default/language/en?next=%2Fportal%2Fdefault%2Flogin").await;
    back.assert_redirect_to("/portal/default/login");
    b.get("/portal/default/login").await.assert_contains(r#"<html lang="en">"#);

    for hostile in
        ["//evil.example", "https://evil.example", "/\\evil.example", "%2F%2Fevil.example", "/%09/evil.example"]
    {
        // Sent back to a page of the site, or refused outright (a tab in the address).
        let page = b.get(&format!("/language/pt-BR?next={hostile}")).await;
        if page.status.is_redirection() {
            let to = page.location.unwrap_or_default();
            assert!(to.starts_with('/') && !to.starts_with("//") && !to.contains("evil"), "{hostile} went to {to}");
        } else {
            assert!(page.status.is_client_error(), "{hostile}: {}", page.status);
        }
    }
    assert_eq!(b.get("/language/xx-YY?next=/login").await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_hostile_language_on_a_profile_is_refused_and_nothing_is_stored() {
    let app = spawn().await;
    add_customer(&app);
    let admin = app.admin().await;
    let customer = app.browser();
    customer.sign_in_portal("default", CUSTOMER, CUSTOMER_PASSWORD).await;
    for hostile in ["de", "pt", "EN", "pt-BR'; DROP TABLE staff; --", "<script>alert(1)</script>", "pt-BR\u{0}"] {
        let page = admin.post("/manage/profile/details", &[("name", "Changed Name"), ("language", hostile)]).await;
        assert_eq!(page.status, StatusCode::BAD_REQUEST, "{hostile}");
        // (A NUL is refused earlier, by the form reader, with its own message.)
        if !hostile.contains('\0') {
            page.assert_contains("Choose a language from the list.");
        }
        page.assert_lacks("<script>alert");
        let page =
            customer.post("/portal/default/profile/details", &[("name", "Changed"), ("language", hostile)]).await;
        assert_eq!(page.status, StatusCode::BAD_REQUEST, "{hostile}");
    }
    let sql = "SELECT COUNT(*) AS n FROM staff WHERE language IS NOT NULL OR name = 'Changed Name'";
    assert_eq!(app.count(sql).await, 0);
    let sql = "SELECT COUNT(*) AS n FROM customers WHERE language IS NOT NULL OR name = 'Changed'";
    assert_eq!(app.count(sql).await, 0);
    // In Portuguese, the refusal is too.
    let pt = app.manage_as_pt(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let page = pt.post("/manage/profile/details", &[("name", "Ada"), ("language", "fr")]).await;
    assert_eq!(page.status, StatusCode::BAD_REQUEST);
    page.assert_contains("Escolha um idioma da lista.");
}

#[tokio::test]
async fn sign_in_codes_reach_a_customer_in_her_language_whoever_asks() {
    let sink = SmtpSink::start();
    let gateway = common::sms::SmsGateway::start().await;
    let app = spawn_with(|c| {
        use_smtp(c, sink.port);
        use_sms(c, &gateway);
    })
    .await;
    let args = ["user", "add", "--portal", "default", "--role", "customer", "--email", CUSTOMER, "--name", "Bia"];
    app.cli_ok(&[&args[..], &["--mobile", "+55 11 91234-5678"]].concat(), &format!("{CUSTOMER_PASSWORD}\n"));
    app.cli_ok(&["portal", "set", "default", "customer_signin", "password,email_code,sms_code"], "");
    let en = app.browser();
    en.sign_in_portal("default", CUSTOMER, CUSTOMER_PASSWORD).await;
    en.post(
        "/portal/default/profile/details",
        &[("name", "Bia"), ("mobile", "+55 11 91234-5678"), ("language", "pt-BR")],
    )
    .await
    .assert_redirect_to("/portal/default/profile?msg=saved");

    // An English browser asks; the page answers in English, the code arrives in Portuguese.
    let asker = app.browser();
    let page = asker.post("/portal/default/login/code/request", &[("identity", CUSTOMER)]).await;
    page.assert_contains("by email and by SMS");
    let mail = sink.wait_for(CUSTOMER, "Seu código de entrada em").await;
    assert!(mail.text.contains("Olá, Bia!") && mail.text.contains("ninguém consegue entrar sem ele"), "{}", mail.text);
    let sms = gateway.wait_for("para entrar em").await;
    let json: serde_json::Value = serde_json::from_str(&sms.body).unwrap();
    let text = json["body"].as_str().unwrap();
    assert!(text.contains("é o seu código para entrar em") && text.contains("Não o compartilhe."), "{text}");
    assert_eq!(common::sms::six_digits(text), common::sms::six_digits(&mail.text), "one code, two copies");
}
