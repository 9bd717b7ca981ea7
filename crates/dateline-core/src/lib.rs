//! The principal type in this crate is [`Doc`]: a document's original text
//! and the annotation layers that dateline's stages add to it — tokens,
//! sentences and entities, each located by a byte [`Span`].
//!
//! Every stage crate depends on this one and on nothing else of dateline's.
//! A stage implements [`Stage`]; [`validate`] checks the invariants every
//! stage must keep; [`OffsetIndex`] turns byte offsets into character or
//! UTF-16 offsets for a whole document in one pass.
//!
//! ```
//! use dateline_core::{validate, Doc, Span, Token, TokenKind};
//!
//! let mut doc = Doc::new("seed", "Cai Qi met.")?;
//! doc.tokens = Some(vec![
//!     Token::new(Span::new(0, 3), TokenKind::Word),
//!     Token::new(Span::new(4, 6), TokenKind::Word),
//!     Token::new(Span::new(7, 10), TokenKind::Word),
//!     Token::new(Span::new(10, 11), TokenKind::Punct),
//! ]);
//! validate(&doc)?;
//! assert_eq!(doc.token_text(1), "Qi");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Crate features
//! None.

mod doc;
mod error;
mod layer;
mod offsets;
mod span;
mod stage;
mod validate;

pub use doc::Doc;
pub use error::{DocError, StageError, ValidationError};
pub use layer::{Entity, Label, Sentence, Token, TokenKind};
pub use offsets::{OffsetIndex, OffsetUnit};
pub use span::Span;
pub use stage::{Layer, Stage};
pub use validate::validate;

#[cfg(test)]
mod send_sync {
    fn assert_send_sync<T: Send + Sync>() {}

    #[test]
    fn public_types_are_send_and_sync() {
        assert_send_sync::<crate::Doc>();
        assert_send_sync::<crate::OffsetIndex>();
        assert_send_sync::<crate::Entity>();
        assert_send_sync::<Box<dyn crate::Stage>>();
        assert_send_sync::<crate::StageError>();
    }
}
