//! Files on tickets, as the customer sends and downloads them: a ticket and a reply with files,
//! read back byte for byte with safe headers; every refusal (too large, empty, too many, no CSRF
//! token, a duplicated field) a 4xx that leaves nothing stored; files out of the customer's
//! reach a 404; and the sweep of uploads never linked to a message.

use frontdesk::tickets::attachments;
use reqwest::StatusCode;
use sha2::{Digest, Sha256};
use sqlx::Row;

use crate::common::{Browser, Page, TestApp, with_fields, with_files};

const PASSWORD: &str = "Cust0mer-Secret!";

async fn customer(app: &TestApp, browser: &Browser, slug: &str, email: &str) {
    app.cli_ok(&["user", "add", "--portal", slug, "--role", "customer", "--email", email], &format!("{PASSWORD}\n"));
    browser.sign_in_portal(slug, email, PASSWORD).await.assert_redirect_to(&format!("/portal/{slug}/"));
}

async fn submit(browser: &Browser, slug: &str, department: i64, message: &str, files: &[(&str, &[u8])]) -> Page {
    let department = department.to_string();
    let fields = [("department", department.as_str()), ("subject", "Files attached"), ("message", message)];
    browser.post_multipart(&format!("/portal/{slug}/tickets/new"), &fields, files).await
}

/// Rows of tickets, messages, events, attachments, chunks and links: what a refusal must not change.
async fn footprint(app: &TestApp) -> [i64; 6] {
    [
        app.count("SELECT COUNT(*) AS n FROM tickets").await,
        app.count("SELECT COUNT(*) AS n FROM ticket_messages").await,
        app.count("SELECT COUNT(*) AS n FROM ticket_events").await,
        app.count("SELECT COUNT(*) AS n FROM attachments").await,
        app.count("SELECT COUNT(*) AS n FROM attachment_chunks").await,
        app.count("SELECT COUNT(*) AS n FROM ticket_message_attachments").await,
    ]
}

/// A PNG of `len` bytes (its signature, then noise), larger than one stored chunk.
fn png(len: usize) -> Vec<u8> {
    let mut data = b"\x89PNG\r\n\x1a\n".to_vec();
    data.extend((0..len - 8).map(|i| (i * 7 % 253) as u8));
    data
}

fn sha256(data: &[u8]) -> String {
    Sha256::digest(data).iter().map(|b| format!("{b:02x}")).collect()
}

/// The ids of the files linked to ticket 1001's messages, in order, with the message's id.
async fn linked(app: &TestApp) -> Vec<(i64, i64, String, i64, String, Option<i64>)> {
    sqlx::query(
        "SELECT l.message_id, a.id, a.filename, a.size, a.sha256, a.pending_since FROM ticket_message_attachments l \
         JOIN attachments a ON a.portal_id = l.portal_id AND a.id = l.attachment_id ORDER BY a.id",
    )
    .fetch_all(app.db.pool())
    .await
    .unwrap()
    .iter()
    .map(|r| {
        (
            r.try_get("message_id").unwrap(),
            r.try_get("id").unwrap(),
            r.try_get("filename").unwrap(),
            r.try_get("size").unwrap(),
            r.try_get("sha256").unwrap(),
            r.try_get("pending_since").unwrap(),
        )
    })
    .collect()
}

