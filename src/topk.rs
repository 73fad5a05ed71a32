//! Gumbel-top-k: `k` distinct indices without replacement, in Plackett–Luce order (Kool, van Hoof
//! and Welling 2019): the indices of the `k` largest `logit_i + G_i`, largest first.
//!
//! The first index is distributed as `softmax(logits)`, the second as the softmax of the rest,
//! and so on. Noise, masking, errors, huge and `+inf` logits and ties follow the rules of
//! [`categorical`](crate::categorical): one word per logit in index order, `+inf` logits come
//! first (in the order of their noise), ties go to the lower index. Asking for more indices than
//! there are available actions is [`Error::TooFewActions`]. Cost: `O(K·k)` comparisons, no
//! memory beyond the outputs.

use rand_core::Rng;

use crate::validate::{same_len, support};
use crate::{Error, Scalar};

/// Draws `indices.len()` distinct indices, in order, and writes their perturbed keys
/// `logit_i - c + G_i` (for the common shift `c`, the largest finite logit; `+inf` for `+inf`
/// logits) to `keys`, which must have the same length. The keys are decreasing.
pub fn top_k<S: Scalar, R: Rng + ?Sized>(
    rng: &mut R,
    logits: &[S],
    allowed: Option<&[bool]>,
    indices: &mut [usize],
    keys: &mut [S],
) -> Result<(), Error> {
    let support = support(logits, allowed)?;
    let k = indices.len();
    same_len(k, keys.len())?;
    if k > support.available {
        return Err(Error::TooFewActions {
            requested: k,
            available: support.available,
        });
    }
    let mut filled = 0;
    for i in 0..logits.len() {
        let g = S::gumbel_from_word(rng.next_u32());
        let Some((infinite, effective)) = support.ranked(i) else {
            continue;
        };
        let key = effective + g;
        // First slot this one strictly beats: equal keys keep the lower index first.
        let beats = |p: usize| {
            let slot_infinite = logits[indices[p]].is_pos_infinity();
            (infinite && !slot_infinite) || (infinite == slot_infinite && key > keys[p])
        };
        let Some(slot) = (0..filled)
            .find(|&p| beats(p))
            .or((filled < k).then_some(filled))
        else {
            continue;
        };
        let end = if filled < k { filled } else { k - 1 };
        for p in (slot..end).rev() {
            indices[p + 1] = indices[p];
            keys[p + 1] = keys[p];
        }
        indices[slot] = i;
        keys[slot] = key;
        if filled < k {
            filled += 1;
        }
    }
    // `+inf` logits were ranked by their noise alone; report their true perturbed value, +inf.
    for (&index, key) in indices.iter().zip(keys.iter_mut()) {
        if logits[index].is_pos_infinity() {
            *key = logits[index];
        }
    }
    Ok(())
}

/// [`top_k`] into a `heapless::Vec` of capacity `N`: returns `k` indices in order.
/// `k > N` is [`Error::BufferTooSmall`].
pub fn top_k_vec<S: Scalar, R: Rng + ?Sized, const N: usize>(
    rng: &mut R,
    logits: &[S],
    allowed: Option<&[bool]>,
    k: usize,
) -> Result<heapless::Vec<usize, N>, Error> {
    if k > N {
        return Err(Error::BufferTooSmall {
            needed: k,
            found: N,
        });
    }
    let mut indices = [0usize; N];
    let mut keys = [S::ZERO; N];
    top_k(rng, logits, allowed, &mut indices[..k], &mut keys[..k])?;
    let mut out = heapless::Vec::new();
    for &index in &indices[..k] {
        // Capacity N >= k was checked above, so this never fails.
        out.push(index).map_err(|_| Error::BufferTooSmall {
            needed: k,
            found: N,
        })?;
    }
    Ok(out)
}
