//! The management pages, the outbox, a portal's home and the Microsoft sign-in's outcome pages
//! in Brazilian Portuguese: what a browser asking for pt-BR reads, with no English sentence of
//! these features' catalogs left over.

use crate::common::*;
use reqwest::StatusCode;

const PASSWORD: &str = "Quiet-River-77";

/// The English sentences (3 words or more, without arguments) of this area's catalogs.
/// Portuguese: `expected` is on the page and no English sentence of this area is.
fn assert_portuguese(page: &Page, expected: &[&str]) {
    for text in expected {
        page.assert_contains(text);
    }
    page.assert_no_english();
}

fn add_user(app: &TestApp, portal: &str, role: &str, email: &str) {
    app.cli_ok(&["user", "add", "--portal", portal, "--role", role, "--email", email], &format!("{PASSWORD}\n"));
}

/// The id at the end of a redirect such as `/manage/agents/7?msg=invited`.
fn id_in(page: &Page) -> i64 {
    let location = page.location.as_deref().expect("a redirect");
    let tail = location.rsplit('/').next().unwrap();
    tail.split('?').next().unwrap().parse().unwrap_or_else(|_| panic!("no id in {location}"))
}

#[tokio::test]
async fn the_home_page_and_the_agent_pages_are_in_portuguese() {
    let app = spawn().await;
    let admin = app.manage_as_pt(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let home = admin.get("/manage").await;
    assert_eq!(home.status, StatusCode::OK);
    assert_portuguese(&home, &["Início", "Abrir o portal", "Você é", "neste portal.", "Os e-mails não estão sendo"]);

    let agents = admin.get("/manage/agents").await;
    assert_portuguese(&agents, &["Agentes e administradores", "Adicionar e enviar convite", "válido por 72 horas"]);

    let added = admin.post("/manage/agents", &[("email", "ana@example.com"), ("name", "Ana"), ("role", "agent")]).await;
    added.assert_redirect_to("/manage/agents/");
    let ana = id_in(&added);
    let page = admin.get(added.location.as_deref().unwrap()).await;
    assert_portuguese(
        &page,
        &[
            "Um convite para definir a senha foi enviado.",
            "Permissões",
            "Responder chamados",
            "Enviar o convite de novo",
        ],
    );
    page.assert_contains("convidado: senha ainda não definida");
    admin.get("/manage/agents").await.assert_contains(">convidado<").assert_contains(">Agente<");

    // The form saves, and says so in Portuguese.
    let saved = admin
        .post(&format!("/manage/agents/{ana}"), &[("name", "Ana Souza"), ("role", "agent"), ("perm", "answer_tickets")])
        .await;
    saved.assert_redirect_to(&format!("/manage/agents/{ana}?msg=saved"));
    assert_eq!(app.count_with("SELECT COUNT(*) AS n FROM staff WHERE id = $1 AND name = 'Ana Souza'", ana).await, 1);
    let page = admin.get(saved.location.as_deref().unwrap()).await;
    assert_portuguese(&page, &["Salvo."]);

    // The home page lists what the agent may do, in Portuguese.
    add_user(&app, "default", "agent", "bia@example.com");
    let bia = app.manage_as_pt("bia@example.com", PASSWORD).await;
    assert_portuguese(&bia.get("/manage").await, &["Você ainda não tem permissões aqui. Peça a um administrador."]);
}

#[tokio::test]
async fn form_errors_and_refusals_of_the_agent_pages_are_in_portuguese() {
    let app = spawn().await;
    let admin = app.manage_as_pt(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let invalid = admin.post("/manage/agents", &[("email", "not-an-address"), ("name", "X"), ("role", "agent")]).await;
    assert_eq!(invalid.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_portuguese(&invalid, &["não é um endereço de e-mail", "Adicionar um agente ou administrador"]);
    let no_role =
        admin.post("/manage/agents", &[("email", "leo@example.com"), ("name", "Leo"), ("role", "boss")]).await;
    assert_portuguese(&no_role, &["Escolha uma função: agente ou administrador."]);
    assert_eq!(
        app.count("SELECT COUNT(*) AS n FROM staff WHERE email_lower IN ('not-an-address', 'leo@example.com')").await,
        0
    );

    // An error page of this area: disabling one's own account.
    let me = app.count("SELECT id AS n FROM staff WHERE email_lower = 'admin@example.com'").await;
    let refused = admin.post(&format!("/manage/agents/{me}/status"), &[("disabled", "true")]).await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST);
    assert_portuguese(&refused, &["Você não pode desativar a sua própria conta."]);
    assert_eq!(app.count("SELECT COUNT(*) AS n FROM staff WHERE disabled_at IS NOT NULL").await, 0);

    // Another portal's customer is not found, in Portuguese.
    app.cli_ok(&["portal", "add", "beta", "--name", "Beta"], "");
    add_user(&app, "beta", "customer", "carl@beta.test");
    let carl = app.count("SELECT id AS n FROM customers WHERE email_lower = 'carl@beta.test'").await;
    let missing = admin.get(&format!("/manage/customers/{carl}")).await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert_portuguese(&missing, &["Essa página não existe"]);

    // Only administrators make administrators; an agent who manages agents is told why.
    add_user(&app, "default", "agent", "gil@example.com");
    let gil = app.count("SELECT id AS n FROM staff WHERE email_lower = 'gil@example.com'").await;
    admin
        .post(&format!("/manage/agents/{gil}"), &[("role", "agent"), ("perm", "manage_agents")])
        .await
        .assert_redirect_to(&format!("/manage/agents/{gil}?msg=saved"));
    let gil_browser = app.manage_as_pt("gil@example.com", PASSWORD).await;
    let refused = gil_browser.post("/manage/agents", &[("email", "new@example.com"), ("role", "admin")]).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert_portuguese(&refused, &["Só os administradores deste portal podem criar ou alterar administradores."]);
}

#[tokio::test]
async fn customers_departments_invitations_and_portals_are_in_portuguese() {
    let app = spawn().await;
    let admin = app.manage_as_pt(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    assert_portuguese(&admin.get("/manage/customers").await, &["Nenhum cliente.", "Buscar por e-mail ou nome"]);
    let added = admin.post("/manage/customers", &[("email", "zoe@client.test"), ("name", "Zoe"), ("mobile", "")]).await;
    added.assert_redirect_to("/manage/customers/");
    assert_portuguese(&admin.get(added.location.as_deref().unwrap()).await, &["Dados", "Todos os clientes"]);
    let again = admin.post("/manage/customers", &[("email", "zoe@client.test"), ("name", "Zoe"), ("mobile", "")]).await;
    assert_eq!(again.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_portuguese(&again, &["Este portal já tem um cliente com o e-mail zoe@client.test."]);
    assert_eq!(app.count("SELECT COUNT(*) AS n FROM customers WHERE email_lower = 'zoe@client.test'").await, 1);
    let list = admin.get("/manage/customers?q=nobody").await;
    assert_portuguese(&list, &["Nenhum cliente corresponde a “nobody”."]);

    assert_portuguese(
        &admin.get("/manage/departments").await,
        &["Nenhum departamento ainda.", "Adicionar departamento"],
    );
    admin
        .post("/manage/departments", &[("name", "Vendas")])
        .await
        .assert_redirect_to("/manage/departments?msg=created");
    let twice = admin.post("/manage/departments", &[("name", "Vendas")]).await;
    assert_eq!(twice.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_portuguese(&twice, &["Já existe um departamento chamado", "Membros"]);
    let blank = admin.post("/manage/departments", &[("name", "   ")]).await;
    assert_portuguese(&blank, &["O nome de um departamento precisa ter de 1 a 80 caracteres."]);
    assert_eq!(app.count("SELECT COUNT(*) AS n FROM departments").await, 1);

    assert_portuguese(&admin.get("/manage/invitations").await, &["Ninguém convidou você para outro portal."]);

    assert_portuguese(&admin.get("/manage/portals").await, &["Adicionar um portal", "Domínio próprio"]);
    admin.post("/manage/portals", &[("slug", "beta"), ("name", "Beta")]).await.assert_redirect_to("/manage/portals");
    let taken = admin.post("/manage/portals", &[("slug", "beta"), ("name", "Beta")]).await;
    assert_portuguese(&taken, &["já existe um portal com o slug"]);
    assert_eq!(app.count("SELECT COUNT(*) AS n FROM portals WHERE slug = 'beta'").await, 1);
}

#[tokio::test]
async fn the_outbox_is_in_portuguese_with_its_dates() {
    let app = spawn().await;
    let admin = app.manage_as_pt(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    assert_portuguese(&admin.get("/manage/outbox").await, &["Caixa de saída", "Nenhuma mensagem ainda."]);
    admin
        .post("/manage/customers", &[("email", "zoe@client.test"), ("name", "Zoe"), ("mobile", "")])
        .await
        .assert_redirect_to("/manage/customers/");
    let outbox = admin.get("/manage/outbox").await;
    assert_portuguese(
        &outbox,
        &["Os e-mails não estão sendo entregues", "aguardando", "Tentativas", "zoe@client.test"],
    );
    let queued = outbox.between("<tbody><tr data-status=\"pending\">\n    <td>", "</td>");
    let (day, rest) = queued.split_once('/').unwrap_or_else(|| panic!("not a pt-BR date: {queued}"));
    assert!(day.len() == 2 && rest.ends_with(" UTC"), "not a pt-BR date: {queued}");
}

#[tokio::test]
async fn a_portal_home_is_in_portuguese_for_visitors_and_customers() {
    let app = spawn().await;
    let visitor = app.browser_pt();
    let home = visitor.get("/portal/default/").await;
    assert_eq!(home.status, StatusCode::OK);
    assert_portuguese(&home, &["Entre para falar conosco e acompanhar suas solicitações."]);

    add_user(&app, "default", "customer", "cleo@client.test");
    let cleo = app.browser_pt();
    cleo.sign_in_portal("default", "cleo@client.test", PASSWORD).await.assert_redirect_to("/portal/default/");
    let home = cleo.get("/portal/default/").await;
    assert_portuguese(&home, &["Boas-vindas, ", "Você entrou em", "como cleo@client.test.", "Seu perfil"]);

    // Staff see where they work, in Portuguese.
    let admin = app.browser_pt();
    admin.sign_in_portal("default", ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let home = admin.get("/portal/default/").await;
    assert_portuguese(&home, &["Você trabalha neste portal.", "interface de gestão"]);
}

#[tokio::test]
async fn a_portals_default_language_comes_after_a_persons_choice_and_before_the_browsers() {
    let app = spawn().await;
    app.cli_ok(&["portal", "set", "default", "default_language", "pt-BR"], "");
    let silent = app.browser();
    assert_portuguese(&silent.get("/portal/default/").await, &["Entre para falar conosco"]);
    let english = Browser::speaking(&app.base, Some("en"));
    assert_portuguese(&english.get("/portal/default/").await, &["Entre para falar conosco"]);

    // A customer who chose English reads English, whatever the portal says.
    add_user(&app, "default", "customer", "eve@client.test");
    sqlx::query("UPDATE customers SET language = 'en' WHERE email_lower = 'eve@client.test'")
        .execute(app.db.writer())
        .await
        .unwrap();
    let eve = app.browser_pt();
    eve.sign_in_portal("default", "eve@client.test", PASSWORD).await.assert_redirect_to("/portal/default/");
    eve.get("/portal/default/")
        .await
        .assert_contains("Welcome, ")
        .assert_contains("You are signed in to")
        .assert_lacks("Boas-vindas");
}

#[tokio::test]
async fn microsoft_sign_in_outcomes_are_in_portuguese() {
    let app = spawn().await;
    let b = app.browser_pt();
    let no_state = b.get("/auth/oidc/callback").await;
    assert_eq!(no_state.status, StatusCode::BAD_REQUEST);
    assert_portuguese(&no_state, &["Login incompleto", "Voltar para o login"]);
    let unknown = b.get("/auth/oidc/callback?state=nothing-we-started&code=x").await;
    assert_portuguese(&unknown, &["Login desconhecido", "Esta resposta não pertence a nenhum login que iniciamos."]);
    let off = b.get("/auth/oidc/start?portal=default").await;
    assert_eq!(off.status, StatusCode::NOT_FOUND);
    assert_portuguese(&off, &["O login com a Microsoft está desativado", "não usa o login com a Microsoft"]);
}

#[tokio::test]
async fn an_invitation_to_an_existing_account_uses_its_owners_language() {
    let app = spawn().await;
    app.cli_ok(&["portal", "add", "beta", "--name", "Beta"], "");
    add_user(&app, "beta", "agent", "bea@beta.test");
    add_user(&app, "default", "admin", "pia@example.com");
    sqlx::query("UPDATE staff SET language = 'pt-BR' WHERE email_lower = 'bea@beta.test'")
        .execute(app.db.writer())
        .await
        .unwrap();
    let pia = app.manage_as_pt("pia@example.com", PASSWORD).await;
    let asked = pia.post("/manage/agents", &[("email", "bea@beta.test"), ("name", ""), ("role", "agent")]).await;
    asked.assert_redirect_to("/manage/agents?msg=asked");
    let body = app.text("SELECT body_text AS v FROM outbox WHERE recipient = 'bea@beta.test'").await;
    assert!(body.contains("agente") && !body.contains("an agent"), "{body}");
    let agents = pia.get("/manage/agents?msg=asked").await;
    assert_portuguese(
        &agents,
        &["Convidados a participar", "Retirar convite", "Essa pessoa já tem uma conta no Frontdesk"],
    );
}
