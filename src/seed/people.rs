//! The seed's portals, departments, staff and customers. Existing ones (a second run with
//! `--force`) are reused, not duplicated.

use rand::Rng;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use sqlx::Row;

use super::bulk::{self, Value};
use super::{PASSWORD, SeedError, SeedOptions, content};
use crate::accounts::Email;
use crate::accounts::permissions::{Permission, Role};
use crate::accounts::staff::{self, NewStaff};
use crate::db::{Db, now};
use crate::portals::{self, Slug};

/// The large portal gets this share of customers and tickets, the small one the rest.
pub const LARGE_SHARE: f64 = 0.9;
const DEPARTMENT_NAMES: &[&str] = &["Technical support", "Billing", "Sales", "Shipping", "Accounts"];

#[derive(Clone, Debug)]
pub struct SeededCustomer {
    pub id: i64,
    pub name: String,
    pub email: String,
}

#[derive(Clone, Debug)]
pub struct SeededPortal {
    pub id: i64,
    pub slug: String,
    /// Each department with the agents in it.
    pub departments: Vec<(i64, Vec<(i64, String)>)>,
    pub customers: Vec<SeededCustomer>,
}

#[derive(Clone, Debug)]
pub struct SeededPeople {
    /// The large portal first.
    pub portals: Vec<SeededPortal>,
    pub admin_email: String,
    pub agent_emails: Vec<String>,
}

pub async fn seed(db: &Db, options: &SeedOptions) -> Result<SeededPeople, SeedError> {
    let mut rng = ChaCha8Rng::seed_from_u64(options.seed);
    let large = portal(db, "acme", "Acme Support").await?;
    let small = portal(db, "globex", "Globex Help").await?;
    let hash = crate::auth::hashing::PasswordHasher::new(1)
        .hash(PASSWORD)
        .await
        .map_err(|e| SeedError::Invalid(format!("cannot hash the seed password: {e:?}")))?;
    let admin_email = "admin@seed.test".to_string();
    let admin = staff_member(db, &admin_email, "Seed Administrator", &hash, large, Role::Admin).await?;
    place(db, admin, small, Role::Admin).await?;
    let mut portals_out = Vec::new();
    let mut agent_emails = Vec::new();
    let large_customers = ((options.customers as f64 * LARGE_SHARE).round() as u64).max(1);
    for (portal_id, slug, agents, customers) in [
        (large, "acme", options.agents, large_customers),
        (small, "globex", options.agents.div_ceil(5), options.customers.saturating_sub(large_customers).max(1)),
    ] {
        let mut departments = Vec::new();
        for d in 0..options.departments {
            let base = DEPARTMENT_NAMES[d as usize % DEPARTMENT_NAMES.len()];
            let name = if d as usize >= DEPARTMENT_NAMES.len() { format!("{base} {d}") } else { base.to_string() };
            departments.push((department(db, portal_id, &name).await?, Vec::new()));
        }
        for a in 1..=agents {
            let email = format!("agent{a}@{slug}.seed.test");
            let name = content::person(&mut rng);
            let id = staff_member(db, &email, &name, &hash, portal_id, Role::Agent).await?;
            // Every agent in one department, some in two.
            let first = (a as usize - 1) % departments.len();
            let mut theirs = vec![first];
            if departments.len() > 1 && rng.random_bool(0.3) {
                theirs.push((first + 1) % departments.len());
            }
            for index in theirs {
                join(db, departments[index].0, id).await?;
                departments[index].1.push((id, name.clone()));
            }
            agent_emails.push(email);
        }
        let customers = customers_of(db, portal_id, slug, customers, &hash, &mut rng).await?;
        portals_out.push(SeededPortal { id: portal_id, slug: slug.to_string(), departments, customers });
    }
    Ok(SeededPeople { portals: portals_out, admin_email, agent_emails })
}

async fn portal(db: &Db, slug: &str, name: &str) -> Result<i64, SeedError> {
    if let Some(p) = portals::by_slug(db, slug).await? {
        return Ok(p.id);
    }
    let parsed = Slug::parse(slug).map_err(|e| SeedError::Invalid(e.english()))?;
    portals::create(db, &parsed, name).await.map(|p| p.id).map_err(|e| SeedError::Invalid(e.to_string()))
}

async fn department(db: &Db, portal_id: i64, name: &str) -> Result<i64, SeedError> {
    crate::accounts::departments::create(db, portal_id, name).await?;
    let found = crate::accounts::departments::list(db, portal_id).await?.into_iter().find(|d| d.name == name);
    found.map(|d| d.id).ok_or_else(|| SeedError::Invalid(format!("department {name:?} was not created")))
}

async fn join(db: &Db, department_id: i64, staff_id: i64) -> Result<(), sqlx::Error> {
    sqlx::query("INSERT INTO department_members (department_id, staff_id) VALUES ($1, $2) ON CONFLICT DO NOTHING")
        .bind(department_id)
        .bind(staff_id)
        .execute(db.writer())
        .await?;
    Ok(())
}

async fn place(db: &Db, staff_id: i64, portal_id: i64, role: Role) -> Result<(), sqlx::Error> {
    let mut conn = db.writer().acquire().await?;
    staff::set_role(&mut conn, staff_id, portal_id, role).await
}

/// A staff member who may answer tickets, reused if the address exists.
async fn staff_member(
    db: &Db,
    email: &str,
    name: &str,
    hash: &str,
    portal_id: i64,
    role: Role,
) -> Result<i64, SeedError> {
    let email = Email::parse(email).map_err(|e| SeedError::Invalid(e.english()))?;
    if let Some(existing) = staff::by_email(db, &email).await? {
        place(db, existing.id, portal_id, role).await?;
        return Ok(existing.id);
    }
    let new =
        NewStaff { email: &email, name, password_hash: Some(hash), must_change_password: false, is_superadmin: false };
    let mut tx = db.writer().begin().await?;
    let id = staff::create_in_portal(&mut tx, new, portal_id, role, &[Permission::AnswerTickets])
        .await
        .map_err(|e| SeedError::Invalid(e.to_string()))?;
    tx.commit().await?;
    Ok(id)
}

/// `count` customers of the portal (`customer{n}@{slug}.example`), all with the seed password.
async fn customers_of(
    db: &Db,
    portal_id: i64,
    slug: &str,
    count: u64,
    hash: &str,
    rng: &mut ChaCha8Rng,
) -> Result<Vec<SeededCustomer>, sqlx::Error> {
    let created = now();
    let rows: Vec<Vec<Value>> = (1..=count)
        .map(|n| {
            let email = format!("customer{n}@{slug}.example");
            vec![
                portal_id.into(),
                email.clone().into(),
                email.into(),
                content::person(rng).into(),
                hash.into(),
                created.into(),
            ]
        })
        .collect();
    let mut tx = db.writer().begin().await?;
    let columns = ["portal_id", "email", "email_lower", "name", "password_hash", "created_at"];
    bulk::insert_ignoring_existing(&mut tx, "customers", &columns, &rows).await?;
    tx.commit().await?;
    let found =
        sqlx::query("SELECT id, name, email FROM customers WHERE portal_id = $1 AND email_lower LIKE $2 ORDER BY id")
            .bind(portal_id)
            .bind(format!("customer%@{slug}.example"))
            .fetch_all(db.pool())
            .await?;
    found
        .iter()
        .map(|r| Ok(SeededCustomer { id: r.try_get("id")?, name: r.try_get("name")?, email: r.try_get("email")? }))
        .collect()
}
