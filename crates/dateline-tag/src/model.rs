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
//! | 4 × 2 | number of stored rows, number of lexicon slots |
//! | 4 × 17 × 18 | `f32` tag transition and start scores |
//! | 8 × n | lexicon slots, as in memory (see `Lexicon`) |
//! | 36 × n | weights: `u32` row indices, then 16 `i16` per row |
//! | 8 | checksum of everything before it |
//!
//! Only non-zero rows are stored (in row order), in the file and in
//! memory, with a bitmap of which rows they are; loading is a checksum
//! pass and copies, no hashing or map building.

use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, LazyLock};

use crate::decode::Transitions;
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
    /// Unique to this model in this process: the tagger's per-thread
    /// word cache holds sums of this model's weights under this id.
    pub(crate) id: u64,
    pub(crate) shift: u32,
    pub(crate) weights: Vec<[i16; ROW]>,
    /// `trans[prev][cur]`, with disallowed BILOU transitions at `-1e30`.
    pub(crate) trans: [[f32; N_TAGS]; N_TAGS],
    /// `trans` as the decoder reads it, made by [`constrain`](Model::constrain).
    pub(crate) transitions: Transitions,
    pub(crate) start: [f32; N_TAGS],
    pub(crate) scale: f32,
    pub(crate) conf: (f32, f32),
    pub(crate) lexicon: Lexicon,
    /// One bit per table row, set when the row is non-zero: the bitmap
    /// fits in cache where a full table would not, and most features of a
    /// text (rare words, unseen pairs) hit zero rows. `weights` holds the
    /// non-zero rows only, in row order; `rank[w]` counts the set bits
    /// before bitmap word `w`, so a row's place is one popcount away.
    nonzero: Vec<u64>,
    rank: Vec<u32>,
    bits: u32,
}

impl std::fmt::Debug for Model {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Model")
            .field("table_rows", &(1usize << self.bits))
            .field("stored_rows", &self.weights.len())
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
        let lex_slots = r.u32()? as usize;
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
        let lexicon = Lexicon::from_slots(r.take(lex_slots * 8)?)?;
        let indices = r.take(rows.checked_mul(4).ok_or(TagError::Checksum)?)?;
        let data = r.take(rows * ROW * 2)?;
        if r.pos != body.len() {
            return Err(TagError::Malformed(
                "trailing bytes before the checksum".into(),
            ));
        }
        let table = 1usize << bits;
        let mut weights = Vec::with_capacity(rows);
        let mut nonzero = vec![0u64; table / 64];
        let mut next = 0usize;
        for (index, row) in indices.chunks_exact(4).zip(data.chunks_exact(ROW * 2)) {
            let index = u32::from_le_bytes(index.try_into().expect("4 bytes")) as usize;
            if index < next || index >= table {
                return Err(TagError::Malformed(format!(
                    "row {index} out of order or outside the table"
                )));
            }
            next = index + 1;
            let mut slot = [0i16; ROW];
            for (w, b) in slot.iter_mut().zip(row.chunks_exact(2)) {
                *w = i16::from_le_bytes([b[0], b[1]]);
            }
            weights.push(slot);
            nonzero[index / 64] |= 1 << (index % 64);
        }
        let mut model = Model {
            id: next_id(),
            shift: 64 - bits,
            weights,
            trans,
            transitions: Transitions::new(&trans),
            start,
            scale,
            conf,
            lexicon,
            rank: ranks(&nonzero),
            nonzero,
            bits,
        };
        model.constrain();
        Ok(model)
    }

    /// Writes disallowed BILOU transitions as `-1e30`, so the decoder needs
    /// no branches to respect them, and prepares the decoder's copies.
    /// Call it after any change to `trans` or `start`.
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
        self.transitions = Transitions::new(&self.trans);
    }

    /// The weight-table row of a feature hash, when it is not all zeros.
    #[inline]
    pub(crate) fn row(&self, feature: u64) -> Option<&[i16; ROW]> {
        let i = (feature >> self.shift) as usize;
        let word = self.nonzero[i / 64];
        let bit = 1u64 << (i % 64);
        if word & bit == 0 {
            return None;
        }
        let at = self.rank[i / 64] as usize + (word & (bit - 1)).count_ones() as usize;
        Some(&self.weights[at])
    }

    /// A model from a full weight table (all `2^bits` rows).
    #[cfg(feature = "train")]
    pub(crate) fn from_table(bits: u32, table: &[[i16; ROW]], lexicon: Lexicon) -> Model {
        let mut nonzero = vec![0u64; table.len() / 64];
        let mut weights = Vec::new();
        for (i, row) in table.iter().enumerate() {
            if row.iter().any(|&w| w != 0) {
                nonzero[i / 64] |= 1 << (i % 64);
                weights.push(*row);
            }
        }
        Model {
            id: next_id(),
            shift: 64 - bits,
            weights,
            trans: [[0.0; N_TAGS]; N_TAGS],
            transitions: Transitions::new(&[[0.0; N_TAGS]; N_TAGS]),
            start: [0.0; N_TAGS],
            scale: 1.0,
            conf: (1.0, 0.0),
            lexicon,
            rank: ranks(&nonzero),
            nonzero,
            bits,
        }
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
        let indices: Vec<u32> = (0..1u32 << self.bits)
            .filter(|&i| self.nonzero[i as usize / 64] & (1 << (i % 64)) != 0)
            .collect();
        out.extend_from_slice(&(indices.len() as u32).to_le_bytes());
        out.extend_from_slice(&(self.lexicon.slot_count() as u32).to_le_bytes());
        for prev in 0..N_TAGS {
            for cur in 0..N_TAGS {
                out.extend_from_slice(&self.trans[prev][cur].to_le_bytes());
            }
        }
        for s in &self.start {
            out.extend_from_slice(&s.to_le_bytes());
        }
        for slot in self.lexicon.slot_bytes() {
            out.extend_from_slice(&slot);
        }
        for i in &indices {
            out.extend_from_slice(&i.to_le_bytes());
        }
        for row in &self.weights {
            for w in row {
                out.extend_from_slice(&w.to_le_bytes());
            }
        }
        let total = (out.len() + 8) as u64;
        out[12..20].copy_from_slice(&total.to_le_bytes());
        let sum = crate::hash::checksum(&out);
        out.extend_from_slice(&sum.to_le_bytes());
        out
    }
}

