//! Noise conditioned on an observed discrete sample: the Gumbel (or logistic) perturbation that
//! is distributed as the unconditional noise *given* that it produced a known argmax (Tucker et
//! al. 2017, REBAR, appendix; Paulus et al. 2021, Gumbel-Rao). The control-variate and
//! Rao-Blackwellised estimators in [`estimators`](crate::estimators) evaluate their relaxations at
//! this noise.
//!
//! # Categorical
//! With `Z = Σ_j e^{θ_j}` and independent standard exponentials `E_i`, the perturbed logits
//! `z = θ + g` given `argmax z = k` are
//! `z_k = −ln E_k + ln Z` and, for `i ≠ k`, `z_i = −ln(E_i e^{−θ_i} + E_k / Z)`.
//! Writing `E_i = e^{−G_i}` for a standard Gumbel `G_i`, the noise written is
//! `g_k = G_k + ln Z − θ_k` and `g_i = −ln(e^{−G_i} + e^{θ_i − z_k})`, evaluated with a
//! log-sum-exp relative to the largest logit, so logit spreads of ±1e30 neither overflow nor lose
//! the noise. The result always satisfies
//! [`argmax_perturbed`]`(logits, allowed, g) = k`: a value
//! that rounding would tie with (or lift above) `z_k` is lowered by a few ulps, a change far
//! below the `f32` rounding of the formula itself.
//!
//! Noise and masks follow [`categorical`](crate::categorical): one word per logit in index order;
//! a masked action gets unconditioned Gumbel noise (it can never be the argmax anyway); the
//! conditioning index must be an available action, else [`Error::UnavailableAction`].
//!
//! # Binary
//! `b = (θ + L > 0)` with `L` standard logistic. Given `b = 1`, `L` is the logistic truncated
//! to `(−θ, ∞)`: with a fresh logistic `ℓ` (so `v = σ(ℓ)` is uniform),
//! `L = ln(σ(−θ) + v σ(θ)) − ln((1 − v) σ(θ))`, evaluated in log space as
//! `log_add_exp(−softplus(θ), −softplus(−ℓ) − softplus(−θ)) + softplus(ℓ) + softplus(−θ)`. Given
//! `b = 0`, `L` is minus the `b = 1` noise for logit `−θ`. One word per draw.
//!
//! # Derivatives
//! REBAR and RELAX differentiate a function of the conditional sample with respect to θ, with the
//! underlying uniform randomness held fixed; [`categorical_backward`] and [`binary_derivative`]
//! give that derivative in closed form from the conditional noise alone.
//!
//! # What is refused, and the range of the outputs
//! - Logits, masks and the conditioning index follow [`categorical`](crate::categorical)'s
//!   rules; an index that names no available action is [`Error::UnavailableAction`]. So is an
//!   outcome whose probability is exactly zero at the scalar's precision: a logit more than
//!   half the largest finite value below the largest available one (`f32`: 1.7e38; fixed
//!   point: 16,384), or a binary outcome whose log-odds are below minus that. The sampler can
//!   never draw such an outcome (the noise spans less than 26), and the noise that would
//!   produce it is not representable.
//! - The deterministic maps ([`categorical_from_gumbel`], [`binary_from_logistic`]) take the
//!   standard variates as given: each must be finite ([`Error::Nan`], [`Error::NotFinite`])
//!   and within a quarter of the largest finite value (every variate of
//!   [`noise`](crate::noise) lies within ±23), else [`Error::NonFiniteUpdate`]: beyond that
//!   the conditional noise could overflow.
//! - Every `Ok` noise is finite and reproduces the outcome it was conditioned on:
//!   [`argmax_perturbed`]`(logits, allowed, noise) = chosen` (a masked action keeps its
//!   unconditioned variate), and `(logit + noise > 0) = b`.
//! - The derivatives are finite: [`binary_derivative`] lies in `[0, 1]`, and each coordinate
//!   of [`categorical_backward`] within `|u_j| + p_j Σ_i |u_i|` (masked ones exactly 0).
//! - A refused call draws no random word and writes nothing.

