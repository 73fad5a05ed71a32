//! The Concrete (Gumbel-Softmax) distribution of Maddison, Mnih and Teh (2017) and Jang, Gu and
//! Poole (2017): the relaxed one-hot `X = softmax((logits + G) / λ)`, its log-space twin
//! ExpConcrete `Y = log X`, and both log-densities.
//!
//! Sampling follows the rules of [`categorical`](crate::categorical) (one word per logit in
//! index order, masks, errors, huge and `+inf` logits). A masked action gets `x = 0` exactly
//! (`y =` [`Scalar::LN_ZERO`]).
//!
//! # Accuracy
//! Everything is computed in log space: `y_k = (z_k - max z) / λ - ln Σ_j e^{(z_j - max z)/λ}`
//! with `z = logits + G`, so no exponential ever exceeds 1 and any λ > 0 works, however small
//! (λ = 0.01 with logits over ±50 included). `y` is clamped to be finite (at least
//! [`Scalar::LOWEST`] `+` [`Scalar::EPSILON`], so never the masked marker
//! [`Scalar::LN_ZERO`]) for every available action. In `f32` each `x_k` lies in `[0, 1]` and
//! `|Σ x_k − 1| ≤ (K + 3)·ε` (ε = `f32::EPSILON`): `K` roundings in the sum, one each in the
//! exponential, the reciprocal and the product. The sum of the exponentials is accumulated in
//! [`Scalar::ExpSum`]: `f32` itself, but 32 fractional bits in fixed point, so there the
//! error does not grow with `K`: for λ >= 0.1 each coordinate is within a derived 4.2 LSB
//! (2^-16 each) of the exact softmax at every `K`, and within 2^-14 as measured for `K` up to
//! 256 (the bound and the measurement are in the documentation of `gumbel::Fixed`, "Concrete
//! accuracy").
//!
//! # Densities
//! [`log_density`] is the density of `X` with respect to Lebesgue measure on its first `n − 1`
//! coordinates (`n` available actions; the last is `1 −` the others):
//! `p(x) = (n−1)! λ^(n−1) Π_k (α_k x_k^(−λ−1)) / (Σ_i α_i x_i^(−λ))^n`, `α = e^logits`.
//! A coordinate that is exactly 0 is outside the open simplex: at small λ `f32` samples
//! underflow there routinely, which is why [`exp_log_density`] exists. It takes `y = log x`,
//! stays finite at any λ, and is the density of the `n − 1` log-ratios `y_k − y_n`, `k < n`
//! (Maddison et al.'s ExpConcrete): `p(y) = (n−1)! λ^(n−1) Π_k (α_k e^(−λ y_k)) / (Σ_i α_i
//! e^(−λ y_i))^n`. The two agree through the change of variables:
//! `log p_X(x) = log p_Y(log x) − Σ_k log x_k`.

use rand_core::Rng;

use crate::noise::{self, GumbelNoise};
use crate::scalar::{
    LANES, LogSumExp, from_count, larger, ln_factorial_of_predecessor, max_of_lanes,
};
use crate::validate::{Support, finite, support, support_by_bits};
use crate::{Error, Scalar, Temperature};

/// Draws a relaxed one-hot sample `x = softmax((logits + G) / λ)` into `out` (same length as
/// the logits), with an optional mask.
pub fn sample<S: Scalar, R: Rng + ?Sized>(
    rng: &mut R,
    logits: &[S],
    allowed: Option<&[bool]>,
    temperature: Temperature<S>,
    out: &mut [S],
) -> Result<(), Error> {
    sample_inner::<S, R, false>(rng, logits, allowed, temperature, out, false).map(drop)
}

/// Draws an ExpConcrete sample `y = log softmax((logits + G) / λ)` into `out`.
pub fn sample_log<S: Scalar, R: Rng + ?Sized>(
    rng: &mut R,
    logits: &[S],
    allowed: Option<&[bool]>,
    temperature: Temperature<S>,
    out: &mut [S],
) -> Result<(), Error> {
    sample_inner::<S, R, false>(rng, logits, allowed, temperature, out, true).map(drop)
}

/// The relaxed one-hot for given Gumbel noise: `out = softmax((logits + noise) / λ)`. Returns
/// the argmax, which is the Gumbel-max sample for the same noise. Noise must be finite.
pub fn from_noise<S: Scalar>(
    logits: &[S],
    allowed: Option<&[bool]>,
    noise: &[S],
    temperature: Temperature<S>,
    out: &mut [S],
) -> Result<usize, Error> {
    from_noise_checked(logits, allowed, noise, temperature, out, false)
}

/// [`from_noise`] in log space: `out = log softmax((logits + noise) / λ)`.
pub fn log_from_noise<S: Scalar>(
    logits: &[S],
    allowed: Option<&[bool]>,
    noise: &[S],
    temperature: Temperature<S>,
    out: &mut [S],
) -> Result<usize, Error> {
    from_noise_checked(logits, allowed, noise, temperature, out, true)
}

