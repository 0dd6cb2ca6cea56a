//! The queue page's filters and sorts: each filter narrows the list to what it names, within the
//! agent's scope (a foreign department or agent shows nothing foreign); every sort pages by
//! keyset in its order with no ticket twice or missed; the filters live in the page's address
//! and links; a bad value is a 400 that says what is wrong.

use reqwest::StatusCode;

use crate::common::{self, Page, TestApp};

/// The ticket numbers a queue page lists, in its order.
pub fn numbers_in(page: &Page) -> Vec<i64> {
    page.body
        .split("<span class=\"ticket-number\">#")
        .skip(1)
        .map(|rest| rest[..rest.find('<').unwrap()].parse().unwrap())
        .collect()
}

/// Sets columns of ticket `number` of the portal directly (`set` is a fixed SQL fragment).
pub async fn set(app: &TestApp, portal: i64, number: i64, set: &str) {
    let sql = format!("UPDATE tickets SET {set} WHERE portal_id = $1 AND number = $2");
    sqlx::query(sqlx::AssertSqlSafe(sql)).bind(portal).bind(number).execute(app.db.writer()).await.unwrap();
}

/// 2024-01-10 00:00 UTC and so on, as unix seconds.
const JAN_10: i64 = 1_704_844_800;
const DAY: i64 = 86_400;

