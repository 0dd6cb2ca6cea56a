//! Frontdesk: a self-hosted help desk.
//!
//! Feature modules (`auth`, `portals`, `accounts`, `admin`) own their routes, SQL and templates;
//! plumbing lives in `config`, `db`, `error`, `startup` and `web`.

pub mod accounts;
pub mod admin;
pub mod auth;
pub mod bootstrap;
pub mod chat;
pub mod cli;
pub mod config;
pub mod db;
pub mod error;
pub mod events;
pub mod features;
pub mod i18n;
pub mod kb;
pub mod outbox;
pub mod portals;
pub mod search;
pub mod secrets;
pub mod seed;
pub mod serve;
pub mod sso;
pub mod startup;
pub mod tickets;
pub mod web;