use rand_core::Rng;

use crate::categorical::argmax_perturbed;
use crate::scalar::{LogSumExp, log_add_exp, sigmoid, softplus};
use crate::validate::{Support, finite, finite_scalar, support_with_action};
use crate::{Error, Scalar};

/// Draws Gumbel noise conditioned on `argmax_k (logits_k + noise_k) = chosen` into `noise` (the
/// logits' length), one random word per logit in index order.
///
/// Refuses (drawing nothing, writing nothing) what [`categorical`](crate::categorical) refuses,
/// a `noise` buffer of another length ([`Error::LengthMismatch`]), and a `chosen` that is not
/// available or has probability zero at the scalar's precision ([`Error::UnavailableAction`];
/// see the [module documentation](self)). On `Ok` every value is finite and
/// [`argmax_perturbed`]`(logits, allowed, noise) = chosen`.
pub fn categorical<S: Scalar, R: Rng + ?Sized>(
    rng: &mut R,
    logits: &[S],
    allowed: Option<&[bool]>,
    chosen: usize,
    noise: &mut [S],
) -> Result<(), Error> {
    let support = conditioning_support(logits, allowed, chosen)?;
    support.same_len(noise.len())?;
    crate::noise::fill_gumbel(rng, noise);
    condition_in_place(&support, chosen, noise);
    Ok(())
}

/// The deterministic map behind [`categorical`]: turns independent standard Gumbel variates
/// `standard` into the conditional noise, written to `noise`. For tests and for callers that
/// manage their own random words.
///
/// Refuses what [`categorical`] refuses, `standard` of another length
/// ([`Error::LengthMismatch`]), a NaN or infinite variate ([`Error::Nan`],
/// [`Error::NotFinite`]) and one beyond a quarter of the largest finite value
/// ([`Error::NonFiniteUpdate`]); nothing is written then. On `Ok`, as [`categorical`].
pub fn categorical_from_gumbel<S: Scalar>(
    logits: &[S],
    allowed: Option<&[bool]>,
    chosen: usize,
    standard: &[S],
    noise: &mut [S],
) -> Result<(), Error> {
    let support = conditioning_support(logits, allowed, chosen)?;
    support.same_len(standard.len())?;
    support.same_len(noise.len())?;
    standard_variates(standard)?;
    noise.copy_from_slice(standard);
    condition_in_place(&support, chosen, noise);
    Ok(())
}

/// [`support_with_action`], and `chosen` not so improbable that its conditional noise is not
/// representable: its logit at most half the largest finite value below the largest available
/// logit ([`Error::UnavailableAction`] otherwise).
pub(crate) fn conditioning_support<'a, S: Scalar>(
    logits: &'a [S],
    allowed: Option<&'a [bool]>,
    chosen: usize,
) -> Result<Support<'a, S>, Error> {
    let support = support_with_action(logits, allowed, chosen)?;
    conditionable(&support, chosen)?;
    Ok(support)
}

/// `chosen` is available in `support` and its logit not below [`lowest_conditionable`]
/// ([`Error::UnavailableAction`] otherwise).
pub(crate) fn conditionable<S: Scalar>(support: &Support<S>, chosen: usize) -> Result<(), Error> {
    match support.effective(chosen) {
        Some(theta) if theta >= lowest_conditionable::<S>() => Ok(()),
        _ => Err(Error::UnavailableAction { index: chosen }),
    }
}

/// `LOWEST / 2`: the lowest logit, relative to the largest available one, of an outcome that can
/// be conditioned on. With the chosen logit above it and standard variates within
/// [`largest_standard`], every intermediate of the conditioning stays below the largest finite
/// value (`|θ_k| + |G| + ln K ≤ MAX/2 + MAX/4 + 45`).
fn lowest_conditionable<S: Scalar>() -> S {
    S::LOWEST * S::HALF
}

/// `MAX / 4`: the largest magnitude of a standard variate the deterministic maps accept.
fn largest_standard<S: Scalar>() -> S {
    S::MAX * S::HALF * S::HALF
}

