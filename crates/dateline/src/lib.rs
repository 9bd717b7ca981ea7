//! dateline driver (being written).
pub mod eval;
