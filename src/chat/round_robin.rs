//! Round-robin assignment of new tickets (lane: core): a department may give each new ticket
//! to the agent of the department available for tickets who was given one longest ago. Those
//! signed in to the management interface only: tickets wait in a queue anyway, so no lease is
//! asked for (it would take the agents who work without the presence socket out of the turn).
//! Nobody available: the ticket stays unassigned.

use sqlx::{AnyConnection, Row};

/// Agents of department `$2` available for tickets, signed in, allowed to answer tickets;
/// the one assigned longest ago first.
const NEXT: &str = "SELECT p.staff_id, p.idle_since FROM agent_presence p \
     JOIN staff s ON s.id = p.staff_id \
     JOIN staff_portals sp ON sp.staff_id = p.staff_id AND sp.portal_id = p.portal_id \
     WHERE p.portal_id = $1 AND p.channel = 'tickets' AND p.state = 'available' AND s.disabled_at IS NULL \
     AND EXISTS (SELECT 1 FROM department_members m WHERE m.department_id = $2 AND m.staff_id = p.staff_id) \
     AND (sp.role = 'admin' OR EXISTS (SELECT 1 FROM staff_permissions g WHERE g.staff_id = p.staff_id \
          AND g.portal_id = p.portal_id AND g.permission = 'answer_tickets')) \
     AND EXISTS (SELECT 1 FROM sessions x WHERE x.staff_id = p.staff_id AND x.realm = 'manage' AND x.expires_at > $3) \
     ORDER BY p.idle_since, p.staff_id LIMIT 1";

/// How often a pick lost to another ticket's is tried again before the ticket stays unassigned.
const ATTEMPTS: usize = 5;

/// The agent a new ticket of the department goes to, if the department assigns round robin;
/// marks them as given one now (on the caller's transaction, which creates the ticket).
pub async fn next_agent(
    conn: &mut AnyConnection,
    portal_id: i64,
    department_id: i64,
    now: i64,
) -> Result<Option<i64>, sqlx::Error> {
    let mode = sqlx::query("SELECT assign_tickets FROM departments WHERE portal_id = $1 AND id = $2")
        .bind(portal_id)
        .bind(department_id)
        .fetch_optional(&mut *conn)
        .await?;
    if mode.map(|r| r.try_get::<String, _>("assign_tickets")).transpose()?.as_deref() != Some("round_robin") {
        return Ok(None);
    }
    for _ in 0..ATTEMPTS {
        let Some(row) =
            sqlx::query(NEXT).bind(portal_id).bind(department_id).bind(now).fetch_optional(&mut *conn).await?
        else {
            return Ok(None);
        };
        let (staff_id, idle_since): (i64, i64) = (row.try_get("staff_id")?, row.try_get("idle_since")?);
        // Later than every other turn in the portal, even within one second, so the turns go
        // round strictly.
        let latest: Option<i64> = sqlx::query(
            "SELECT MAX(idle_since) AS latest FROM agent_presence WHERE portal_id = $1 AND channel = 'tickets'",
        )
        .bind(portal_id)
        .fetch_one(&mut *conn)
        .await?
        .try_get("latest")?;
        let stamp = now.max(latest.unwrap_or(0) + 1);
        // Only if nobody took this turn meanwhile (another node creating a ticket at once).
        let took = sqlx::query(
            "UPDATE agent_presence SET idle_since = $1 WHERE portal_id = $2 AND staff_id = $3 AND channel = 'tickets' \
             AND idle_since = $4",
        )
        .bind(stamp)
        .bind(portal_id)
        .bind(staff_id)
        .bind(idle_since)
        .execute(&mut *conn)
        .await?;
        if took.rows_affected() == 1 {
            return Ok(Some(staff_id));
        }
    }
    Ok(None)
}
