//! The SQL of the agents' chat pages: the lists (offers, the agent's chats, the departments'
//! queues, everything in progress for supervisors) and one chat as an agent may reach it. Every
//! query names the portal; departments come from the caller's `Scope`.

use sqlx::Row;
use sqlx::any::AnyRow;

use crate::db::Db;
use crate::tickets::access::Scope;

/// A chat as the lists show it.
#[derive(Clone, Debug)]
pub struct ListedChat {
    pub id: i64,
    pub department_id: i64,
    pub department: String,
    pub requester_name: String,
    pub requester_email: String,
    pub state: String,
    pub agent_id: Option<i64>,
    pub agent_name: Option<String>,
    pub offered_until: Option<i64>,
    pub queued_at: i64,
    pub created_at: i64,
    pub accepted_at: Option<i64>,
}

const LISTED_COLUMNS: &str = "c.id, c.department_id, d.name AS department, c.requester_name, c.requester_email, \
    c.state, c.agent_id, s.name AS agent_name, c.offered_until, c.queued_at, c.created_at, c.accepted_at \
    FROM chats c JOIN departments d ON d.portal_id = c.portal_id AND d.id = c.department_id \
    LEFT JOIN staff s ON s.id = c.agent_id";

fn listed(r: &AnyRow) -> Result<ListedChat, sqlx::Error> {
    Ok(ListedChat {
        id: r.try_get("id")?,
        department_id: r.try_get("department_id")?,
        department: r.try_get("department")?,
        requester_name: r.try_get("requester_name")?,
        requester_email: r.try_get("requester_email")?,
        state: r.try_get("state")?,
        agent_id: r.try_get("agent_id")?,
        agent_name: r.try_get("agent_name")?,
        offered_until: r.try_get("offered_until")?,
        queued_at: r.try_get("queued_at")?,
        created_at: r.try_get("created_at")?,
        accepted_at: r.try_get("accepted_at")?,
    })
}

/// Lists hold at most this many chats each (a queue longer than that is a crisis the count shows).
pub const LIST_LIMIT: i64 = 200;

/// The agent's chats in one state (`offered` to them, or `active` with them), oldest first.
pub async fn of_agent(db: &Db, portal_id: i64, staff_id: i64, state: &str) -> Result<Vec<ListedChat>, sqlx::Error> {
    let sql = format!(
        "SELECT {LISTED_COLUMNS} WHERE c.portal_id = $1 AND c.agent_id = $2 AND c.state = $3 \
         ORDER BY c.queued_at, c.id LIMIT $4"
    );
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(portal_id)
        .bind(staff_id)
        .bind(state)
        .bind(LIST_LIMIT)
        .fetch_all(db.pool())
        .await?;
    rows.iter().map(listed).collect()
}

/// `c.department_id IN (...)` for a scope, its numbers written in (they are ids from the
/// database, never from the request); `None` for a scope of no department.
fn departments_clause(scope: &Scope) -> Option<String> {
    match scope {
        Scope::WholePortal => Some(String::new()),
        Scope::Departments(ids) if ids.is_empty() => None,
        Scope::Departments(ids) => {
            let list: Vec<String> = ids.iter().map(i64::to_string).collect();
            Some(format!(" AND c.department_id IN ({})", list.join(", ")))
        }
    }
}

/// The chats of the scope's departments in the given states, in queue order.
pub async fn in_departments(
    db: &Db,
    portal_id: i64,
    scope: &Scope,
    states: &[&str],
) -> Result<Vec<ListedChat>, sqlx::Error> {
    let Some(departments) = departments_clause(scope) else { return Ok(Vec::new()) };
    let states: Vec<String> = states.iter().map(|s| format!("'{s}'")).collect();
    let sql = format!(
        "SELECT {LISTED_COLUMNS} WHERE c.portal_id = $1 AND c.state IN ({}){departments} \
         ORDER BY c.queued_at, c.id LIMIT $2",
        states.join(", ")
    );
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(portal_id).bind(LIST_LIMIT).fetch_all(db.pool()).await?;
    rows.iter().map(listed).collect()
}

/// One chat of the portal, whoever answers it (callers decide who may see it).
pub async fn find(db: &Db, portal_id: i64, chat_id: i64) -> Result<Option<ListedChat>, sqlx::Error> {
    let sql = format!("SELECT {LISTED_COLUMNS} WHERE c.portal_id = $1 AND c.id = $2");
    let row = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(portal_id).bind(chat_id).fetch_optional(db.pool()).await?;
    row.as_ref().map(listed).transpose()
}

/// A chat id from the address or a form: anything but a positive number is a chat that does not
/// exist.
pub fn parse_id(raw: &str) -> Option<i64> {
    raw.parse::<i64>().ok().filter(|id| *id > 0)
}

/// Agents of the portal who answer chats and belong to `department_id` (administrators too), by
/// name: the choices of "transfer to an agent".
pub async fn chat_agents(db: &Db, portal_id: i64, department_id: i64) -> Result<Vec<(i64, String)>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT s.id, s.name FROM staff s JOIN staff_portals sp ON sp.staff_id = s.id AND sp.portal_id = $1 \
         WHERE s.disabled_at IS NULL AND (sp.role = 'admin' OR (\
           EXISTS (SELECT 1 FROM staff_permissions g WHERE g.staff_id = s.id AND g.portal_id = $1 \
                   AND g.permission = 'answer_chats') \
           AND EXISTS (SELECT 1 FROM department_members m JOIN departments d ON d.id = m.department_id \
                   WHERE m.staff_id = s.id AND d.portal_id = $1 AND d.id = $2))) \
         ORDER BY s.name, s.id",
    )
    .bind(portal_id)
    .bind(department_id)
    .fetch_all(db.pool())
    .await?;
    rows.iter().map(|r| Ok((r.try_get("id")?, r.try_get("name")?))).collect()
}

/// The portal's departments, by name.
pub async fn departments(db: &Db, portal_id: i64) -> Result<Vec<(i64, String)>, sqlx::Error> {
    let rows = sqlx::query("SELECT id, name FROM departments WHERE portal_id = $1 ORDER BY name, id")
        .bind(portal_id)
        .fetch_all(db.pool())
        .await?;
    rows.iter().map(|r| Ok((r.try_get("id")?, r.try_get("name")?))).collect()
}
