//! Building blocks the views share: the permission card and the diff preview.

pub mod card;
pub mod diff;
pub mod text;
