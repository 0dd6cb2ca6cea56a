//! Merging tickets: the thread and its files move to the target, the source closes with a
//! pointer, both histories say so; the requester's portal page, private link and email
//! Message-IDs of the old ticket lead to the new one; every refusal changes nothing.

use reqwest::StatusCode;
use sqlx::Row;

use crate::common::{self, TestApp};
use frontdesk::tickets::merge::ticket_for_message_id;

/// The id of the portal's ticket with this number.
async fn ticket_id(app: &TestApp, portal_id: i64, number: i64) -> i64 {
    sqlx::query("SELECT id FROM tickets WHERE portal_id = $1 AND number = $2")
        .bind(portal_id)
        .bind(number)
        .fetch_one(app.db.pool())
        .await
        .unwrap()
        .try_get("id")
        .unwrap()
}

async fn number_of(app: &TestApp, sql: &'static str, id: i64) -> i64 {
    sqlx::query(sql).bind(id).fetch_one(app.db.pool()).await.unwrap().try_get::<i64, _>(0).unwrap()
}

/// Everything a refused merge could have touched.
async fn footprint(app: &TestApp) -> String {
    let rows = sqlx::query(
        "SELECT portal_id, number, status, updated_at, COALESCE(merged_into_id, 0) AS merged, \
         (SELECT COUNT(*) FROM ticket_messages m WHERE m.portal_id = t.portal_id AND m.ticket_id = t.id) AS messages, \
         (SELECT COUNT(*) FROM ticket_events e WHERE e.portal_id = t.portal_id AND e.ticket_id = t.id) AS events \
         FROM tickets t ORDER BY id",
    )
    .fetch_all(app.db.pool())
    .await
    .unwrap();
    let cells = ["portal_id", "number", "updated_at", "merged", "messages", "events"];
    rows.iter()
        .map(|r| {
            let numbers: Vec<String> = cells.iter().map(|c| r.try_get::<i64, _>(*c).unwrap().to_string()).collect();
            format!("{}:{}", numbers.join(":"), r.try_get::<String, _>("status").unwrap())
        })
        .collect::<Vec<_>>()
        .join(" ")
}

