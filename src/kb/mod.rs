//! The knowledge base: articles in nested categories, in English or Portuguese, each visible to
//! everyone, to signed-in customers only, or to agents only; drafts and published revisions.
//!
//! The rule of who reads what is here, once (`Reader::condition`), and every path that shows an
//! article (pages, search, suggestions, related articles, files) goes through it. Articles are
//! rendered and sanitised when published (`markdown`), never when read.

pub mod manage;
pub mod manage_article_form;
pub mod manage_articles;
pub mod manage_categories;
pub mod manage_files;
pub mod manage_queries;
pub mod manage_revisions;
pub mod markdown;
pub mod portal;
pub mod portal_cache;
pub mod portal_votes;
pub mod search_memo;
pub mod search_pages;
pub mod store;

use crate::web::layout::{Feature, PortalMenuEntry};

/// The knowledge base's pages in the portal and in management.
pub const FEATURE: Feature = Feature {
    name: "kb",
    menu: manage::MENU,
    notices: manage::NOTICES,
    portal_menu: &[PortalMenuEntry { path: "/kb", label: "kb-portal-menu", order: 30 }],
    visitor_links: &[],
    router,
    settings: &[],
    home_panels: &[],
    header_items: &[],
    scripts: &[],
    sign_out: &[],
};

fn router() -> axum::Router<crate::web::state::AppState> {
    axum::Router::new().merge(manage::router()).merge(search_pages::router()).merge(portal_router())
}

/// The portal's reading side (`portal.rs`, `portal_votes.rs`).
fn portal_router() -> axum::Router<crate::web::state::AppState> {
    use axum::routing::{get, post};
    axum::Router::new()
        .route("/portal/{slug}/kb", get(portal::home))
        .route("/portal/{slug}/kb/categories/{id}", get(portal::category))
        .route("/portal/{slug}/kb/articles/{id}", get(portal::article))
        .route("/portal/{slug}/kb/articles/{id}/helpful", post(portal_votes::vote))
        .route("/portal/{slug}/kb/articles/{id}/files/{file_id}", get(portal_votes::file))
}

/// Who may read an article.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Visibility {
    /// Anyone, signed in or not.
    Public,
    /// Customers signed in to the portal (and agents).
    Customers,
    /// The portal's agents only.
    Internal,
}

impl Visibility {
    pub const ALL: [Visibility; 3] = [Visibility::Public, Visibility::Customers, Visibility::Internal];

    pub fn as_str(self) -> &'static str {
        match self {
            Visibility::Public => "public",
            Visibility::Customers => "customers",
            Visibility::Internal => "internal",
        }
    }

    pub fn parse(s: &str) -> Option<Visibility> {
        Visibility::ALL.into_iter().find(|v| v.as_str() == s)
    }
}

/// Who is reading, as far as articles care. A `Customer` or `Agent` must be one of the portal
/// being read (the extractors that build them guarantee it).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Reader {
    Visitor,
    Customer,
    Agent,
}

impl Reader {
    /// Who reads a portal's pages: a visitor, or the customer or staff member signed in to it.
    pub fn of(user: Option<&crate::auth::extract::PortalUser>) -> Reader {
        use crate::auth::extract::PortalPerson;
        match user.map(|u| &u.person) {
            None => Reader::Visitor,
            Some(PortalPerson::Customer(_)) => Reader::Customer,
            Some(PortalPerson::Staff(_)) => Reader::Agent,
        }
    }

    /// The visibilities this reader may see.
    pub fn may_read(self, v: Visibility) -> bool {
        match self {
            Reader::Visitor => v == Visibility::Public,
            Reader::Customer => v != Visibility::Internal,
            Reader::Agent => true,
        }
    }

    /// The SQL condition on an article aliased `alias` that keeps what this reader may read:
    /// published, and of a visibility they may see. Constant text (no user input); the portal is
    /// the caller's own condition.
    pub fn condition(self, alias: &str) -> String {
        format!("{alias}.published_revision IS NOT NULL AND {alias}.visibility IN ({})", self.visibilities())
    }

    /// The visibilities this reader may see, as a list of SQL string literals.
    pub fn visibilities(self) -> &'static str {
        match self {
            Reader::Visitor => "'public'",
            Reader::Customer => "'public', 'customers'",
            Reader::Agent => "'public', 'customers', 'internal'",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn readers_see_what_they_may() {
        assert!(Reader::Visitor.may_read(Visibility::Public));
        assert!(!Reader::Visitor.may_read(Visibility::Customers));
        assert!(!Reader::Customer.may_read(Visibility::Internal));
        assert!(Reader::Customer.may_read(Visibility::Customers));
        assert!(Reader::Agent.may_read(Visibility::Internal));
        assert_eq!(
            Reader::Customer.condition("a"),
            "a.published_revision IS NOT NULL AND a.visibility IN ('public', 'customers')"
        );
    }
}