/// The samplers' common path: validates, then draws the noise and turns it into the sample in
/// `out`. With `ARGMAX`, returns the argmax (the straight-through estimator's hard sample);
/// without, the index returned means nothing.
#[inline]
pub(crate) fn sample_inner<S: Scalar, R: Rng + ?Sized, const ARGMAX: bool>(
    rng: &mut R,
    logits: &[S],
    allowed: Option<&[bool]>,
    temperature: Temperature<S>,
    out: &mut [S],
    log_space: bool,
) -> Result<usize, Error> {
    // Borrowed from the result, not moved out of it: no second copy on the stack. Compared by
    // bits without an FPU (no logit held across a library call).
    let validated = support_by_bits(logits, allowed);
    let support = match &validated {
        Ok(support) => support,
        Err(error) => return Err(*error),
    };
    support.same_len(out.len())?;
    Ok(sample_into::<S, R, ARGMAX>(
        support,
        temperature,
        rng,
        out,
        log_space,
    ))
}

/// A Concrete sample from logits validated once (by [`sample`], or
/// [`distributions::Concrete`](crate::distributions::Concrete)), into `out` (one value per
/// logit: the caller guarantees it), infallibly; the same words and the same bits as [`sample`]
/// from the same generator state.
#[inline]
pub(crate) fn sample_from_support<S: Scalar, R: Rng + ?Sized>(
    support: &Support<S>,
    temperature: Temperature<S>,
    rng: &mut R,
    out: &mut [S],
) {
    sample_into::<S, R, false>(support, temperature, rng, out, false);
}

/// Draws the noise and turns it into the sample in `buf`. Where the scalar says so
/// ([`FUSED_NOISE`](crate::scalar::sealed::Sealed::FUSED_NOISE)), each variate is added to its
/// logit as it is drawn (pass 1 of [`softmax_in_place`] fused with the noise).
#[inline(always)]
fn sample_into<S: Scalar, R: Rng + ?Sized, const ARGMAX: bool>(
    support: &Support<S>,
    temperature: Temperature<S>,
    rng: &mut R,
    buf: &mut [S],
    log_space: bool,
) -> usize {
    if !S::FUSED_NOISE {
        noise::fill_gumbel_inlined(rng, buf);
        if S::SOFT_FLOAT_SPEED {
            // In this frame, which already holds the noise loop's registers: out of line, the
            // softmax's frame (120 bytes on the M3) lay below it, and the static bound of a
            // masked `concrete::sample` was 472 bytes on the M3 and 556 on the M0 (400 and 476
            // inlined; `.ci/link-check/stack-bound`).
            return softmax_in_place_inlined::<S, ARGMAX>(support, temperature, buf, log_space);
        }
        return softmax_in_place::<S, ARGMAX>(support, temperature, buf, log_space);
    }
    if S::CONCRETE_IN_PASSES && support.is_plain() {
        return sample_plain_in_passes(support, temperature, rng, buf, log_space);
    }
    let count = buf.len();
    let slots = buf
        .iter_mut()
        .zip(noise::lazy_gumbel_words::<S, R>(rng, count));
    let tempered = perturb::<S, _, ARGMAX>(support, temperature, slots);
    normalise_support(support, &tempered, buf, log_space)
}

/// [`sample_into`] with every action available, where
/// [`CONCRETE_IN_PASSES`](crate::scalar::sealed::Sealed::CONCRETE_IN_PASSES): pass 1 (the
/// noise, added to the logits as it is drawn) in the caller's frame, and the rest of the
/// softmax in steps of their own, out of line, so that the caller's frame (which holds the
/// sample's buffer, and lies above the noise kernel's) keeps only pass 1's values: the
/// maximum and its first index ([`first_max_in_place`]), the scaled logits `(z − max)/λ`
/// ([`divide_by_temperature`]), the exponentials and
/// their sum (inlined, above the exponential's own frame), the normalisation
/// ([`normalise_exponentials`]). The same operations on the same values in the same order as
/// [`perturb`] and [`normalise`], so the same bits, and the same words.
#[inline(always)]
fn sample_plain_in_passes<S: Scalar, R: Rng + ?Sized>(
    support: &Support<S>,
    temperature: Temperature<S>,
    rng: &mut R,
    buf: &mut [S],
    log_space: bool,
) -> usize {
    let shift = support.shift();
    let count = buf.len();
    let slots = buf
        .iter_mut()
        .zip(noise::lazy_gumbel_words::<S, R>(rng, count));
    for ((slot, g), &logit) in slots.zip(support.logits()) {
        *slot = (logit - shift) + g.variate();
    }
    let (argmax, max) = first_max_in_place(buf);
    if log_space {
        divide_by_temperature::<S, true>(max, temperature, buf);
        exponentials_and_normalise::<S, true>(buf);
    } else {
        divide_by_temperature::<S, false>(max, temperature, buf);
        exponentials_and_normalise::<S, false>(buf);
    }
    argmax.min(count.saturating_sub(1))
}

/// The largest perturbed logit in `buf` and its first index (searched from
/// [`Scalar::LN_ZERO`], as [`perturb`] does).
#[inline(never)]
fn first_max_in_place<S: Scalar>(buf: &[S]) -> (usize, S) {
    let (mut argmax, mut max) = (0, S::LN_ZERO);
    for (k, &z) in buf.iter().enumerate() {
        if z > max {
            max = z;
            argmax = k;
        }
    }
    (argmax, max)
}

