//! The Message-ID keys of a ticket's emails, which thread them in mail clients and will let a
//! reply that arrives by email find its ticket.
//!
//! Every key is `ticket-{portal_id}-{ticket_id}-{what}-{secret}` (the outbox makes it
//! `<key@domain of FRONTDESK_MAIL_FROM>`):
//! - `what` is `m{message_id}` for an email that carries a message of the thread: every email
//!   carrying that message (the customer's copy, each agent's) has that one key, stored in
//!   `ticket_messages.email_message_id`, so the customer's and the agents' emails form one
//!   conversation. A notice that carries no message (`resolved`, `assigned`) gets a key of its
//!   own that is not stored; it names the stored ones in `References`, as every later email does.
//! - The ticket's root is its first message's key (the receipt's and the "new ticket" email's):
//!   it comes first in every later email's `References`, which the outbox always keeps.
//! - Matching a reply (a later issue): take the keys in its `In-Reply-To` and `References` that
//!   end in our mail domain, read the portal with `ticket_of_key`, then find the ticket with
//!   `merge::ticket_for_message_id`, which looks the key up in `ticket_messages (portal_id,
//!   email_message_id)` (indexed) and takes the ticket the message is in NOW: a merge moves
//!   messages to another ticket, so the ticket id inside a key is only where it was first sent.
//!   The ids alone prove nothing: the random `secret` (16 letters and digits) makes a stored
//!   key unguessable, so knowing a ticket's number is not enough to write into it by forging
//!   headers. A reply to a notice still names the root in `References`.

use sqlx::{AnyConnection, Row};

use crate::outbox::{Thread, is_message_key};

/// The start of every key of one ticket.
fn prefix(portal_id: i64, ticket_id: i64) -> String {
    format!("ticket-{portal_id}-{ticket_id}-")
}

/// Sixteen random letters and digits (a Message-ID key allows no `_`).
fn secret() -> String {
    let token = crate::web::tokens::random_token();
    token.chars().filter(char::is_ascii_alphanumeric).take(16).collect()
}

/// A new key for one of the ticket's emails; `what` is letters and digits.
fn new_key(portal_id: i64, ticket_id: i64, what: &str) -> String {
    format!("{}{what}-{}", prefix(portal_id, ticket_id), secret())
}

/// The portal and ticket a key of ours names (not yet proof that the key is the ticket's).
pub fn ticket_of_key(key: &str) -> Option<(i64, i64)> {
    let mut parts = key.strip_prefix("ticket-")?.splitn(4, '-');
    let portal_id = parts.next()?.parse().ok()?;
    let ticket_id = parts.next()?.parse().ok()?;
    let (what, secret) = (parts.next()?, parts.next()?);
    let well_formed = is_message_key(key) && !what.is_empty() && secret.len() == 16;
    well_formed.then_some((portal_id, ticket_id))
}

/// The keys stored on the ticket's messages other than `except`, oldest first: the emails a new
/// one follows. Keys of received emails (other domains, other forms) are left out: the outbox
/// can only name its own.
async fn earlier_keys(
    conn: &mut AnyConnection,
    portal_id: i64,
    ticket_id: i64,
    except: Option<i64>,
) -> Result<Vec<String>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT email_message_id FROM ticket_messages \
         WHERE portal_id = $1 AND ticket_id = $2 AND email_message_id IS NOT NULL AND id <> $3 \
         ORDER BY created_at, id",
    )
    .bind(portal_id)
    .bind(ticket_id)
    .bind(except.unwrap_or(0))
    .fetch_all(conn)
    .await?;
    let ours = prefix(portal_id, ticket_id);
    let keys = rows.iter().map(|r| r.try_get::<String, _>("email_message_id")).collect::<Result<Vec<_>, _>>()?;
    Ok(keys.into_iter().filter(|k| k.starts_with(&ours) && is_message_key(k)).collect())
}

/// The thread of an email that carries message `message_id`: its key (stored on the message the
/// first time, the same for every recipient) after the ticket's earlier emails.
pub async fn for_message(
    conn: &mut AnyConnection,
    portal_id: i64,
    ticket_id: i64,
    message_id: i64,
    stored: Option<&str>,
) -> Result<Thread, sqlx::Error> {
    let earlier = earlier_keys(&mut *conn, portal_id, ticket_id, Some(message_id)).await?;
    let key = match stored {
        Some(key) if key.starts_with(&prefix(portal_id, ticket_id)) && is_message_key(key) => key.to_string(),
        // A message that came in by email keeps the Message-ID it came with; ours gets a new one.
        Some(_) => new_key(portal_id, ticket_id, &format!("m{message_id}")),
        None => {
            let key = new_key(portal_id, ticket_id, &format!("m{message_id}"));
            sqlx::query(
                "UPDATE ticket_messages SET email_message_id = $1 \
                 WHERE portal_id = $2 AND ticket_id = $3 AND id = $4 AND email_message_id IS NULL",
            )
            .bind(&key)
            .bind(portal_id)
            .bind(ticket_id)
            .bind(message_id)
            .execute(&mut *conn)
            .await?;
            key
        }
    };
    Ok(Thread { key, earlier })
}

/// The thread of a notice (`what`: `resolved`, `assigned`) that carries no message.
pub async fn for_notice(
    conn: &mut AnyConnection,
    portal_id: i64,
    ticket_id: i64,
    what: &str,
) -> Result<Thread, sqlx::Error> {
    let earlier = earlier_keys(conn, portal_id, ticket_id, None).await?;
    Ok(Thread { key: new_key(portal_id, ticket_id, what), earlier })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_name_their_portal_and_ticket_and_are_valid_message_ids() {
        let key = new_key(3, 42, "m7");
        assert!(is_message_key(&key), "{key}");
        assert!(key.starts_with("ticket-3-42-m7-"), "{key}");
        assert_eq!(ticket_of_key(&key), Some((3, 42)));
        assert_ne!(key, new_key(3, 42, "m7"), "the secret part differs every time");
        let notice = new_key(3, 42, "resolved");
        assert_eq!(ticket_of_key(&notice), Some((3, 42)));
        for foreign in ["", "ticket-3-42", "ticket-x-42-m7-abcdefghijklmnop", "ticket-3-42-m7-short", "abc@gmail.com"] {
            assert_eq!(ticket_of_key(foreign), None, "{foreign}");
        }
    }
}
