//! Satisfaction ratings: the links of the "resolved" email lead to a form that records only
//! when posted; bad and expired links are 404s and throttled; the signed-in customer and the
//! visitor's link page rate too (another customer's ticket is refused); the agent's ticket page
//! and the dashboard show the ratings.

use reqwest::StatusCode;
use sqlx::Row;

use crate::common::mail::SmtpSink;
use crate::common::{Browser, TestApp};

const PASSWORD: &str = "Cust0mer-Secret!";

async fn rating_of(app: &TestApp, portal_id: i64, number: i64) -> Option<(String, String)> {
    let row = sqlx::query(
        "SELECT r.rating, r.comment FROM ticket_ratings r JOIN tickets t ON t.portal_id = r.portal_id AND t.id = r.ticket_id \
         WHERE t.portal_id = $1 AND t.number = $2",
    )
    .bind(portal_id)
    .bind(number)
    .fetch_optional(app.db.pool())
    .await
    .unwrap();
    row.map(|r| (r.try_get("rating").unwrap(), r.try_get("comment").unwrap()))
}

async fn set_status(app: &TestApp, portal_id: i64, number: i64, status: &str) {
    sqlx::query("UPDATE tickets SET status = $1 WHERE portal_id = $2 AND number = $3")
        .bind(status)
        .bind(portal_id)
        .bind(number)
        .execute(app.db.writer())
        .await
        .unwrap();
}

/// The address without its query.
fn path_of(link: &str) -> &str {
    link.split('?').next().unwrap()
}

#[tokio::test]
async fn the_resolved_email_links_to_a_form_that_records_only_when_posted() {
    let sink = SmtpSink::start();
    let app = crate::common::spawn_with_mail(&sink).await;
    let (pid, support) = app.portal_with_department("default").await;
    let cora = app.customer("default", "cora@client.test", PASSWORD).await;
    let number = app.ticket(pid, support, Some(cora), "Printer jam").await;
    let (_, agent) = app.signed_in_agent("default", "ana@desk.test", &[support], &["answer_tickets"]).await;
    let fields =
        [("status", "resolved"), ("priority", "normal"), ("department", &support.to_string()), ("assignee", "")];
    agent.post(&format!("/manage/tickets/{number}/update"), &fields).await.assert_redirect_to("/manage/tickets/");
    let mail = sink.wait_for("cora@client.test", "Resolved").await;
    let (good, bad) = (mail.link("rating=good"), mail.link("rating=bad"));
    assert!(good.starts_with("/portal/default/tickets/rate/"), "{good}");
    assert_eq!(path_of(&good), path_of(&bad));
    assert!(mail.html.contains("rating=good") && mail.html.contains("rating=bad"));

    // Opening the links (as a mail scanner does) records nothing; each preselects its choice.
    let visitor = app.browser();
    let page = visitor.get(&good).await;
    page.assert_status(StatusCode::OK).assert_contains("id=\"rating-good\" checked").assert_contains("Printer jam");
    visitor.get(&bad).await.assert_status(StatusCode::OK).assert_contains("id=\"rating-bad\" checked");
    assert_eq!(app.count("SELECT COUNT(*) AS n FROM ticket_ratings").await, 0);

    // Without the CSRF token, or without a choice, nothing is recorded.
    let form = path_of(&good).to_string();
    assert!(visitor.post_raw(&form, &[("rating", "good")]).await.status.is_client_error());
    visitor.post(&form, &[("rating", "meh")]).await.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(app.count("SELECT COUNT(*) AS n FROM ticket_ratings").await, 0);

    visitor.post(&form, &[("rating", "good"), ("comment", "Quick and kind")]).await.assert_redirect_to(&form);
    assert_eq!(rating_of(&app, pid, number).await, Some(("good".into(), "Quick and kind".into())));
    visitor.follow(&format!("{form}?msg=rated")).await.assert_contains("id=\"rating-saved\"");
    // Rating again changes the one rating; the history has the first only.
    visitor.post(&form, &[("rating", "bad"), ("comment", "It broke again")]).await.assert_redirect_to(&form);
    assert_eq!(rating_of(&app, pid, number).await, Some(("bad".into(), "It broke again".into())));
    assert_eq!(app.count("SELECT COUNT(*) AS n FROM ticket_ratings").await, 1);
    assert_eq!(app.count("SELECT COUNT(*) AS n FROM ticket_events WHERE what = 'rated'").await, 1);
    let sums = "SELECT CAST(SUM(rated_good) * 10 + SUM(rated_bad) AS BIGINT) AS n FROM ticket_daily";
    assert_eq!(app.count(sums).await, 1);

    // The agent sees it on the ticket; the dashboard counts it.
    let page = agent.get(&format!("/manage/tickets/{number}")).await;
    page.assert_contains("id=\"ticket-rating\"").assert_contains("It broke again");
    assert!(page.between("id=\"rating-value\"", "</span>").contains("Bad"));
    let home = agent.get("/manage").await;
    assert!(home.between(&format!("id=\"d{support}-good\">"), "</td>").contains("0 % of 1"));
    // Reopened since: the link shows no form and refuses a rating.
    set_status(&app, pid, number, "open").await;
    visitor.get(&good).await.assert_contains("id=\"rating-not-resolved\"");
    visitor.post(&form, &[("rating", "good")]).await.assert_status(StatusCode::CONFLICT);
    assert_eq!(rating_of(&app, pid, number).await.unwrap().0, "bad");
}

