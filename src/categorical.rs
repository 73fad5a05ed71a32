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
//! - **Panics**: none, on any input; no function here contains a panic path.
//! - **Fixed point** (`gumbel::Fixed`, feature `fixed`): the noise is rounded to 2^-16, so the
//!   draw is within a stated total-variation distance of the softmax (1.4e-4 at K = 16, 5.2e-4
//!   at K = 256); the derivation and table are in the documentation of `Fixed`.
//!
//! # Cost: the lazy Gumbel-max
//! [`sample`] and [`sample_masked`] need the argmax, not the noise, so they compute a Gumbel
//! variate only when it matters. Rounding is monotone, so `lo ≤ G ≤ hi` gives
//! `l + lo ≤ l + G ≤ l + hi` for the rounded sums too. For each word the scalar's bracket
//! table gives the least and the greatest variate of all words sharing its top 7 bits (6
//! when optimised for size; proven over all 2^32 words by the scalar's unit tests). A challenger whose greatest possible value
//! does not exceed the leader's least is skipped; one whose least exceeds the leader's greatest
//! takes the lead; only when the two brackets overlap are the exact variates computed (each at
//! most once). The words drawn, their order and the index returned are exactly those of
//! computing every variate, ties included.
//!
//! The cost is therefore data-dependent. Typically a call evaluates well under one exact
//! variate at `K = 16` (a bracket is about 1/128 of the noise's probability mass wide); the
//! worst case, where every bracket overlaps the leader's (logits arranged so that every
//! challenger is within a bracket width of the leader), evaluates all `K` variates: the
//! cost of a non-lazy sampler plus one table read per logit. `boards/README.md` reports the
//! mean and the worst of 256 calls on each core.
//!
//! On a host with vector units (x86-64, AArch64) the first 16 logits are decided side by
//! side instead, without the loop's data-dependent branches (which mispredict while the lead
//! still changes): every bracket, the largest least value, and the actions whose greatest
//! value reaches it, of which there is usually one; the rest of the logits then run the loop
//! above. The same words, the same index.

use rand_core::Rng;

use crate::noise::{self, GumbelWord};
use crate::validate::{Support, exact_support_inline, finite, finite_support, support};
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
    if S::EXACT_SAMPLE_TAIL_CALLED {
        let Some(support) = finite_support(logits)? else {
            return sample_exact(rng, logits);
        };
        return Ok(sample_from_support(&support, rng));
    }
    let support = support(logits, None)?;
    Ok(sample_from_support(&support, rng))
}

/// [`sample`] of logits its cheap pass of validation does not settle (a non-finite logit, or
/// an `f32` sum that overflows): out of line and last, so that [`sample`] reaches it by a tail
/// call and its own frame holds neither the exact support nor the general loop
/// ([`EXACT_SAMPLE_TAIL_CALLED`](crate::scalar::sealed::Sealed::EXACT_SAMPLE_TAIL_CALLED)).
/// The general loop alone, here in this frame: it gives the tight loop's values and decisions
/// on a plain support too.
#[cold]
#[inline(never)]
fn sample_exact<S: Scalar, R: Rng + ?Sized>(rng: &mut R, logits: &[S]) -> Result<usize, Error> {
    // Only the shift and the `+inf` flag live on into the loop (there is no mask).
    let unmasked = exact_support_inline(logits, None)?.unmasked();
    let words = noise::lazy_gumbel_words::<S, R>(rng, logits.len());
    let effective = logits.iter().map(|&logit| unmasked.effective(logit));
    Ok(lazy_argmax(effective.zip(words)))
}

/// Like [`sample`], with an explicit mask: action `k` can be drawn only if `allowed[k]`.
/// This is the way to mask in fixed point, which has no `-inf`.
pub fn sample_masked<S: Scalar, R: Rng + ?Sized>(
    rng: &mut R,
    logits: &[S],
    allowed: &[bool],
) -> Result<usize, Error> {
    let support = support(logits, Some(allowed))?;
    Ok(sample_from_support(&support, rng))
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
    let support = support(logits, allowed)?;
    support.same_len(noise.len())?;
    noise::fill_gumbel(rng, noise);
    Ok(best(&support, noise.iter().copied()))
}

/// [`sample_with_noise`] for a const-generic array: returns the index and the noise.
pub fn sample_with_noise_array<S: Scalar, R: Rng + ?Sized, const K: usize>(
    rng: &mut R,
    logits: &[S; K],
) -> Result<(usize, [S; K]), Error> {
    let mut noise = [S::ZERO; K];
    let index = sample_with_noise(rng, logits, None, &mut noise)?;
    Ok((index, noise))
}

