//! dateline-segment (being written).
