//! The management layout: menu on the left, action buttons top centre, avatar menu top right
//! (Profile, Settings, Sign out). Every management page carries a `Shell`.
//!
//! The layout knows no feature: each feature declares its menu entries (with who may see them)
//! and the notices its pages may show after a redirect, in a `Feature`, and `crate::features`
//! lists the features. A new feature adds itself there and touches nothing else.

use crate::accounts::permissions::Permission;
use crate::auth::ManageUser;
use crate::i18n::Lang;

/// Who sees a menu entry.
#[derive(Clone, Copy, Debug)]
pub enum Visibility {
    Everyone,
    /// Those who hold this permission in the portal they work in (administrators hold all).
    Holders(Permission),
    SystemAdministrators,
}

impl Visibility {
    fn allows(self, user: &ManageUser) -> bool {
        match self {
            Visibility::Everyone => true,
            Visibility::Holders(p) => user.can(p),
            Visibility::SystemAdministrators => user.staff.is_superadmin,
        }
    }
}

/// One entry of the management menu.
#[derive(Clone, Copy, Debug)]
pub struct MenuEntry {
    pub href: &'static str,
    /// A catalog key (see `crate::i18n`).
    pub label: &'static str,
    /// Where it stands in the menu: lower first.
    pub order: u16,
    pub visible: Visibility,
}

/// A message a page may show after a redirect (`?msg=CODE`); only declared texts can appear.
#[derive(Clone, Copy, Debug)]
pub struct Notice {
    pub code: &'static str,
    /// A catalog key.
    pub text: &'static str,
}

/// One entry of a portal's top menu (tickets, the knowledge base, chat). Entries that need a
/// signed-in customer lead visitors to the sign-in page.
#[derive(Clone, Copy, Debug)]
pub struct PortalMenuEntry {
    /// Inside the portal: `/tickets` is `/portal/{slug}/tickets`, or `/tickets` on its own host.
    pub path: &'static str,
    /// A catalog key.
    pub label: &'static str,
    pub order: u16,
}

/// Whether a portal offers a `VisitorLink` now (its settings decide).
pub type OfferedFn = for<'a> fn(
    &'a crate::db::Db,
    &'a crate::portals::Portal,
) -> crate::web::settings::BoxFuture<'a, Result<bool, sqlx::Error>>;

/// Something a feature offers people who are not signed in, linked from a portal's sign-in page
/// (where someone without an account looks), when the portal offers it.
#[derive(Clone, Copy, Debug)]
pub struct VisitorLink {
    /// Inside the portal, as `PortalMenuEntry::path`.
    pub path: &'static str,
    /// A catalog key.
    pub label: &'static str,
    pub offered: OfferedFn,
}

/// Renders a panel of the management home for `user` (HTML, escaped by its template), or `None`
/// when the feature has nothing to show them.
pub type HomePanelFn = for<'a> fn(
    &'a crate::web::state::AppState,
    &'a ManageUser,
) -> crate::web::settings::BoxFuture<'a, crate::error::AppResult<Option<String>>>;

/// Something a feature shows on the management home (the tickets' dashboard), so that the home
/// page needs to know no feature.
#[derive(Clone, Copy)]
pub struct HomePanel {
    /// Where it stands on the page: lower first.
    pub order: u16,
    pub render: HomePanelFn,
}

impl std::fmt::Debug for HomePanel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HomePanel").field("order", &self.order).finish_non_exhaustive()
    }
}

/// The panels of every feature for `user`, in order.
pub async fn home_panels(
    state: &crate::web::state::AppState,
    user: &ManageUser,
) -> crate::error::AppResult<Vec<String>> {
    let mut panels: Vec<&HomePanel> = crate::features::ALL.iter().flat_map(|f| f.home_panels).collect();
    panels.sort_by_key(|p| p.order);
    let mut html = Vec::with_capacity(panels.len());
    for panel in panels {
        html.extend((panel.render)(state, user).await?);
    }
    Ok(html)
}

/// Renders something a feature shows in the header of every management page (HTML escaped by
/// its own template), for the page's user and CSRF token; `None` to show nothing to them.
pub type HeaderItemFn = fn(&ManageUser, &str) -> Option<String>;

/// Asked before a management sign-out: `Some(page)` refuses it with that page (a 4xx), and the
/// session stays. `csrf` is for the page's forms.
pub type SignOutGuardFn =
    for<'a> fn(
        &'a crate::web::state::AppState,
        &'a ManageUser,
        &'a str,
    ) -> crate::web::settings::BoxFuture<'a, crate::error::AppResult<Option<axum::response::Response>>>;

/// Told when a management sign-out goes ahead, just before the session ends (not on expiry).
pub type SignedOutFn = for<'a> fn(
    &'a crate::web::state::AppState,
    &'a ManageUser,
) -> crate::web::settings::BoxFuture<'a, crate::error::AppResult<()>>;

/// What a feature has to say about a management sign-out.
#[derive(Clone, Copy)]
pub struct SignOutHook {
    pub guard: SignOutGuardFn,
    pub signed_out: SignedOutFn,
}

impl std::fmt::Debug for SignOutHook {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SignOutHook").finish_non_exhaustive()
    }
}

