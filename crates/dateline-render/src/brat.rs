//! Being written.
use dateline_core::Doc;
pub(crate) fn render(_doc: &Doc, _index: u64, _files: &mut Vec<(String, Vec<u8>)>) {}
pub(crate) fn render_error(
    _id: &str,
    _kind: &str,
    _message: &str,
    _index: u64,
    _files: &mut Vec<(String, Vec<u8>)>,
) {
}
pub(crate) fn annotation_conf(_docs: &[crate::DocSummary]) -> Vec<u8> {
    Vec::new()
}
