//! Saved replies: an agent's own and a department's, managed on /manage/saved-replies and offered
//! on the reply form with their placeholders filled (in place by a script, or by the page
//! itself with `?reply=ID`); and their boundaries: another agent's own, a department's without
//! the power, another department's, another portal's.

use reqwest::StatusCode;
use sqlx::Row;

use crate::common::{self, TestApp};

/// Every saved reply as `id:department:staff:title:body`.
async fn replies(app: &TestApp) -> Vec<String> {
    let rows = sqlx::query(
        "SELECT id, COALESCE(department_id, 0) AS d, COALESCE(staff_id, 0) AS s, title, body FROM saved_replies ORDER BY id",
    )
    .fetch_all(app.db.pool())
    .await
    .unwrap();
    rows.iter()
        .map(|r| {
            let n = |c: &str| r.try_get::<i64, _>(c).unwrap();
            let t = |c: &str| r.try_get::<String, _>(c).unwrap();
            format!("{}:{}:{}:{}:{}", n("id"), n("d"), n("s"), t("title"), t("body"))
        })
        .collect()
}

async fn last_id(app: &TestApp) -> i64 {
    app.count("SELECT MAX(id) AS n FROM saved_replies").await
}

#[tokio::test]
async fn an_agent_keeps_replies_of_their_own_and_inserts_them_with_placeholders_filled() {
    let app = common::spawn().await;
    let (portal, support) = app.portal_with_department("default").await;
    let (ana_id, ana) = app.signed_in_agent("default", "ana@desk.test", &[support], &["answer_tickets"]).await;
    let number = app.ticket(portal, support, None, "Printer").await;
    sqlx::query("UPDATE tickets SET requester_name = 'Rita <b>R</b>'").execute(app.db.writer()).await.unwrap();

    ana.get(&format!("/manage/tickets/{number}")).await.assert_contains("href=\"/manage/saved-replies\"");
    ana.get("/manage/saved-replies").await.assert_status(StatusCode::OK).assert_contains("id=\"no-saved-replies\"");
    let body = "Hello {{customer_name}}, ticket #{{ticket_number}} is fixed. {{agent_name}} {{unknown}}";
    let created = ana.post("/manage/saved-replies", &[("owner", "me"), ("title", "Fixed"), ("body", body)]).await;
    created.assert_redirect_to("/manage/saved-replies?msg=saved-reply-saved");
    let id = last_id(&app).await;
    assert_eq!(replies(&app).await, vec![format!("{id}:0:{ana_id}:Fixed:{body}")]);
    ana.get("/manage/saved-replies?msg=saved-reply-saved")
        .await
        .assert_contains("The saved reply was saved.")
        .assert_contains("Fixed");

    // Offered on the ticket, filled for it as plain text (the name stays escaped).
    let page = ana.get(&format!("/manage/tickets/{number}")).await;
    page.assert_contains(&format!("?reply={id}#reply-form")).assert_contains("/static/saved-replies.js");
    let chosen = ana.get(&format!("/manage/tickets/{number}?reply={id}")).await;
    chosen.assert_status(StatusCode::OK).assert_lacks("<b>R</b>");
    let textarea = chosen.between("name=\"message\" rows=\"7\" required>", "</textarea>");
    assert!(textarea.starts_with("Hello Rita &#60;b&#62;R&#60;/b&#62;, "), "{textarea}");
    assert!(textarea.contains(&format!("ticket #{number} is fixed. ana {{{{unknown}}}}")), "{textarea}");
    ana.get(&format!("/manage/tickets/{number}?reply=x")).await.assert_status(StatusCode::NOT_FOUND);
    let (status, headers, script) = ana.get_bytes("/static/saved-replies.js").await;
    assert_eq!(status, StatusCode::OK);
    assert!(headers["content-type"].to_str().unwrap().starts_with("text/javascript"));
    assert!(String::from_utf8_lossy(&script).contains("data-reply"));

    // Edited (a refused edit changes nothing), then deleted.
    let edit = format!("/manage/saved-replies/{id}");
    ana.get(&edit).await.assert_contains("value=\"Fixed\"");
    let refused = ana.post(&edit, &[("title", " "), ("body", "New text")]).await;
    refused.assert_status(StatusCode::UNPROCESSABLE_ENTITY).assert_contains("Please give the reply a title.");
    assert_eq!(replies(&app).await, vec![format!("{id}:0:{ana_id}:Fixed:{body}")]);
    ana.post(&edit, &[("title", "Fixed!"), ("body", "New text")]).await.assert_redirect_to("/manage/saved-replies");
    assert_eq!(replies(&app).await, vec![format!("{id}:0:{ana_id}:Fixed!:New text")]);
    let created = ana.post("/manage/saved-replies", &[("owner", "me"), ("title", ""), ("body", "")]).await;
    created.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    ana.post(&format!("{edit}/delete"), &[]).await.assert_redirect_to("/manage/saved-replies?msg=saved-reply-deleted");
    assert!(replies(&app).await.is_empty());
}

