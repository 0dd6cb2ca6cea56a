//! `frontdesk user ...`: add, list, disable and enable accounts, and set their passwords.

use std::io::{BufRead, IsTerminal};

use super::UserCommand;
use super::portals::find_portal;
use crate::accounts::customers::NewCustomer;
use crate::accounts::permissions::{Permission, Role};
use crate::accounts::phone::Mobile;
use crate::accounts::staff::{self, NewStaff};
use crate::accounts::{Email, customers, parse_person_name};
use crate::auth::hashing::PasswordHasher;
use crate::auth::password_change::{self, NewPassword, Sessions};
use crate::auth::policy::PasswordPolicy;
use crate::auth::profile::policy_for;
use crate::auth::sessions::Subject;
use crate::auth::settings;
use crate::db::Db;

/// An account named on the command line: a portal's customer, or a staff account.
async fn find_account(db: &Db, email: &str, portal: Option<&str>) -> anyhow::Result<(Subject, Option<i64>)> {
    let email = Email::parse(email).map_err(anyhow::Error::msg)?;
    match portal {
        Some(slug) => {
            let p = find_portal(db, slug).await?;
            let c = customers::by_email(db, p.id, &email)
                .await?
                .ok_or_else(|| anyhow::anyhow!("portal {slug} has no customer {email}"))?;
            Ok((Subject::Customer(c.id), Some(p.id)))
        }
        None => {
            let s = staff::by_email(db, &email).await?.ok_or_else(|| {
                anyhow::anyhow!("there is no staff account {email} (for a customer, add --portal SLUG)")
            })?;
            Ok((Subject::Staff(s.id), None))
        }
    }
}

fn staff_status(s: &staff::Staff, self_managed: bool) -> &'static str {
    if s.disabled_at.is_some() {
        "disabled"
    } else if s.awaiting_approval {
        "awaiting-approval"
    } else if self_managed {
        "microsoft"
    } else if s.password_hash.is_none() {
        "invited"
    } else {
        "active"
    }
}

async fn list_users(db: &Db, slug: &str, with_customers: bool) -> anyhow::Result<()> {
    let p = find_portal(db, slug).await?;
    for (s, role) in staff::list_for_portal(db, p.id).await? {
        let status = staff_status(&s, crate::sso::identities::is_self_managed(db, s.id).await?);
        println!("staff\t{}\t{}\t{}\t{status}", role.as_str(), s.email, s.name);
    }
    if with_customers {
        for c in customers::list(db, p.id, "", i64::MAX).await? {
            let status = match (c.disabled_at, &c.password_hash) {
                (Some(_), _) => "disabled",
                (None, None) => "invited",
                (None, Some(_)) => "active",
            };
            println!("customer\t\t{}\t{}\t{status}", c.email, c.name);
        }
    }
    Ok(())
}

async fn set_disabled(db: &Db, email: &str, portal: Option<&str>, disabled: bool) -> anyhow::Result<()> {
    let (subject, portal_id) = find_account(db, email, portal).await?;
    match subject {
        Subject::Customer(id) => {
            customers::set_disabled(db, portal_id.unwrap_or_default(), id, disabled).await?;
        }
        Subject::Staff(id) => {
            let account = staff::by_id(db, id).await?.expect("found a moment ago");
            if disabled && account.is_superadmin && staff::active_superadmins(db).await? <= 1 {
                anyhow::bail!("{email} is the only active system administrator; add another one first");
            }
            staff::set_disabled(db, id, disabled).await?;
        }
    }
    let done = if disabled { "disabled; its sessions have ended" } else { "enabled" };
    println!("{email}: {done}");
    Ok(())
}

/// Reads a password: the first line of standard input, or a hidden prompt (asked twice).
fn read_password(policy: &PasswordPolicy) -> anyhow::Result<String> {
    let password = if std::io::stdin().is_terminal() {
        eprintln!("Password rules: {}", crate::auth::policy::in_english(&policy.rules(), "; "));
        let first = rpassword::prompt_password("Password: ")?;
        let again = rpassword::prompt_password("Password again: ")?;
        if first != again {
            anyhow::bail!("the two passwords are not the same");
        }
        first
    } else {
        let mut line = String::new();
        std::io::stdin().lock().read_line(&mut line)?;
        line.trim_end_matches(['\r', '\n']).to_string()
    };
    policy.check(&password).map_err(|unmet| {
        anyhow::anyhow!("the password does not meet the policy: {}", crate::auth::policy::in_english(&unmet, " "))
    })?;
    Ok(password)
}

