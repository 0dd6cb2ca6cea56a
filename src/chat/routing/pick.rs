//! Which agent gets a chat. One SQL text for both engines; the caller holds the portal's routing
//! lock (see `super::begin`), so the counts it reads cannot change before its offer is written.

use sqlx::{AnyConnection, Row};

/// Who is there to answer chats: available on the chat channel with a current lease, an active
/// account, a member of the portal with `answer_chats` (administrators hold every permission).
/// `$1` portal, `$2` now.
macro_rules! present_agents {
    () => {
        "FROM agent_presence p \
         JOIN staff s ON s.id = p.staff_id \
         JOIN staff_portals sp ON sp.staff_id = p.staff_id AND sp.portal_id = p.portal_id \
         WHERE p.portal_id = $1 AND p.channel = 'chat' AND p.state = 'available' AND p.lease_until > $2 \
         AND s.disabled_at IS NULL \
         AND (sp.role = 'admin' OR EXISTS (SELECT 1 FROM staff_permissions g WHERE g.staff_id = p.staff_id \
              AND g.portal_id = p.portal_id AND g.permission = 'answer_chats')) "
    };
}

/// Those present and under their capacity, counting chats offered to them as well as those
/// they answer.
macro_rules! ready_agents {
    () => {
        concat!(
            present_agents!(),
            "AND (SELECT COUNT(*) FROM chats c WHERE c.portal_id = p.portal_id AND c.agent_id = p.staff_id \
              AND c.state IN ('offered', 'active')) < p.capacity "
        )
    };
}

/// Offer outcomes after which a chat never goes back to that agent on its own.
macro_rules! passed {
    () => {
        "('declined', 'expired', 'withdrawn', 'transferred')"
    };
}

/// The best agent of department `$3` for chat `$4`: fewest open chats, then idle longest; never
/// one who let this chat pass.
const BEST_FOR_CHAT: &str = concat!(
    "SELECT p.staff_id ",
    ready_agents!(),
    "AND EXISTS (SELECT 1 FROM department_members m WHERE m.department_id = $3 AND m.staff_id = p.staff_id) \
     AND NOT EXISTS (SELECT 1 FROM chat_offers o WHERE o.portal_id = p.portal_id AND o.chat_id = $4 \
          AND o.staff_id = p.staff_id AND o.outcome IN ",
    passed!(),
    ") ORDER BY (SELECT COUNT(*) FROM chats c WHERE c.portal_id = p.portal_id AND c.agent_id = p.staff_id \
          AND c.state IN ('offered', 'active')), p.idle_since, p.staff_id LIMIT 1"
);

/// Whether agent `$3` could take a chat now (an explicit transfer to them).
const IS_READY: &str = concat!("SELECT p.staff_id ", ready_agents!(), "AND p.staff_id = $3");

/// Whether anyone at all could take a chat in the portal now (spares `dispatch` its loop).
const ANYONE_READY: &str = concat!("SELECT p.staff_id ", ready_agents!(), "LIMIT 1");

/// Whether someone of department `$3` is there to answer chats (perhaps busy: the chat waits).
const ANYONE_PRESENT_IN: &str = concat!(
    "SELECT p.staff_id ",
    present_agents!(),
    "AND EXISTS (SELECT 1 FROM department_members m WHERE m.department_id = $3 AND m.staff_id = p.staff_id) LIMIT 1"
);

pub(super) async fn best_for_chat(
    conn: &mut AnyConnection,
    portal_id: i64,
    department_id: i64,
    chat_id: i64,
    now: i64,
) -> Result<Option<i64>, sqlx::Error> {
    let row = sqlx::query(BEST_FOR_CHAT)
        .bind(portal_id)
        .bind(now)
        .bind(department_id)
        .bind(chat_id)
        .fetch_optional(conn)
        .await?;
    row.map(|r| r.try_get("staff_id")).transpose()
}

pub(super) async fn is_ready(
    conn: &mut AnyConnection,
    portal_id: i64,
    staff_id: i64,
    now: i64,
) -> Result<bool, sqlx::Error> {
    let row = sqlx::query(IS_READY).bind(portal_id).bind(now).bind(staff_id).fetch_optional(conn).await?;
    Ok(row.is_some())
}

pub(super) async fn anyone_ready(conn: &mut AnyConnection, portal_id: i64, now: i64) -> Result<bool, sqlx::Error> {
    Ok(sqlx::query(ANYONE_READY).bind(portal_id).bind(now).fetch_optional(conn).await?.is_some())
}

/// For the customers' side: is anyone there to talk to in `department_id` now?
pub async fn anyone_present_in<'c, E>(
    exec: E,
    portal_id: i64,
    department_id: i64,
    now: i64,
) -> Result<bool, sqlx::Error>
where
    E: sqlx::Executor<'c, Database = sqlx::Any>,
{
    let row = sqlx::query(ANYONE_PRESENT_IN).bind(portal_id).bind(now).bind(department_id).fetch_optional(exec).await?;
    Ok(row.is_some())
}