/// What a feature adds to the layout.
#[derive(Debug)]
pub struct Feature {
    pub name: &'static str,
    pub menu: &'static [MenuEntry],
    pub notices: &'static [Notice],
    pub portal_menu: &'static [PortalMenuEntry],
    /// Links for people who are not signed in, shown on the portal's sign-in page.
    pub visitor_links: &'static [VisitorLink],
    /// The feature's pages.
    pub router: fn() -> axum::Router<crate::web::state::AppState>,
    /// The portal settings it owns, in sections (see `crate::web::settings`).
    pub settings: &'static [crate::web::settings::SettingsGroup],
    /// Panels on the management home.
    pub home_panels: &'static [HomePanel],
    /// Items in the header of every management page (beside the avatar menu).
    pub header_items: &'static [HeaderItemFn],
    /// Scripts every management page loads (`/static/...`).
    pub scripts: &'static [&'static str],
    /// Asked before, and told after, a management sign-out.
    pub sign_out: &'static [SignOutHook],
}

/// The `?msg=` a management page may carry after a redirect.
#[derive(serde::Deserialize, Default)]
pub struct MsgQuery {
    pub msg: Option<String>,
    #[serde(default)]
    pub q: String,
}

pub struct NavItem {
    pub href: String,
    pub label: String,
    pub active: bool,
}

pub struct PortalChoice {
    pub slug: String,
    pub name: String,
    pub selected: bool,
}

pub struct Shell {
    pub csrf: String,
    pub name: String,
    pub email: String,
    pub initials: String,
    pub portal_name: String,
    pub portals: Vec<PortalChoice>,
    pub nav: Vec<NavItem>,
    pub notice: Option<String>,
    /// Features' header items, rendered (see `HeaderItemFn`).
    pub header_items: Vec<String>,
    pub scripts: Vec<&'static str>,
}

/// The key of the notice a page was asked to show, if a feature declared it.
fn notice_for(features: &[&Feature], code: Option<&str>) -> Option<&'static str> {
    let code = code?;
    features.iter().flat_map(|f| f.notices).find(|n| n.code == code).map(|n| n.text)
}

/// A portal's top menu, with addresses under `base` (`/portal/{slug}`, or empty on its own host).
pub fn portal_menu(base: &str) -> Vec<NavItem> {
    let mut entries: Vec<&PortalMenuEntry> = crate::features::ALL.iter().flat_map(|f| f.portal_menu).collect();
    entries.sort_by_key(|e| e.order);
    let lang = Lang::current();
    entries
        .iter()
        .map(|e| NavItem { href: format!("{base}{}", e.path), label: lang.t(e.label), active: false })
        .collect()
}

/// The visitor links `portal` offers now, with addresses under `base`.
pub async fn visitor_links(
    db: &crate::db::Db,
    portal: &crate::portals::Portal,
    base: &str,
) -> Result<Vec<NavItem>, sqlx::Error> {
    let lang = Lang::current();
    let mut links = Vec::new();
    for link in crate::features::ALL.iter().flat_map(|f| f.visitor_links) {
        if (link.offered)(db, portal).await? {
            links.push(NavItem { href: format!("{base}{}", link.path), label: lang.t(link.label), active: false });
        }
    }
    Ok(links)
}

fn initials(name: &str) -> String {
    let letters: String = name.split_whitespace().filter_map(|w| w.chars().next()).take(2).collect();
    if letters.is_empty() { "?".into() } else { letters.to_uppercase() }
}

impl Shell {
    /// The layout for a page of `user`'s, `active` being its menu entry's address.
    pub fn new(user: &ManageUser, csrf: String, active: &str, msg: Option<&str>) -> Shell {
        let features = crate::features::ALL;
        let mut entries: Vec<&MenuEntry> =
            features.iter().flat_map(|f| f.menu).filter(|e| e.visible.allows(user)).collect();
        entries.sort_by_key(|e| e.order);
        let lang = Lang::current();
        let nav = entries
            .iter()
            .map(|e| NavItem { href: e.href.into(), label: lang.t(e.label), active: e.href == active })
            .collect();
        Shell {
            name: user.staff.name.clone(),
            email: user.staff.email.clone(),
            initials: initials(&user.staff.name),
            portal_name: user.portal.name.clone(),
            portals: user
                .memberships
                .iter()
                .map(|(p, _)| PortalChoice {
                    slug: p.slug.clone(),
                    name: p.name.clone(),
                    selected: p.id == user.portal.id,
                })
                .collect(),
            nav,
            notice: notice_for(features, msg).map(|key| lang.t(key)),
            header_items: features.iter().flat_map(|f| f.header_items).filter_map(|item| item(user, &csrf)).collect(),
            scripts: features.iter().flat_map(|f| f.scripts).copied().collect(),
            csrf,
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;

    #[test]
    fn notice_codes_and_menu_addresses_are_each_declared_once() {
        let mut codes = HashSet::new();
        let mut hrefs = HashSet::new();
        for feature in crate::features::ALL {
            for n in feature.notices {
                assert!(codes.insert(n.code), "notice {:?} declared twice ({})", n.code, feature.name);
            }
            for e in feature.menu {
                assert!(hrefs.insert(e.href), "menu entry {:?} declared twice ({})", e.href, feature.name);
            }
        }
        assert_eq!(notice_for(crate::features::ALL, Some("saved")), Some("notice-saved"));
        assert_eq!(notice_for(crate::features::ALL, Some("<script>")), None);
    }

    #[test]
    fn every_label_and_notice_is_in_every_language() {
        for feature in crate::features::ALL {
            let keys = feature.menu.iter().map(|e| e.label);
            let keys = keys.chain(feature.notices.iter().map(|n| n.text));
            let keys = keys.chain(feature.visitor_links.iter().map(|e| e.label));
            for key in keys.chain(feature.portal_menu.iter().map(|e| e.label)) {
                for lang in Lang::ALL {
                    assert_ne!(lang.t(key), key, "{key} ({}) has no {lang} text", feature.name);
                }
            }
        }
    }
}
