//! The features, each with what it adds to the shared layout (menu entries, notices) and the
//! portal settings it owns. A new feature adds one line here.

use crate::web::layout::Feature;

pub const ALL: &[&Feature] = &[
    &crate::portals::settings::FEATURE,
    &crate::admin::FEATURE,
    &crate::auth::FEATURE,
    &crate::sso::settings::FEATURE,
    &crate::outbox::FEATURE,
];
