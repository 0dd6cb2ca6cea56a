//! Ticket search: agents search subjects, messages, notes and requesters within what they may
//! see, combined with the queue's filters and paged; customers search their own tickets'
//! subjects and public messages (never notes).

use reqwest::StatusCode;

use crate::common::{Browser, spawn};

fn queue(q: &str, more: &str) -> String {
    in_queue("all", q, more)
}

/// An agent who sees some departments only has no "all" queue: unassigned tickets are theirs.
fn unassigned(q: &str) -> String {
    in_queue("unassigned", q, "")
}

fn in_queue(queue: &str, q: &str, more: &str) -> String {
    let q: String = url::form_urlencoded::byte_serialize(q.as_bytes()).collect();
    format!("/manage/tickets?queue={queue}&status=any&q={q}{more}")
}

fn row(number: i64) -> String {
    format!("href=\"/manage/tickets/{number}\"")
}

async fn reply(admin: &Browser, number: i64, kind: &str, message: &str) {
    admin
        .post(&format!("/manage/tickets/{number}/reply"), &[("message", message), ("kind", kind)])
        .await
        .assert_redirect_to(&format!("/manage/tickets/{number}"));
}

#[tokio::test]
async fn agents_search_what_they_may_see_with_the_queue_filters() {
    let app = spawn().await;
    let (portal, first) = app.portal_with_department("default").await;
    let second = app.department(portal, "Hardware").await;
    let (other, other_department) = app.portal_with_department("other").await;
    let ana = app.customer("default", "ana@client.test", "Customer-Passw0rd!").await;
    let fire = app.ticket(portal, first, Some(ana), "Printer on fire").await;
    let billing = app.ticket(portal, first, None, "Billing question").await;
    let jammed = app.ticket(portal, second, None, "Printer jammed").await;
    let elsewhere = app.ticket(other, other_department, None, "Printer elsewhere").await;
    let admin = app.admin().await;
    reply(&admin, billing, "note", "Escalated to the zebrafish team.").await;
    reply(&admin, billing, "public", "We refunded the kumquat order.").await;
    let (_, agent) = app.signed_in_agent("default", "first@desk.test", &[first], &["answer_tickets"]).await;

    // Only the agent's departments, only this portal; words as prefixes.
    let page = agent.get(&unassigned("printer")).await;
    page.assert_status(StatusCode::OK).assert_contains(&row(fire)).assert_lacks(&row(jammed));
    page.assert_lacks("Printer elsewhere");
    let page = admin.get(&queue("print", "")).await;
    page.assert_contains(&row(fire)).assert_contains(&row(jammed)).assert_lacks(&row(billing));
    page.assert_lacks("Printer elsewhere");
    // The other portal's agents find theirs only.
    let (_, outsider) = app.signed_in_agent("other", "out@other.test", &[other_department], &[]).await;
    let page = outsider.get(&unassigned("printer")).await;
    page.assert_contains("Printer elsewhere").assert_contains(&row(elsewhere)).assert_lacks("Printer on fire");
    // Notes, public messages, the requester's name and address.
    agent.get(&unassigned("zebra")).await.assert_contains(&row(billing)).assert_lacks(&row(fire));
    agent.get(&unassigned("kumquat order")).await.assert_contains(&row(billing)).assert_lacks(&row(fire));
    let page = agent.get(&unassigned("rita@client.test")).await;
    page.assert_contains(&row(fire)).assert_contains(&row(billing));
    agent.get(&unassigned("Requester")).await.assert_contains(&row(fire));
    // Every word must be found; the words stay in the filters form.
    agent.get(&unassigned("printer kumquat")).await.assert_lacks(&row(fire)).assert_lacks(&row(billing));
    agent.get(&unassigned("printer")).await.assert_contains("name=\"q\"").assert_contains("value=\"printer\"");
    // Combined with the other filters.
    let page = admin.get(&queue("printer", &format!("&department={second}"))).await;
    page.assert_contains(&row(jammed)).assert_lacks(&row(fire));
    admin.get(&queue("printer", "&status=closed")).await.assert_lacks(&row(fire)).assert_lacks(&row(jammed));
    // Punctuation and operators: an empty result, never an error.
    for q in ["!!!", "\"", "*", "NEAR(", "')--", "a:b", "\\"] {
        let page = admin.get(&queue(q, "")).await;
        page.assert_status(StatusCode::OK).assert_lacks(&row(fire));
    }
    // A subject changed by an agent is searched by its new words.
    sqlx::query("UPDATE tickets SET subject = 'Toner smudges' WHERE portal_id = $1 AND number = $2")
        .bind(portal)
        .bind(fire)
        .execute(app.db.writer())
        .await
        .unwrap();
    admin.get(&queue("toner", "")).await.assert_contains(&row(fire));
    admin.get(&queue("fire", "")).await.assert_lacks(&row(fire));
}

#[tokio::test]
async fn ticket_search_pages_through_many_matches() {
    let app = spawn().await;
    let (portal, department) = app.portal_with_department("default").await;
    let mut numbers = Vec::new();
    for i in 0..55 {
        numbers.push(app.ticket(portal, department, None, &format!("Modem blinking {i}")).await);
    }
    app.ticket(portal, department, None, "Unrelated").await;
    let admin = app.admin().await;
    let first = admin.get(&queue("modem", "")).await;
    let shown = |body: &str| numbers.iter().filter(|n| body.contains(&row(**n))).count();
    let on_first = shown(&first.body);
    assert!(on_first < 55 && on_first > 0, "{on_first}");
    let next = first.between("id=\"older\" href=\"", "\"").replace("&amp;", "&").replace("&#38;", "&");
    assert!(next.contains("q=modem"), "{next}");
    let second = admin.get(&next).await;
    assert_eq!(on_first + shown(&second.body), 55);
    second.assert_lacks("Unrelated");
}

