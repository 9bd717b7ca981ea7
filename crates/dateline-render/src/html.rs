//! Being written.
use dateline_core::Doc;
pub(crate) fn render(
    _doc: &Doc,
    _index: u64,
    _sentences: bool,
    _files: &mut Vec<(String, Vec<u8>)>,
) {
}
pub(crate) fn render_error(
    _id: &str,
    _kind: &str,
    _message: &str,
    _index: u64,
    _files: &mut Vec<(String, Vec<u8>)>,
) {
}
pub(crate) fn index(_docs: &[crate::DocSummary]) -> Vec<u8> {
    Vec::new()
}
