//! Portals: the brands or customers that share one Frontdesk. Every portal's data is kept apart
//! by the application: every query on portal data names its portal.

pub mod cache;
pub mod resolve;
pub mod routes;
pub mod settings;

use crate::i18n::Lang;
use crate::i18n::Msg;
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::db::{Db, is_unique_violation, now};
use crate::web::layout::Feature;
use crate::web::state::AppState;

/// The portal's home page and its own settings.
pub const FEATURE: Feature = Feature {
    name: "portals",
    menu: &[],
    notices: &[],
    portal_menu: &[],
    visitor_links: &[],
    router,
    settings: &[settings::GROUP],
    home_panels: &[],
    header_items: &[],
    scripts: &[],
    sign_out: &[],
};

fn router() -> axum::Router<AppState> {
    axum::Router::new()
        .route("/portal/{slug}", axum::routing::get(routes::home))
        .route("/portal/{slug}/", axum::routing::get(routes::home))
}

#[derive(Clone, Debug)]
pub struct Portal {
    pub id: i64,
    pub slug: String,
    pub name: String,
    pub host: Option<String>,
    /// The language of its pages and emails for people who chose none.
    pub default_language: Option<Lang>,
}

/// A stored language tag (`NULL`, or one this version no longer speaks: none).
pub fn language_of(row: &AnyRow, column: &str) -> Result<Option<Lang>, sqlx::Error> {
    Ok(row.try_get::<Option<String>, _>(column)?.as_deref().and_then(Lang::parse))
}

fn from_row(row: &AnyRow) -> Result<Portal, sqlx::Error> {
    Ok(Portal {
        id: row.try_get("id")?,
        slug: row.try_get("slug")?,
        name: row.try_get("name")?,
        host: row.try_get("host")?,
        default_language: language_of(row, "default_language")?,
    })
}

/// A portal slug: 2 to 40 characters of a-z, 0-9 and '-', starting with a letter or digit.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Slug(String);

impl Slug {
    pub fn parse(s: &str) -> Result<Slug, Msg> {
        let s = s.trim().to_ascii_lowercase();
        let ok = (2..=40).contains(&s.len())
            && s.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
            && !s.starts_with('-')
            && !s.ends_with('-');
        if ok { Ok(Slug(s)) } else { Err(Msg::new("portal-slug-invalid").arg("value", format!("{s:?}"))) }
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A portal's own host name, such as `support.example.com`.
pub fn parse_host(s: &str) -> Result<Option<String>, Msg> {
    let s = s.trim().trim_end_matches('.').to_ascii_lowercase();
    if s.is_empty() {
        return Ok(None);
    }
    let valid = s.len() <= 253
        && s.split(':').next().is_some_and(|h| {
            h.split('.').all(|label| {
                !label.is_empty()
                    && label.len() <= 63
                    && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
                    && !label.starts_with('-')
            })
        })
        && s.split(':').nth(1).is_none_or(|p| p.parse::<u16>().is_ok());
    if valid { Ok(Some(s)) } else { Err(Msg::new("portal-host-invalid").arg("value", format!("{s:?}"))) }
}

pub fn parse_name(s: &str) -> Result<String, Msg> {
    let s = s.trim();
    if s.is_empty() || s.chars().count() > 100 {
        return Err(Msg::new("portal-name-length"));
    }
    if s.chars().any(crate::web::input::is_forbidden_in_name) {
        return Err(Msg::new("portal-name-forbidden-characters"));
    }
    Ok(s.to_string())
}

pub async fn by_slug(db: &Db, slug: &str) -> Result<Option<Portal>, sqlx::Error> {
    Ok(cache::snapshot(db).await?.by_slug(slug).cloned())
}

pub async fn by_id(db: &Db, id: i64) -> Result<Option<Portal>, sqlx::Error> {
    Ok(cache::snapshot(db).await?.by_id(id).cloned())
}

pub async fn by_host(db: &Db, host: &str) -> Result<Option<Portal>, sqlx::Error> {
    Ok(cache::snapshot(db).await?.by_host(host).cloned())
}

pub async fn all(db: &Db) -> Result<Vec<Portal>, sqlx::Error> {
    Ok(cache::snapshot(db).await?.portals().to_vec())
}

/// Portals offered on the common sign-in page: all but those whose `listed` setting is off.
pub async fn listed(db: &Db) -> Result<Vec<Portal>, sqlx::Error> {
    let snapshot = cache::snapshot(db).await?;
    Ok(snapshot.portals().iter().filter(|p| snapshot.setting(p.id, "listed") != Some("false")).cloned().collect())
}

pub async fn count(db: &Db) -> Result<i64, sqlx::Error> {
    sqlx::query("SELECT COUNT(*) AS n FROM portals").fetch_one(db.pool()).await?.try_get("n")
}

#[derive(Debug, thiserror::Error)]
pub enum CreatePortalError {
    #[error("a portal with the slug {0:?} already exists")]
    SlugTaken(String),
    #[error(transparent)]
    Db(#[from] sqlx::Error),
}

pub async fn create(db: &Db, slug: &Slug, name: &str) -> Result<Portal, CreatePortalError> {
    let row =
        sqlx::query("INSERT INTO portals (slug, name, created_at) VALUES ($1, $2, $3) RETURNING id")
            .bind(slug.as_str())
            .bind(name)
            .bind(now())
            .fetch_one(db.writer())
            .await
            .map_err(|e| {
                if is_unique_violation(&e) { CreatePortalError::SlugTaken(slug.as_str().into()) } else { e.into() }
            })?;
    db.config_cache().forget();
    Ok(Portal {
        id: row.try_get("id")?,
        slug: slug.as_str().into(),
        name: name.into(),
        host: None,
        default_language: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_and_hosts_validate() {
        assert_eq!(Slug::parse(" Acme-2 ").unwrap().as_str(), "acme-2");
        assert!(Slug::parse("a").is_err());
        assert!(Slug::parse("acme corp").is_err());
        assert!(Slug::parse("-acme").is_err());
        assert_eq!(parse_host("Support.Example.com.").unwrap().as_deref(), Some("support.example.com"));
        assert_eq!(parse_host("").unwrap(), None);
        assert!(parse_host("not a host").is_err());
        assert_eq!(parse_host("acme.localhost:8080").unwrap().as_deref(), Some("acme.localhost:8080"));
    }
}
