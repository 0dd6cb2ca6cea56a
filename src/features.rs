//! The features, each with what it adds to the shared layout (menu entries, notices). A new
//! feature adds one line here.

use crate::web::layout::Feature;

pub const ALL: &[&Feature] = &[&crate::admin::FEATURE, &crate::auth::FEATURE, &crate::outbox::FEATURE];