#[tokio::test]
async fn a_merge_moves_the_thread_and_files_and_every_way_in_leads_to_the_target() {
    let app = common::spawn().await;
    let (portal, support) = app.portal_with_department("default").await;
    let carla = app.customer("default", "carla@client.test", "Carla-Passw0rd!").await;
    let (_, ana) = app.signed_in_agent("default", "ana@desk.test", &[support], &["answer_tickets"]).await;
    let old = app.ticket(portal, support, Some(carla), "Printer broken").await;
    let new = app.ticket(portal, support, Some(carla), "Printer still broken").await;
    let (old_id, new_id) = (ticket_id(&app, portal, old).await, ticket_id(&app, portal, new).await);
    let reply_path = format!("/manage/tickets/{old}/reply");
    let fields = [("message", "See the attached manual."), ("kind", "public")];
    ana.post_multipart(&reply_path, &fields, &[("manual.txt", b"MANUAL-TEXT")]).await.assert_redirect_to("/manage/");
    // The first message went out by email with this Message-ID key (as the outbox stores it).
    let key = format!("ticket-{portal}-{old_id}-m1-abcdefghijklmnop");
    sqlx::query(
        "UPDATE ticket_messages SET email_message_id = $1 WHERE portal_id = $2 AND ticket_id = $3 AND body = $4",
    )
    .bind(&key)
    .bind(portal)
    .bind(old_id)
    .bind("The first message.")
    .execute(app.db.writer())
    .await
    .unwrap();
    let found = ticket_for_message_id(&app.db, portal, &key).await.unwrap().unwrap();
    assert_eq!(found.number, old, "before the merge the key finds its own ticket");

    let page = ana.get(&format!("/manage/tickets/{old}")).await;
    page.assert_contains("id=\"merge-form\"");
    let merged = ana.post(&format!("/manage/tickets/{old}/merge"), &[("into", format!("#{new}").as_str())]).await;
    merged.assert_redirect_to(&format!("/manage/tickets/{new}?msg=ticket-merged"));

    // The database: the thread and its file moved, the source closed and points at the target.
    assert_eq!(number_of(&app, "SELECT COUNT(*) FROM ticket_messages WHERE ticket_id = $1", old_id).await, 0);
    assert_eq!(number_of(&app, "SELECT COUNT(*) FROM ticket_messages WHERE ticket_id = $1", new_id).await, 3);
    let files = "SELECT COUNT(*) FROM ticket_message_attachments a JOIN ticket_messages m \
                 ON m.portal_id = a.portal_id AND m.id = a.message_id WHERE m.ticket_id = $1";
    assert_eq!(number_of(&app, files, new_id).await, 1);
    assert_eq!(number_of(&app, "SELECT merged_into_id FROM tickets WHERE id = $1", old_id).await, new_id);
    let status = app.text("SELECT status AS v FROM tickets WHERE number = 1001").await;
    assert_eq!(status, "closed");
    let into_event = "SELECT COUNT(*) FROM ticket_events WHERE ticket_id = $1 AND what = 'merged-into'";
    assert_eq!(number_of(&app, into_event, old_id).await, 1);
    let in_event = "SELECT COUNT(*) FROM ticket_events WHERE ticket_id = $1 AND what = 'merged-in'";
    assert_eq!(number_of(&app, in_event, new_id).await, 1);
    let updated = number_of(&app, "SELECT updated_at FROM tickets WHERE id = $1", new_id).await;
    assert!(updated > 1_700_000_000, "the target's activity moved on");

    // The agent's pages: the target has the whole thread in time order, its file and both
    // histories; the source points at it and takes no more changes.
    let target = ana.get(&format!("/manage/tickets/{new}?msg=ticket-merged")).await;
    target.assert_contains("The ticket was merged into this one.");
    target.assert_contains(&format!("merged ticket #{old} into this one"));
    let body = &target.body;
    assert!(body.find("The first message.").unwrap() < body.find("See the attached manual.").unwrap());
    let file_id =
        number_of(&app, "SELECT MAX(attachment_id) FROM ticket_message_attachments WHERE portal_id = $1", portal).await;
    let (status, _, bytes) = ana.get_bytes(&format!("/manage/tickets/{new}/files/{file_id}")).await;
    assert_eq!((status, bytes.as_slice()), (StatusCode::OK, b"MANUAL-TEXT".as_slice()));
    let source = ana.get(&format!("/manage/tickets/{old}")).await;
    source.assert_contains("id=\"merged-into\"").assert_contains(&format!("href=\"/manage/tickets/{new}\""));
    source.assert_contains(&format!("merged this ticket into #{new}"));
    source.assert_lacks("id=\"reply-form\"").assert_lacks("id=\"merge-form\"").assert_lacks("id=\"properties\"");
    let before = footprint(&app).await;
    let note = ana.post(&reply_path, &[("message", "late"), ("kind", "note")]).await;
    assert_eq!(note.status, StatusCode::CONFLICT);
    let support_code = support.to_string();
    let reopen = [("status", "open"), ("priority", "normal"), ("department", support_code.as_str()), ("assignee", "")];
    let reopened = ana.post(&format!("/manage/tickets/{old}/update"), &reopen).await;
    assert_eq!(reopened.status, StatusCode::CONFLICT, "{}", reopened.body);

    // The customer: the old ticket's page points at the new one, which is theirs to read.
    let carla_browser = app.browser();
    carla_browser.sign_in_portal("default", "carla@client.test", "Carla-Passw0rd!").await;
    let old_page = carla_browser.get(&format!("/portal/default/tickets/{old}")).await;
    old_page
        .assert_contains("This ticket was merged into")
        .assert_contains(&format!("/portal/default/tickets/{new}\""));
    old_page.assert_lacks(&format!("/portal/default/tickets/{old}/reopen"));
    let new_page = carla_browser.get(&format!("/portal/default/tickets/{new}")).await;
    new_page.assert_contains("See the attached manual.").assert_contains("manual.txt");
    let refused = carla_browser.post(&format!("/portal/default/tickets/{old}/reopen"), &[]).await;
    assert_eq!(refused.status, StatusCode::CONFLICT);
    assert_eq!(footprint(&app).await, before, "a merged ticket stays as it is");

    // An email reply naming the old Message-ID finds the message, now in the target.
    let found = ticket_for_message_id(&app.db, portal, &key).await.unwrap().unwrap();
    assert_eq!((found.id, found.number), (new_id, new));
    assert_eq!(ticket_for_message_id(&app.db, portal + 1, &key).await.unwrap(), None, "another portal's key");
}

