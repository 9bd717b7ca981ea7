//! dateline-render (being written).
