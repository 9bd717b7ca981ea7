//! The trained model and its binary file format.
//!
//! A model file is little-endian:
//!
//! | bytes | field |
//! |---|---|
//! | 8 | magic `DLTAGMDL` |
//! | 4 | format version (`1`) |
//! | 8 | total file length, checksum included |
//! | 4 | bits: the weight table has `2^bits` rows |
//! | 4 × 3 | `f32` weight scale, confidence slope and intercept |
//! | 4 × 2 | number of stored rows, number of lexicon entries |
//! | 4 × 17 × 18 | `f32` tag transition and start scores |
//! | 10 × n | lexicon: `u64` keys, then `u16` values |
//! | 36 × n | weights: `u32` row indices, then 16 `i16` per row |
//! | 8 | checksum of everything before it |
//!
//! Only non-zero rows are stored, so the file is about half the size of
//! the table it fills; loading is a checksum pass and a scatter into a
//! zeroed table, no hashing or map building.

use std::path::Path;
use std::sync::{Arc, LazyLock};

use crate::labels::{allowed, allowed_start, N_TAGS};
use crate::TagError;

pub(crate) const MAGIC: &[u8; 8] = b"DLTAGMDL";
pub(crate) const VERSION: u32 = 1;
/// Emission weights per row: one per tag except `O`, whose score is fixed
/// at zero (only score differences between tags matter to the decoder).
pub(crate) const ROW: usize = N_TAGS - 1;
const HEADER: usize = 8 + 4 + 8 + 4 + 12 + 8;
const NEG: f32 = -1.0e30;

static EMBEDDED_BYTES: &[u8] = include_bytes!("../data/model.bin");
static EMBEDDED: LazyLock<Result<Arc<Model>, String>> = LazyLock::new(|| {
    Model::from_bytes(EMBEDDED_BYTES)
        .map(Arc::new)
        .map_err(|e| e.to_string())
});

/// A trained entity model: hashed feature weights, tag transitions, and
/// the lexicon of gazetteer phrases and word frequencies its features use.
///
/// Immutable once loaded; share it between threads behind an [`Arc`].
pub struct Model {
    pub(crate) shift: u32,
    pub(crate) weights: Vec<[i16; ROW]>,
    /// `trans[prev][cur]`, with disallowed BILOU transitions at `-1e30`.
    pub(crate) trans: [[f32; N_TAGS]; N_TAGS],
    pub(crate) start: [f32; N_TAGS],
    pub(crate) scale: f32,
    pub(crate) conf: (f32, f32),
    pub(crate) lexicon: Lexicon,
    rows: usize,
}

impl std::fmt::Debug for Model {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Model")
            .field("table_rows", &self.weights.len())
            .field("stored_rows", &self.rows)
            .field("lexicon_entries", &self.lexicon.len)
            .field("scale", &self.scale)
            .field("confidence", &self.conf)
            .finish()
    }
}

impl Model {
    /// The model embedded in this build, parsed on first use and shared.
    pub fn embedded() -> Result<Arc<Model>, TagError> {
        EMBEDDED
            .as_ref()
            .map(Arc::clone)
            .map_err(|e| TagError::Malformed(format!("embedded model: {e}")))
    }