/// Every standard variate finite and within [`largest_standard`].
fn standard_variates<S: Scalar>(values: &[S]) -> Result<(), Error> {
    finite(values)?;
    if values.iter().any(|v| v.abs() > largest_standard::<S>()) {
        return Err(Error::NonFiniteUpdate);
    }
    Ok(())
}

/// `buf` holds standard Gumbel variates on entry and the conditional noise on exit. `support`
/// must come from [`conditioning_support`] for `chosen`, and `buf` have its length.
pub(crate) fn condition_in_place<S: Scalar>(support: &Support<S>, chosen: usize, buf: &mut [S]) {
    let mut lse = LogSumExp::new();
    for k in 0..support.len() {
        if let Some(theta) = support.effective(k) {
            lse.push(theta);
        }
    }
    let theta_k = support.effective(chosen).unwrap_or(S::ZERO);
    let Some(slot) = buf.get_mut(chosen) else {
        return;
    };
    let z_k = *slot + lse.value();
    *slot = z_k - theta_k;
    // The perturbed maximum exactly as `argmax_perturbed` will recompute it.
    let top = theta_k + *slot;
    for (i, g) in buf.iter_mut().enumerate() {
        if i == chosen {
            continue;
        }
        if let Some(theta) = support.effective(i) {
            let conditioned = -log_add_exp(-*g, theta - z_k);
            *g = lower_until_below(conditioned, theta, top);
        }
    }
}

/// Lowers `g` (in steps that double from a few ulps of the operands) until `base + g < limit`.
/// The formulas put `base + g` below `limit` in exact arithmetic; this only repairs a tie
/// created by rounding.
fn lower_until_below<S: Scalar>(g: S, base: S, limit: S) -> S {
    let mut g = g;
    let scale = base.abs() + g.abs() + limit.abs() + S::ONE;
    // Operands near the largest finite value would overflow the sum: a few ulps of MAX then.
    let mut step = S::EPSILON * if scale.is_finite() { scale } else { S::MAX };
    for _ in 0..64 {
        if base + g < limit {
            break;
        }
        g -= step;
        step += step;
    }
    g
}

/// The vector-Jacobian product of the conditional perturbed logits `z̃ = logits + noise` with
/// respect to the logits, the uniforms behind the noise held fixed. On entry `upstream` holds
/// `u = ∂c/∂z̃`; on exit `∂c/∂θ`:
/// `∂c/∂θ_j = u_j (1 − w_j) [j ≠ k] + (u_k + Σ_{i≠k} u_i w_i) softmax(θ)_j`, with
/// `w_i = e^{z̃_i − z̃_k} ∈ [0, 1]`. Masked actions get 0. `O(K)`, no extra memory.
///
/// `noise` must make `chosen` the argmax (as [`categorical`]'s does). Refuses, writing nothing:
/// what [`categorical`](crate::categorical) refuses for the logits and mask; a `chosen` that is
/// not available ([`Error::UnavailableAction`]); `noise` or `upstream` of another length
/// ([`Error::LengthMismatch`]) or not finite ([`Error::Nan`], [`Error::NotFinite`]); noise that
/// does not make `chosen` the argmax ([`Error::NoiseMismatch`]); and `Σ |u_i|` above a quarter of
/// the largest finite value ([`Error::NonFiniteUpdate`]: each output is bounded by
/// `|u_j| + p_j Σ_i |u_i|`, which must stay representable).
pub fn categorical_backward<S: Scalar>(
    logits: &[S],
    allowed: Option<&[bool]>,
    chosen: usize,
    noise: &[S],
    upstream: &mut [S],
) -> Result<(), Error> {
    let support = support_with_action(logits, allowed, chosen)?;
    support.same_len(noise.len())?;
    support.same_len(upstream.len())?;
    finite(noise)?;
    finite(upstream)?;
    let mut total = S::ZERO;
    for u in upstream.iter() {
        total += u.abs();
    }
    if total > largest_standard::<S>() {
        return Err(Error::NonFiniteUpdate);
    }
    if argmax_perturbed(logits, allowed, noise)? != chosen {
        return Err(Error::NoiseMismatch);
    }
    backward_in_place(&support, chosen, noise, upstream);
    Ok(())
}