#[tokio::test]
async fn the_message_id_lookup_follows_merged_tickets() {
    let app = common::spawn().await;
    let (portal, support) = app.portal_with_department("default").await;
    let first = app.ticket(portal, support, None, "One").await;
    let second = app.ticket(portal, support, None, "Two").await;
    let (first_id, second_id) = (ticket_id(&app, portal, first).await, ticket_id(&app, portal, second).await);
    // Data as an older merge could have left it: the message still on the merged ticket.
    sqlx::query("UPDATE tickets SET merged_into_id = $1, status = 'closed' WHERE id = $2")
        .bind(second_id)
        .bind(first_id)
        .execute(app.db.writer())
        .await
        .unwrap();
    sqlx::query("UPDATE ticket_messages SET email_message_id = 'k-1' WHERE ticket_id = $1")
        .bind(first_id)
        .execute(app.db.writer())
        .await
        .unwrap();
    let found = ticket_for_message_id(&app.db, portal, "k-1").await.unwrap().unwrap();
    assert_eq!(found.number, second);
    assert_eq!(ticket_for_message_id(&app.db, portal, "k-unknown").await.unwrap(), None);
}

#[tokio::test]
async fn a_visitors_link_to_a_merged_ticket_opens_the_ticket_it_went_into() {
    let app = common::spawn().await;
    let (portal, support) = app.portal_with_department("default").await;
    let (_, ana) = app.signed_in_agent("default", "ana@desk.test", &[support], &["answer_tickets"]).await;
    let old = app.ticket(portal, support, None, "Parcel lost").await;
    let new = app.ticket(portal, support, None, "Parcel still lost").await;
    let newest = app.ticket(portal, support, None, "Parcel found?").await;
    let old_id = ticket_id(&app, portal, old).await;
    let mut conn = app.db.writer().acquire().await.unwrap();
    let token =
        frontdesk::tickets::visitors::issue_link(&mut conn, portal, old_id, frontdesk::db::now()).await.unwrap();
    drop(conn);
    let link = format!("/portal/default{}", frontdesk::tickets::visitors::follow_path(&token));
    let visitor = app.browser();
    visitor.get(&link).await.assert_contains("Parcel lost");

    ana.post(&format!("/manage/tickets/{old}/merge"), &[("into", new.to_string().as_str())])
        .await
        .assert_redirect_to("/manage/");
    let page = visitor.get(&link).await;
    page.assert_status(StatusCode::OK).assert_contains("Parcel still lost").assert_contains("id=\"merged-from\"");
    page.assert_contains(&format!("Your ticket #{old} was merged into this one, #{new}"));
    // A reply through the old link lands on the live ticket.
    visitor.post(&format!("{link}/reply"), &[("message", "Any news?")]).await.assert_redirect_to(&link);
    let new_id = ticket_id(&app, portal, new).await;
    let asked = "SELECT COUNT(*) FROM ticket_messages WHERE ticket_id = $1 AND body = 'Any news?'";
    assert_eq!(number_of(&app, asked, new_id).await, 1);

    // Merged again: the first ticket now points at the last one too, and so does its link.
    ana.post(&format!("/manage/tickets/{new}/merge"), &[("into", newest.to_string().as_str())])
        .await
        .assert_redirect_to("/manage/");
    let newest_id = ticket_id(&app, portal, newest).await;
    assert_eq!(number_of(&app, "SELECT merged_into_id FROM tickets WHERE id = $1", old_id).await, newest_id);
    visitor.get(&link).await.assert_contains("Parcel found?").assert_contains("Any news?");
}