#[tokio::test]
async fn department_replies_take_the_power_and_stay_in_their_department_and_portal() {
    let app = common::spawn().await;
    let (portal, support) = app.portal_with_department("default").await;
    let billing = app.department(portal, "Billing").await;
    let (other_portal, other_support) = app.portal_with_department("other").await;
    let (_, ana) = app.signed_in_agent("default", "ana@desk.test", &[support], &["answer_tickets"]).await;
    let (_, bob) = app.signed_in_agent("default", "bob@desk.test", &[billing], &["answer_tickets"]).await;
    let (_, vic) = app.signed_in_agent("default", "vic@desk.test", &[support], &[]).await;
    let perms = ["answer_tickets", "manage_departments"];
    let (_, max) = app.signed_in_agent("default", "max@desk.test", &[support], &perms).await;
    let support_ticket = app.ticket(portal, support, None, "Support ticket").await;
    let billing_ticket = app.ticket(portal, billing, None, "Billing ticket").await;

    // Max manages departments: he writes Support's reply. Ana may not, even for her department.
    let (s, b) = (support.to_string(), billing.to_string());
    let fields = [("owner", s.as_str()), ("title", "Support hello"), ("body", "Support says hi")];
    max.post("/manage/saved-replies", &fields).await.assert_redirect_to("/manage/saved-replies");
    let department_reply = last_id(&app).await;
    let refused = [("owner", s.as_str()), ("title", "Mine"), ("body", "x")];
    ana.post("/manage/saved-replies", &refused).await.assert_status(StatusCode::FORBIDDEN);
    let unknown = [("owner", "999999"), ("title", "T"), ("body", "x")];
    max.post("/manage/saved-replies", &unknown).await.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    ana.post("/manage/saved-replies", &[("owner", "me"), ("title", "Anas own"), ("body", "Ana says hi")]).await;
    let ana_reply = last_id(&app).await;
    let snapshot = replies(&app).await;
    assert_eq!(snapshot.len(), 2);

    // Offered where they belong: Ana sees Support's and her own on a Support ticket; Bob, on a
    // Billing ticket, neither.
    let page = ana.get(&format!("/manage/tickets/{support_ticket}")).await;
    page.assert_contains("Support hello").assert_contains("Anas own");
    let page = bob.get(&format!("/manage/tickets/{billing_ticket}")).await;
    page.assert_lacks("Support hello").assert_lacks("Anas own");
    for id in [department_reply, ana_reply] {
        bob.get(&format!("/manage/tickets/{billing_ticket}?reply={id}")).await.assert_status(StatusCode::NOT_FOUND);
    }
    bob.get("/manage/saved-replies").await.assert_lacks("Support hello").assert_lacks("Anas own");
    // Ana lists Support's reply, but may not change it; Bob does not even see it; nobody but Ana
    // touches her own.
    let listed = ana.get("/manage/saved-replies").await;
    listed.assert_contains("Support hello").assert_lacks(&format!("/manage/saved-replies/{department_reply}/delete"));
    let dep = format!("/manage/saved-replies/{department_reply}");
    let own = format!("/manage/saved-replies/{ana_reply}");
    let change = [("title", "Hacked"), ("body", "Hacked")];
    ana.get(&dep).await.assert_status(StatusCode::FORBIDDEN);
    ana.post(&dep, &change).await.assert_status(StatusCode::FORBIDDEN);
    ana.post(&format!("{dep}/delete"), &[]).await.assert_status(StatusCode::FORBIDDEN);
    bob.post(&dep, &change).await.assert_status(StatusCode::NOT_FOUND);
    for who in [&bob, &max] {
        who.get(&own).await.assert_status(StatusCode::NOT_FOUND);
        who.post(&own, &change).await.assert_status(StatusCode::NOT_FOUND);
        who.post(&format!("{own}/delete"), &[]).await.assert_status(StatusCode::NOT_FOUND);
    }
    vic.get("/manage/saved-replies").await.assert_status(StatusCode::FORBIDDEN);
    vic.post("/manage/saved-replies", &[("owner", "me"), ("title", "T"), ("body", "x")])
        .await
        .assert_status(StatusCode::FORBIDDEN);
    let forged = ana.post_raw(&own, &[("csrf", "forged"), ("title", "Hacked"), ("body", "Hacked")]).await;
    assert!(forged.status.is_client_error());
    assert_eq!(replies(&app).await, snapshot, "no refused change wrote anything");

    // Another portal's reply is not found from this one, whatever the address.
    sqlx::query(
        "INSERT INTO saved_replies (portal_id, department_id, title, body, created_at, updated_at) \
         VALUES ($1, $2, 'Other portal', 'Elsewhere', 0, 0)",
    )
    .bind(other_portal)
    .bind(other_support)
    .execute(app.db.writer())
    .await
    .unwrap();
    let foreign = last_id(&app).await;
    let path = format!("/manage/saved-replies/{foreign}");
    max.get(&path).await.assert_status(StatusCode::NOT_FOUND);
    max.post(&path, &change).await.assert_status(StatusCode::NOT_FOUND);
    max.post(&format!("{path}/delete"), &[]).await.assert_status(StatusCode::NOT_FOUND);
    ana.get(&format!("/manage/tickets/{support_ticket}?reply={foreign}")).await.assert_status(StatusCode::NOT_FOUND);
    let billing_for_other = [("owner", b.as_str()), ("title", "T"), ("body", "x")];
    max.post("/manage/saved-replies", &billing_for_other).await.assert_redirect_to("/manage/saved-replies");

    // Max edits and deletes Support's reply.
    max.post(&dep, &[("title", "Support hello!"), ("body", "Hi from {{agent_name}}")])
        .await
        .assert_redirect_to("/manage/");
    let filled = ana.get(&format!("/manage/tickets/{support_ticket}?reply={department_reply}")).await;
    assert_eq!(filled.between("name=\"message\" rows=\"7\" required>", "</textarea>"), "Hi from ana");
    max.post(&format!("{dep}/delete"), &[]).await.assert_redirect_to("/manage/saved-replies");
    assert_eq!(app.count_with("SELECT COUNT(*) AS n FROM saved_replies WHERE id = $1", department_reply).await, 0);
}

#[tokio::test]
async fn the_saved_replies_page_speaks_portuguese() {
    let app = common::spawn().await;
    let (_, support) = app.portal_with_department("default").await;
    app.agent("default", "ana@desk.test", "Ana", &[support], &["answer_tickets"]).await;
    let ana = app.manage_as_pt("ana@desk.test", common::AGENT_PASSWORD).await;
    ana.post("/manage/saved-replies", &[("owner", "me"), ("title", "Obrigado"), ("body", "Olá!")]).await;
    let page = ana.get("/manage/saved-replies").await;
    page.assert_contains("Respostas prontas").assert_contains("Obrigado");
    page.assert_no_english();
}