/// `(z − max)/λ` in place, clamped in log space: [`Tempered::scaled`], or
/// [`Tempered::scaled_unclamped`] otherwise, as [`normalise`] takes them.
#[inline(never)]
fn divide_by_temperature<S: Scalar, const LOG_SPACE: bool>(
    max: S,
    temperature: Temperature<S>,
    buf: &mut [S],
) {
    let tempered = Tempered::from_max(0, max, temperature);
    for slot in buf.iter_mut() {
        *slot = if LOG_SPACE {
            tempered.scaled(*slot)
        } else {
            tempered.scaled_unclamped(*slot)
        };
    }
}

/// Passes 2 and 3 of [`normalise`] over scaled logits, every action available: the
/// exponentials and their sum in the caller's frame, then [`normalise_exponentials`].
#[inline(always)]
fn exponentials_and_normalise<S: Scalar, const LOG_SPACE: bool>(buf: &mut [S]) {
    let mut sum = S::exp_sum_new();
    for slot in buf.iter_mut() {
        let e = Tempered::exp_and_accumulate(*slot, &mut sum);
        if !LOG_SPACE {
            *slot = e;
        }
    }
    normalise_exponentials::<S, LOG_SPACE>(sum, buf);
}

/// Pass 3 of [`normalise`], every action available: `y − ln Σ e` over the scaled logits in
/// log space, `e · (1/Σ e)` over the exponentials otherwise.
#[inline(never)]
fn normalise_exponentials<S: Scalar, const LOG_SPACE: bool>(sum: S::ExpSum, buf: &mut [S]) {
    if LOG_SPACE {
        let ln_sum = S::exp_sum_ln(sum);
        for slot in buf.iter_mut() {
            *slot = (*slot - ln_sum).max(S::LOWEST + S::EPSILON);
        }
    } else {
        let inv_sum = S::exp_sum_recip(sum);
        for slot in buf.iter_mut() {
            *slot *= inv_sum;
        }
    }
}

fn from_noise_checked<S: Scalar>(
    logits: &[S],
    allowed: Option<&[bool]>,
    noise: &[S],
    temperature: Temperature<S>,
    out: &mut [S],
    log_space: bool,
) -> Result<usize, Error> {
    let support = support(logits, allowed)?;
    support.same_len(noise.len())?;
    support.same_len(out.len())?;
    finite(noise)?;
    out.copy_from_slice(noise);
    Ok(softmax_in_place::<S, true>(
        &support,
        temperature,
        out,
        log_space,
    ))
}

/// The tempered softmax `y = softmax((z − max z)/λ)` of perturbed logits `z = θ + g`: the one
/// kernel behind the Concrete sampler (which writes `y` over its buffer) and the Concrete VJP
/// of [`estimators::reparam`](crate::estimators::reparam) (which recomputes `y` from the
/// noise), so the VJP differentiates the sampler's sample bit for bit by construction.
///
/// Its steps, each in one place: the first maximum of `z` over the available actions
/// ([`new`](Self::new)); the scaled logit `(z − max)/λ <= 0` ([`scaled`](Self::scaled)), a
/// division, not a product with `1/λ` (which overflows for subnormal λ, and `0·inf` is NaN),
/// clamped so it stays finite where the division overflows; `e = exp(scaled)` summed in
/// [`Scalar::ExpSum`]; and `y = e · (1/Σ e)`, or `scaled − ln Σ e` in log space.
pub(crate) struct Tempered<S: Scalar> {
    /// The first index of the largest perturbed logit: the Gumbel-max sample of the noise.
    pub(crate) argmax: usize,
    max: S,
    lambda: S::Divisor,
}

impl<S: Scalar> Tempered<S> {
    /// From the perturbed logits of the available actions, `(index, z)` in index order (at
    /// least one).
    #[inline(always)]
    pub(crate) fn new(
        perturbed: impl Iterator<Item = (usize, S)>,
        temperature: Temperature<S>,
    ) -> Self {
        // One loop (the first value taken as it comes), so the perturbation is inlined once.
        let mut first_max = None;
        for (k, z) in perturbed {
            if first_max.is_none_or(|(_, max)| z > max) {
                first_max = Some((k, z));
            }
        }
        let (argmax, max) = first_max.unwrap_or((0, S::ZERO));
        Self::from_max(argmax, max, temperature)
    }

    /// From the maximum and its index, found by the caller.
    #[inline(always)]
    pub(crate) fn from_max(argmax: usize, max: S, temperature: Temperature<S>) -> Self {
        Self {
            argmax,
            max,
            lambda: S::divisor(temperature.get()),
        }
    }

    /// λ, prepared for division.
    #[inline(always)]
    pub(crate) fn lambda(&self) -> S::Divisor {
        self.lambda
    }

    /// `(z − max)/λ` before the clamp of [`scaled`](Self::scaled): at most 0, possibly `-inf`.
    #[inline(always)]
    pub(crate) fn scaled_unclamped(&self, z: S) -> S {
        (z - self.max).div_by(self.lambda)
    }