pub(crate) fn backward_in_place<S: Scalar>(
    support: &Support<S>,
    chosen: usize,
    noise: &[S],
    upstream: &mut [S],
) {
    let perturbed = |i: usize, g: S| support.effective(i).map(|theta| theta + g);
    let top = noise
        .get(chosen)
        .and_then(|&g| perturbed(chosen, g))
        .unwrap_or(S::ZERO);
    let mut lse = LogSumExp::new();
    let mut through_max = S::ZERO;
    for (i, (&u, &g)) in upstream.iter().zip(noise).enumerate() {
        if let Some(theta) = support.effective(i) {
            lse.push(theta);
        }
        if let Some(z) = perturbed(i, g) {
            through_max += if i == chosen { u } else { u * (z - top).exp() };
        }
    }
    let log_normaliser = lse.value();
    for (i, (u, &g)) in upstream.iter_mut().zip(noise).enumerate() {
        *u = match (support.effective(i), perturbed(i, g)) {
            (Some(theta), Some(z)) => {
                let probability = (theta - log_normaliser).exp();
                let direct = if i == chosen {
                    S::ZERO
                } else {
                    *u * (S::ONE - (z - top).exp())
                };
                direct + through_max * probability
            }
            _ => S::ZERO,
        };
    }
}

/// Draws logistic noise `L` conditioned on `(logit + L > 0) = b` (see the
/// [module documentation](self)), one random word.
///
/// Refuses, drawing nothing: a NaN or infinite logit ([`Error::Nan`], [`Error::NotFinite`]), and
/// an outcome of probability zero at the scalar's precision, whose log-odds (`logit` for `b`,
/// `−logit` otherwise) are below minus half the largest finite value
/// ([`Error::UnavailableAction`] with index `b as usize`). On `Ok` the noise is finite and
/// `(logit + noise > 0) = b`.
pub fn binary<S: Scalar, R: Rng + ?Sized>(rng: &mut R, logit: S, b: bool) -> Result<S, Error> {
    let theta = outcome_logit(logit, b)?;
    Ok(draw_binary(rng, theta, b))
}

/// One conditional logistic draw for the observed outcome's logit `theta` (checked by
/// [`outcome_logit`]); one random word.
pub(crate) fn draw_binary<S: Scalar, R: Rng + ?Sized>(rng: &mut R, theta: S, b: bool) -> S {
    condition_binary(theta, b, crate::noise::logistic(rng))
}

/// The deterministic map behind [`binary`](fn@binary): the conditional noise for the standard
/// logistic variate `standard`.
///
/// Refuses what [`binary`](fn@binary) refuses, a NaN or infinite `standard` ([`Error::Nan`],
/// [`Error::NotFinite`]) and one beyond a quarter of the largest finite value
/// ([`Error::NonFiniteUpdate`]). On `Ok`, as [`binary`](fn@binary).
pub fn binary_from_logistic<S: Scalar>(logit: S, b: bool, standard: S) -> Result<S, Error> {
    let theta = outcome_logit(logit, b)?;
    standard_variates(&[standard])?;
    Ok(condition_binary(theta, b, standard))
}

/// The logit of the observed outcome (`logit` for `b`, `−logit` otherwise), checked: finite, and
/// not below [`lowest_conditionable`].
pub(crate) fn outcome_logit<S: Scalar>(logit: S, b: bool) -> Result<S, Error> {
    finite_scalar(logit)?;
    let theta = if b { logit } else { -logit };
    if theta >= lowest_conditionable::<S>() {
        Ok(theta)
    } else {
        Err(Error::UnavailableAction {
            index: usize::from(b),
        })
    }
}