/// The Gumbel-max decision for given noise: the index of the largest `logit_k + noise_k` among
/// the available actions, by the rules in the [module documentation](self). Deterministic; the
/// samplers above are this applied to fresh noise. The noise must be finite
/// ([`Error::Nan`] / [`Error::NotFinite`] with the index of the first value that is not).
pub fn argmax_perturbed<S: Scalar>(
    logits: &[S],
    allowed: Option<&[bool]>,
    noise: &[S],
) -> Result<usize, Error> {
    let support = support(logits, allowed)?;
    support.same_len(noise.len())?;
    finite(noise)?;
    Ok(best(&support, noise.iter().copied()))
}

/// The lazy Gumbel-max (see the [module documentation](self)) on logits validated once (by
/// [`sample`], [`sample_masked`], or [`distributions::Categorical`](crate::distributions::Categorical)):
/// draws one word per logit and returns the index, infallibly; the same words and the same
/// index as [`sample`] from the same generator state.
///
/// Always inlined (optimised for speed), so that each sampler's peak stack is one frame that
/// does not depend on what else the firmware links: left to the optimiser, a second caller
/// (`sample_masked` beside `sample`) put this function in a frame of its own below the
/// sampler's, and `categorical::sample`'s painted peak on the M3 went from 192 to 288 bytes
/// in `f32` and from 148 to 412 in fixed point at K = 64.
#[cfg_attr(not(gumbel_small), inline(always))]
#[cfg_attr(gumbel_small, inline)]
pub(crate) fn sample_from_support<S: Scalar, R: Rng + ?Sized>(
    support: &Support<S>,
    rng: &mut R,
) -> usize {
    if S::VECTORISED_NOISE && support.is_plain() && support.len() >= SIDE_BY_SIDE_FROM {
        return host_bracketed_argmax(support.logits(), support.shift(), rng);
    }
    let words = noise::lazy_gumbel_words::<S, R>(rng, support.len());
    if support.is_plain() {
        let shift = support.shift();
        let effective = support.logits().iter().map(|&logit| Some(logit - shift));
        lazy_argmax(effective.zip(words))
    } else {
        let effective = (0..support.len()).map(|k| support.effective(k));
        lazy_argmax(effective.zip(words))
    }
}

/// The leading action of the lazy argmax: its effective logit and word, and the range its
/// perturbed value is known to lie in. Equal bounds are the value itself: computed, or pinned
/// by the bracket (rounding is monotone, so `least <= value <= greatest` holds for the rounded
/// sums too).
struct Leader<S> {
    index: usize,
    effective: S,
    word: GumbelWord,
    least: S,
    greatest: S,
}

impl<S: Scalar> Leader<S> {
    #[inline(always)]
    fn bracketed(index: usize, effective: S, word: GumbelWord) -> Self {
        let (lo, hi) = word.bracket::<S>();
        Self {
            index,
            effective,
            word,
            least: effective + lo,
            greatest: effective + hi,
        }
    }

    /// A leader whose perturbed value is known: its effective logit and word are then never
    /// read again ([`value`](Self::value) returns the bounds), so they need not be kept.
    #[inline(always)]
    fn exact(index: usize, value: S) -> Self {
        Self {
            index,
            effective: value,
            word: GumbelWord::from_bits(0),
            least: value,
            greatest: value,
        }
    }

    /// The perturbed value itself, computed on first use (not at all when the bracket pins it).
    #[inline]
    fn value(&mut self) -> S {
        if self.least != self.greatest {
            let value = self.effective + self.word.value::<S>();
            self.least = value;
            self.greatest = value;
        }
        self.least
    }
}

/// The index of the largest `effective + G(word)` over the available actions (`Some`
/// effective logit), first index on ties, computing `G` only where the brackets overlap.
/// Consumes every word.
#[inline(always)]
fn lazy_argmax<S: Scalar>(candidates: impl Iterator<Item = (Option<S>, GumbelWord)>) -> usize {
    let mut available = candidates
        .enumerate()
        .filter_map(|(index, (effective, word))| effective.map(|e| (index, e, word)));
    let Some((index, effective, word)) = available.next() else {
        return 0;
    };
    lazy_argmax_from(Leader::bracketed(index, effective, word), available)
}