    /// Reads a model file.
    pub fn load(path: impl AsRef<Path>) -> Result<Model, TagError> {
        let path = path.as_ref();
        let bytes = std::fs::read(path).map_err(|source| TagError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        Model::from_bytes(&bytes)
    }

    /// Parses a model from its file bytes, checking magic number, version,
    /// length and checksum before reading anything else.
    pub fn from_bytes(bytes: &[u8]) -> Result<Model, TagError> {
        if bytes.len() < 8 || &bytes[..8] != MAGIC {
            return Err(TagError::BadMagic);
        }
        let mut r = Reader { bytes, pos: 8 };
        let version = r.u32()?;
        if version != VERSION {
            return Err(TagError::UnsupportedVersion {
                found: version,
                expected: VERSION,
            });
        }
        let total = usize::try_from(r.u64()?)
            .map_err(|_| TagError::Malformed("length does not fit in memory".into()))?;
        if bytes.len() < total {
            return Err(TagError::Truncated {
                needed: total,
                available: bytes.len(),
            });
        }
        if bytes.len() > total || total < HEADER + 8 {
            return Err(TagError::Malformed(format!(
                "length field says {total} bytes, file has {}",
                bytes.len()
            )));
        }
        let body = &bytes[..total - 8];
        let stored = u64::from_le_bytes(bytes[total - 8..].try_into().expect("8 bytes"));
        if crate::hash::checksum(body) != stored {
            return Err(TagError::Checksum);
        }
        let mut r = Reader {
            bytes: body,
            pos: r.pos,
        };
        let bits = r.u32()?;
        if !(8..=26).contains(&bits) {
            return Err(TagError::Malformed(format!("table of 2^{bits} rows")));
        }
        let scale = r.f32()?;
        let conf = (r.f32()?, r.f32()?);
        let rows = r.u32()? as usize;
        let lex_len = r.u32()? as usize;
        let mut trans = [[0f32; N_TAGS]; N_TAGS];
        for row in &mut trans {
            for v in row.iter_mut() {
                *v = r.f32()?;
            }
        }
        let mut start = [0f32; N_TAGS];
        for v in &mut start {
            *v = r.f32()?;
        }
        let keys = r.take(lex_len.checked_mul(8).ok_or(TagError::Checksum)?)?;
        let values = r.take(lex_len * 2)?;
        let lexicon = Lexicon::from_parts(keys, values)?;
        let indices = r.take(rows.checked_mul(4).ok_or(TagError::Checksum)?)?;
        let data = r.take(rows * ROW * 2)?;
        if r.pos != body.len() {
            return Err(TagError::Malformed(
                "trailing bytes before the checksum".into(),
            ));
        }
        let table = 1usize << bits;
        let mut weights = vec![[0i16; ROW]; table];
        for (index, row) in indices.chunks_exact(4).zip(data.chunks_exact(ROW * 2)) {
            let index = u32::from_le_bytes(index.try_into().expect("4 bytes")) as usize;
            let slot = weights
                .get_mut(index)
                .ok_or_else(|| TagError::Malformed(format!("row {index} outside the table")))?;
            for (w, b) in slot.iter_mut().zip(row.chunks_exact(2)) {
                *w = i16::from_le_bytes([b[0], b[1]]);
            }
        }
        let mut model = Model {
            shift: 64 - bits,
            weights,
            trans,
            start,
            scale,
            conf,
            lexicon,
            rows,
        };
        model.constrain();
        Ok(model)
    }

    /// Writes disallowed BILOU transitions as `-1e30`, so the decoder needs
    /// no branches to respect them.
    pub(crate) fn constrain(&mut self) {
        for prev in 0..N_TAGS {
            for cur in 0..N_TAGS {
                if !allowed(prev, cur) {
                    self.trans[prev][cur] = NEG;
                }
            }
        }
        for (t, s) in self.start.iter_mut().enumerate() {
            if !allowed_start(t) {
                *s = NEG;
            }
        }
    }

    /// The weight-table row of a feature hash.
    #[inline]
    pub(crate) fn row(&self, feature: u64) -> &[i16; ROW] {
        &self.weights[(feature >> self.shift) as usize]
    }

    /// Serialises a model in the current format version.
    #[cfg(feature = "train")]
    pub(crate) fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::new();
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&VERSION.to_le_bytes());
        out.extend_from_slice(&0u64.to_le_bytes());
        out.extend_from_slice(&(64 - self.shift).to_le_bytes());
        out.extend_from_slice(&self.scale.to_le_bytes());
        out.extend_from_slice(&self.conf.0.to_le_bytes());
        out.extend_from_slice(&self.conf.1.to_le_bytes());
        let nonzero: Vec<usize> = (0..self.weights.len())
            .filter(|&i| self.weights[i].iter().any(|&w| w != 0))
            .collect();
        out.extend_from_slice(&(nonzero.len() as u32).to_le_bytes());
        let entries = self.lexicon.entries();
        out.extend_from_slice(&(entries.len() as u32).to_le_bytes());
        for prev in 0..N_TAGS {
            for cur in 0..N_TAGS {
                out.extend_from_slice(&self.trans[prev][cur].to_le_bytes());
            }
        }
        for s in &self.start {
            out.extend_from_slice(&s.to_le_bytes());
        }
        for (k, _) in &entries {
            out.extend_from_slice(&k.to_le_bytes());
        }
        for (_, v) in &entries {
            out.extend_from_slice(&v.to_le_bytes());
        }
        for &i in &nonzero {
            out.extend_from_slice(&(i as u32).to_le_bytes());
        }
        for &i in &nonzero {
            for w in &self.weights[i] {
                out.extend_from_slice(&w.to_le_bytes());
            }
        }
        let total = (out.len() + 8) as u64;
        out[12..20].copy_from_slice(&total.to_le_bytes());
        let sum = crate::hash::checksum(&out);
        out.extend_from_slice(&sum.to_le_bytes());
        out
    }

    #[cfg(feature = "train")]
    pub(crate) fn new_empty(bits: u32, lexicon: Lexicon) -> Model {
        Model {
            shift: 64 - bits,
            weights: vec![[0i16; ROW]; 1 << bits],
            trans: [[0.0; N_TAGS]; N_TAGS],
            start: [0.0; N_TAGS],
            scale: 1.0,
            conf: (1.0, 0.0),
            lexicon,
            rows: 0,
        }
    }
}

struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], TagError> {
        let end = self.pos.checked_add(n).filter(|&e| e <= self.bytes.len());
        match end {
            Some(end) => {
                let s = &self.bytes[self.pos..end];
                self.pos = end;
                Ok(s)
            }
            None => Err(TagError::Malformed(format!(
                "a section runs past the end ({n} bytes at {})",
                self.pos
            ))),
        }
    }

    fn u32(&mut self) -> Result<u32, TagError> {
        let b = self.take(4).map_err(|_| self.truncated(4))?;
        Ok(u32::from_le_bytes(b.try_into().expect("4 bytes")))
    }

    fn u64(&mut self) -> Result<u64, TagError> {
        let b = self.take(8).map_err(|_| self.truncated(8))?;
        Ok(u64::from_le_bytes(b.try_into().expect("8 bytes")))
    }

    fn f32(&mut self) -> Result<f32, TagError> {
        Ok(f32::from_bits(self.u32()?))
    }

    fn truncated(&self, n: usize) -> TagError {
        TagError::Truncated {
            needed: self.pos + n,
            available: self.bytes.len(),
        }
    }
}

/// Gazetteer phrases and word frequencies, keyed by the hash of a phrase's
/// lower-cased tokens: an open-addressing table read straight from the
/// model file.
///
/// A value's low eight bits say which gazetteer lists hold the phrase; bits
/// 8-11 hold the word's frequency class (a Zipf value, 0 when unknown);
/// bits 12-15 the types (`PER`, `ORG`, `LOC`, `MISC`) the phrase has as an
/// entity in the training data.
#[derive(Clone, Default)]
pub(crate) struct Lexicon {
    keys: Vec<u64>,
    values: Vec<u16>,
    len: usize,
}

impl Lexicon {
    /// Eight gazetteer lists, then four training-data lists (one a type).
    pub(crate) const LISTS: usize = 12;

    /// The list bits of a value, gazetteers first.
    #[inline]
    pub(crate) fn lists(value: u16) -> u16 {
        (value & 0xff) | ((value >> 12) << 8)
    }

    fn from_parts(keys: &[u8], values: &[u8]) -> Result<Lexicon, TagError> {
        let mut lex = Lexicon::with_capacity(keys.len() / 8);
        for (k, v) in keys.chunks_exact(8).zip(values.chunks_exact(2)) {
            let k = u64::from_le_bytes(k.try_into().expect("8 bytes"));
            if k == 0 {
                return Err(TagError::Malformed("lexicon key 0".into()));
            }
            lex.insert(k, u16::from_le_bytes([v[0], v[1]]));
        }
        Ok(lex)
    }

    pub(crate) fn with_capacity(n: usize) -> Lexicon {
        let slots = (n * 2).next_power_of_two().max(16);
        Lexicon {
            keys: vec![0; slots],
            values: vec![0; slots],
            len: 0,
        }
    }

    /// Ors `value` into the entry for `key` (0 is remapped: it marks empty).
    pub(crate) fn insert(&mut self, key: u64, value: u16) {
        if (self.len + 1) * 2 > self.keys.len() {
            let old = std::mem::replace(self, Lexicon::with_capacity(self.keys.len()));
            for (k, v) in old.keys.iter().zip(&old.values) {
                if *k != 0 {
                    self.insert(*k, *v);
                }
            }
        }
        let key = key.max(1);
        let mask = self.keys.len() - 1;
        let mut i = key as usize & mask;
        loop {
            if self.keys[i] == key {
                self.values[i] |= value;
                return;
            }
            if self.keys[i] == 0 {
                self.keys[i] = key;
                self.values[i] = value;
                self.len += 1;
                return;
            }
            i = (i + 1) & mask;
        }
    }

    #[inline]
    pub(crate) fn get(&self, key: u64) -> u16 {
        let key = key.max(1);
        let mask = self.keys.len() - 1;
        let mut i = key as usize & mask;
        loop {
            let k = self.keys[i];
            if k == key {
                return self.values[i];
            }
            if k == 0 {
                return 0;
            }
            i = (i + 1) & mask;
        }
    }

    /// Entries in slot order: deterministic for the same inserts.
    #[cfg(feature = "train")]
    fn entries(&self) -> Vec<(u64, u16)> {
        self.keys
            .iter()
            .zip(&self.values)
            .filter(|(k, _)| **k != 0)
            .map(|(k, v)| (*k, *v))
            .collect()
    }
}
