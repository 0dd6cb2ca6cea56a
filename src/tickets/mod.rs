//! Tickets: what a customer asks and the desk answers, numbered per portal, with a thread of
//! public replies and internal notes and a history of every change.
//!
//! This module holds the types and the SQL (on the connection of the change being made, so a
//! ticket, its first message, its history and its emails are written in one transaction). The
//! pages come in `portal.rs` (customers), `visitors.rs` (people not signed in) and `manage.rs`.

pub mod access;
pub mod attachments;
pub mod dashboard;
pub mod downloads;
pub mod manage;
pub mod manage_queries;
pub mod merge;
pub mod notify;
pub mod portal;
pub mod portal_queries;
pub mod queues;
pub mod replies;
pub mod satisfaction;
pub mod settings;
pub mod store;
pub mod uploads;
pub mod views;
pub mod visitors;

use crate::web::layout::{Feature, MenuEntry, Notice, PortalMenuEntry, Visibility};

/// Tickets: the customer's side in the portal, the agents' in management.
pub const FEATURE: Feature = Feature {
    name: "tickets",
    menu: &[MenuEntry { href: "/manage/tickets", label: "desk-menu-tickets", order: 5, visible: Visibility::Everyone }],
    notices: &[
        Notice { code: "ticket-replied", text: "desk-notice-replied" },
        Notice { code: "ticket-noted", text: "desk-notice-noted" },
        Notice { code: "ticket-updated", text: "desk-notice-updated" },
        Notice { code: "ticket-moved", text: "desk-notice-moved" },
        Notice { code: "ticket-merged", text: "ticket-merge-notice-done" },
        Notice { code: "saved-reply-saved", text: "ticket-replies-notice-saved" },
        Notice { code: "saved-reply-deleted", text: "ticket-replies-notice-deleted" },
    ],
    portal_menu: &[
        PortalMenuEntry { path: "/tickets", label: "tickets-menu-mine", order: 10 },
        PortalMenuEntry { path: "/tickets/new", label: "tickets-menu-new", order: 20 },
    ],
    visitor_links: &[visitors::VISITOR_LINK],
    router,
    settings: &[settings::GROUP],
    home_panels: &[dashboard::HOME_PANEL],
    header_items: &[],
    scripts: &[],
    sign_out: &[],
};

/// The portal's and the desk's ticket pages, and the form of an agent's ticket email
/// preferences (on their management profile).
fn router() -> axum::Router<crate::web::state::AppState> {
    portal::router()
        .merge(manage::router())
        .merge(visitors::router())
        .merge(satisfaction::router())
        .route("/manage/profile/ticket-emails", axum::routing::post(notify::preferences::save))
}

/// Where a ticket stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Status {
    New,
    Open,
    /// Waiting on the customer.
    Pending,
    Resolved,
    Closed,
}

impl Status {
    pub const ALL: [Status; 5] = [Status::New, Status::Open, Status::Pending, Status::Resolved, Status::Closed];

    pub fn as_str(self) -> &'static str {
        match self {
            Status::New => "new",
            Status::Open => "open",
            Status::Pending => "pending",
            Status::Resolved => "resolved",
            Status::Closed => "closed",
        }
    }

    pub fn parse(s: &str) -> Option<Status> {
        Status::ALL.into_iter().find(|st| st.as_str() == s)
    }

    /// The status after the customer writes: a ticket waiting on them, or resolved, is open again.
    pub fn after_customer_reply(self) -> Status {
        match self {
            Status::Pending | Status::Resolved => Status::Open,
            other => other,
        }
    }

    /// Still asking for work: shown under "open" filters.
    pub fn is_active(self) -> bool {
        matches!(self, Status::New | Status::Open | Status::Pending)
    }
}

/// How urgent a ticket is.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Priority {
    Low,
    #[default]
    Normal,
    High,
    Urgent,
}

impl Priority {
    pub const ALL: [Priority; 4] = [Priority::Low, Priority::Normal, Priority::High, Priority::Urgent];

    pub fn as_str(self) -> &'static str {
        match self {
            Priority::Low => "low",
            Priority::Normal => "normal",
            Priority::High => "high",
            Priority::Urgent => "urgent",
        }
    }

    pub fn parse(s: &str) -> Option<Priority> {
        Priority::ALL.into_iter().find(|p| p.as_str() == s)
    }
}

/// Who wrote a message or made a change.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Actor {
    Staff(i64),
    Customer(i64),
    /// A visitor (not signed in) or the desk itself.
    Other,
}

impl Actor {
    fn staff_id(self) -> Option<i64> {
        if let Actor::Staff(id) = self { Some(id) } else { None }
    }
    fn customer_id(self) -> Option<i64> {
        if let Actor::Customer(id) = self { Some(id) } else { None }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_read_back_and_a_customer_reply_reopens_what_waits_on_them() {
        for s in Status::ALL {
            assert_eq!(Status::parse(s.as_str()), Some(s));
        }
        for p in Priority::ALL {
            assert_eq!(Priority::parse(p.as_str()), Some(p));
        }
        assert_eq!(Status::parse("Open"), None);
        assert_eq!(Status::Pending.after_customer_reply(), Status::Open);
        assert_eq!(Status::Resolved.after_customer_reply(), Status::Open);
        assert_eq!(Status::New.after_customer_reply(), Status::New);
        assert_eq!(Status::Closed.after_customer_reply(), Status::Closed);
        assert!(Priority::Urgent > Priority::High && Priority::default() == Priority::Normal);
    }
}