    /// `(z − max)/λ`, clamped to be finite; at most 0. (Never NaN: `z` and the maximum are
    /// finite or `-inf` and λ is finite and positive, so the clamp is [`Scalar::max`] with
    /// `LOWEST` without its NaN test.)
    #[inline(always)]
    pub(crate) fn scaled(&self, z: S) -> S {
        let scaled = (z - self.max).div_by(self.lambda);
        if scaled < S::LOWEST {
            S::LOWEST
        } else {
            scaled
        }
    }

    /// `e^scaled` for a [`scaled`](Self::scaled) logit: the exponential both the sampler and
    /// the VJP use.
    #[inline(always)]
    pub(crate) fn exp(scaled: S) -> S {
        S::exp_nonpositive(scaled)
    }

    /// [`exp`](Self::exp), added to the sum of the exponentials.
    #[inline(always)]
    pub(crate) fn exp_and_accumulate(scaled: S, sum: &mut S::ExpSum) -> S {
        S::exp_nonpositive_and_accumulate(scaled, sum)
    }
}

/// `buf` holds the noise on entry and the sample (or its log) on exit. Returns the argmax if
/// `ARGMAX` (the samplers that return nothing skip tracking it).
fn softmax_in_place<S: Scalar, const ARGMAX: bool>(
    support: &Support<S>,
    temperature: Temperature<S>,
    buf: &mut [S],
    log_space: bool,
) -> usize {
    softmax_in_place_inlined::<S, ARGMAX>(support, temperature, buf, log_space)
}

/// [`softmax_in_place`], always inlined.
#[inline(always)]
fn softmax_in_place_inlined<S: Scalar, const ARGMAX: bool>(
    support: &Support<S>,
    temperature: Temperature<S>,
    buf: &mut [S],
    log_space: bool,
) -> usize {
    if S::VECTORISED_NOISE && support.is_plain() {
        let tempered = perturb_side_by_side::<S, ARGMAX>(support, temperature, buf);
        if !log_space {
            return normalise_side_by_side(&tempered, buf);
        }
        return normalise(&tempered, buf, log_space, |_| true);
    }
    let in_place = buf.iter_mut().map(|slot| {
        let g = *slot;
        (slot, g)
    });
    let tempered = perturb::<S, _, ARGMAX>(support, temperature, in_place);
    normalise_support(support, &tempered, buf, log_space)
}

/// Passes 2 and 3 ([`normalise`]) over the available actions of `support`.
#[inline(always)]
fn normalise_support<S: Scalar>(
    support: &Support<S>,
    tempered: &Tempered<S>,
    buf: &mut [S],
    log_space: bool,
) -> usize {
    if support.is_plain() {
        normalise(tempered, buf, log_space, |_| true)
    } else {
        normalise(tempered, buf, log_space, |k| support.effective(k).is_some())
    }
}