/// The conditional noise for the observed outcome's logit `theta` (from [`outcome_logit`]).
fn condition_binary<S: Scalar>(theta: S, b: bool, standard: S) -> S {
    // Work with the logit of the observed outcome: b = 0 is b = 1 for the logit -θ, negated.
    let log_u = log_add_exp(-softplus(theta), -softplus(-standard) - softplus(-theta));
    let magnitude = log_u + softplus(standard) + softplus(-theta);
    // Need theta + magnitude > 0; rounding can only produce a tie at 0.
    let magnitude = -lower_until_below(-magnitude, -theta, S::ZERO);
    if b { magnitude } else { -magnitude }
}

/// `dz̃/dθ` for the conditional logistic sample `z̃ = logit + noise`, the uniform behind the
/// noise held fixed: `σ(sθ)(1 − e^{−s z̃})` with `s = +1` for `b` and `−1` otherwise; it lies in
/// `[0, 1]`.
///
/// Refuses a NaN or infinite logit or noise ([`Error::Nan`], [`Error::NotFinite`]) and noise
/// that does not produce `b` ([`Error::NoiseMismatch`]).
pub fn binary_derivative<S: Scalar>(logit: S, b: bool, noise: S) -> Result<S, Error> {
    finite_scalar(logit)?;
    finite_scalar(noise)?;
    let z = logit + noise;
    if (z > S::ZERO) != b {
        return Err(Error::NoiseMismatch);
    }
    let (theta, z) = if b { (logit, z) } else { (-logit, -z) };
    Ok(sigmoid(theta) * (S::ONE - (-z).exp()))
}

#[cfg(test)]
mod tests {
    use rand_core::{Rng, SeedableRng};
    use rand_xoshiro::Xoshiro128PlusPlus;

    use super::*;
    use crate::conditional::testing;

    const MAX: f32 = f32::MAX;

    fn rng() -> Xoshiro128PlusPlus {
        Xoshiro128PlusPlus::seed_from_u64(10)
    }

    /// No random word was drawn from `generator` (a fresh [`rng`]).
    fn untouched(mut generator: Xoshiro128PlusPlus) {
        assert_eq!(generator.next_u32(), rng().next_u32(), "random words drawn");
    }

    /// Issue 10, defect 2: conditioning on an action whose logit lies `2·f32::MAX` below the
    /// largest gave `Ok([NaN, inf])`; it has probability 0 and its noise is not representable.
    #[test]
    fn refuses_an_action_of_probability_zero() {
        let mut generator = rng();
        let mut noise = [7.0f32; 2];
        assert_eq!(
            categorical(&mut generator, &[MAX, -MAX], None, 1, &mut noise),
            Err(Error::UnavailableAction { index: 1 })
        );
        assert_eq!(noise, [7.0; 2]);
        untouched(generator);
        // The limit is half the largest finite value below the largest logit.
        let lowest = f32::MIN / 2.0;
        let below = f32::from_bits(lowest.to_bits() + 1);
        assert_eq!(
            categorical_from_gumbel(&[0.0, below], None, 1, &[0.0, 0.0], &mut noise),
            Err(Error::UnavailableAction { index: 1 })
        );
        for logit in [lowest, -1e30, -200.0] {
            for word in [0u32, 1 << 31, u32::MAX, 12345] {
                let standard = [f32::gumbel_from_word(word), f32::gumbel_from_word(!word)];
                categorical_from_gumbel(&[0.0, logit], None, 1, &standard, &mut noise).unwrap();
                assert!(noise.iter().all(|g| g.is_finite()), "{logit}: {noise:?}");
                assert_eq!(argmax_perturbed(&[0.0, logit], None, &noise), Ok(1));
                let mut upstream = [1.0f32, -2.0];
                categorical_backward(&[0.0, logit], None, 1, &noise, &mut upstream).unwrap();
                assert!(upstream.iter().all(|u| u.is_finite()));
            }
        }
    }

