//! The management layout: menu on the left, action buttons top centre, avatar menu top right
//! (Profile, Settings, Sign out). Every management page carries a `Shell`.
//!
//! The layout knows no feature: each feature declares its menu entries (with who may see them)
//! and the notices its pages may show after a redirect, in a `Feature`, and `crate::features`
//! lists the features. A new feature adds itself there and touches nothing else.

use crate::accounts::permissions::Permission;
use crate::auth::ManageUser;

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
    pub label: &'static str,
    /// Where it stands in the menu: lower first.
    pub order: u16,
    pub visible: Visibility,
}

/// A message a page may show after a redirect (`?msg=CODE`); only declared texts can appear.
#[derive(Clone, Copy, Debug)]
pub struct Notice {
    pub code: &'static str,
    pub text: &'static str,
}

/// What a feature adds to the layout.
#[derive(Debug)]
pub struct Feature {
    pub name: &'static str,
    pub menu: &'static [MenuEntry],
    pub notices: &'static [Notice],
}

/// The `?msg=` a management page may carry after a redirect.
#[derive(serde::Deserialize, Default)]
pub struct MsgQuery {
    pub msg: Option<String>,
    #[serde(default)]
    pub q: String,
}

pub struct NavItem {
    pub href: &'static str,
    pub label: &'static str,
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
    pub notice: Option<&'static str>,
}

fn notice_for(features: &[&Feature], code: Option<&str>) -> Option<&'static str> {
    let code = code?;
    features.iter().flat_map(|f| f.notices).find(|n| n.code == code).map(|n| n.text)
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
        let nav = entries.iter().map(|e| NavItem { href: e.href, label: e.label, active: e.href == active }).collect();
        Shell {
            csrf,
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
            notice: notice_for(features, msg),
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
        assert_eq!(notice_for(crate::features::ALL, Some("saved")), Some("Saved."));
        assert_eq!(notice_for(crate::features::ALL, Some("<script>")), None);
    }
}