/// Pass 1: each slot, paired with its noise value `g` (in index order, one per logit), gets
/// the perturbed logit `z = effective logit + g` if its action is available; a masked slot
/// gets `-inf` where [`masked_slots_neg_infinite`] (`f32`) and is left as it is otherwise (the
/// normalisation writes it). Returns their maximum and (if `ARGMAX`; where masked, always) its
/// first index.
#[inline(always)]
fn perturb<'a, S: Scalar + 'a, N: GumbelNoise<S>, const ARGMAX: bool>(
    support: &Support<S>,
    temperature: Temperature<S>,
    slots: impl Iterator<Item = (&'a mut S, N)>,
) -> Tempered<S> {
    if support.is_plain() {
        let shift = support.shift();
        let mut perturbed = slots
            .zip(support.logits())
            .map(|((slot, g), &logit)| {
                let z = (logit - shift) + g.variate();
                *slot = z;
                z
            })
            .enumerate();
        // Where the noise is drawn in a loop of its own (an FPU), from the first value: the
        // same maximum and index as from `-inf`, without `-inf` in a register through the
        // loop (on the M33, which unrolls it for K = 16 and schedules its loads early, that
        // register took the Concrete sampler's frame one saved register pair more: 200
        // against 192 bytes). Otherwise from `LN_ZERO` (no perturbed logit is below it, and
        // one equal to it has its bits), not from the first value: one copy of the loop, and
        // of the kernel's call in it.
        let first = if S::FUSED_NOISE {
            None
        } else {
            perturbed.next()
        };
        let (mut argmax, mut max) = first.unwrap_or((0, S::LN_ZERO));
        for (k, z) in perturbed {
            if z > max {
                max = z;
                if ARGMAX {
                    argmax = k;
                }
            }
        }
        Tempered::from_max(argmax, max, temperature)
    } else {
        let perturbed = slots.enumerate().filter_map(|(k, (slot, g))| {
            let Some(effective) = support.effective(k) else {
                if masked_slots_neg_infinite::<S>() {
                    *slot = S::LN_ZERO;
                }
                return None;
            };
            *slot = effective + g.variate();
            Some((k, *slot))
        });
        Tempered::new(perturbed, temperature)
    }
}

/// Whether [`perturb`] writes `-inf` ([`Scalar::LN_ZERO`] in `f32`; fixed point has no
/// infinity) over the slots of masked actions. Their exponential is then exactly `+0`, which
/// leaves the sum of the exponentials as it is (it is at least `+0`), so pass 2 of
/// [`normalise`] runs over every slot without asking which actions are available; pass 3
/// still asks. That test compared each logit with `-inf` and `+inf` (two registers through
/// the exponential's loop): on the M4F it took the Concrete sampler's frame one saved
/// floating-point register pair more (200 against 192 bytes at K = 16).
#[inline(always)]
fn masked_slots_neg_infinite<S: Scalar>() -> bool {
    S::LN_ZERO.is_neg_infinity()
}

/// [`perturb`] in place for a host's `f32` with every action available
/// ([`VECTORISED_NOISE`](crate::scalar::sealed::Sealed::VECTORISED_NOISE)): the perturbed logits in one loop of independent
/// operations, then their maximum in lanes.
#[inline(always)]
fn perturb_side_by_side<S: Scalar, const ARGMAX: bool>(
    support: &Support<S>,
    temperature: Temperature<S>,
    buf: &mut [S],
) -> Tempered<S> {
    let shift = support.shift();
    for (slot, &logit) in buf.iter_mut().zip(support.logits()) {
        *slot = (logit - shift) + *slot;
    }
    let (argmax, max) = first_max(buf, ARGMAX);
    Tempered::from_max(argmax, max, temperature)
}

/// The first largest of `values` (of several that compare equal, the first) and, if
/// `need_index`, its index (else 0): for values that are not NaN, exactly what a serial scan
/// with `>` finds. Which lane finds the largest value does not matter, since values that
/// compare equal have the same bits, except 0 and −0: then the scan below finds the first.
#[inline(always)]
fn first_max<S: Scalar>(values: &[S], need_index: bool) -> (usize, S) {
    let first = values.first().copied().unwrap_or(S::ZERO);
    let mut lanes = [first; LANES];
    let mut chunks = values.chunks_exact(LANES);
    for chunk in &mut chunks {
        for (lane, &value) in lanes.iter_mut().zip(chunk) {
            *lane = larger(*lane, value);
        }
    }
    for (lane, &value) in lanes.iter_mut().zip(chunks.remainder()) {
        *lane = larger(*lane, value);
    }
    let largest = max_of_lanes(lanes);
    if need_index || largest == S::ZERO {
        let first_largest = values.iter().enumerate().find(|&(_, &v)| v == largest);
        if let Some((index, &value)) = first_largest {
            return (index, value);
        }
    }
    (0, largest)
}

/// The sampler's sample and the scaled logits behind it, for the VJP: from `noise` (one value
/// per logit), `scaled` gets the scaled logits `s_k = (z_k − max)/λ` and `probabilities` the
/// sample `y_k` (both exactly 0 where masked). The same steps as [`sample`] (the perturbed
/// logits are written straight into `scaled` instead of over the noise), so `y` is its sample
/// bit for bit: [`perturb_into`], then [`keep_scaled`].
#[inline(always)]
pub(crate) fn softmax_keeping_scaled<S: Scalar>(
    support: &Support<S>,
    temperature: Temperature<S>,
    noise: &[S],
    scaled: &mut [S],
    probabilities: &mut [S],
) -> Tempered<S> {
    let (tempered, _) = perturb_into(support, temperature, noise, scaled);
    let with = core::iter::repeat(());
    keep_scaled(
        support,
        &tempered,
        scaled,
        probabilities,
        with,
        |_, _, ()| {},
    );
    tempered
}

/// Pass 1 of [`softmax_keeping_scaled`]: [`perturb`] without the argmax (it is 0
/// unless some action is masked), from `noise` into `out` (masked slots are left as they are).
/// Also returns the sum of every noise value, masked ones included, in index order: finite
/// only if every value is (a NaN or an infinity makes it NaN or infinite), so a caller that
/// must check the noise needs no pass of its own where it is.
#[inline(always)]
pub(crate) fn perturb_into<S: Scalar>(
    support: &Support<S>,
    temperature: Temperature<S>,
    noise: &[S],
    out: &mut [S],
) -> (Tempered<S>, S) {
    let mut noise_sum = S::ZERO;
    if support.is_plain() {
        let shift = support.shift();
        let mut slots = out.iter_mut().zip(support.logits().iter().zip(noise));
        let mut max = S::ZERO;
        if let Some((slot, (&logit, &g))) = slots.next() {
            *slot = (logit - shift) + g;
            max = *slot;
            noise_sum += g;
        }
        for (slot, (&logit, &g)) in slots {
            let z = (logit - shift) + g;
            *slot = z;
            if z > max {
                max = z;
            }
            noise_sum += g;
        }
        (Tempered::from_max(0, max, temperature), noise_sum)
    } else {
        let perturbed = out
            .iter_mut()
            .zip(noise)
            .enumerate()
            .filter_map(|(k, (slot, &g))| {
                noise_sum += g;
                *slot = support.effective(k)? + g;
                Some((k, *slot))
            });
        let tempered = Tempered::new(perturbed, temperature);
        (tempered, noise_sum)
    }
}

/// Passes 2 and 3 of [`softmax_keeping_scaled`], after [`perturb_into`] (`scaled` holds the
/// perturbed logits on entry). As each `y_k` is normalised, `visit(y_k, s_k, item)` is called
/// with the items of `with` (at least one per action: the normalisation stops where they do),
/// in index order, masked actions included (with 0 and 0): the VJP's first pass rides along.
#[inline(always)]
pub(crate) fn keep_scaled<S: Scalar, T>(
    support: &Support<S>,
    tempered: &Tempered<S>,
    scaled: &mut [S],
    probabilities: &mut [S],
    with: impl Iterator<Item = T>,
    visit: impl FnMut(S, S, T),
) {
    if support.is_plain() {
        keep_scaled_where(tempered, scaled, probabilities, |_| true, with, visit);
    } else {
        let available = |k| support.effective(k).is_some();
        keep_scaled_where(tempered, scaled, probabilities, available, with, visit);
    }
}

/// [`keep_scaled`] where `available`.
#[inline(always)]
fn keep_scaled_where<S: Scalar, T>(
    tempered: &Tempered<S>,
    buf: &mut [S],
    probabilities: &mut [S],
    available: impl Fn(usize) -> bool,
    with: impl Iterator<Item = T>,
    mut visit: impl FnMut(S, S, T),
) {
    let mut sum = S::exp_sum_new();
    for (k, (slot, p)) in buf.iter_mut().zip(probabilities.iter_mut()).enumerate() {
        if available(k) {
            // `scaled`, clamped, and its exponential.
            (*slot, *p) = S::clamp_exp_and_accumulate(tempered.scaled_unclamped(*slot), &mut sum);
        } else {
            *p = S::ZERO;
            *slot = S::ZERO;
        }
    }
    let inv_sum = S::exp_sum_recip(sum);
    let coordinates = probabilities.iter_mut().zip(buf.iter()).zip(with);
    for (k, ((p, &s), item)) in coordinates.enumerate() {
        if available(k) {
            *p *= inv_sum;
        }
        visit(*p, s, item);
    }
}

/// [`normalise`] for a host's `f32` with every action available, not in log space: each pass
/// one loop of independent operations the compiler vectorises (the scaled logits, their
/// exponentials, the normalisation), the sum of the exponentials in index order between
/// them. The same operations on the same values, so the same bits.
#[inline(always)]
fn normalise_side_by_side<S: Scalar>(tempered: &Tempered<S>, buf: &mut [S]) -> usize {
    for slot in buf.iter_mut() {
        // Unclamped, as in `normalise`.
        *slot = tempered.scaled_unclamped(*slot);
    }
    let mut sum = S::exp_sum_new();
    S::exp_nonpositive_in_place(buf, &mut sum);
    let inv_sum = S::exp_sum_recip(sum);
    for slot in buf.iter_mut() {
        *slot *= inv_sum;
    }
    tempered.argmax.min(buf.len().saturating_sub(1))
}

/// Passes 2 and 3 of the sampler over the perturbed logits in `buf` (from [`perturb`]): the
/// exponentials and their sum, then the normalisation; masked actions get exactly 0 (or the
/// log of 0).
#[inline(always)]
fn normalise<S: Scalar>(
    tempered: &Tempered<S>,
    buf: &mut [S],
    log_space: bool,
    available: impl Fn(usize) -> bool,
) -> usize {
    let mut sum = S::exp_sum_new();
    for (k, slot) in buf.iter_mut().enumerate() {
        if masked_slots_neg_infinite::<S>() || available(k) {
            if log_space {
                let scaled = tempered.scaled(*slot);
                Tempered::exp_and_accumulate(scaled, &mut sum);
                *slot = scaled;
            } else {
                // Unclamped: the clamp only turns -inf into LOWEST, whose exponential is the
                // same 0.
                let scaled = tempered.scaled_unclamped(*slot);
                *slot = Tempered::exp_and_accumulate(scaled, &mut sum);
            }
        }
    }
    // Only the normaliser the output needs: ln of the sum in log space, its reciprocal
    // otherwise.
    if log_space {
        let ln_sum = S::exp_sum_ln(sum);
        for (k, slot) in buf.iter_mut().enumerate() {
            // Never the masked marker: in fixed point LN_ZERO is LOWEST itself.
            *slot = if available(k) {
                (*slot - ln_sum).max(S::LOWEST + S::EPSILON)
            } else {
                S::LN_ZERO
            };
        }
    } else {
        let inv_sum = S::exp_sum_recip(sum);
        for (k, slot) in buf.iter_mut().enumerate() {
            *slot = if available(k) {
                *slot * inv_sum
            } else {
                S::ZERO
            };
        }
    }
    tempered.argmax.min(buf.len().saturating_sub(1))
}

/// Log-density of the Concrete distribution at a point `x` of the open simplex (see the
/// [module documentation](self) for the formula and measure).
///
/// `x` must have the logits' length, be positive where the action is available and exactly 0
/// where it is masked, and sum to 1 within `4·K·ε`; otherwise [`Error::OutsideSupport`]. `+inf`
/// logits make the distribution degenerate: [`Error::NotFinite`].
pub fn log_density<S: Scalar>(
    logits: &[S],
    allowed: Option<&[bool]>,
    temperature: Temperature<S>,
    x: &[S],
) -> Result<S, Error> {
    let support = density_support(logits, allowed, x)?;
    let lambda = temperature.get();
    let mut total = S::ZERO;
    for &v in x {
        total += v;
    }
    if (total - S::ONE).abs() > simplex_tolerance::<S>(x.len()) {
        return Err(Error::OutsideSupport);
    }
    let mut lse = LogSumExp::new();
    let mut linear = S::ZERO;
    for (k, &xk) in x.iter().enumerate() {
        match support.effective(k) {
            Some(effective) if xk > S::ZERO && xk.is_finite() => {
                let ln_x = xk.ln();
                lse.push(effective - lambda * ln_x);
                linear += effective - (lambda + S::ONE) * ln_x;
            }
            None if xk == S::ZERO => {}
            _ => return Err(Error::OutsideSupport),
        }
    }
    assemble(support.available, lambda, linear, lse.value())
}

/// Log-density of the ExpConcrete distribution at `y = log x` (see the
/// [module documentation](self) for the formula and measure). Finite for every λ > 0 and every
/// finite `y`, including points whose `x` would underflow to 0.
///
/// `y` must be finite where the action is available and [`Scalar::LN_ZERO`] where it is
/// masked, with `ln Σ e^{y_k}` within `4·K·ε` of 0; otherwise [`Error::OutsideSupport`].
pub fn exp_log_density<S: Scalar>(
    logits: &[S],
    allowed: Option<&[bool]>,
    temperature: Temperature<S>,
    y: &[S],
) -> Result<S, Error> {
    let support = density_support(logits, allowed, y)?;
    let lambda = temperature.get();
    let mut normaliser = LogSumExp::new();
    let mut lse = LogSumExp::new();
    let mut linear = S::ZERO;
    for (k, &yk) in y.iter().enumerate() {
        match support.effective(k) {
            Some(effective) if yk.is_finite() && yk != S::LN_ZERO => {
                normaliser.push(yk);
                lse.push(effective - lambda * yk);
                linear += effective - lambda * yk;
            }
            None if yk == S::LN_ZERO => {}
            _ => return Err(Error::OutsideSupport),
        }
    }
    if normaliser.value().abs() > simplex_tolerance::<S>(y.len()) {
        return Err(Error::OutsideSupport);
    }
    assemble(support.available, lambda, linear, lse.value())
}

/// Validation shared by both densities.
fn density_support<'a, S: Scalar>(
    logits: &'a [S],
    allowed: Option<&'a [bool]>,
    point: &[S],
) -> Result<Support<'a, S>, Error> {
    let support = support(logits, allowed)?;
    if let Some(index) = logits.iter().position(|l| l.is_pos_infinity()) {
        return Err(Error::NotFinite { index });
    }
    support.same_len(point.len())?;
    if let Some(index) = point.iter().position(|v| v.is_nan()) {
        return Err(Error::Nan { index });
    }
    Ok(support)
}