    /// Defect 2 in fixed point: the difference of the logits saturates, and the noise with it.
    #[cfg(feature = "fixed")]
    #[test]
    fn fixed_refuses_an_action_of_probability_zero() {
        use crate::Fixed;
        let mut noise = [Fixed::ZERO; 2];
        assert_eq!(
            categorical(
                &mut rng(),
                &[Fixed::MAX, Fixed::LOWEST],
                None,
                1,
                &mut noise
            ),
            Err(Error::UnavailableAction { index: 1 })
        );
        let logits = [Fixed::ZERO, Fixed::from_i32(-16_384)];
        let mut generator = rng();
        for _ in 0..1000 {
            categorical(&mut generator, &logits, None, 1, &mut noise).unwrap();
            assert_eq!(argmax_perturbed(&logits, None, &noise), Ok(1));
            assert!(noise[1] > Fixed::from_i32(16_000), "{noise:?}");
        }
    }

    /// Issue 10, defect 4: `(−f32::MAX, b = 1)` gave `Ok(inf)`; the noise would have to exceed
    /// `f32::MAX`.
    #[test]
    fn binary_refuses_an_outcome_of_probability_zero() {
        assert_eq!(
            binary_from_logistic(-MAX, true, 0.0),
            Err(Error::UnavailableAction { index: 1 })
        );
        assert_eq!(
            binary_from_logistic(MAX, false, 0.0),
            Err(Error::UnavailableAction { index: 0 })
        );
        let mut generator = rng();
        assert_eq!(
            binary(&mut generator, -3e38f32, true),
            Err(Error::UnavailableAction { index: 1 })
        );
        untouched(generator);
        // Up to the limit, the noise is finite and reproduces the outcome.
        let mut generator = rng();
        for logit in [f32::MIN / 2.0, -1e30, -30.0, 0.0, 30.0, 1e30, MAX] {
            for b in [true, false] {
                let logit = if b { logit } else { -logit };
                for _ in 0..200 {
                    let noise = binary(&mut generator, logit, b).unwrap();
                    assert!(noise.is_finite());
                    assert_eq!(logit + noise > 0.0, b, "{logit} {noise}");
                    let d = binary_derivative(logit, b, noise).unwrap();
                    assert!((0.0..=1.0).contains(&d));
                }
            }
        }
    }

    /// Defect 4 in fixed point: logit `LOWEST` with `b = 1` gave noise with `logit + L < 0`.
    #[cfg(feature = "fixed")]
    #[test]
    fn fixed_binary_reproduces_the_outcome() {
        use crate::Fixed;
        assert_eq!(
            binary_from_logistic(Fixed::LOWEST, true, Fixed::ZERO),
            Err(Error::UnavailableAction { index: 1 })
        );
        let mut generator = rng();
        for logit in [Fixed::from_i32(-16_384), Fixed::from_i32(-20), Fixed::MAX] {
            for _ in 0..200 {
                let noise = binary(&mut generator, logit, true).unwrap();
                assert!(logit + noise > Fixed::ZERO, "{logit} {noise}");
            }
        }
    }

    /// Standard variates far outside anything the noise produces would overflow the
    /// conditioning: refused, not turned into infinite noise.
    #[test]
    fn deterministic_maps_refuse_huge_variates() {
        assert_eq!(
            binary_from_logistic(0.0f32, true, MAX),
            Err(Error::NonFiniteUpdate)
        );
        let quarter = MAX / 4.0;
        assert!(
            binary_from_logistic(0.0f32, true, quarter)
                .unwrap()
                .is_finite()
        );
        assert!(
            binary_from_logistic(-1e38f32, true, quarter)
                .unwrap()
                .is_finite()
        );
        let mut noise = [1.0f32; 2];
        assert_eq!(
            categorical_from_gumbel(&[0.0, 0.0], None, 0, &[MAX, 0.0], &mut noise),
            Err(Error::NonFiniteUpdate)
        );
        assert_eq!(noise, [1.0; 2]);
        categorical_from_gumbel(&[0.0, -1e38], None, 1, &[-quarter, quarter], &mut noise).unwrap();
        assert!(noise.iter().all(|g| g.is_finite()));
        assert_eq!(argmax_perturbed(&[0.0, -1e38], None, &noise), Ok(1));
    }

