//! Which tickets a staff member may see and answer in the portal they work in:
//! - an agent, the tickets of the departments they belong to;
//! - an agent granted `see_all_departments`, a portal administrator or a system administrator,
//!   every ticket of the portal;
//! - nobody, another portal's tickets (every query is scoped to `portal.id` as well);
//! - replying and changing a ticket also need `answer_tickets` (administrators hold it).

use crate::accounts::permissions::{Permission, Role};
use crate::auth::ManageUser;
use crate::db::Db;

/// The tickets of the portal a staff member sees.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Scope {
    WholePortal,
    /// The departments they belong to (maybe none).
    Departments(Vec<i64>),
}

impl Scope {
    pub fn allows_department(&self, department_id: i64) -> bool {
        match self {
            Scope::WholePortal => true,
            Scope::Departments(ids) => ids.contains(&department_id),
        }
    }
}

/// Whether someone sees every department of the portal they work in.
pub fn sees_every_department(user: &ManageUser) -> bool {
    user.role == Role::Admin || user.staff.is_superadmin || user.can(Permission::SeeAllDepartments)
}

/// Whether someone may reply to, and change, the tickets they see.
pub fn may_answer(user: &ManageUser) -> bool {
    user.can(Permission::AnswerTickets)
}

/// The tickets `user` sees in the portal they work in.
pub async fn scope(db: &Db, user: &ManageUser) -> Result<Scope, sqlx::Error> {
    if sees_every_department(user) {
        return Ok(Scope::WholePortal);
    }
    crate::accounts::departments::of_staff(db, user.portal.id, user.staff.id).await.map(Scope::Departments)
}