#[tokio::test]
async fn refused_merges_change_nothing() {
    let app = common::spawn().await;
    let (portal, support) = app.portal_with_department("default").await;
    let billing = app.department(portal, "Billing").await;
    let (other_portal, other_support) = app.portal_with_department("other").await;
    let carla = app.customer("default", "carla@client.test", "Carla-Passw0rd!").await;
    let dora = app.customer("default", "dora@client.test", "Dora-Passw0rd!").await;
    let (_, ana) = app.signed_in_agent("default", "ana@desk.test", &[support], &["answer_tickets"]).await;
    let (_, vic) = app.signed_in_agent("default", "vic@desk.test", &[support], &[]).await;
    let a = app.ticket(portal, support, Some(carla), "A").await;
    let b = app.ticket(portal, support, Some(carla), "B").await;
    let c = app.ticket(portal, support, Some(dora), "C of another customer").await;
    let d = app.ticket(portal, billing, Some(carla), "D in billing").await;
    let visitor = app.ticket(portal, support, None, "E of a visitor with the same address").await;
    for n in 0..6 {
        app.ticket(other_portal, other_support, None, &format!("Other portal {n}")).await;
    }
    let merge = |from: i64| format!("/manage/tickets/{from}/merge");
    let before = footprint(&app).await;

    let other = ana.post(&merge(a), &[("into", c.to_string().as_str())]).await;
    other.assert_status(StatusCode::UNPROCESSABLE_ENTITY).assert_contains("belongs to another requester");
    let to_visitor = ana.post(&merge(a), &[("into", visitor.to_string().as_str())]).await;
    to_visitor.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    let itself = ana.post(&merge(a), &[("into", a.to_string().as_str())]).await;
    itself.assert_status(StatusCode::UNPROCESSABLE_ENTITY).assert_contains("cannot be merged into itself");
    ana.post(&merge(a), &[("into", "")]).await.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    ana.post(&merge(a), &[("into", "abc")]).await.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    ana.post(&merge(a), &[("into", d.to_string().as_str())]).await.assert_status(StatusCode::NOT_FOUND);
    ana.post(&merge(d), &[("into", a.to_string().as_str())]).await.assert_status(StatusCode::NOT_FOUND);
    // 1006 exists only in the other portal.
    ana.post(&merge(a), &[("into", "1006")]).await.assert_status(StatusCode::NOT_FOUND);
    vic.post(&merge(a), &[("into", b.to_string().as_str())]).await.assert_status(StatusCode::FORBIDDEN);
    let forged = ana.post_raw(&merge(a), &[("csrf", "forged"), ("into", b.to_string().as_str())]).await;
    assert!(forged.status.is_client_error(), "{}", forged.status);
    assert_eq!(footprint(&app).await, before);

    ana.post(&merge(a), &[("into", b.to_string().as_str())]).await.assert_redirect_to(&format!("/manage/tickets/{b}"));
    let after = footprint(&app).await;
    let again = ana.post(&merge(a), &[("into", b.to_string().as_str())]).await;
    again.assert_status(StatusCode::UNPROCESSABLE_ENTITY).assert_contains("has already been merged");
    let into_merged = ana.post(&merge(b), &[("into", a.to_string().as_str())]).await;
    into_merged.assert_status(StatusCode::UNPROCESSABLE_ENTITY).assert_contains("has been merged into another one");
    assert_eq!(footprint(&app).await, after);
}

#[tokio::test]
async fn the_merge_speaks_portuguese() {
    let app = common::spawn().await;
    let (portal, support) = app.portal_with_department("default").await;
    let carla = app.customer("default", "carla@client.test", "Carla-Passw0rd!").await;
    app.agent("default", "ana@desk.test", "Ana", &[support], &["answer_tickets"]).await;
    let ana = app.manage_as_pt("ana@desk.test", common::AGENT_PASSWORD).await;
    let a = app.ticket(portal, support, Some(carla), "A").await;
    let b = app.ticket(portal, support, Some(carla), "B").await;
    let refused = ana.post(&format!("/manage/tickets/{a}/merge"), &[("into", a.to_string().as_str())]).await;
    refused.assert_status(StatusCode::UNPROCESSABLE_ENTITY).assert_contains("não pode ser mesclado nele mesmo");
    ana.post(&format!("/manage/tickets/{a}/merge"), &[("into", b.to_string().as_str())]).await;
    ana.get(&format!("/manage/tickets/{a}"))
        .await
        .assert_contains(&format!("Este chamado foi mesclado no chamado nº {b}"));
}
