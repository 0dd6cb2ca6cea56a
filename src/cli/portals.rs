//! `frontdesk portal ...`: add, configure and inspect portals.

use std::io::{BufRead, IsTerminal};

use super::PortalCommand;
use crate::db::Db;
use crate::i18n::Lang;
use crate::portals::{self, Slug};
use crate::secrets::SecretKey;
use crate::web::settings::{self, AuthorityHosts, FieldKind, SettingError};

pub(super) async fn find_portal(db: &Db, slug: &str) -> anyhow::Result<portals::Portal> {
    portals::by_slug(db, slug)
        .await?
        .ok_or_else(|| anyhow::anyhow!("there is no portal {slug:?}; `frontdesk portal list` shows them"))
}

/// `FRONTDESK_ENTRA_AUTHORITY_HOSTS`, as the server reads it.
fn authority_hosts_from_env() -> anyhow::Result<AuthorityHosts> {
    match std::env::var("FRONTDESK_ENTRA_AUTHORITY_HOSTS") {
        Ok(v) if !v.trim().is_empty() => v.parse().map_err(anyhow::Error::msg),
        _ => Ok(Default::default()),
    }
}

pub(super) async fn run(db: &Db, cmd: PortalCommand) -> anyhow::Result<()> {
    match cmd {
        PortalCommand::Add { slug, name } => {
            let slug = Slug::parse(&slug).map_err(anyhow::Error::msg)?;
            let name = portals::parse_name(&name).map_err(anyhow::Error::msg)?;
            let p = portals::create(db, &slug, &name).await?;
            println!("added portal {} ({}) at /portal/{}/", p.slug, p.name, p.slug);
        }
        PortalCommand::Set { slug, key, value } => {
            let p = find_portal(db, &slug).await?;
            let Some((_, spec)) = settings::find(&key) else {
                anyhow::bail!("{}\n{}", settings::unknown_key(&key).english(), every_key_with_its_help());
            };
            let context = settings::SettingsContext {
                secret_key: SecretKey::from_env().map_err(anyhow::Error::msg)?,
                authority_hosts: authority_hosts_from_env()?,
            };
            let value = if matches!(spec.kind, FieldKind::Secret { .. }) { read_secret_value(value)? } else { value };
            match settings::set(db, &context, &p, &key, &value).await {
                Ok(()) => println!("{slug}: {key} set"),
                Err(SettingError::Invalid(message)) => anyhow::bail!(message.english()),
                Err(SettingError::Db(e)) => return Err(e.into()),
            }
        }
        PortalCommand::Show { slug } => {
            let p = find_portal(db, &slug).await?;
            for (key, value) in settings::show_all(db, &p).await? {
                println!("{key} = {value}");
            }
        }
        PortalCommand::List => {
            for p in portals::all(db).await? {
                println!("{}\t{}\t{}", p.slug, p.name, p.host.unwrap_or_default());
            }
        }
    }
    Ok(())
}

/// One line per setting: its key and what it takes (in English, as the command line is).
fn every_key_with_its_help() -> String {
    let lines: Vec<String> =
        settings::all_keys().iter().map(|s| format!("  {}: {}", s.key, Lang::En.t(s.help))).collect();
    lines.join("\n")
}

/// A secret setting's value: `-` reads it from standard input (or a hidden prompt); a value on
/// the command line still works, with a warning.
fn read_secret_value(value: String) -> anyhow::Result<String> {
    if value != "-" {
        if !value.is_empty() {
            eprintln!(
                "warning: a secret on the command line can be seen in process lists and shell history; next time give \
                 - and pass it on standard input"
            );
        }
        return Ok(value);
    }
    let secret = if std::io::stdin().is_terminal() {
        rpassword::prompt_password("Client secret: ")?
    } else {
        let mut line = String::new();
        std::io::stdin().lock().read_line(&mut line)?;
        line.trim_end_matches(['\r', '\n']).to_string()
    };
    if secret.is_empty() {
        anyhow::bail!("no secret was given on standard input");
    }
    Ok(secret)
}
