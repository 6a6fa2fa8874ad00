//! Short searches, eight bytes at a time, without a function call.
//!
//! Why: in payment files most tags and texts are a few to a few dozen bytes long, and the
//! scanner looks for the next `<`, `>` or quote several times per element. `memchr` is the
//! right tool for long runs, but for short ones its call and set-up cost more than the
//! search. These helpers test eight bytes per step in a plain `u64` ("SIMD within a
//! register") over the first [`SHORT`] bytes, and hand longer runs to `memchr`.
//!
//! The bit trick: for a word `x` and a repeated byte `b`, `(y - 0x01..01) & !y & 0x80..80`
//! with `y = x ^ b..b` sets the high bit of every byte of `y` that is zero, plus possibly
//! of bytes above a zero one (a borrow). The lowest set bit is therefore always exact,
//! and only the lowest one is used.

use memchr::{memchr, memchr2, memchr3};

const ONES: u64 = 0x0101_0101_0101_0101;
const HIGHS: u64 = 0x8080_8080_8080_8080;
/// Bytes tested word by word before a search is handed to `memchr`.
const SHORT: usize = 64;

/// The `N` bytes at `at`.
#[inline(always)]
fn bytes_at<const N: usize>(bytes: &[u8], at: usize) -> [u8; N] {
    let mut w = [0u8; N];
    w.copy_from_slice(&bytes[at..at + N]);
    w
}

#[inline(always)]
fn word(bytes: &[u8], at: usize) -> u64 {
    u64::from_le_bytes(bytes_at(bytes, at))
}

/// High bit set in the bytes of `x` equal to `b` (exact for the lowest such byte).
#[inline(always)]
fn equal(x: u64, b: u8) -> u64 {
    let y = x ^ (ONES * u64::from(b));
    y.wrapping_sub(ONES) & !y & HIGHS
}

#[inline(always)]
fn first(mask: u64) -> usize {
    (mask.trailing_zeros() / 8) as usize
}

#[inline(always)]
fn half_word(bytes: &[u8], at: usize) -> u32 {
    u32::from_le_bytes(bytes_at(bytes, at))
}

/// Whether `a` and `b` are the same bytes. For element names, a few to a few dozen bytes
/// long, comparing words (the last one overlapping) costs less than calling `memcmp`.
#[inline(always)]
pub fn same(a: &[u8], b: &[u8]) -> bool {
    let n = a.len();
    if n != b.len() {
        return false;
    }
    if n < 8 {
        if n < 4 {
            return a.iter().zip(b).all(|(x, y)| x == y);
        }
        return half_word(a, 0) == half_word(b, 0) && half_word(a, n - 4) == half_word(b, n - 4);
    }
    let mut i = 0;
    while i + 8 < n {
        if word(a, i) != word(b, i) {
            return false;
        }
        i += 8;
    }
    word(a, n - 8) == word(b, n - 8)
}

/// Position of the first `a` in `hay`.
#[inline]
pub fn find1(a: u8, hay: &[u8]) -> Option<usize> {
    let mut i = 0;
    while i + 8 <= hay.len() && i < SHORT {
        let m = equal(word(hay, i), a);
        if m != 0 {
            return Some(i + first(m));
        }
        i += 8;
    }
    memchr(a, &hay[i..]).map(|j| i + j)
}

/// Position of the first `a` or `b` in `hay`.
#[inline]
pub fn find2(a: u8, b: u8, hay: &[u8]) -> Option<usize> {
    let mut i = 0;
    while i + 8 <= hay.len() && i < SHORT {
        let x = word(hay, i);
        let m = equal(x, a) | equal(x, b);
        if m != 0 {
            return Some(i + first(m));
        }
        i += 8;
    }
    memchr2(a, b, &hay[i..]).map(|j| i + j)
}

/// Position of the first `a`, `b` or `c` in `hay`.
#[inline]
pub fn find3(a: u8, b: u8, c: u8, hay: &[u8]) -> Option<usize> {
    let mut i = 0;
    while i + 8 <= hay.len() && i < SHORT {
        let x = word(hay, i);
        let m = equal(x, a) | equal(x, b) | equal(x, c);
        if m != 0 {
            return Some(i + first(m));
        }
        i += 8;
    }
    memchr3(a, b, c, &hay[i..]).map(|j| i + j)
}

/// Position of the first XML white-space byte (space, tab, line feed, carriage return) in
/// `hay`, or its length.
#[inline]
pub fn find_space(hay: &[u8]) -> usize {
    let mut i = 0;
    while i + 8 <= hay.len() {
        let x = word(hay, i);
        // Bytes below 0x21: every white-space byte, and control bytes that are not.
        let below = x.wrapping_sub(ONES * 0x21) & !x & HIGHS;
        if below != 0 {
            let at = i + first(below);
            if super::scan::is_space(hay[at]) {
                return at;
            }
            // A control byte (not allowed in a name, but not ours to judge): byte by byte.
            return at + 1 + find_space_bytewise(&hay[at + 1..]);
        }
        i += 8;
    }
    i + find_space_bytewise(&hay[i..])
}

