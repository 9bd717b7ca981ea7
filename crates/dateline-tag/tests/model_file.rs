//! The model file format: the embedded model loads, and damaged or foreign
//! files give typed errors, never a panic.

use dateline_tag::{EntityTagger, Model, TagError};

fn embedded_bytes() -> Vec<u8> {
    std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/data/model.bin")).unwrap()
}

#[test]
fn embedded_model_loads() {
    let model = Model::embedded().unwrap();
    assert!(format!("{model:?}").contains("stored_rows"));
    EntityTagger::from_bytes(&embedded_bytes()).unwrap();
}

#[test]
fn damaged_files_are_typed_errors() {
    let good = embedded_bytes();
    let err = |bytes: &[u8]| Model::from_bytes(bytes).unwrap_err();

    assert!(matches!(err(b""), TagError::BadMagic));
    assert!(matches!(err(b"not a model at all"), TagError::BadMagic));

    let mut version = good.clone();
    version[8] = 99;
    assert!(matches!(
        err(&version),
        TagError::UnsupportedVersion {
            found: 99,
            expected: 1
        }
    ));

    for cut in [9, 20, 100, good.len() / 2, good.len() - 1] {
        assert!(
            matches!(err(&good[..cut]), TagError::Truncated { .. }),
            "cut at {cut}: {}",
            err(&good[..cut])
        );
    }

    let mut flipped = good.clone();
    let middle = flipped.len() / 2;
    flipped[middle] ^= 0x40;
    assert!(matches!(err(&flipped), TagError::Checksum));

    let mut longer = good.clone();
    longer.push(0);
    assert!(matches!(err(&longer), TagError::Malformed(_)));
}

#[test]
fn error_messages() {
    let good = embedded_bytes();
    let mut version = good.clone();
    version[8] = 2;
    let mut flipped = good.clone();
    flipped[1000] ^= 1;
    let missing = EntityTagger::load("/nonexistent/model.bin").unwrap_err();
    let messages = [
        Model::from_bytes(b"PK\x03\x04").unwrap_err().to_string(),
        Model::from_bytes(&version).unwrap_err().to_string(),
        Model::from_bytes(&good[..10]).unwrap_err().to_string(),
        Model::from_bytes(&flipped).unwrap_err().to_string(),
        missing.to_string(),
    ];
    insta::with_settings!({ omit_expression => true }, {
        insta::assert_snapshot!(messages.join("\n"));
    });
}

#[test]
fn public_types_are_send_and_sync() {
    fn check<T: Send + Sync>() {}
    check::<EntityTagger>();
    check::<Model>();
    check::<dateline_tag::Gazetteer>();
    check::<TagError>();
}