#[tokio::test]
async fn wrong_and_expired_rating_links_are_not_found_and_throttled() {
    let sink = SmtpSink::start();
    let app = crate::common::spawn_with_mail(&sink).await;
    let (pid, support) = app.portal_with_department("default").await;
    let cora = app.customer("default", "cora@client.test", PASSWORD).await;
    let number = app.ticket(pid, support, Some(cora), "Printer jam").await;
    let (_, agent) = app.signed_in_agent("default", "ana@desk.test", &[support], &["answer_tickets"]).await;
    let fields =
        [("status", "resolved"), ("priority", "normal"), ("department", &support.to_string()), ("assignee", "")];
    agent.post(&format!("/manage/tickets/{number}/update"), &fields).await;
    let link = sink.wait_for("cora@client.test", "Resolved").await.link("rating=good");
    let visitor = app.browser();
    visitor.get(&link).await.assert_status(StatusCode::OK);
    sqlx::query("UPDATE ticket_rating_links SET expires_at = 1").execute(app.db.writer()).await.unwrap();
    visitor.get(&link).await.assert_status(StatusCode::NOT_FOUND);
    visitor.post(path_of(&link), &[("rating", "good")]).await.assert_status(StatusCode::NOT_FOUND);
    assert_eq!(app.count("SELECT COUNT(*) AS n FROM ticket_ratings").await, 0);
    let wrong = format!("/portal/default/tickets/rate/{}", "A".repeat(43));
    let mut last = StatusCode::OK;
    for _ in 0..60 {
        last = visitor.get(&wrong).await.status;
        if last == StatusCode::TOO_MANY_REQUESTS {
            break;
        }
        assert_eq!(last, StatusCode::NOT_FOUND);
    }
    assert_eq!(last, StatusCode::TOO_MANY_REQUESTS);
}

#[tokio::test]
async fn customers_and_visitors_rate_from_their_ticket_pages_and_never_anothers() {
    let app = crate::common::spawn().await;
    let (pid, support) = app.portal_with_department("default").await;
    let cora = app.customer("default", "cora@client.test", PASSWORD).await;
    app.customer("default", "dan@client.test", PASSWORD).await;
    let number = app.ticket(pid, support, Some(cora), "Printer jam").await;
    let browser = app.browser();
    browser.sign_in_portal("default", "cora@client.test", PASSWORD).await;
    let page_path = format!("/portal/default/tickets/{number}");
    let rate = format!("{page_path}/rating");
    browser.get(&page_path).await.assert_status(StatusCode::OK).assert_lacks("id=\"rating-form\"");
    browser.post(&rate, &[("rating", "good")]).await.assert_status(StatusCode::CONFLICT);
    set_status(&app, pid, number, "resolved").await;
    browser.get(&page_path).await.assert_contains("id=\"rating-form\"");
    browser.post(&rate, &[("rating", "good"), ("comment", "Thanks!")]).await.assert_redirect_to(&page_path);
    assert_eq!(rating_of(&app, pid, number).await, Some(("good".into(), "Thanks!".into())));
    browser.follow(&format!("{page_path}?msg=rated")).await.assert_contains("id=\"rating-current\"");

    let dan = app.browser();
    dan.sign_in_portal("default", "dan@client.test", PASSWORD).await;
    dan.post(&rate, &[("rating", "bad"), ("comment", "spite")]).await.assert_status(StatusCode::NOT_FOUND);
    assert_eq!(rating_of(&app, pid, number).await, Some(("good".into(), "Thanks!".into())));

    // A visitor's ticket, through its private link.
    let visitor_number = app.ticket(pid, support, None, "Visitor question").await;
    set_status(&app, pid, visitor_number, "closed").await;
    let ticket_id = app.count_with("SELECT id AS n FROM tickets WHERE number = $1", visitor_number).await;
    let mut tx = app.db.writer().begin().await.unwrap();
    let token = frontdesk::tickets::visitors::issue_link(&mut tx, pid, ticket_id, frontdesk::db::now()).await.unwrap();
    tx.commit().await.unwrap();
    let follow = format!("/portal/default{}", frontdesk::tickets::visitors::follow_path(&token));
    let visitor = Browser::new(&app.base);
    visitor.get(&follow).await.assert_contains("id=\"rating-form\"");
    visitor.post(&format!("{follow}/rating"), &[("rating", "bad")]).await.assert_redirect_to(&follow);
    assert_eq!(rating_of(&app, pid, visitor_number).await, Some(("bad".into(), String::new())));
    let admin = app.admin().await;
    let home = admin.get("/manage").await;
    assert!(home.between(&format!("id=\"d{support}-good\">"), "</td>").contains("50 % of 2"));
    let pt = app.browser_pt();
    pt.sign_in_portal("default", "cora@client.test", PASSWORD).await;
    pt.get(&page_path).await.assert_contains("id=\"rating-form\"").assert_no_english();
}
