//! The features, each with its pages, what it adds to the shared layout (menu entries, notices)
//! and the portal settings it owns. A new feature adds one line here.

use crate::web::layout::Feature;

pub const ALL: &[&Feature] = &[
    &crate::portals::FEATURE,
    &crate::admin::FEATURE,
    &crate::auth::FEATURE,
    &crate::sso::FEATURE,
    &crate::outbox::FEATURE,
    &crate::tickets::FEATURE,
    &crate::kb::FEATURE,
    &crate::chat::FEATURE,
];