/// A fresh model id; never 0, which marks an empty cache slot.
fn next_id() -> u64 {
    static NEXT: AtomicU64 = AtomicU64::new(1);
    NEXT.fetch_add(1, Ordering::Relaxed)
}

/// Set bits before each word of a bitmap.
fn ranks(bitmap: &[u64]) -> Vec<u32> {
    let mut total = 0u32;
    bitmap
        .iter()
        .map(|w| {
            let before = total;
            total += w.count_ones();
            before
        })
        .collect()
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
/// lower-cased tokens: an open-addressing table (linear probing) whose
/// slots are read straight from the model file, no rebuilding.
///
/// A slot packs a 32-bit fingerprint (the key's high half) over a 32-bit
/// value; the slot index comes from the key's low bits. A value's low
/// eight bits say which gazetteer lists hold the phrase; bits 8-11 hold the
/// word's frequency class (a Zipf value, 0 when unknown); bits 12-15 the
/// types (`PER`, `ORG`, `LOC`, `MISC`) the phrase has as an entity in the
/// training data; bit 16 marks a proper prefix of a longer phrase, so
/// phrase lookups stop as soon as no phrase can continue.
#[derive(Clone, Default)]
pub(crate) struct Lexicon {
    slots: Vec<u64>,
    len: usize,
}

impl Lexicon {
    /// Eight gazetteer lists, then four training-data lists (one a type).
    pub(crate) const LISTS: usize = 12;
    pub(crate) const PREFIX: u32 = 1 << 16;

    /// The list bits of a value, gazetteers first.
    #[inline]
    pub(crate) fn lists(value: u32) -> u32 {
        (value & 0xff) | (((value >> 12) & 0xf) << 8)
    }

    fn from_slots(bytes: &[u8]) -> Result<Lexicon, TagError> {
        let n = bytes.len() / 8;
        if n < 16 || !n.is_power_of_two() {
            return Err(TagError::Malformed(format!("lexicon of {n} slots")));
        }
        let slots: Vec<u64> = bytes
            .chunks_exact(8)
            .map(|b| u64::from_le_bytes(b.try_into().expect("8 bytes")))
            .collect();
        let len = slots.iter().filter(|&&s| s != 0).count();
        if len == n {
            return Err(TagError::Malformed("lexicon has no empty slot".into()));
        }
        Ok(Lexicon { slots, len })
    }

    #[cfg(any(test, feature = "train"))]
    pub(crate) fn with_capacity(n: usize) -> Lexicon {
        let slots = (n * 4 / 3 + 1).next_power_of_two().max(16);
        Lexicon {
            slots: vec![0; slots],
            len: 0,
        }
    }

    #[inline]
    fn fingerprint(key: u64) -> u64 {
        ((key >> 32) | 1) << 32
    }

    /// Ors `value` into the entry for `key`. The table does not grow:
    /// size it with [`with_capacity`](Lexicon::with_capacity) for all keys.
    ///
    /// # Panics
    /// When the table is more than three quarters full.
    #[cfg(any(test, feature = "train"))]
    pub(crate) fn insert(&mut self, key: u64, value: u32) {
        assert!(
            (self.len + 1) * 4 <= self.slots.len() * 3,
            "lexicon table is full"
        );
        let fp = Lexicon::fingerprint(key);
        let mask = self.slots.len() - 1;
        let mut i = key as usize & mask;
        loop {
            let slot = self.slots[i];
            if slot & !0xffff_ffff == fp {
                self.slots[i] = slot | value as u64;
                return;
            }
            if slot == 0 {
                self.slots[i] = fp | value as u64;
                self.len += 1;
                return;
            }
            i = (i + 1) & mask;
        }
    }

    #[inline]
    pub(crate) fn get(&self, key: u64) -> u32 {
        let fp = Lexicon::fingerprint(key);
        let mask = self.slots.len() - 1;
        let mut i = key as usize & mask;
        loop {
            let slot = self.slots[i];
            if slot & !0xffff_ffff == fp {
                return slot as u32;
            }
            if slot == 0 {
                return 0;
            }
            i = (i + 1) & mask;
        }
    }

    #[cfg(feature = "train")]
    pub(crate) fn slot_count(&self) -> usize {
        self.slots.len()
    }

    #[cfg(feature = "train")]
    fn slot_bytes(&self) -> impl Iterator<Item = [u8; 8]> + '_ {
        self.slots.iter().map(|s| s.to_le_bytes())
    }
}
