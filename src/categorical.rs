//! Exact categorical sampling by the Gumbel-max trick: `argmax_k (logit_k + G_k)` with
//! independent standard Gumbel `G_k` is distributed as `softmax(logits)`.
//!
//! # Rules every function here follows
//! - **Noise**: exactly one random word per logit, drawn in index order (masked ones included),
//!   after the input has been validated; a call that returns an error draws nothing.
//! - **Masking**: a logit of `-inf`, or `false` at its position in an `allowed` mask, is never
//!   drawn. Everything masked is [`Error::AllMasked`].
//! - **Errors**: no logits → [`Error::Empty`]; a NaN logit (masked or not) → [`Error::Nan`]; a
//!   mask of another length → [`Error::LengthMismatch`].
//! - **Huge logits**: the largest finite logit is subtracted before the noise is added, so logits
//!   of `±1e30` are sampled as exactly as logits near 0.
//! - **`+inf` logits**: if any available logit is `+inf`, the draw is uniform among the `+inf`
//!   ones (the limit of the softmax), decided by their noise.
//! - **Ties** in the perturbed values (which need equal logits and equal noise words) go to the
//!   lowest index.
//! - **Fixed point** (`gumbel::Fixed`, feature `fixed`): the noise is rounded to 2^-16, so the
//!   draw is within a stated total-variation distance of the softmax (1.4e-4 at K = 16, 5.2e-4
//!   at K = 256); the derivation and table are in the documentation of `Fixed`.

use rand_core::Rng;

use crate::validate::{Support, support};
use crate::{Error, Scalar};

/// Draws an index with probability `softmax(logits)`; `-inf` logits are masked.
///
/// ```
/// use rand_xoshiro::Xoshiro128PlusPlus;
/// use rand_core::SeedableRng;
/// let mut rng = Xoshiro128PlusPlus::seed_from_u64(7);
/// let k = gumbel::categorical::sample(&mut rng, &[0.0f32, 2.0, f32::NEG_INFINITY])?;
/// assert!(k < 2);
/// # Ok::<(), gumbel::Error>(())
/// ```
pub fn sample<S: Scalar, R: Rng + ?Sized>(rng: &mut R, logits: &[S]) -> Result<usize, Error> {
    sample_inner(rng, logits, None, None)
}

/// Like [`sample`], with an explicit mask: action `k` can be drawn only if `allowed[k]`.
/// This is the way to mask in fixed point, which has no `-inf`.
pub fn sample_masked<S: Scalar, R: Rng + ?Sized>(
    rng: &mut R,
    logits: &[S],
    allowed: &[bool],
) -> Result<usize, Error> {
    sample_inner(rng, logits, Some(allowed), None)
}

/// Like [`sample`] (with an optional mask), and also writes the Gumbel noise it drew, one value
/// per logit, into `noise` (which must have the logits' length). The estimators need it: the
/// relaxed sample and the conditional noise are functions of it.
pub fn sample_with_noise<S: Scalar, R: Rng + ?Sized>(
    rng: &mut R,
    logits: &[S],
    allowed: Option<&[bool]>,
    noise: &mut [S],
) -> Result<usize, Error> {
    sample_inner(rng, logits, allowed, Some(noise))
}

/// [`sample_with_noise`] for a const-generic array: returns the index and the noise.
pub fn sample_with_noise_array<S: Scalar, R: Rng + ?Sized, const K: usize>(
    rng: &mut R,
    logits: &[S; K],
) -> Result<(usize, [S; K]), Error> {
    let mut noise = [S::ZERO; K];
    let index = sample_inner(rng, logits, None, Some(&mut noise))?;
    Ok((index, noise))
}

/// The Gumbel-max decision for given noise: the index of the largest `logit_k + noise_k` among
/// the available actions, by the rules in the [module documentation](self). Deterministic; the
/// samplers above are this applied to fresh noise.
pub fn argmax_perturbed<S: Scalar>(
    logits: &[S],
    allowed: Option<&[bool]>,
    noise: &[S],
) -> Result<usize, Error> {
    let support = support(logits, allowed)?;
    support.same_len(noise.len())?;
    if let Some(index) = noise.iter().position(|g| g.is_nan()) {
        return Err(Error::Nan { index });
    }
    Ok(best(&support, |k| noise[k]))
}

fn sample_inner<S: Scalar, R: Rng + ?Sized>(
    rng: &mut R,
    logits: &[S],
    allowed: Option<&[bool]>,
    noise: Option<&mut [S]>,
) -> Result<usize, Error> {
    let support = support(logits, allowed)?;
    match noise {
        None => Ok(best(&support, |_| S::gumbel_from_word(rng.next_u32()))),
        Some(noise) => {
            support.same_len(noise.len())?;
            for g in noise.iter_mut() {
                *g = S::gumbel_from_word(rng.next_u32());
            }
            Ok(best(&support, |k| noise[k]))
        }
    }
}

/// The argmax of effective logit plus noise, visiting every index in order (so `noise_at` is
/// called exactly once per logit, masked or not), first index on ties.
#[inline]
fn best<S: Scalar>(support: &Support<S>, mut noise_at: impl FnMut(usize) -> S) -> usize {
    let logits = support.logits();
    if support.allowed().is_none() && !support.has_pos_inf() {
        // The common case, in one tight loop. A `-inf` logit gives `-inf`, which never beats the
        // initial `-inf`; the largest logit gives `0 + noise`, which always does. The values and
        // comparisons are exactly those of the general loop below.
        let shift = support.shift();
        let mut best_index = 0;
        let mut best_value = S::LN_ZERO;
        for (k, &logit) in logits.iter().enumerate() {
            let value = (logit - shift) + noise_at(k);
            if value > best_value {
                best_index = k;
                best_value = value;
            }
        }
        return best_index;
    }
    let mut best_index = usize::MAX;
    let mut best_value = S::ZERO;
    for k in 0..logits.len() {
        let g = noise_at(k);
        if let Some(effective) = support.effective(k) {
            let value = effective + g;
            if best_index == usize::MAX || value > best_value {
                best_index = k;
                best_value = value;
            }
        }
    }
    // `support` guarantees an available action, so `best_index` was set; stay in bounds anyway.
    best_index.min(logits.len().saturating_sub(1))
}

/// Gumbel-max from logits validated once ([`distributions::Categorical`](crate::distributions::Categorical)):
/// the same words and the same index as [`sample`] from the same generator state.
#[inline]
pub(crate) fn sample_from_support<S: Scalar, R: Rng + ?Sized>(
    support: &Support<S>,
    rng: &mut R,
) -> usize {
    best(support, |_| S::gumbel_from_word(rng.next_u32()))
}