#[tokio::test]
async fn each_filter_narrows_the_list_to_what_it_names() {
    let app = common::spawn().await;
    let (portal, support) = app.portal_with_department("default").await;
    let billing = app.department(portal, "Billing").await;
    let ana_id = app.agent("default", "ana@desk.test", "ana", &[support], &["answer_tickets"]).await;
    let carol = app.customer("default", "carol@client.test", "Carol-Passw0rd!").await;
    let alpha = app.ticket(portal, support, None, "Alpha printer").await;
    let beta = app.ticket(portal, billing, None, "Beta invoice").await;
    let gamma = app.ticket(portal, support, Some(carol), "Gamma from Carol").await;
    let delta = app.ticket(portal, billing, None, "Delta closed").await;
    set(
        &app,
        portal,
        alpha,
        &format!(
            "priority = 'urgent', assignee_id = {ana_id}, created_at = {JAN_10}, updated_at = {}",
            JAN_10 + 10 * DAY
        ),
    )
    .await;
    set(
        &app,
        portal,
        beta,
        &format!(
            "priority = 'low', requester_email = 'Beta@Client.TEST', created_at = {}, updated_at = {}",
            JAN_10 + 31 * DAY,
            JAN_10 + 32 * DAY
        ),
    )
    .await;
    set(
        &app,
        portal,
        gamma,
        &format!("status = 'pending', created_at = {}, updated_at = {}", JAN_10 + 50 * DAY, JAN_10 + 55 * DAY),
    )
    .await;
    set(
        &app,
        portal,
        delta,
        &format!(
            "status = 'closed', priority = 'high', created_at = {}, updated_at = {}",
            JAN_10 + 60 * DAY,
            JAN_10 + 61 * DAY
        ),
    )
    .await;
    let admin = app.admin().await;

    let cases: Vec<(String, Vec<i64>)> = vec![
        ("".into(), vec![gamma, beta, alpha]),
        ("status=any".into(), vec![delta, gamma, beta, alpha]),
        ("priority=urgent".into(), vec![alpha]),
        ("status=any&priority=high".into(), vec![delta]),
        (format!("department={billing}"), vec![beta]),
        (format!("assignee={ana_id}"), vec![alpha]),
        ("assignee=none".into(), vec![gamma, beta]),
        // The address typed on the ticket, in any case; and the customer account's tickets.
        ("customer=beta%40client.test".into(), vec![beta]),
        ("customer=CAROL%40client.test".into(), vec![gamma]),
        ("customer=rita%40client.test".into(), vec![gamma, alpha]),
        ("created_from=2024-02-01&created_to=2024-02-28".into(), vec![beta]),
        ("created_from=2024-02-01&created_to=2024-02-29".into(), vec![gamma, beta]),
        ("created_to=2024-01-10".into(), vec![alpha]),
        ("updated_from=2024-02-11&status=any".into(), vec![delta, gamma, beta]),
        ("updated_to=2024-02-10".into(), vec![alpha]),
        ("updated_to=2024-02-11".into(), vec![beta, alpha]),
        ("status=any&sort=priority".into(), vec![alpha, delta, gamma, beta]),
        ("status=any&sort=created".into(), vec![delta, gamma, beta, alpha]),
    ];
    for (query, expected) in cases {
        let page = admin.get(&format!("/manage/tickets?queue=all&{query}")).await;
        page.assert_status(StatusCode::OK);
        assert_eq!(numbers_in(&page), expected, "{query}");
    }

    // The filters stay in the address: the form shows them and "save as view" keeps them.
    let page =
        admin.get(&format!("/manage/tickets?queue=all&sort=priority&priority=urgent&department={support}")).await;
    page.assert_contains(&format!(
        r#"name="query" value="queue=all&#38;priority=urgent&#38;department={support}&#38;sort=priority""#
    ));
    page.assert_contains(r#"<option value="urgent" selected>"#);

    // A number goes straight to the ticket; another portal's number, or none, shows nothing.
    admin
        .get(&format!("/manage/tickets?number=%23{beta}"))
        .await
        .assert_redirect_to(&format!("/manage/tickets/{beta}"));
    let (beta_portal, beta_support) = app.portal_with_department("beta").await;
    let foreign = app.ticket(beta_portal, beta_support, None, "Beta portal secret").await;
    app.ticket(beta_portal, beta_support, None, "Beta portal second").await;
    app.ticket(beta_portal, beta_support, None, "Beta portal third").await;
    app.ticket(beta_portal, beta_support, None, "Beta portal fourth").await;
    app.ticket(beta_portal, beta_support, None, "Beta portal fifth").await;
    let missing = foreign + 4;
    let page = admin.get(&format!("/manage/tickets?queue=all&number={missing}")).await;
    page.assert_status(StatusCode::OK).assert_lacks("Beta portal");
    assert!(numbers_in(&page).is_empty());
}

#[tokio::test]
async fn a_foreign_department_or_agent_shows_nothing_foreign() {
    let app = common::spawn().await;
    let (portal, support) = app.portal_with_department("default").await;
    let billing = app.department(portal, "Billing").await;
    let (_, beta_support) = app.portal_with_department("beta").await;
    let (_, ana) = app.signed_in_agent("default", "ana@desk.test", &[support], &["answer_tickets"]).await;
    let bob_id = app.agent("default", "bob@desk.test", "bob", &[billing], &["answer_tickets"]).await;
    let ours = app.ticket(portal, support, None, "Support question").await;
    let theirs = app.ticket(portal, billing, None, "Billing secret").await;
    set(&app, portal, theirs, &format!("assignee_id = {bob_id}")).await;
    // Unassigned: in the "Unassigned" queue but for the scope.
    app.ticket(portal, billing, None, "Billing secret unassigned").await;

    for query in [
        format!("department={billing}"),
        format!("assignee={bob_id}"),
        format!("department={beta_support}"),
        format!("number={theirs}"),
        "customer=rita%40client.test&status=any".to_string(),
    ] {
        for queue in ["unassigned", "mine", &format!("d{support}")] {
            let page = ana.get(&format!("/manage/tickets?queue={queue}&{query}")).await;
            page.assert_status(StatusCode::OK).assert_lacks("Billing secret");
            assert!(numbers_in(&page).iter().all(|n| *n == ours), "{queue} {query}");
        }
    }
    // A number she cannot see does not lead to it.
    ana.get(&format!("/manage/tickets?queue=unassigned&number={theirs}")).await.assert_status(StatusCode::OK);
    ana.get(&format!("/manage/tickets?queue=d{billing}&priority=low")).await.assert_status(StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn bad_filter_values_are_a_400_that_says_which() {
    let app = common::spawn().await;
    let (portal, support) = app.portal_with_department("default").await;
    app.ticket(portal, support, None, "Anything").await;
    let admin = app.admin().await;
    for (query, says) in [
        ("priority=huge", "That is not a priority"),
        ("department=billing", "department from the list"),
        ("assignee=-3", "a person from the list"),
        ("customer=not-an-address", "complete email address"),
        ("created_from=2024-13-01", "year-month-day"),
        ("updated_to=2024-02-30", "year-month-day"),
        ("number=12ab", "whole number"),
        ("sort=alphabet", "Sort by last activity"),
        ("status=sleeping", "not a ticket status"),
        ("sort=priority&after=1700000000:5", "page"),
        ("priority=a&priority=b", ""),
    ] {
        let page = admin.get(&format!("/manage/tickets?queue=all&{query}")).await;
        page.assert_status(StatusCode::BAD_REQUEST).assert_contains(says);
    }
    // In Portuguese too: the refusal, and the page with its filters, views and bulk form.
    let pt = app.manage_as_pt(common::ADMIN_EMAIL, common::ADMIN_PASSWORD).await;
    pt.post("/manage/tickets/views", &[("name", "Visão"), ("query", "queue=all")]).await;
    let page = pt.get("/manage/tickets?queue=all").await;
    page.assert_contains("Visões salvas").assert_contains("Aplicar aos chamados selecionados").assert_no_english();
    pt.get("/manage/tickets?queue=all&priority=huge")
        .await
        .assert_status(StatusCode::BAD_REQUEST)
        .assert_contains("Essa prioridade não existe");
}

/// Sixty tickets with priorities, activity and creation times that tie often.
async fn sixty_tickets(app: &TestApp, portal: i64, department: i64) -> Vec<(i64, i64, i64, i64)> {
    let mut tickets = Vec::new();
    for i in 0..60i64 {
        let number = app.ticket(portal, department, None, &format!("Paged {i:02}")).await;
        let priority = ["low", "normal", "high", "urgent"][(i % 4) as usize];
        let rank = i % 4 + 1;
        let (updated, created) = (JAN_10 + (i * 7 % 13), JAN_10 - (i * 37 % 60));
        set(app, portal, number, &format!("priority = '{priority}', updated_at = {updated}, created_at = {created}"))
            .await;
        tickets.push((number, rank, updated, created));
    }
    tickets
}

#[tokio::test]
async fn every_sort_pages_by_keyset_in_its_order_with_none_twice_or_missed() {
    let app = common::spawn().await;
    let (portal, support) = app.portal_with_department("default").await;
    let tickets = sixty_tickets(&app, portal, support).await;
    let admin = app.admin().await;
    // Ticket ids follow numbers here, so the number breaks ties as the id does.
    let mut by_activity = tickets.clone();
    by_activity.sort_by_key(|&(n, _, u, _)| std::cmp::Reverse((u, n)));
    let mut by_created = tickets.clone();
    by_created.sort_by_key(|&(n, _, _, c)| std::cmp::Reverse((c, n)));
    let mut by_priority = tickets.clone();
    by_priority.sort_by_key(|&(n, r, u, _)| std::cmp::Reverse((r, u, n)));
    // With date ranges that hold every ticket, each sort reads the range and sorts it: the same.
    let sorts = [("activity", by_activity), ("created", by_created), ("priority", by_priority)];
    let ranges = ["", "&created_to=2024-01-10&updated_from=2024-01-01"];
    for ((sort, expected), range) in sorts.iter().flat_map(|s| ranges.iter().map(move |r| (s, r))) {
        let first = admin.get(&format!("/manage/tickets?queue=all&sort={sort}{range}")).await;
        let older = first.between("id=\"older\" href=\"", "\"").replace("&amp;", "&").replace("&#38;", "&");
        // The default sort is left out of the address.
        let sorted = *sort == "activity" || older.contains(&format!("sort={sort}"));
        assert!(sorted && older.contains("after=") && !older.contains("offset"), "{older}");
        let second = admin.get(&older).await;
        second.assert_status(StatusCode::OK).assert_lacks("id=\"older\"");
        let listed: Vec<i64> = numbers_in(&first).into_iter().chain(numbers_in(&second)).collect();
        assert_eq!(numbers_in(&first).len(), 50, "{sort}");
        assert_eq!(listed, expected.iter().map(|t| t.0).collect::<Vec<_>>(), "{sort}");
    }
    // Filters stay on the next page's link.
    let first = admin.get("/manage/tickets?queue=all&sort=created&created_to=2024-01-10").await;
    let older = first.between("id=\"older\" href=\"", "\"").replace("&amp;", "&").replace("&#38;", "&");
    assert!(older.contains("created_to=2024-01-10"), "{older}");
}
