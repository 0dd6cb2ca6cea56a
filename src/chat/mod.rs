//! Live chat: customers (and, where allowed, visitors) talk to agents in real time; agents'
//! presence per channel; routing of new chats; the sign-out rule; who is looking at a ticket.
//!
//! - `presence`: available / away / offline per channel, leases kept by live connections, the
//!   header switch, forcing an agent offline, the sign-out rule;
//! - `routing`: every change of a chat's state (queue, offer, accept, hand-off, transfer, end),
//!   each in one transaction, so that no chat is offered to two agents;
//! - `store`, `ws`, `portal`, `widget`: the conversation itself, the customers' pages and the
//!   embeddable widget;
//! - `console`, `supervise`, `viewers`: the agents' pages, supervisors, collision warnings.

pub mod console;
pub mod console_actions;
pub mod console_chat;
pub mod console_live;
pub mod console_queries;
pub mod console_ticket;
pub mod console_transcript;
pub mod department_settings;
pub mod hours;
pub mod lanes;
pub mod portal;
pub mod portal_access;
pub mod portal_chat;
pub mod portal_files;
pub mod portal_leave;
pub mod portal_settings;
pub mod portal_transcript;
pub mod presence;
pub mod presence_pages;
pub mod presence_socket;
pub mod read_batch;
pub mod recent;
pub mod round_robin;
pub mod routing;
pub mod signout;
pub mod store;
mod store_pg;
mod store_sqlite;
pub mod supervise;
pub mod sweeper;
pub mod viewers;
pub mod widget;
pub mod ws;

use crate::web::layout::Feature;

pub const FEATURE: Feature = Feature {
    name: "chat",
    menu: console::MENU,
    notices: presence::NOTICES,
    portal_menu: portal::PORTAL_MENU,
    visitor_links: &[],
    router,
    settings: portal::SETTINGS,
    home_panels: &[],
    header_items: &[presence_pages::header_item],
    scripts: &["/static/presence.js"],
    sign_out: &[signout::HOOK],
};

fn router() -> axum::Router<crate::web::state::AppState> {
    axum::Router::new()
        .merge(presence::router())
        .merge(portal::router())
        .merge(ws::router())
        .merge(widget::router())
        .merge(console::router())
        .merge(viewers::router())
}
