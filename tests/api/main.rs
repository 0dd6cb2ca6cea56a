//! Every integration test in one binary, linked once: each file is a module. `queries.rs` stays a
//! binary of its own, because it installs a process-wide log subscriber to count statements.

#[path = "../common/mod.rs"]
mod common;

mod accounts_across_portals;
mod attachment_store;
mod bulk_actions;
mod chat_console;
mod chat_supervise;
mod cli;
mod codes;
mod config_cache;
mod console_ws;
mod crash_tickets;
mod dashboard;
mod desk_tickets;
mod email;
mod email_threads;
mod health_and_bootstrap;
mod input;
mod kb_manage;
mod kb_manage_history;
mod kb_portal;
mod kb_store;
mod languages;
mod manage;
mod outbox;
mod passwords;
mod portal_tickets;
mod probe_desk;
mod probe_kb;
mod probe_languages;
mod probe_queue;
mod probe_tickets;
mod pt_br_auth;
mod pt_br_management;
mod pt_br_settings;
mod queue_filters;
mod reliability;
mod satisfaction;
mod saved_replies;
mod saved_views;
mod search;
mod security;
mod seed;
mod signin;
mod sso;
mod sso_across_portals;
mod throttling;
mod ticket_attachments;
mod ticket_emails;
mod ticket_merge;
mod ticket_store;
mod ticket_viewers;
mod ticket_visitors;