#[tokio::test]
async fn customers_search_their_own_tickets_but_not_notes() {
    let app = spawn().await;
    let (portal, department) = app.portal_with_department("default").await;
    let ana = app.customer("default", "ana@client.test", "Customer-Passw0rd!").await;
    let bob = app.customer("default", "bob@client.test", "Customer-Passw0rd!").await;
    let mine = app.ticket(portal, department, Some(ana), "Printer on fire").await;
    let theirs = app.ticket(portal, department, Some(bob), "Printer jammed").await;
    let admin = app.admin().await;
    reply(&admin, mine, "note", "Customer seems upset, zebrafish protocol.").await;
    reply(&admin, mine, "public", "Please send the kumquat serial.").await;

    let browser = app.browser();
    browser.sign_in_portal("default", "ana@client.test", "Customer-Passw0rd!").await;
    let link = |n: i64| format!("href=\"/portal/default/tickets/{n}\"");
    let page = browser.get("/portal/default/tickets?q=printer").await;
    page.assert_status(StatusCode::OK).assert_contains(&link(mine)).assert_lacks(&link(theirs));
    browser.get("/portal/default/tickets?q=kumq").await.assert_contains(&link(mine));
    let page = browser.get("/portal/default/tickets?q=zebrafish").await;
    page.assert_lacks(&link(mine)).assert_contains("No ticket matches");
    browser.get("/portal/default/tickets?q=printer&status=closed").await.assert_lacks(&link(mine));
    browser.get("/portal/default/tickets?q=%22%2A%28").await.assert_status(StatusCode::OK).assert_lacks(&link(mine));
    // The index holds the note (agents find it), so leaving it out is the customer's filter.
    admin.get(&queue("zebrafish", "")).await.assert_contains(&row(mine));
}

#[tokio::test]
async fn a_renamed_customer_s_tickets_are_found_by_the_new_name_only() {
    let app = spawn().await;
    let (portal, department) = app.portal_with_department("default").await;
    let ana = app.customer("default", "ana@client.test", "Customer-Passw0rd!").await;
    let admin = app.admin().await;
    let rename = |name: &'static str| {
        let admin = &admin;
        async move {
            admin
                .post(&format!("/manage/customers/{ana}"), &[("name", name), ("mobile", "")])
                .await
                .assert_redirect_to(&format!("/manage/customers/{ana}"));
        }
    };
    rename("Ana Zephyrine").await;
    let first = app.ticket(portal, department, Some(ana), "Printer on fire").await;
    let second = app.ticket(portal, department, Some(ana), "Toner empty").await;
    let page = admin.get(&queue("zephyrine", "")).await;
    page.assert_status(StatusCode::OK).assert_contains(&row(first)).assert_contains(&row(second));

    rename("Anastasia Quixotic").await;
    assert_eq!(app.text("SELECT name AS v FROM customers WHERE email = 'ana@client.test'").await, "Anastasia Quixotic");
    let page = admin.get(&queue("quixotic", "")).await;
    page.assert_status(StatusCode::OK).assert_contains(&row(first)).assert_contains(&row(second));
    let page = admin.get(&queue("zephyrine", "")).await;
    page.assert_status(StatusCode::OK).assert_lacks(&row(first)).assert_lacks(&row(second));
}

/// SQLite: the tickets' index, written a ticket at a time, gathers segments; the server merges
/// them into one (`search::sqlite_upkeep`), a few pages at a time, and every ticket is still
/// found, by every kind of word, new tickets too. PostgreSQL has no such upkeep.
#[tokio::test]
async fn the_tickets_index_merged_into_one_segment_still_finds_every_ticket() {
    use frontdesk::search::sqlite_upkeep;
    let app = spawn().await;
    if app.db.backend() != frontdesk::db::Backend::Sqlite {
        return;
    }
    let (portal, department) = app.portal_with_department("default").await;
    let mut numbers = Vec::new();
    for i in 0..30 {
        numbers.push(app.ticket(portal, department, None, &format!("Scanner {i} offline")).await);
    }
    let admin = app.admin().await;
    reply(&admin, numbers[7], "note", "Swapped the quokka cable.").await;
    let before = sqlite_upkeep::ticket_segments(&app.db).await.unwrap();
    assert!(before > 1, "written a ticket at a time: {before} segments");

    let steps = sqlite_upkeep::merge_tickets_index(&app.db, std::time::Duration::ZERO).await.unwrap();
    assert!(steps >= 1);
    assert_eq!(sqlite_upkeep::ticket_segments(&app.db).await.unwrap(), 1);
    let shown = |body: &str| numbers.iter().filter(|n| body.contains(&row(**n))).count();
    assert_eq!(shown(&admin.get(&queue("scanner offline", "")).await.body), 30);
    admin.get(&queue("quokka", "")).await.assert_contains(&row(numbers[7])).assert_lacks(&row(numbers[8]));
    admin.get(&queue("scanner 17", "")).await.assert_contains(&row(numbers[17]));
    // Written after the merge: found as well.
    let later = app.ticket(portal, department, None, "Scanner jammed").await;
    admin.get(&queue("jammed", "")).await.assert_contains(&row(later));
}
