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
use crate::scalar::greater_not_nan;
use crate::validate::{Support, same_len, support_by_bits};
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
    // Borrowed from the result, not moved out of it: the general path reads it where it is.
    let validated = support_by_bits(logits, allowed);
    let support = match &validated {
        Ok(support) => support,
        Err(error) => return Err(*error),
    };
    let k = indices.len();
    same_len(k, keys.len())?;
    if k > support.available {
        return Err(Error::TooFewActions {
            requested: k,
            available: support.available,
        });
    }
    if support.is_plain() {
        // No mask, no infinity: every action ranks by `logit − c`, none is `+inf` (the same
        // ranks as the general loop's, without its tests in the loop).
        let shift = support.shift();
        let ranked = |i: usize| logits.get(i).map(|&logit| (false, logit - shift));
        select(rng, logits.len(), ranked, |_| false, indices, keys);
    } else {
        select_general(rng, support, indices, keys);
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

/// [`top_k`]'s selection for logits that are not plain (a mask, `-inf` or `+inf` logits): the
/// general ranking, out of line so that its tests do not weigh on the plain loop's registers.
#[inline(never)]
fn select_general<S: Scalar, R: Rng + ?Sized>(
    rng: &mut R,
    support: &Support<'_, S>,
    indices: &mut [usize],
    keys: &mut [S],
) {
    let logits = support.logits();
    let is_infinite = |index: usize| logits.get(index).is_some_and(|l| l.is_pos_infinity());
    select(
        rng,
        logits.len(),
        |i| support.ranked(i),
        is_infinite,
        indices,
        keys,
    );
}

/// The lazy selection itself: draws the words of `count` logits and keeps the `indices.len()`
/// best, with `ranked(i)` (`None` when masked, otherwise whether the logit is `+inf` and
/// `logit − c`) and `is_infinite(i)` (the logit is `+inf`).
#[inline(always)]
fn select<S: Scalar, R: Rng + ?Sized>(
    rng: &mut R,
    count: usize,
    ranked: impl Fn(usize) -> Option<(bool, S)>,
    is_infinite: impl Fn(usize) -> bool,
    indices: &mut [usize],
    keys: &mut [S],
) {
    let k = indices.len();
    let mut filled = 0;
    // Keys and bounds are `effective + variate`, finite or `-inf` (never NaN), so they are
    // compared by `greater_not_nan`: without an FPU, by their bits rather than by library
    // calls, which the loop's values would otherwise live across (peak stack of `top_k`, 4 of
    // K = 16, `f32`: 208 to 200 bytes on the M3, 284 to 276 on the M0, in 1.6% and 1.0% fewer
    // instructions).
    let words = noise::lazy_gumbel_words::<S, R>(rng, count);
    for (i, word) in words.enumerate() {
        let Some((infinite, effective)) = ranked(i) else {
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
            } else if !greater_not_nan(effective + word.bracket::<S>().1, last_key) {
                continue;
            }
        }
        // On ARMv7-M without an FPU (the M3), optimised for speed, the kernel inlined: the
        // loop's frame already saves every register it uses, so it adds only its spills
        // there, where out of line its frame of 40 bytes lay below (peak stack of 4 of K = 16:
        // 200 to 192 bytes, for 0.3% more instructions). Not on the M0 (the same 276 bytes,
        // in more instructions), nor in fixed point (its shared kernel inlined: 5% more
        // instructions).
        let variate = if S::SOFT_FLOAT_SPEED && cfg!(target_has_atomic = "32") {
            word.value_inline::<S>()
        } else {
            word.value::<S>()
        };
        let key = effective + variate;
        // First slot this one strictly beats: equal keys keep the lower index first.
        let mut slot = 0;
        while slot < filled {
            let (Some(&index), Some(&slot_key)) = (indices.get(slot), keys.get(slot)) else {
                break;
            };
            let slot_infinite = is_infinite(index);
            if (infinite && !slot_infinite)
                || (infinite == slot_infinite && greater_not_nan(key, slot_key))
            {
                break;
            }
            slot += 1;
        }
        if slot == k {
            continue;
        }
        if filled < k {
            filled += 1;
        }
        // Insert at `slot`, moving the ones below down by one (the last drops out when full).
        // Plain indices, no iterator adapters: nothing of the loop's state goes to memory.
        let mut carried = (i, key);
        while slot < filled {
            if let (Some(index), Some(slot_key)) = (indices.get_mut(slot), keys.get_mut(slot)) {
                core::mem::swap(index, &mut carried.0);
                core::mem::swap(slot_key, &mut carried.1);
            }
            slot += 1;
        }
    }
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

#[cfg(test)]
mod tests {
    use rand_core::SeedableRng;
    use rand_xoshiro::Xoshiro128PlusPlus;

    use super::*;

    /// The definition, computed the slow way: every variate from the same words
    /// ([`noise::fill_gumbel`]), the keys `logit − c + G` of the available actions (`+inf` logits
    /// ranked first by their noise), a stable sort (ties keep the lower index), the first `k`.
    fn reference<S: Scalar>(
        seed: u64,
        logits: &[S],
        allowed: Option<&[bool]>,
        k: usize,
    ) -> Vec<(usize, S)> {
        let mut noise = vec![S::ZERO; logits.len()];
        noise::fill_gumbel(&mut Xoshiro128PlusPlus::seed_from_u64(seed), &mut noise);
        let shift = logits
            .iter()
            .zip(0..)
            .filter(|&(l, i)| allowed.is_none_or(|a| a[i]) && l.is_finite())
            .map(|(&l, _)| l)
            .fold(None, |m: Option<S>, l| {
                Some(m.map_or(l, |m| if l > m { l } else { m }))
            })
            .unwrap_or(S::ZERO);
        let mut ranked: Vec<(bool, S, usize)> = (0..logits.len())
            .filter(|&i| allowed.is_none_or(|a| a[i]))
            .map(|i| {
                let infinite = logits[i].is_pos_infinity();
                let effective = if infinite { S::ZERO } else { logits[i] - shift };
                (infinite, effective + noise[i], i)
            })
            .collect();
        ranked.sort_by(|a, b| {
            (b.0.cmp(&a.0))
                .then(b.1.partial_cmp(&a.1).unwrap())
                .then(a.2.cmp(&b.2))
        });
        ranked
            .into_iter()
            .take(k)
            .map(|(infinite, key, i)| (i, if infinite { logits[i] } else { key }))
            .collect()
    }

    fn check<S: Scalar>(seed: u64, logits: &[S], allowed: Option<&[bool]>, k: usize) {
        let (mut indices, mut keys) = (vec![usize::MAX; k], vec![S::ZERO; k]);
        let mut rng = Xoshiro128PlusPlus::seed_from_u64(seed);
        top_k(&mut rng, logits, allowed, &mut indices, &mut keys).unwrap();
        let got: Vec<(usize, S)> = indices.into_iter().zip(keys).collect();
        assert_eq!(got, reference(seed, logits, allowed, k), "{seed}");
        // One word per logit, masked ones included: the generator is where the definition's is.
        let mut after = Xoshiro128PlusPlus::seed_from_u64(seed);
        for _ in 0..logits.len() {
            after.next_u32();
        }
        assert_eq!(rng.next_u32(), after.next_u32());
    }

    /// Small logit sets, masks and `+inf` logits: the lazy top-k returns the slow definition's
    /// indices and keys bit for bit, for every `k`.
    fn matches_the_definition<S: Scalar>() {
        let spread = [0.0, 0.25, -1.5, 3.0, 0.25, -40.0, 2.0, 1.0];
        let mask = [true, false, true, true, true, true, false, true];
        for seed in 0..200 {
            let logits: Vec<S> = spread.iter().map(|&x| S::from_f64(x)).collect();
            for k in 0..=6 {
                check(seed, &logits, None, k);
                check(seed, &logits, Some(&mask), k);
            }
            let mut with_inf = logits.clone();
            with_inf[2] = S::from_f64(f64::INFINITY);
            with_inf[5] = S::from_f64(f64::INFINITY);
            check(seed, &with_inf, None, 4);
        }
    }

    #[test]
    fn matches_the_definition_f32() {
        matches_the_definition::<f32>();
    }

    #[cfg(feature = "fixed")]
    #[test]
    fn matches_the_definition_fixed() {
        matches_the_definition::<crate::Fixed>();
    }

    /// Asking for more than the available actions, unequal buffers and bad logits are refused
    /// before any word is drawn, and the outputs are left as they were.
    #[test]
    fn refusals_draw_nothing_and_write_nothing() {
        let logits = [0.0f32, 1.0, 2.0];
        let mask = [true, false, true];
        // (logits, mask, k, length of keys, the error)
        type Case<'a> = (&'a [f32], Option<&'a [bool]>, usize, usize, Error);
        let cases: [Case; 4] = [
            (
                &logits,
                Some(&mask),
                3,
                3,
                Error::TooFewActions {
                    requested: 3,
                    available: 2,
                },
            ),
            (
                &logits,
                None,
                2,
                3,
                Error::LengthMismatch {
                    expected: 2,
                    found: 3,
                },
            ),
            (&[0.0, f32::NAN], None, 1, 1, Error::Nan { index: 1 }),
            (&[], None, 0, 0, Error::Empty),
        ];
        for (logits, allowed, k, keys_len, error) in cases {
            let mut rng = Xoshiro128PlusPlus::seed_from_u64(7);
            let (mut indices, mut keys) = (vec![9usize; k], vec![-5.0f32; keys_len]);
            assert_eq!(
                top_k(&mut rng, logits, allowed, &mut indices, &mut keys),
                Err(error)
            );
            assert!(indices.iter().all(|&i| i == 9) && keys.iter().all(|&x| x == -5.0));
            assert_eq!(
                rng.next_u32(),
                Xoshiro128PlusPlus::seed_from_u64(7).next_u32()
            );
        }
    }

    /// A logit so far below the largest that `logit − c` overflows ranks last and reports the
    /// nearest finite key; `top_k_vec` is `top_k`'s indices, and a `k` above its capacity is
    /// `BufferTooSmall`.
    #[test]
    fn overflowing_keys_and_the_vec_form() {
        let logits = [f32::MAX, -f32::MAX];
        let (mut indices, mut keys) = ([0usize; 2], [0.0f32; 2]);
        top_k(
            &mut Xoshiro128PlusPlus::seed_from_u64(1),
            &logits,
            None,
            &mut indices,
            &mut keys,
        )
        .unwrap();
        assert_eq!(indices, [0, 1]);
        assert!(keys[0].is_finite() && keys[1] == f32::MIN);

        let logits = [0.5f32, -1.0, 2.0, 0.0];
        for seed in 0..50 {
            let (mut indices, mut keys) = ([0usize; 3], [0.0f32; 3]);
            let mut rng = Xoshiro128PlusPlus::seed_from_u64(seed);
            top_k(&mut rng, &logits, None, &mut indices, &mut keys).unwrap();
            let mut rng = Xoshiro128PlusPlus::seed_from_u64(seed);
            let vec = top_k_vec::<f32, _, 4>(&mut rng, &logits, None, 3).unwrap();
            assert_eq!(vec.as_slice(), &indices);
        }
        assert_eq!(
            top_k_vec::<f32, _, 2>(&mut Xoshiro128PlusPlus::seed_from_u64(1), &logits, None, 3),
            Err(Error::BufferTooSmall {
                needed: 3,
                found: 2
            })
        );
    }
}
