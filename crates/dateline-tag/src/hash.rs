//! Allocation-free hashing of token text and feature ids.
//!
//! Features are never stored as strings: a token's word, lower-case form,
//! affixes and shape are hashed once, and a feature is a template id mixed
//! with those hashes, reduced to a bucket of the model's weight table.

const K: u64 = 0x9E37_79B9_7F4A_7C15;
const K2: u64 = 0xC2B2_AE3D_27D4_EB4F;

/// Hashes bytes eight at a time. Not cryptographic; stable across builds
/// and platforms, since trained models depend on it.
#[inline]
pub(crate) fn hash_bytes(seed: u64, bytes: &[u8]) -> u64 {
    let mut h = seed ^ (bytes.len() as u64).wrapping_mul(K);
    let mut chunks = bytes.chunks_exact(8);
    for chunk in &mut chunks {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        h = (h.rotate_left(5) ^ u64::from_le_bytes(word)).wrapping_mul(K);
    }
    let rest = chunks.remainder();
    if !rest.is_empty() {
        let mut word = [0u8; 8];
        word[..rest.len()].copy_from_slice(rest);
        h = (h.rotate_left(5) ^ u64::from_le_bytes(word)).wrapping_mul(K);
    }
    finish(h)
}

/// Combines two hashes, order-sensitively.
#[inline]
pub(crate) fn mix(a: u64, b: u64) -> u64 {
    finish((a.rotate_left(23) ^ b).wrapping_mul(K2).wrapping_add(K))
}

/// Combines two hashes into a feature hash: one multiply. Only the high
/// bits are good (they pick the weight row), so lexicon keys, which use the
/// low bits, go through [`mix`] instead.
#[inline]
pub(crate) fn fmix(a: u64, b: u64) -> u64 {
    (a.rotate_left(23) ^ b ^ K).wrapping_mul(K2)
}

#[inline]
fn finish(mut h: u64) -> u64 {
    h ^= h >> 31;
    h = h.wrapping_mul(K2);
    h ^ (h >> 29)
}

/// A checksum over a whole model file: fast (a multiply per eight bytes)
/// and sensitive to any flipped bit or reordered block.
pub(crate) fn checksum(bytes: &[u8]) -> u64 {
    hash_bytes(0x6461_7465_6c69_6e65, bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_are_stable() {
        // Trained models depend on these values: a change here needs a
        // model format version bump and a retrain.
        assert_eq!(hash_bytes(0, b""), hash_bytes(0, b""));
        assert_ne!(hash_bytes(0, b"China"), hash_bytes(0, b"china"));
        assert_ne!(hash_bytes(0, b"ab"), hash_bytes(0, b"ab\0"));
        assert_ne!(mix(1, 2), mix(2, 1));
    }
}
