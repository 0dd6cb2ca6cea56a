//! The portal settings page in Brazilian Portuguese: every section, label and message of the
//! settings catalogs is Portuguese, a refused value is explained in Portuguese and stores nothing,
//! the portal's default language is set there; the command line stays in English.

use crate::common;
use crate::common::oidc::{as_refs, settings_form};
use crate::common::{ADMIN_EMAIL, ADMIN_PASSWORD, TestApp};
use reqwest::StatusCode;

async fn admin_pt(app: &TestApp) -> common::Browser {
    app.manage_as_pt(ADMIN_EMAIL, ADMIN_PASSWORD).await
}

fn with(form: &[(String, String)], changes: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut form: Vec<(String, String)> =
        form.iter().filter(|(k, _)| !changes.iter().any(|(c, _)| c == k)).cloned().collect();
    form.extend(changes.iter().map(|(k, v)| (k.to_string(), v.to_string())));
    form
}

#[tokio::test]
async fn the_settings_page_is_in_portuguese() {
    let app = common::spawn().await;
    let page = admin_pt(&app).await.get("/manage/settings").await;
    assert_eq!(page.status, StatusCode::OK);
    page.assert_contains("Configurações do portal")
        .assert_contains("Host próprio (opcional)")
        .assert_contains("Entrada dos clientes")
        .assert_contains("Código de uso único por e-mail")
        .assert_contains("Política de senhas")
        .assert_contains("Entrada da equipe com o Microsoft Entra ID")
        .assert_contains("URI de redirecionamento (registre-o no aplicativo)")
        .assert_contains("Altere-o somente para uma nuvem nacional")
        // No FRONTDESK_SECRET_KEY on this server: the problem is told in Portuguese.
        .assert_contains("O Frontdesk não pode armazenar segredos")
        .assert_contains("não definido")
        .assert_contains(r#"<option value="" selected>Automático (navegador)</option>"#)
        .assert_contains(r#"<option value="pt-BR">Português (Brasil)</option>"#)
        // The fields keep their names.
        .assert_contains(r#"name="signin_email_code""#)
        .assert_contains(r#"name="entra_link_rule""#);
    page.assert_no_english();
}

#[tokio::test]
async fn a_bad_value_is_explained_in_portuguese_and_nothing_is_stored() {
    let app = common::spawn().await;
    let admin = admin_pt(&app).await;
    let form = settings_form(&admin.get("/manage/settings").await);
    let refused = with(
        &form,
        &[
            ("name", "Novo nome"),
            ("default_language", "pt-BR"),
            ("password_min_length", "7"),
            ("entra_tenant_id", "contoso"),
        ],
    );
    let page = admin.post("/manage/settings", &as_refs(&refused)).await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    page.assert_contains("O comprimento mínimo deve estar entre 8 e 128 para a política composition.")
        .assert_contains("O ID do diretório (locatário) é um GUID")
        .assert_lacks("must be between")
        .assert_lacks("is a GUID")
        // What was typed stays in the form.
        .assert_contains(r#"value="Novo nome""#);
    page.assert_no_english();
    // All or nothing: the valid values were not stored either.
    assert_eq!(app.text("SELECT name AS v FROM portals WHERE slug = 'default'").await, "Help desk");
    assert_eq!(app.count("SELECT COUNT(*) AS n FROM portals WHERE default_language IS NOT NULL").await, 0);
    assert_eq!(app.count("SELECT COUNT(*) AS n FROM portal_settings").await, 0);

    // Turning Microsoft sign-in on before it is complete names what is missing, in Portuguese.
    let page = admin.post("/manage/settings", &as_refs(&with(&form, &[("entra_enabled", "true")]))).await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    page.assert_contains(
        "A entrada com a Microsoft ainda não pode ser ativada: informe primeiro o ID do diretório (locatário), o ID \
         do aplicativo (cliente), o segredo do cliente.",
    );
}

#[tokio::test]
async fn the_default_language_is_set_on_the_page_and_shown_by_the_command_line() {
    let app = common::spawn().await;
    let admin = admin_pt(&app).await;
    let form = settings_form(&admin.get("/manage/settings").await);
    let form = with(&form, &[("default_language", "pt-BR"), ("sender_name", "Suporte Acme")]);
    admin.post("/manage/settings", &as_refs(&form)).await.assert_redirect_to("/manage/settings?msg=saved");
    assert_eq!(app.text("SELECT default_language AS v FROM portals WHERE slug = 'default'").await, "pt-BR");
    admin.get("/manage/settings").await.assert_contains(r#"<option value="pt-BR" selected>"#);

    let out = app.cli(&["portal", "show", "default"], "");
    let shown = String::from_utf8_lossy(&out.stdout);
    assert!(shown.contains("default_language = pt-BR") && shown.contains("sender_name = Suporte Acme"), "{shown}");

    // Back to the browser's language.
    let form = with(&form, &[("default_language", "")]);
    admin.post("/manage/settings", &as_refs(&form)).await.assert_redirect_to("/manage/settings?msg=saved");
    assert_eq!(app.count("SELECT COUNT(*) AS n FROM portals WHERE default_language IS NOT NULL").await, 0);
}

#[tokio::test]
async fn the_command_line_stays_in_english() {
    let app = common::spawn().await;
    let err = |args: &[&str]| {
        let out = app.cli(args, "");
        assert!(!out.status.success(), "{args:?}");
        String::from_utf8_lossy(&out.stderr).into_owned()
    };
    let stderr = err(&["portal", "set", "default", "default_language", "fr"]);
    assert!(stderr.contains("default_language takes en or pt-BR"), "{stderr}");
    let stderr = err(&["portal", "set", "default", "password_min_length", "7"]);
    assert!(stderr.contains("password_min_length must be between 8 and 128 for the composition policy"), "{stderr}");
    let stderr = err(&["portal", "set", "default", "entra_enabled", "true"]);
    assert!(
        stderr.contains("enter the directory (tenant) ID, the application (client) ID, the client secret"),
        "{stderr}"
    );
    // An unknown key lists every key with what it takes.
    let stderr = err(&["portal", "set", "default", "colour", "blue"]);
    assert!(stderr.contains("unknown setting \"colour\"; the settings are: name, host"), "{stderr}");
    assert!(stderr.contains("  default_language: en or pt-BR") && stderr.contains("  entra_link_rule: "), "{stderr}");

    let out = app.cli(&["portal", "set", "default", "default_language", "PT-br"], "");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let shown = String::from_utf8_lossy(&app.cli(&["portal", "show", "default"], "").stdout).into_owned();
    assert!(shown.contains("default_language = pt-BR") && shown.contains("customer_signin = password"), "{shown}");
}