#[tokio::test]
async fn a_ticket_and_a_reply_carry_files_that_download_byte_for_byte() {
    let app = crate::common::spawn().await;
    let (_, department) = app.portal_with_department("default").await;
    let ana = app.browser();
    customer(&app, &ana, "default", "ana@client.test").await;
    let image = png(600_000);
    let text = "Olá, relatório em anexo.\n".repeat(100);
    let files: [(&str, &[u8]); 3] = [("screen.png", &image), ("relatório final.txt", text.as_bytes()), ("", b"")];
    submit(&ana, "default", department, "See the files.", &files)
        .await
        .assert_redirect_to("/portal/default/tickets/1001");

    let rows = linked(&app).await;
    assert_eq!(rows.len(), 2, "two files, the empty file input ignored: {rows:?}");
    let first_message = app.count("SELECT MIN(id) AS n FROM ticket_messages").await;
    assert_eq!((rows[0].0, rows[0].2.as_str(), rows[0].3), (first_message, "screen.png", 600_000));
    assert_eq!((rows[1].2.as_str(), rows[1].3), ("relatório final.txt", text.len() as i64));
    assert_eq!((rows[0].4.clone(), rows[1].4.clone()), (sha256(&image), sha256(text.as_bytes())));
    assert!(rows.iter().all(|r| r.5.is_none()), "linked files are no longer pending");
    assert_eq!(
        app.count_with("SELECT COUNT(*) AS n FROM attachment_chunks WHERE attachment_id = $1", rows[0].1).await,
        3
    );
    let events = sqlx::query("SELECT new_value FROM ticket_events WHERE what = 'attachment' ORDER BY id")
        .fetch_all(app.db.pool())
        .await
        .unwrap();
    let names: Vec<String> = events.iter().map(|r| r.try_get("new_value").unwrap()).collect();
    assert_eq!(names, ["screen.png", "relatório final.txt"]);

    let page = ana.get("/portal/default/tickets/1001").await;
    let image_link = format!("/portal/default/tickets/1001/files/{}", rows[0].1);
    page.assert_contains(&image_link).assert_contains("screen.png").assert_contains("600 kB");
    page.assert_contains("relatório final.txt").assert_contains("2.7 kB");
    let (status, headers, body) = ana.get_bytes(&image_link).await;
    assert_eq!(status, StatusCode::OK);
    assert!(body == image, "the image comes back byte for byte");
    assert_eq!(headers["content-type"], "image/png");
    assert_eq!(headers["content-length"], "600000");
    assert_eq!(headers["x-content-type-options"], "nosniff");
    assert_eq!(headers["cache-control"], "private");
    assert_eq!(headers["content-disposition"], "attachment; filename=\"screen.png\"; filename*=UTF-8''screen.png");
    let (status, headers, body) = ana.get_bytes(&format!("/portal/default/tickets/1001/files/{}", rows[1].1)).await;
    assert_eq!((status, body.as_slice()), (StatusCode::OK, text.as_bytes()));
    assert_eq!(headers["content-type"], "text/plain; charset=utf-8");
    let disposition = headers["content-disposition"].to_str().unwrap();
    assert!(disposition.ends_with("filename*=UTF-8''relat%C3%B3rio%20final.txt"), "{disposition}");

    // A reply with a file: linked to the reply, shown under it.
    let pdf = b"%PDF-1.7\nA small document.".to_vec();
    let reply = ana
        .post_multipart("/portal/default/tickets/1001/reply", &[("message", "One more.")], &[("doc.pdf", &pdf)])
        .await;
    reply.assert_redirect_to("/portal/default/tickets/1001?msg=replied");
    let rows = linked(&app).await;
    let reply_id = app.count("SELECT MAX(id) AS n FROM ticket_messages").await;
    assert_eq!((rows.len(), rows[2].0, rows[2].2.as_str()), (3, reply_id, "doc.pdf"));
    let page = ana.get("/portal/default/tickets/1001").await;
    let reply_html = page.between(&format!("id=\"m{reply_id}\""), "</ol>");
    assert!(reply_html.contains("doc.pdf") && reply_html.contains("26 bytes"), "{reply_html}");
    let (_, headers, body) = ana.get_bytes(&format!("/portal/default/tickets/1001/files/{}", rows[2].1)).await;
    assert_eq!((headers["content-type"].to_str().unwrap(), body), ("application/pdf", pdf));
}

