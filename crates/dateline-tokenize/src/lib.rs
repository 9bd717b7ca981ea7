//! dateline-tokenize (being written).