pub(super) async fn run(db: &Db, cmd: UserCommand) -> anyhow::Result<()> {
    let hasher = PasswordHasher::new(1);
    match cmd {
        UserCommand::Add { portal, role, email, name, mobile } => {
            add(db, &hasher, NewUserArgs { portal, role, email, name, mobile }).await?
        }
        UserCommand::List { portal, customers } => list_users(db, &portal, customers).await?,
        UserCommand::Disable { email, portal } => set_disabled(db, &email, portal.as_deref(), true).await?,
        UserCommand::Enable { email, portal } => set_disabled(db, &email, portal.as_deref(), false).await?,
        UserCommand::SetPassword { email, portal } => set_password(db, &hasher, email, portal).await?,
    }
    Ok(())
}

/// What `user add` was given.
struct NewUserArgs {
    portal: String,
    role: String,
    email: String,
    name: String,
    mobile: Option<String>,
}

/// `user add`: a customer, a new staff account, or an existing staff account given a place in
/// one more portal (its password unchanged).
async fn add(db: &Db, hasher: &PasswordHasher, args: NewUserArgs) -> anyhow::Result<()> {
    let NewUserArgs { portal, role, email, name, mobile } = args;
    let hash = |p: String| async move { hasher.hash(&p).await.map_err(|e| anyhow::anyhow!("{e}")) };
    let p = find_portal(db, &portal).await?;
    let email = Email::parse(&email).map_err(anyhow::Error::msg)?;
    let name = parse_person_name(&name, &email).map_err(anyhow::Error::msg)?;
    if role == "customer" {
        let policy = settings::load(db, p.id).await?.password_policy;
        let password_hash = hash(read_password(&policy)?).await?;
        let mobile = mobile.as_deref().map(Mobile::parse).transpose().map_err(anyhow::Error::msg)?;
        let new =
            NewCustomer { email: &email, name: &name, mobile: mobile.as_ref(), password_hash: Some(&password_hash) };
        let id = customers::create(&mut *db.writer().acquire().await?, p.id, new).await?;
        println!("added customer {email} (id {id}) to portal {}", p.slug);
    } else {
        if mobile.is_some() {
            anyhow::bail!("--mobile is for customers (staff sign in with a password)");
        }
        let role = Role::parse(&role).expect("clap checked the role");
        if let Some(existing) = staff::by_email(db, &email).await? {
            staff::set_role(&mut *db.writer().acquire().await?, existing.id, p.id, role).await?;
            println!(
                "{email} already has a staff account; now {} in portal {} (password unchanged)",
                role.as_str(),
                p.slug
            );
            return Ok(());
        }
        let policy = settings::load(db, p.id).await?.password_policy;
        let password_hash = hash(read_password(&policy)?).await?;
        let permissions: &[Permission] = if role == Role::Admin { &Permission::ALL } else { &[] };
        let new = NewStaff {
            email: &email,
            name: &name,
            password_hash: Some(&password_hash),
            must_change_password: false,
            is_superadmin: false,
        };
        let mut tx = db.writer().begin().await?;
        let id = staff::create_in_portal(&mut tx, new, p.id, role, permissions).await?;
        tx.commit().await?;
        println!("added {} {email} (id {id}) to portal {}", role.as_str(), p.slug);
    }
    Ok(())
}

/// `user set-password`: a new password, with everything a password change brings.
async fn set_password(db: &Db, hasher: &PasswordHasher, email: String, portal: Option<String>) -> anyhow::Result<()> {
    let hash = |p: String| async move { hasher.hash(&p).await.map_err(|e| anyhow::anyhow!("{e}")) };
    let (subject, portal_id) = find_account(db, &email, portal.as_deref()).await?;
    let policy = policy_for(db, subject, portal_id).await.map_err(|e| anyhow::anyhow!("{e}"))?;
    let password_hash = hash(read_password(&policy)?).await?;
    // The command line does not know the server's public address: the notice has no
    // sign-in button.
    let notice = password_change::notice(db, subject, portal_id, None, Sessions::EndAll)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    // The new password, the voided links, the end of every session and the notice
    // happen together or not at all.
    let mut tx = db.writer().begin().await?;
    let change =
        NewPassword { subject, portal_id, hash: &password_hash, sessions: Sessions::EndAll, notice: Some(notice) };
    let ended = password_change::apply(&mut tx, change).await?;
    tx.commit().await?;
    println!("password set for {email}; {ended} session(s) ended; open password links voided");
    if let Subject::Staff(id) = subject
        && crate::sso::identities::is_self_managed(db, id).await?
    {
        eprintln!(
            "note: {email} signs in with Microsoft; the password works only once Microsoft sign-in is turned off \
             for the portal (entra_enabled false) or the account is unlinked on its agent page"
        );
    }
    Ok(())
}
