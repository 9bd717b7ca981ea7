//! dateline driver (being written).
