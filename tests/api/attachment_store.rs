//! Files in the database: written and read back in chunks, checked by content, all or nothing,
//! and never read through another portal.

use axum::body::Bytes;
use frontdesk::tickets::attachments::{self, AttachmentError, CHUNK_BYTES};
use futures_util::TryStreamExt;

use crate::common;

/// `data` as an upload arrives: in pieces of odd sizes.
fn upload(data: &[u8]) -> impl futures_util::Stream<Item = Result<Bytes, std::io::Error>> + use<> {
    let pieces: Vec<Result<Bytes, std::io::Error>> =
        data.chunks(70_001).map(|c| Ok(Bytes::copy_from_slice(c))).collect();
    futures_util::stream::iter(pieces)
}

#[tokio::test]
async fn a_file_goes_in_and_comes_out_in_chunks_and_only_in_its_portal() {
    let app = common::spawn().await;
    app.cli_ok(&["portal", "add", "beta", "--name", "Beta"], "");
    let portal = app.count("SELECT id AS n FROM portals WHERE slug = 'default'").await;
    let beta = app.count("SELECT id AS n FROM portals WHERE slug = 'beta'").await;
    let mut data = b"%PDF-1.7\n".to_vec();
    data.extend((0..(2 * CHUNK_BYTES + 1000)).map(|i| (i % 251) as u8));

    let mut tx = app.db.writer().begin().await.unwrap();
    let stored =
        attachments::store(&mut tx, portal, "C:\\docs\\report\".pdf", upload(&data), 5_000_000, 1).await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(
        (stored.filename.as_str(), stored.content_type, stored.size),
        ("report.pdf", "application/pdf", data.len() as i64)
    );
    assert_eq!(
        app.count_with("SELECT COUNT(*) AS n FROM attachment_chunks WHERE attachment_id = $1", stored.id).await,
        3
    );

    let back: Vec<Bytes> = attachments::chunks(app.db.clone(), portal, stored.id).try_collect().await.unwrap();
    assert_eq!(back.concat(), data);
    let elsewhere: Vec<Bytes> = attachments::chunks(app.db.clone(), beta, stored.id).try_collect().await.unwrap();
    assert!(elsewhere.is_empty(), "another portal reads nothing");
}

#[tokio::test]
async fn refused_files_leave_nothing_behind() {
    let app = common::spawn().await;
    let portal = app.count("SELECT id AS n FROM portals WHERE slug = 'default'").await;
    let big = vec![b'a'; 3 * CHUNK_BYTES];
    let mut tx = app.db.writer().begin().await.unwrap();
    let refused = attachments::store(&mut tx, portal, "big.txt", upload(&big), 2 * CHUNK_BYTES as u64, 1).await;
    assert!(matches!(refused, Err(AttachmentError::TooLarge(_))), "{refused:?}");
    tx.rollback().await.unwrap();
    let mut tx = app.db.writer().begin().await.unwrap();
    let empty = attachments::store(&mut tx, portal, "empty.txt", upload(&[]), 1_000, 1).await;
    assert!(matches!(empty, Err(AttachmentError::Empty)), "{empty:?}");
    tx.rollback().await.unwrap();
    assert_eq!(app.count("SELECT COUNT(*) AS n FROM attachments").await, 0);
    assert_eq!(app.count("SELECT COUNT(*) AS n FROM attachment_chunks").await, 0);
    let message = AttachmentError::TooLarge(10_000_000).message("big.txt").unwrap();
    assert_eq!(message.english(), "The file big.txt is larger than 10 MB. Send a smaller file, or split it.");
}
