//! Signing in and out, sessions, passwords and throttling, for both interfaces.

pub mod common_login;
pub mod extract;
pub mod hashing;
pub mod manage_login;
pub mod policy;
pub mod portal_login;
pub mod profile;
pub mod sessions;
pub mod signin;
pub mod throttle;

pub use extract::{ManageUser, PortalUser};
