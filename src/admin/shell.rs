//! The management layout: menu on the left, action buttons top centre, avatar menu top right
//! (Profile, Settings, Sign out). Every management page carries a `Shell`.

use crate::accounts::permissions::Permission;
use crate::auth::ManageUser;

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

/// Messages a page may show after a redirect (`?msg=CODE`); only these texts can appear.
fn notice_for(code: Option<&str>) -> Option<&'static str> {
    Some(match code? {
        "saved" => "Saved.",
        "created" => "Created.",
        "deleted" => "Deleted.",
        "disabled" => "The account is disabled and its sessions have ended.",
        "enabled" => "The account is enabled again.",
        "sessions-ended" => "Sessions ended.",
        "session-ended" => "That session has ended.",
        "password-changed" => "Your password has been changed.",
        "must-change" => "Choose a new password before you continue.",
        "switched" => "You are now working in this portal.",
        "requeued" => "The message is queued again and goes out shortly.",
        "invited" => "An invitation to set a password has been sent.",
        "added-microsoft" => "Added. They sign in with Microsoft, so no invitation was sent.",
        "asked" => "They already have a Frontdesk account: they were asked by email, and join once they accept.",
        "removed" => "Removed from this portal. Their account and their other portals are unchanged.",
        "withdrawn" => "The invitation is withdrawn.",
        "accepted" => "You now work in that portal too: switch to it with the portal menu.",
        "declined" => "The invitation is declined.",
        "approved" => "The account is approved: they can sign in with Microsoft now.",
        "unlinked" => {
            "The Microsoft account is unlinked. Send a set-password link, or let them sign in with Microsoft again."
        }
        _ => return None,
    })
}

fn initials(name: &str) -> String {
    let letters: String = name.split_whitespace().filter_map(|w| w.chars().next()).take(2).collect();
    if letters.is_empty() { "?".into() } else { letters.to_uppercase() }
}

impl Shell {
    pub fn new(user: &ManageUser, csrf: String, active: &str, msg: Option<&str>) -> Shell {
        let mut nav = vec![NavItem { href: "/manage", label: "Home", active: false }];
        if user.can(Permission::ManageAgents) {
            nav.push(NavItem { href: "/manage/agents", label: "Agents", active: false });
            nav.push(NavItem { href: "/manage/customers", label: "Customers", active: false });
        }
        if user.can(Permission::ManageDepartments) {
            nav.push(NavItem { href: "/manage/departments", label: "Departments", active: false });
        }
        if user.can(Permission::ManagePortalSettings) {
            nav.push(NavItem { href: "/manage/settings", label: "Portal settings", active: false });
            nav.push(NavItem { href: "/manage/outbox", label: "Outbox", active: false });
        }
        if user.staff.is_superadmin {
            nav.push(NavItem { href: "/manage/portals", label: "Portals", active: false });
        }
        for item in &mut nav {
            item.active = item.href == active;
        }
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
            notice: notice_for(msg),
        }
    }
}
