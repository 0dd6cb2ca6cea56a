//! Signing in and out, sessions, passwords and throttling, for both interfaces.

use crate::web::layout::{Feature, Notice};

/// Sign-in adds no menu entry (the profile is in the avatar menu), only its notices.
pub const FEATURE: Feature = Feature {
    name: "sign-in",
    menu: &[],
    notices: &[
        Notice { code: "session-ended", text: "notice-session-ended" },
        Notice { code: "password-changed", text: "notice-password-changed" },
        Notice { code: "must-change", text: "notice-must-change" },
    ],
    portal_menu: &[],
    settings: &[settings::CUSTOMER_SIGNIN, settings::PASSWORDS],
};

pub mod code_login;
pub mod codes;
pub mod common_login;
pub mod emails;
pub mod extract;
pub mod forgot;
pub mod hashing;
pub mod invitations;
pub mod known_browsers;
pub mod links;
pub mod manage_login;
pub mod password_change;
pub mod password_links;
pub mod policy;
pub mod portal_login;
pub mod profile;
pub mod profile_language;
pub mod sessions;
pub mod settings;
pub mod signin;
pub mod throttle;

pub use extract::{ManageUser, PortalUser};
