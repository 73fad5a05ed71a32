//! Gumbel-top-k: `k` distinct indices without replacement, in Plackett–Luce order (Kool, van Hoof
//! and Welling 2019): the indices of the `k` largest `logit_i + G_i`, largest first.
//!
//! The first index is distributed as `softmax(logits)`, the second as the softmax of the rest,
//! and so on. Noise, masking, errors, huge and `+inf` logits and ties follow the rules of
//! [`categorical`](crate::categorical): one word per logit in index order, `+inf` logits come
//! first (in the order of their noise), ties go to the lower index. Asking for more indices than
//! there are available actions is [`Error::TooFewActions`]. Cost: `O(K·k)` comparisons, no
//! memory beyond the outputs.
//!
//! Lazy, like [`categorical::sample`](crate::categorical::sample): once `k` indices are held,
//! a challenger whose bracket (see the [`categorical`](crate::categorical) module
//! documentation) cannot beat the `k`-th key is skipped without computing its Gumbel variate.
//! Every index kept has its exact key; the words, the indices and the keys are those of
//! computing every variate.

use rand_core::Rng;

use crate::noise;
use crate::validate::{same_len, support};
use crate::{Error, Scalar};

/// Draws `indices.len()` distinct indices, in order, and writes their perturbed keys
/// `logit_i - c + G_i` (for the common shift `c`, the largest finite logit; `+inf` for `+inf`
/// logits) to `keys`, which must have the same length. The keys are decreasing, and finite
/// for finite logits: where `logit_i − c` overflows (logits near `±f32::MAX`), the key is
/// [`Scalar::LOWEST`].
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
    let is_infinite = |index: usize| logits.get(index).is_some_and(|l| l.is_pos_infinity());
    let mut filled = 0;
    let words = noise::gumbel_words(rng, logits.len());
    for (i, word) in words.enumerate() {
        let Some((infinite, effective)) = support.ranked(i) else {
            continue;
        };
        // Full: a challenger that cannot beat the last key is skipped unevaluated.
        if filled == k {
            let Some((&last_index, &last_key)) = indices.last().zip(keys.last()) else {
                continue;
            };
            let last_infinite = is_infinite(last_index);
            if infinite != last_infinite {
                if last_infinite {
                    continue;
                }
            } else if effective + word.bracket::<S>().1 <= last_key {
                continue;
            }
        }
        let key = effective + word.value::<S>();
        // First slot this one strictly beats: equal keys keep the lower index first.
        let beats = |(&index, &slot_key): (&usize, &S)| {
            let slot_infinite = is_infinite(index);
            (infinite && !slot_infinite) || (infinite == slot_infinite && key > slot_key)
        };
        let slot = indices
            .iter()
            .zip(keys.iter())
            .take(filled)
            .position(beats)
            .unwrap_or(filled);
        if slot == k {
            continue;
        }
        if filled < k {
            filled += 1;
        }
        // Insert at `slot`, moving the ones below down by one (the last drops out when full).
        let mut carried = (i, key);
        for (index, slot_key) in indices
            .iter_mut()
            .zip(keys.iter_mut())
            .take(filled)
            .skip(slot)
        {
            core::mem::swap(index, &mut carried.0);
            core::mem::swap(slot_key, &mut carried.1);
        }
    }
    // `+inf` logits were ranked by their noise alone; report their true perturbed value, +inf.
    // A finite logit so far below the largest that `logit − c` overflows has the key `-inf`
    // (it ranks as such); report the nearest finite value instead.
    for (&index, key) in indices.iter().zip(keys.iter_mut()) {
        if let Some(&logit) = logits.get(index)
            && logit.is_pos_infinity()
        {
            *key = logit;
        } else if *key < S::LOWEST {
            *key = S::LOWEST;
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
    let too_small = Error::BufferTooSmall {
        needed: k,
        found: N,
    };
    let mut indices = [0usize; N];
    let mut keys = [S::ZERO; N];
    let (Some(indices), Some(keys)) = (indices.get_mut(..k), keys.get_mut(..k)) else {
        return Err(too_small);
    };
    top_k(rng, logits, allowed, indices, keys)?;
    let mut out = heapless::Vec::new();
    for &index in indices.iter() {
        // Capacity N >= k, so this never fails.
        out.push(index).map_err(|_| too_small)?;
    }
    Ok(out)
}
