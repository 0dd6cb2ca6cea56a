//! The agents' article finder in the reply form (`/manage/kb/find`, `kb-find.js`): the agent's
//! portal's articles, internal ones marked, with the address customers follow.

use reqwest::StatusCode;

use super::{CORPUS, Doc, publish_all};
use crate::common::{Browser, spawn};
use frontdesk::kb::Visibility;

async fn found(browser: &Browser, q: &str) -> Vec<serde_json::Value> {
    let q: String = url::form_urlencoded::byte_serialize(q.as_bytes()).collect();
    let page = browser.get(&format!("/manage/kb/find?q={q}")).await;
    page.assert_status(StatusCode::OK);
    let json: serde_json::Value = serde_json::from_str(&page.body).unwrap();
    json["articles"].as_array().unwrap().clone()
}

#[tokio::test]
async fn agents_find_their_portals_articles_and_the_reply_form_offers_them() {
    let app = spawn().await;
    let (portal, department) = app.portal_with_department("default").await;
    let (other, other_department) = app.portal_with_department("other").await;
    let ids = publish_all(&app, portal, CORPUS).await;
    let elsewhere: &[Doc] = &[("en", Visibility::Public, "Elsewhere password guide", "Password help.")];
    let other_id = publish_all(&app, other, elsewhere).await[0];
    let (_, agent) = app.signed_in_agent("default", "agent@desk.test", &[department], &["answer_tickets"]).await;
    let (_, outsider) = app.signed_in_agent("other", "out@other.test", &[other_department], &[]).await;

    let hits = found(&agent, "password").await;
    let listed: Vec<i64> = hits.iter().map(|h| h["id"].as_i64().unwrap()).collect();
    assert_eq!(listed.first(), Some(&ids[0]), "{hits:?}");
    assert!(listed.contains(&ids[4]) && !listed.contains(&other_id), "{hits:?}");
    let internal = hits.iter().find(|h| h["id"].as_i64() == Some(ids[4])).unwrap();
    assert_eq!(internal["visibility"], "internal");
    assert_eq!(hits[0]["url"], format!("{}/portal/default/kb/articles/{}", app.base, ids[0]));
    assert_eq!(hits[0]["title"], "Reset your password");
    assert!(found(&agent, "!!! \" *").await.is_empty());
    assert_eq!(found(&agent, "impressoras").await[0]["id"].as_i64(), Some(ids[5]));

    // Another portal's agent finds that portal's article only.
    let theirs: Vec<i64> = found(&outsider, "password").await.iter().map(|h| h["id"].as_i64().unwrap()).collect();
    assert_eq!(theirs, vec![other_id]);
    // Not signed in: 401, not the sign-in page.
    app.browser().get("/manage/kb/find?q=password").await.assert_status(StatusCode::UNAUTHORIZED);

    // The reply form carries the finder and its script; the script is served.
    let number = app.ticket(portal, department, None, "Cannot sign in").await;
    let page = agent.get(&format!("/manage/tickets/{number}")).await;
    page.assert_status(StatusCode::OK).assert_contains("id=\"kb-find\"").assert_contains("/static/kb-find.js");
    let (status, headers, body) = agent.get_bytes("/static/kb-find.js").await;
    assert_eq!(status, StatusCode::OK);
    assert!(headers["content-type"].to_str().unwrap().starts_with("text/javascript"));
    assert!(String::from_utf8(body).unwrap().contains("data-find"));
    let (status, _, body) = agent.get_bytes("/static/kb-suggest.js").await;
    assert_eq!(status, StatusCode::OK);
    assert!(String::from_utf8(body).unwrap().contains("data-suggest"));
}