/// `4·K·ε`, the slack allowed in `Σ x = 1` (four times the sampler's own bound).
fn simplex_tolerance<S: Scalar>(k: usize) -> S {
    from_count::<S>(4 * k) * S::EPSILON
}

/// `ln((n−1)!) + (n−1) ln λ + linear − n·lse`; a non-finite result (possible only for points
/// at the edge of the representable range, where `λ·|y|` overflows) is
/// [`Error::OutsideSupport`] rather than a NaN or infinity.
fn assemble<S: Scalar>(n: usize, lambda: S, linear: S, lse: S) -> Result<S, Error> {
    let n_minus_1 = from_count::<S>(n.saturating_sub(1));
    let value = ln_factorial_of_predecessor::<S>(n) + n_minus_1 * lambda.ln() + linear
        - from_count::<S>(n) * lse;
    if value.is_finite() {
        Ok(value)
    } else {
        Err(Error::OutsideSupport)
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    /// Finite logits (every action available), with the extremes whose difference to the
    /// shift overflows to `-inf`.
    fn logit() -> impl Strategy<Value = f32> {
        prop_oneof![
            4 => -4.0f32..4.0,
            1 => Just(f32::MAX),
            1 => Just(-f32::MAX),
        ]
    }

    /// Noise, with repeated values (ties) and both zeros.
    fn noise() -> impl Strategy<Value = f32> {
        prop_oneof![
            4 => -3.2f32..22.9,
            1 => Just(0.0),
            1 => Just(-0.0),
            1 => Just(1.0),
        ]
    }

    /// Fixed-point logits, from everywhere in the range (saturating differences to the
    /// shift included) and near 0, with ties.
    #[cfg(feature = "fixed")]
    fn fixed_logit() -> impl Strategy<Value = crate::Fixed> {
        prop_oneof![
            4 => (-(4 << 16)..(4 << 16)).prop_map(crate::Fixed::from_bits),
            2 => any::<i32>().prop_map(crate::Fixed::from_bits),
            1 => Just(crate::Fixed::from_bits(i32::MIN)),
            1 => Just(crate::Fixed::from_bits(i32::MAX)),
            1 => Just(crate::Fixed::ZERO),
        ]
    }

    /// Temperatures from the smallest accepted to large, in raw I16F16 bits.
    #[cfg(feature = "fixed")]
    fn fixed_temperature() -> impl Strategy<Value = crate::Fixed> {
        prop_oneof![
            3 => (64..(4 << 16)).prop_map(crate::Fixed::from_bits),
            1 => (64..i32::MAX).prop_map(crate::Fixed::from_bits),
            1 => Just(crate::Fixed::from_bits(64)),
            1 => Just(crate::Fixed::HALF),
        ]
    }

    /// [`first_max_in_place`] finds the maximum and its first index as the general loop does
    /// ([`Tempered::new`]), ties and extremes included: every vector of up to 5 values drawn
    /// from 6.
    #[cfg(feature = "fixed")]
    #[test]
    fn first_max_in_place_is_the_general_maximum() {
        use crate::Fixed;
        let values = [i32::MIN, i32::MIN + 1, -1, 0, 1, i32::MAX].map(Fixed::from_bits);
        let temperature = Temperature::new(Fixed::ONE).unwrap();
        for len in 1..=5u32 {
            for mut code in 0..6usize.pow(len) {
                let z: Vec<Fixed> = (0..len)
                    .map(|_| {
                        let value = values[code % 6];
                        code /= 6;
                        value
                    })
                    .collect();
                let general = Tempered::new(z.iter().copied().enumerate(), temperature);
                assert_eq!(
                    first_max_in_place(&z),
                    (general.argmax, general.max),
                    "{z:?}"
                );
            }
        }
    }

    proptest! {
        /// The Concrete sampler in out-of-line passes ([`sample_plain_in_passes`], which
        /// fixed point takes on ARMv6-M alone) gives the general path's sample, argmax and
        /// generator state, bit for bit, in both spaces.
        #[cfg(feature = "fixed")]
        #[test]
        fn fixed_sample_in_passes_is_the_general_one(
            logits in proptest::collection::vec(fixed_logit(), 1..40),
            lambda in fixed_temperature(),
            seed: u64,
            log_space: bool,
        ) {
            use rand_core::SeedableRng;
            use rand_xoshiro::Xoshiro128PlusPlus;
            let fail = |e: Error| TestCaseError::fail(format!("{e:?}"));
            let support = support(&logits, None).map_err(fail)?;
            prop_assert!(support.is_plain());
            let temperature = Temperature::new(lambda).map_err(fail)?;
            let (mut general_rng, mut passes_rng) = (
                Xoshiro128PlusPlus::seed_from_u64(seed),
                Xoshiro128PlusPlus::seed_from_u64(seed),
            );
            let mut general = vec![crate::Fixed::ZERO; logits.len()];
            let mut passes = general.clone();
            // The general path: on the host the sealed constant is false.
            let general_argmax = sample_into::<_, _, true>(
                &support, temperature, &mut general_rng, &mut general, log_space,
            );
            let passes_argmax = sample_plain_in_passes(
                &support, temperature, &mut passes_rng, &mut passes, log_space,
            );
            prop_assert_eq!(&passes, &general);
            prop_assert_eq!(passes_argmax, general_argmax);
            prop_assert_eq!(passes_rng.next_u32(), general_rng.next_u32());
        }

        /// Pass 1 over every action available ([`perturb`]'s plain loop, which starts from
        /// the first value where the noise is drawn in a loop of its own: `f32` on the M4F
        /// and M33; on the host the sampler takes `perturb_side_by_side`, so only this runs
        /// it) writes the same perturbed logits and finds the same maximum and first index as
        /// the general loop.
        #[test]
        fn plain_pass_1_is_the_general_one(
            logits in proptest::collection::vec(logit(), 1..24),
            noise in proptest::collection::vec(noise(), 24),
        ) {
            let support = support(&logits, None).map_err(|e| TestCaseError::fail(format!("{e:?}")))?;
            prop_assume!(support.is_plain());
            let temperature = Temperature::new(0.5f32).map_err(|e| TestCaseError::fail(format!("{e:?}")))?;
            let noise = &noise[..logits.len()];
            let mut slots = noise.to_vec();
            let in_place = slots.iter_mut().map(|slot| {
                let g = *slot;
                (slot, g)
            });
            let plain = perturb::<f32, f32, true>(&support, temperature, in_place);
            let perturbed: Vec<f32> = logits
                .iter()
                .zip(noise)
                .map(|(&logit, &g)| (logit - support.shift()) + g)
                .collect();
            let general = Tempered::new(perturbed.iter().copied().enumerate(), temperature);
            let bits = |values: &[f32]| values.iter().map(|v| v.to_bits()).collect::<Vec<_>>();
            prop_assert_eq!(bits(&slots), bits(&perturbed));
            prop_assert_eq!(plain.argmax, general.argmax);
            prop_assert_eq!(plain.max.to_bits(), general.max.to_bits());
        }
    }
}
