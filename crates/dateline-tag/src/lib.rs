//! dateline-tag (being written).