#[tokio::test]
async fn files_over_the_portals_limits_are_413_and_leave_nothing() {
    let app = crate::common::spawn().await;
    let (_, department) = app.portal_with_department("default").await;
    app.cli_ok(&["portal", "set", "default", "attachment_file_mb", "1"], "");
    app.cli_ok(&["portal", "set", "default", "attachment_message_mb", "2"], "");
    let ana = app.browser();
    customer(&app, &ana, "default", "ana@client.test").await;
    let before = footprint(&app).await;

    let big = png(1_200_000);
    let refused =
        submit(&ana, "default", department, "Too big.", &[("small.png", &png(1000)), ("big.png", &big)]).await;
    assert_eq!(refused.status, StatusCode::PAYLOAD_TOO_LARGE);
    refused.assert_contains("The file big.png is larger than 1 MB.");
    assert_eq!(footprint(&app).await, before, "no ticket, no message, no file");

    let part = png(900_000);
    let three: [(&str, &[u8]); 3] = [("a.png", &part), ("b.png", &part), ("c.png", &part)];
    let refused = submit(&ana, "default", department, "Too much.", &three).await;
    assert_eq!(refused.status, StatusCode::PAYLOAD_TOO_LARGE);
    refused.assert_contains("With the file c.png, the files of this message add up to more than 2 MB.");
    assert_eq!(footprint(&app).await, before);

    let tiny: Vec<(String, Vec<u8>)> = (0..11).map(|i| (format!("f{i}.txt"), b"x".to_vec())).collect();
    let eleven: Vec<(&str, &[u8])> = tiny.iter().map(|(n, d)| (n.as_str(), d.as_slice())).collect();
    let refused = submit(&ana, "default", department, "Too many.", &eleven).await;
    assert_eq!(refused.status, StatusCode::PAYLOAD_TOO_LARGE);
    refused.assert_contains("at most 10 files");
    assert_eq!(footprint(&app).await, before);

    // Within the limits (ten files, 1.8 MB) it goes through; a reply over them adds nothing.
    submit(&ana, "default", department, "Fine.", &eleven[..10])
        .await
        .assert_redirect_to("/portal/default/tickets/1001");
    let before = footprint(&app).await;
    let refused = ana
        .post_multipart("/portal/default/tickets/1001/reply", &[("message", "Big reply")], &[("big.png", &big)])
        .await;
    assert_eq!(refused.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(footprint(&app).await, before, "no reply, no file");
}

#[tokio::test]
async fn empty_files_are_422_and_markup_is_only_ever_a_download() {
    let app = crate::common::spawn().await;
    let (_, department) = app.portal_with_department("default").await;
    let ana = app.browser();
    customer(&app, &ana, "default", "ana@client.test").await;
    let before = footprint(&app).await;
    let refused = submit(&ana, "default", department, "Empty.", &[("ok.txt", b"fine"), ("empty.txt", b"")]).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    refused.assert_contains("The file empty.txt is empty.");
    assert_eq!(footprint(&app).await, before);

    let html = b"<html><body><script>alert(document.cookie)</script></body></html>".as_slice();
    let svg = b"<svg xmlns=\"http://www.w3.org/2000/svg\"><script>alert(1)</script></svg>".as_slice();
    let files = [("page.html", html), ("logo.svg", svg), ("../../evil\".htm", html)];
    submit(&ana, "default", department, "Markup.", &files).await.assert_redirect_to("/portal/default/tickets/1001");
    let rows = linked(&app).await;
    assert_eq!(rows[2].2, "evil.htm", "the name loses its path and quotes");
    for row in rows {
        let (status, headers, body) = ana.get_bytes(&format!("/portal/default/tickets/1001/files/{}", row.1)).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(headers["content-type"], "application/octet-stream", "{}", row.2);
        assert!(headers["content-disposition"].to_str().unwrap().starts_with("attachment;"));
        assert_eq!(headers["x-content-type-options"], "nosniff");
        assert!(body.starts_with(b"<"));
    }
}

#[tokio::test]
async fn without_a_valid_csrf_token_before_the_files_nothing_is_stored() {
    let app = crate::common::spawn().await;
    let (_, department) = app.portal_with_department("default").await;
    let ana = app.browser();
    customer(&app, &ana, "default", "ana@client.test").await;
    let department = department.to_string();
    let fields = [("department", department.as_str()), ("subject", "S"), ("message", "M")];
    let file: [(&str, &[u8]); 1] = [("a.txt", b"hello")];
    let token = ana.cookie("fd_csrf").unwrap();
    let before = footprint(&app).await;
    let forms = [
        ("missing", with_files(with_fields(reqwest::multipart::Form::new(), &fields), &file)),
        ("wrong", with_files(with_fields(reqwest::multipart::Form::new().text("csrf", "forged"), &fields), &file)),
        // The right token, but after the file: the file arrived before anything proved the form.
        (
            "late",
            with_fields(with_files(with_fields(reqwest::multipart::Form::new(), &fields), &file), &[("csrf", &token)]),
        ),
    ];
    for (case, form) in forms {
        let page = ana.post_form("/portal/default/tickets/new", form).await;
        assert_eq!(page.status, StatusCode::FORBIDDEN, "{case}");
        assert_eq!(footprint(&app).await, before, "{case}");
    }
    // No file and no token: refused as well.
    let page =
        ana.post_form("/portal/default/tickets/new", with_fields(reqwest::multipart::Form::new(), &fields)).await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    assert_eq!(footprint(&app).await, before);
}

#[tokio::test]
async fn duplicated_fields_and_control_characters_in_a_multipart_form_are_400() {
    let app = crate::common::spawn().await;
    let (_, department) = app.portal_with_department("default").await;
    let ana = app.browser();
    customer(&app, &ana, "default", "ana@client.test").await;
    let department = department.to_string();
    let before = footprint(&app).await;
    let twice = [("department", department.as_str()), ("subject", "A"), ("subject", "B"), ("message", "M")];
    let page = ana.post_multipart("/portal/default/tickets/new", &twice, &[("a.txt", b"x")]).await;
    assert_eq!(page.status, StatusCode::BAD_REQUEST);
    page.assert_contains("more than once");
    let nul = [("department", department.as_str()), ("subject", "S"), ("message", "a\0b")];
    let page = ana.post_multipart("/portal/default/tickets/new", &nul, &[("a.txt", b"x")]).await;
    assert_eq!(page.status, StatusCode::BAD_REQUEST);
    let line_break = [("department", department.as_str()), ("subject", "S\r\nBcc: x"), ("message", "M")];
    let page = ana.post_multipart("/portal/default/tickets/new", &line_break, &[]).await;
    assert_eq!(page.status, StatusCode::BAD_REQUEST);
    // A file under another name than the form's file input.
    let token = ana.cookie("fd_csrf").unwrap();
    let avatar = reqwest::multipart::Part::bytes(b"x".to_vec()).file_name("a.txt");
    let form = with_fields(reqwest::multipart::Form::new(), &[("csrf", &token)]).part("avatar", avatar);
    let page = ana.post_form("/portal/default/tickets/new", form).await;
    assert_eq!(page.status, StatusCode::BAD_REQUEST);
    assert_eq!(footprint(&app).await, before);
}

#[tokio::test]
async fn a_message_of_20000_non_ascii_characters_fits_one_more_is_422() {
    let app = crate::common::spawn().await;
    let (_, department) = app.portal_with_department("default").await;
    let ana = app.browser();
    customer(&app, &ana, "default", "ana@client.test").await;
    let longest = "ç".repeat(20_000);
    submit(&ana, "default", department, &longest, &[]).await.assert_redirect_to("/portal/default/tickets/1001");
    assert_eq!(app.text("SELECT body AS v FROM ticket_messages").await, longest);
    let reply = ana.post_multipart("/portal/default/tickets/1001/reply", &[("message", &longest)], &[]).await;
    reply.assert_redirect_to("/portal/default/tickets/1001?msg=replied");
    let before = footprint(&app).await;
    let too_long = "ç".repeat(20_001);
    let refused = submit(&ana, "default", department, &too_long, &[("a.txt", b"kept?")]).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    refused.assert_contains("The message can have at most 20000 characters.").assert_contains("choose them again");
    let refused =
        ana.post_multipart("/portal/default/tickets/1001/reply", &[("message", &too_long)], &[("a.txt", b"x")]).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(footprint(&app).await, before, "the refused messages' files are deleted at once");

    // Forms without files keep the 64 KiB limit.
    let big = "a".repeat(70 * 1024);
    let page = ana.post("/portal/default/tickets/1001/close", &[("note", &big)]).await;
    assert_eq!(page.status, StatusCode::PAYLOAD_TOO_LARGE);
    let page = ana.post("/portal/default/login", &[("email", &big), ("password", "x")]).await;
    assert_eq!(page.status, StatusCode::PAYLOAD_TOO_LARGE);
    // And a url-encoded post to an upload route too.
    let department = department.to_string();
    let page = ana
        .post("/portal/default/tickets/new", &[("department", &department), ("subject", "S"), ("message", &big)])
        .await;
    assert_eq!(page.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(footprint(&app).await, before);
}

#[tokio::test]
async fn files_out_of_the_customers_reach_are_404() {
    let app = crate::common::spawn().await;
    let (portal, department) = app.portal_with_department("default").await;
    let (_, beta_department) = app.portal_with_department("beta").await;
    let ana = app.browser();
    customer(&app, &ana, "default", "ana@client.test").await;
    let bob = app.browser();
    customer(&app, &bob, "default", "bob@client.test").await;
    let carl = app.browser();
    customer(&app, &carl, "beta", "carl@beta.test").await;
    submit(&ana, "default", department, "Ana's", &[("ana.txt", b"Ana's secret")])
        .await
        .assert_redirect_to("/portal/default/tickets/1001");
    submit(&bob, "default", department, "Bob's", &[("bob.txt", b"Bob's own")])
        .await
        .assert_redirect_to("/portal/default/tickets/1002");
    submit(&ana, "default", department, "Ana's other", &[("other.txt", b"other")])
        .await
        .assert_redirect_to("/portal/default/tickets/1003");
    submit(&carl, "beta", beta_department, "Carl's", &[("carl.txt", b"Carl's")])
        .await
        .assert_redirect_to("/portal/beta/tickets/1001");
    let sql = "SELECT id FROM attachments WHERE filename = $1";
    let ana_file = app.id_of(sql, "ana.txt").await;
    let bob_file = app.id_of(sql, "bob.txt").await;
    let other_file = app.id_of(sql, "other.txt").await;
    let carl_file = app.id_of(sql, "carl.txt").await;

    // An agent's internal note on Ana's ticket, with a file.
    let mut tx = app.db.writer().begin().await.unwrap();
    let note: i64 = sqlx::query(
        "INSERT INTO ticket_messages (portal_id, ticket_id, kind, author_name, body, created_at) \
         SELECT portal_id, id, 'note', 'Agent', 'INTERNAL', 0 FROM tickets WHERE portal_id = $1 AND number = 1001 RETURNING id",
    )
    .bind(portal)
    .fetch_one(&mut *tx)
    .await
    .unwrap()
    .try_get("id")
    .unwrap();
    let pieces = futures_util::stream::iter([Ok::<_, std::io::Error>(axum::body::Bytes::from_static(b"note file"))]);
    let stored = attachments::store(&mut tx, portal, "note.txt", pieces, 1000, 0).await.unwrap();
    sqlx::query("INSERT INTO ticket_message_attachments (portal_id, message_id, attachment_id) VALUES ($1, $2, $3)")
        .bind(portal)
        .bind(note)
        .bind(stored.id)
        .execute(&mut *tx)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    // A pending upload, never linked.
    let pieces = futures_util::stream::iter([Ok::<_, std::io::Error>(axum::body::Bytes::from_static(b"pending"))]);
    let pending = attachments::store_pending(&app.db, portal, "pending.txt", pieces, 1000, 0).await.unwrap();

    let files = |n: i64, id: i64| format!("/portal/default/tickets/{n}/files/{id}");
    assert_eq!(ana.get_bytes(&files(1001, ana_file)).await.0, StatusCode::OK);
    let out_of_reach = [
        (&ana, files(1001, stored.id), "a note's file"),
        (&ana, files(1001, bob_file), "another customer's file"),
        (&ana, files(1001, other_file), "her file, through another ticket"),
        (&ana, files(1001, carl_file), "another portal's file"),
        (&ana, files(1001, pending.id), "a pending upload"),
        (&ana, files(1002, bob_file), "another customer's ticket"),
        (&bob, files(1001, ana_file), "another customer's ticket"),
        (&ana, "/portal/default/tickets/1001/files/abc".into(), "not a number"),
        (&ana, "/portal/default/tickets/1001/files/-1".into(), "negative"),
        (&ana, "/portal/default/tickets/1001/files/99999999999999999999".into(), "out of range"),
        (&carl, format!("/portal/beta/tickets/1001/files/{ana_file}"), "another portal's file, from beta"),
    ];
    for (browser, path, case) in out_of_reach {
        let (status, _, body) = browser.get_bytes(&path).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{case}: {path}");
        assert!(!String::from_utf8_lossy(&body).contains("secret"), "{case}");
    }
    // Carl's session is beta's: on default he is nobody.
    let (status, _, _) = carl.get_bytes(&files(1001, ana_file)).await;
    assert!(status.is_redirection() || status.is_client_error(), "{status}");
    let page = ana.get("/portal/default/tickets/1001").await;
    page.assert_contains("ana.txt").assert_lacks("note.txt");
}

#[tokio::test]
async fn uploads_never_linked_are_swept_after_an_hour() {
    let app = crate::common::spawn().await;
    let portal = app.count("SELECT id AS n FROM portals WHERE slug = 'default'").await;
    let now = frontdesk::db::now();
    let data = png(300_000);
    let upload = || {
        let pieces = futures_util::stream::iter([Ok::<_, std::io::Error>(axum::body::Bytes::from(data.clone()))]);
        attachments::store_pending(&app.db, portal, "x.png", pieces, 1_000_000, now)
    };
    // Stored now, then dated back (the server's janitor sweeps too, at any moment).
    let backdate = |id: i64, at: i64| {
        sqlx::query("UPDATE attachments SET pending_since = $1 WHERE id = $2")
            .bind(at)
            .bind(id)
            .execute(app.db.writer())
    };
    let old = upload().await.unwrap();
    let recent = upload().await.unwrap();
    let linked_old = upload().await.unwrap();
    let mut tx = app.db.writer().begin().await.unwrap();
    assert!(attachments::link_pending(&mut tx, portal, linked_old.id).await.unwrap());
    tx.commit().await.unwrap();
    backdate(old.id, now - 3601).await.unwrap();
    backdate(recent.id, now - 60).await.unwrap();
    // (The server's janitor sweeps too, and may have been first.)
    assert!(attachments::sweep_pending(&app.db, now).await.unwrap() <= 1);
    let left = sqlx::query("SELECT id FROM attachments ORDER BY id").fetch_all(app.db.pool()).await.unwrap();
    let left: Vec<i64> = left.iter().map(|r| r.try_get("id").unwrap()).collect();
    assert_eq!(left, [recent.id, linked_old.id]);
    assert_eq!(app.count_with("SELECT COUNT(*) AS n FROM attachment_chunks WHERE attachment_id = $1", old.id).await, 0);
    assert_eq!(app.count("SELECT COUNT(*) AS n FROM attachment_chunks").await, 4);
}

#[tokio::test]
async fn the_pages_and_refusals_speak_portuguese() {
    let app = crate::common::spawn().await;
    let (_, department) = app.portal_with_department("default").await;
    app.cli_ok(&["portal", "set", "default", "attachment_file_mb", "1"], "");
    let ana = app.browser_pt();
    customer(&app, &ana, "default", "ana@client.test").await;
    let form = ana.get("/portal/default/tickets/new").await;
    form.assert_contains("enctype=\"multipart/form-data\"").assert_contains("name=\"files\"");
    form.assert_contains("Anexos").assert_contains("Até 10 arquivos, com no máximo 1 MB cada e 25 MB no total.");
    form.assert_no_english();
    let refused = submit(&ana, "default", department, "Grande.", &[("grande.png", &png(1_100_000))]).await;
    assert_eq!(refused.status, StatusCode::PAYLOAD_TOO_LARGE);
    refused.assert_contains("O arquivo grande.png tem mais de 1 MB.").assert_no_english();
    let refused = submit(&ana, "default", department, "Vazio.", &[("vazio.txt", b"")]).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    refused.assert_contains("O arquivo vazio.txt está vazio.").assert_no_english();
    let refused = submit(&ana, "default", department, "", &[("a.txt", b"a")]).await;
    refused.assert_contains("escolha-os de novo").assert_no_english();
    app.cli_ok(&["portal", "set", "default", "attachment_file_mb", "3"], "");
    submit(&ana, "default", department, "Foto.", &[("foto.png", &png(2_400_000))])
        .await
        .assert_redirect_to("/portal/default/tickets/1001");
    let page = ana.get("/portal/default/tickets/1001").await;
    page.assert_contains("foto.png").assert_contains("2,4 MB").assert_contains("Arquivos anexados").assert_no_english();
}

/// The reliability rule: a file arriving slowly holds no write transaction, so another
/// customer's ticket is written while the upload is still coming in (on SQLite, with its one
/// writer, a transaction held open for the upload would make the second ticket wait for it).
#[tokio::test]
async fn a_slow_upload_does_not_hold_up_other_writes() {
    let app = crate::common::spawn().await;
    let (_, department) = app.portal_with_department("default").await;
    let ana = app.browser();
    customer(&app, &ana, "default", "ana@client.test").await;
    let bob = app.browser();
    customer(&app, &bob, "default", "bob@client.test").await;
    let slow = futures_util::stream::unfold(0, |i| async move {
        if i == 4 {
            return None;
        }
        if i > 0 {
            tokio::time::sleep(std::time::Duration::from_millis(600)).await;
        }
        Some((Ok::<_, std::io::Error>(vec![b'a'; 300_000]), i + 1))
    });
    let part = reqwest::multipart::Part::stream(reqwest::Body::wrap_stream(slow)).file_name("slow.txt");
    let token = ana.cookie("fd_csrf").unwrap();
    let department = department.to_string();
    let fields = [("csrf", token.as_str()), ("department", &department), ("subject", "Slow"), ("message", "M")];
    let form = with_fields(reqwest::multipart::Form::new(), &fields).part("files", part);
    let upload = tokio::spawn({
        let ana = ana.clone();
        async move { ana.post_form("/portal/default/tickets/new", form).await }
    });
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let fields = [("department", department.as_str()), ("subject", "Quick"), ("message", "M")];
    bob.post_multipart("/portal/default/tickets/new", &fields, &[("q.txt", b"quick")])
        .await
        .assert_redirect_to("/portal/default/tickets/1001");
    assert!(!upload.is_finished(), "Bob's ticket was written while Ana's file was still arriving");
    upload.await.unwrap().assert_redirect_to("/portal/default/tickets/1002");
    let size = app.count("SELECT size AS n FROM attachments WHERE filename = 'slow.txt'").await;
    assert_eq!(size, 1_200_000);
}