/// [`lazy_argmax`] from a leader: the challengers `(index, effective logit, word)` follow it
/// in index order.
#[inline(always)]
fn lazy_argmax_from<S: Scalar>(
    mut leader: Leader<S>,
    challengers: impl Iterator<Item = (usize, S, GumbelWord)>,
) -> usize {
    for (index, effective, word) in challengers {
        let (lo, hi) = word.bracket::<S>();
        // At most the leader's least value: it cannot win (a tie keeps the lower index).
        if effective + hi <= leader.least {
            continue;
        }
        let least = effective + lo;
        if least > leader.greatest {
            leader = Leader {
                index,
                effective,
                word,
                least,
                greatest: effective + hi,
            };
            continue;
        }
        if S::OVERLAP_OUT_OF_LINE {
            let (wins, value) = decide_overlap(
                leader.effective,
                leader.word,
                leader.least,
                leader.greatest,
                effective,
                word,
            );
            let index = if wins { index } else { leader.index };
            leader = Leader::exact(index, value);
            continue;
        }
        let value = effective + word.value::<S>();
        if value > leader.value() {
            leader = Leader {
                index,
                effective,
                word,
                least: value,
                greatest: value,
            };
        }
    }
    leader.index
}

/// An overlap of brackets in [`lazy_argmax_from`], decided by the exact values: whether the
/// challenger (`effective`, `word`) beats the leader (its effective logit, word and bounds),
/// and the winner's value. The same comparisons as the loop's own, in a frame of its own
/// ([`OVERLAP_OUT_OF_LINE`](crate::scalar::sealed::Sealed::OVERLAP_OUT_OF_LINE)): called, the
/// loop keeps no bound of the leader's across the call, only the shift; and the two kernels
/// are inlined here, so that no frame lies below this one.
#[inline(never)]
fn decide_overlap<S: Scalar>(
    leader_effective: S,
    leader_word: GumbelWord,
    leader_least: S,
    leader_greatest: S,
    effective: S,
    word: GumbelWord,
) -> (bool, S) {
    // Equal bounds are the leader's value (see `Leader::value`).
    let leader = if leader_least != leader_greatest {
        leader_effective + leader_word.value_inline::<S>()
    } else {
        leader_least
    };
    let value = effective + word.value_inline::<S>();
    if value > leader {
        (true, value)
    } else {
        (false, leader)
    }
}

/// The lazy Gumbel-max of [`lazy_argmax`] over plain logits, for a host with vector units
/// ([`VECTORISED_NOISE`](crate::scalar::sealed::Sealed::VECTORISED_NOISE)): the same words in the same order, the same index. While
/// the leader is still changing, [`lazy_argmax`]'s data-dependent branches mispredict; so the
/// first [`HEAD`] logits are decided without them, by [`head_leader`], and the rest, which
/// rarely change a settled leader, by [`lazy_argmax_from`].
#[inline(always)]
fn host_bracketed_argmax<S: Scalar, R: Rng + ?Sized>(logits: &[S], shift: S, rng: &mut R) -> usize {
    let (head, tail) = logits.split_at(logits.len().min(HEAD));
    let Some(leader) = head_leader(head, shift, rng) else {
        return 0;
    };
    let challengers = tail
        .iter()
        .zip(noise::gumbel_words(rng, tail.len()))
        .enumerate()
        .map(|(k, (&logit, word))| (HEAD + k, logit - shift, word));
    lazy_argmax_from(leader, challengers)
}

/// The fewest logits for which [`host_bracketed_argmax`] is faster than [`lazy_argmax`]
/// (measured on an x86-64 host: at 4 logits its fixed cost outweighs the mispredictions it
/// saves, from 8 on it is ahead).
const SIDE_BY_SIDE_FROM: usize = 8;

/// How many logits [`head_leader`] decides at once (chosen by measurement on an x86-64 host).
const HEAD: usize = 16;