    /// Issue 10, defect 6: an upstream of `[3e38, 3e38]` gave `Ok([inf, inf])`.
    #[test]
    fn backward_refuses_an_upstream_that_would_overflow() {
        let logits = [0.0f32, 0.0];
        let mut noise = [0.0f32; 2];
        categorical(&mut rng(), &logits, None, 0, &mut noise).unwrap();
        let mut upstream = [3e38f32, 3e38];
        assert_eq!(
            categorical_backward(&logits, None, 0, &noise, &mut upstream),
            Err(Error::NonFiniteUpdate)
        );
        assert_eq!(upstream, [3e38, 3e38]);
        // A quarter of the largest finite value in total is accepted, and finite.
        let mut upstream = [MAX / 8.0, -MAX / 8.0];
        categorical_backward(&logits, None, 0, &noise, &mut upstream).unwrap();
        assert!(upstream.iter().all(|u| u.is_finite()));
    }

    /// The tie repair stays finite when the operands are near the largest finite value.
    #[test]
    fn lowering_near_the_largest_value_stays_finite() {
        let g = lower_until_below(MAX, -MAX, 0.0f32);
        assert!(g.is_finite() && -MAX + g < 0.0);
        let g = lower_until_below(1.0f32, 1.0, 2.0);
        assert!(g < 1.0 && g > 0.99);
    }

    #[test]
    fn conditional_refuses_bad_input() {
        let logits = [0.0f32, 1.0, -f32::INFINITY];
        for chosen in [2, 3] {
            testing::refused(3, Error::UnavailableAction { index: chosen }, |rng, out| {
                categorical(rng, &logits, None, chosen, out)
            });
        }
        testing::refused(
            2,
            Error::LengthMismatch {
                expected: 3,
                found: 2,
            },
            |rng, out| categorical(rng, &logits, None, 0, out),
        );
        testing::refused(3, Error::AllMasked, |rng, out| {
            categorical(rng, &logits, Some(&[false; 3]), 0, out)
        });
        testing::refused(3, Error::Nan { index: 1 }, |_, out| {
            categorical_from_gumbel(&logits, None, 0, &[0.0, f32::NAN, 0.0], out)
        });
        // Noise that does not produce `chosen`.
        let mut u = [1.0f32, 1.0, 1.0];
        assert_eq!(
            categorical_backward(&logits, None, 0, &[0.0, 0.0, 0.0], &mut u),
            Err(Error::NoiseMismatch)
        );
        assert_eq!(u, [1.0; 3]);
        assert_eq!(
            binary(&mut testing::rng(), f32::NAN, true),
            Err(Error::Nan { index: 0 })
        );
        assert_eq!(
            binary(&mut testing::rng(), -f32::INFINITY, true),
            Err(Error::NotFinite { index: 0 })
        );
        assert_eq!(
            binary_derivative(0.0f32, true, -1.0),
            Err(Error::NoiseMismatch)
        );
    }
}

/// Test support for the unit tests here and in the estimators: refusals leave outputs and the
/// generator untouched.
#[cfg(test)]
pub(crate) mod testing {
    use rand_core::{Rng, SeedableRng};
    use rand_xoshiro::Xoshiro128PlusPlus;

    use crate::Error;

    /// What output buffers hold before a call that must not write them.
    pub(crate) const SENTINEL: f32 = 12345.0;

    pub(crate) fn rng() -> Xoshiro128PlusPlus {
        Xoshiro128PlusPlus::seed_from_u64(1)
    }

    /// Runs `call` with a fresh generator and a sentinel-filled output of length `n`; checks
    /// the error, that the output is untouched and that no random word was drawn.
    pub(crate) fn refused(
        n: usize,
        expected: Error,
        call: impl FnOnce(&mut Xoshiro128PlusPlus, &mut [f32]) -> Result<(), Error>,
    ) {
        let mut generator = rng();
        let mut out = vec![SENTINEL; n];
        assert_eq!(call(&mut generator, &mut out), Err(expected));
        assert!(
            out.iter().all(|&x| x == SENTINEL),
            "output written: {out:?}"
        );
        assert_eq!(generator.next_u32(), rng().next_u32(), "random words drawn");
    }
}