/// For `hay` just after a `<`: the length of the name when the tag is a plain `<name>`,
/// its `>` within the first [`SHORT`] bytes; `None` for anything else (attributes, white
/// space, `/`, quotes, control bytes, or a name too long or too near the end of `hay`),
/// which the caller reads the general way.
#[inline]
pub fn plain_start_tag(hay: &[u8]) -> Option<usize> {
    let mut i = 0;
    while i + 8 <= hay.len() && i < SHORT {
        let x = word(hay, i);
        // Bytes below 0x21 (white space and control bytes), `>`, `/` and quotes.
        let below = x.wrapping_sub(ONES * 0x21) & !x & HIGHS;
        let stop = below | equal(x, b'>') | equal(x, b'/') | equal(x, b'"') | equal(x, b'\'');
        if stop != 0 {
            let at = i + first(stop);
            return (at > 0 && hay[at] == b'>').then_some(at);
        }
        i += 8;
    }
    None
}

fn find_space_bytewise(hay: &[u8]) -> usize {
    hay.iter()
        .position(|b| super::scan::is_space(*b))
        .unwrap_or(hay.len())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn bytes() -> impl Strategy<Value = Vec<u8>> {
        // Few distinct bytes, so that targets are frequent, and lengths around the word
        // and SHORT boundaries.
        proptest::collection::vec(
            prop_oneof![
                Just(b'a'),
                Just(b'<'),
                Just(b'>'),
                Just(b'"'),
                Just(b' '),
                Just(b'\t'),
                Just(b'\r'),
                Just(0x01u8),
                Just(0x20u8),
                Just(0x80u8),
                Just(0xffu8),
                any::<u8>()
            ],
            0..200,
        )
    }

    proptest! {
        #[test]
        fn searches_agree_with_memchr(hay in bytes(), a in any::<u8>(), b in any::<u8>(), c in any::<u8>()) {
            prop_assert_eq!(find1(a, &hay), memchr(a, &hay));
            prop_assert_eq!(find2(a, b, &hay), memchr2(a, b, &hay));
            prop_assert_eq!(find3(a, b, c, &hay), memchr3(a, b, c, &hay));
            for t in [b'<', b'>', b'"', b' '] {
                prop_assert_eq!(find1(t, &hay), memchr(t, &hay));
            }
        }

        #[test]
        fn plain_start_tags_agree_with_a_byte_loop(hay in bytes()) {
            let stop = hay.iter().position(|b| *b < 0x21 || b"/>\"'".contains(b));
            let expected = stop.filter(|&at| at > 0 && hay[at] == b'>' && at < SHORT && at + 8 - at % 8 <= hay.len());
            prop_assert_eq!(plain_start_tag(&hay), expected);
            if let Some(n) = plain_start_tag(&hay) {
                prop_assert!(n > 0 && hay[n] == b'>' && hay[..n].iter().all(|b| *b >= 0x21 && !b"/>\"'".contains(b)));
            }
        }

        #[test]
        fn same_agrees_with_slice_equality(a in bytes(), flip in any::<proptest::sample::Index>()) {
            prop_assert!(same(&a, &a));
            // Every length up to 200, and a difference at any one position.
            for n in 0..a.len() {
                prop_assert_eq!(same(&a[..n], &a[..n]), true);
                prop_assert_eq!(same(&a[..n], &a[1..n + 1]), a[..n] == a[1..n + 1]);
            }
            if !a.is_empty() {
                let mut b = a.clone();
                let at = flip.index(b.len());
                b[at] ^= 0x20;
                prop_assert!(!same(&a, &b));
                prop_assert!(!same(&a, &a[..a.len() - 1]));
            }
        }

        #[test]
        fn find_space_agrees_with_a_byte_loop(hay in bytes()) {
            let expected = hay.iter().position(|b| matches!(b, b' ' | b'\t' | b'\n' | b'\r')).unwrap_or(hay.len());
            prop_assert_eq!(find_space(&hay), expected);
        }
    }

    #[test]
    fn a_borrow_never_moves_the_first_match() {
        // A byte that borrows before a match: the first match must still be exact.
        let hay = [b'<' + 1, b'<', 0, b'<', b'a', b'a', b'a', b'a', b'a'];
        assert_eq!(find1(b'<', &hay), Some(1));
        assert_eq!(find1(0, &hay), Some(2));
        assert_eq!(find_space(b"ab\x01\x01 cdefghij"), 4);
    }
}