/// The leader of up to [`HEAD`] plain logits (`None` for none), drawing their words: every
/// bracket side by side (`l − shift + lo` and `+ hi`), and the largest least value `L`. An
/// action whose greatest value is below `L` is below the perturbed maximum, which is at least
/// `L`, so it cannot be drawn; the actions whose greatest value reaches `L` (at least the one
/// that set it) are the candidates. One candidate leads with its bracket, without any variate
/// computed; several are decided by their exact variates, first index on ties, as
/// [`lazy_argmax`] decides an overlap.
#[inline(always)]
fn head_leader<S: Scalar, R: Rng + ?Sized>(head: &[S], shift: S, rng: &mut R) -> Option<Leader<S>> {
    let mut words = [GumbelWord::from_bits(0); HEAD];
    let mut greatest = [S::LN_ZERO; HEAD];
    let mut threshold = S::LN_ZERO;
    let head = head.get(..HEAD).unwrap_or(head);
    let mut visit = |k: usize, word: GumbelWord, logit: S| {
        let (lo, hi) = word.bracket::<S>();
        let effective = logit - shift;
        let least = effective + lo;
        threshold = if least > threshold { least } else { threshold };
        if let (Some(slot), Some(upper)) = (words.get_mut(k), greatest.get_mut(k)) {
            *slot = word;
            *upper = effective + hi;
        }
    };
    let drawn = noise::gumbel_words(rng, head.len());
    if let Ok(full) = <&[S; HEAD]>::try_from(head) {
        // A whole head (every K >= 16): constant indices, no bounds to check.
        for ((k, word), &logit) in drawn.enumerate().zip(full) {
            visit(k, word, logit);
        }
    } else {
        for ((k, word), &logit) in drawn.enumerate().zip(head) {
            visit(k, word, logit);
        }
    }
    // One bit per candidate, without a branch.
    let mut candidates = 0u32;
    for (k, &upper) in greatest.iter().enumerate() {
        candidates |= u32::from(upper >= threshold) << k;
    }
    candidates &= u32::MAX >> (32 - head.len().max(1));
    // A single bit (tested without a population count, which baseline x86-64 lacks).
    if candidates != 0 && candidates & candidates.wrapping_sub(1) == 0 {
        let only = candidates.trailing_zeros() as usize;
        let effective = head.get(only).map_or(S::ZERO, |&logit| logit - shift);
        let word = words.get(only).copied().unwrap_or(GumbelWord::from_bits(0));
        return Some(Leader::bracketed(only, effective, word));
    }
    let mut best: Option<Leader<S>> = None;
    for (k, ((&upper, &word), &logit)) in greatest.iter().zip(&words).zip(head).enumerate() {
        if upper < threshold {
            continue;
        }
        let effective = logit - shift;
        let value = effective + word.value::<S>();
        if best.as_ref().is_none_or(|best| value > best.least) {
            best = Some(Leader {
                index: k,
                effective,
                word,
                least: value,
                greatest: value,
            });
        }
    }
    best
}

/// The argmax of effective logit plus noise (one finite value per logit, each consumed), first
/// index on ties.
#[inline(always)]
pub(crate) fn best<S: Scalar>(support: &Support<S>, noise: impl Iterator<Item = S>) -> usize {
    if support.is_plain() {
        // The common case, in one tight loop. Its values and decisions are the general loop's:
        // a value of `LN_ZERO` (`-inf` from a logit too far below the largest, or saturated in
        // fixed point) never beats the initial one, and index 0 holds it as the general loop
        // would; the largest logit's value always beats it.
        let shift = support.shift();
        let mut best_index = 0;
        let mut best_value = S::LN_ZERO;
        for (k, (&logit, g)) in support.logits().iter().zip(noise).enumerate() {
            let value = (logit - shift) + g;
            if value > best_value {
                best_index = k;
                best_value = value;
            }
        }
        return best_index;
    }
    let mut best_index = None;
    let mut best_value = S::ZERO;
    for (k, g) in noise.enumerate() {
        if let Some(effective) = support.effective(k) {
            let value = effective + g;
            if best_index.is_none() || value > best_value {
                best_index = Some(k);
                best_value = value;
            }
        }
    }
    // `support` guarantees an available action, so `best_index` was set.
    best_index.unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use rand_core::SeedableRng;
    use rand_xoshiro::Xoshiro128PlusPlus;

    use super::*;

    /// Ordinary logits, and the values that send `sample` the exact way.
    fn logit() -> impl Strategy<Value = f32> {
        prop_oneof![
            4 => -4.0f32..4.0,
            1 => Just(f32::NEG_INFINITY),
            1 => Just(f32::INFINITY),
            1 => Just(f32::NAN),
            1 => Just(f32::MAX),
            1 => Just(-f32::MAX),
        ]
    }

    proptest! {
        /// [`sample_exact`], which [`sample`] reaches by a tail call only on a Cortex-M
        /// ([`EXACT_SAMPLE_TAIL_CALLED`](crate::scalar::sealed::Sealed::EXACT_SAMPLE_TAIL_CALLED)),
        /// gives what the validated path gives: the same index or error, the same words drawn.
        #[test]
        fn sample_exact_is_the_validated_path(
            logits in proptest::collection::vec(logit(), 1..24),
            seed: u64,
        ) {
            let mut exact_rng = Xoshiro128PlusPlus::seed_from_u64(seed);
            let mut rng = exact_rng.clone();
            let exact = sample_exact(&mut exact_rng, &logits);
            let validated =
                support(&logits, None).map(|support| sample_from_support(&support, &mut rng));
            prop_assert_eq!(exact, validated);
            prop_assert_eq!(exact_rng.next_u32(), rng.next_u32());
        }
    }
}
