//! Being written.
use dateline_core::Doc;
pub(crate) fn render(_doc: &Doc, _out: &mut Vec<u8>) -> Result<(), crate::RenderError> {
    Ok(())
}
pub(crate) fn render_error(_id: &str, _kind: &str, _message: &str, _out: &mut Vec<u8>) {}
