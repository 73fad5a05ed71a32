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

use rand_core::Rng;

use crate::categorical::argmax_perturbed;
use crate::scalar::{LogSumExp, log_add_exp, sigmoid, softplus};
use crate::validate::{Support, finite, finite_scalar, support_with_action};
use crate::{Error, Scalar};

/// Draws Gumbel noise conditioned on `argmax_k (logits_k + noise_k) = chosen` into `noise` (the
/// logits' length).
pub fn categorical<S: Scalar, R: Rng + ?Sized>(
    rng: &mut R,
    logits: &[S],
    allowed: Option<&[bool]>,
    chosen: usize,
    noise: &mut [S],
) -> Result<(), Error> {
    let support = support_with_action(logits, allowed, chosen)?;
    support.same_len(noise.len())?;
    crate::noise::fill_gumbel(rng, noise);
    condition_in_place(&support, chosen, noise);
    Ok(())
}

/// The deterministic map behind [`categorical`]: turns independent standard Gumbel variates
/// `standard` into the conditional noise, written to `noise`. For tests and for callers that
/// manage their own random words.
pub fn categorical_from_gumbel<S: Scalar>(
    logits: &[S],
    allowed: Option<&[bool]>,
    chosen: usize,
    standard: &[S],
    noise: &mut [S],
) -> Result<(), Error> {
    let support = support_with_action(logits, allowed, chosen)?;
    support.same_len(standard.len())?;
    support.same_len(noise.len())?;
    finite(standard)?;
    noise.copy_from_slice(standard);
    condition_in_place(&support, chosen, noise);
    Ok(())
}

/// `buf` holds standard Gumbel variates on entry and the conditional noise on exit.
pub(crate) fn condition_in_place<S: Scalar>(support: &Support<S>, chosen: usize, buf: &mut [S]) {
    let mut lse = LogSumExp::new();
    for k in 0..support.len() {
        if let Some(theta) = support.effective(k) {
            lse.push(theta);
        }
    }
    let theta_k = support.effective(chosen).unwrap_or(S::ZERO);
    let z_k = buf[chosen] + lse.value();
    buf[chosen] = z_k - theta_k;
    // The perturbed maximum exactly as `argmax_perturbed` will recompute it.
    let top = theta_k + buf[chosen];
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
    let mut step = S::EPSILON * (base.abs() + g.abs() + limit.abs() + S::ONE);
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
/// `noise` must be conditional noise for `chosen` (as written by [`categorical`]); errors as
/// there, plus [`Error::LengthMismatch`], [`Error::Nan`] / [`Error::NotFinite`] for the
/// noise or the upstream gradient, and [`Error::NoiseMismatch`] if the noise does not make
/// `chosen` the argmax. Nothing is written on error.
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
    let perturbed = |i: usize| support.effective(i).map(|theta| theta + noise[i]);
    let top = perturbed(chosen).unwrap_or(S::ZERO);
    let mut lse = LogSumExp::new();
    let mut through_max = S::ZERO;
    for (i, &u) in upstream.iter().enumerate() {
        if let Some(theta) = support.effective(i) {
            lse.push(theta);
        }
        if let Some(z) = perturbed(i) {
            through_max += if i == chosen { u } else { u * (z - top).exp() };
        }
    }
    let log_normaliser = lse.value();
    for (i, u) in upstream.iter_mut().enumerate() {
        *u = match (support.effective(i), perturbed(i)) {
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
/// [module documentation](self)). The logit must be finite.
pub fn binary<S: Scalar, R: Rng + ?Sized>(rng: &mut R, logit: S, b: bool) -> Result<S, Error> {
    finite_scalar(logit)?;
    Ok(condition_binary(logit, b, crate::noise::logistic(rng)))
}

/// The deterministic map behind [`binary`](fn@binary): the conditional noise for the standard logistic
/// variate `standard`.
pub fn binary_from_logistic<S: Scalar>(logit: S, b: bool, standard: S) -> Result<S, Error> {
    finite_scalar(logit)?;
    finite_scalar(standard)?;
    Ok(condition_binary(logit, b, standard))
}

fn condition_binary<S: Scalar>(logit: S, b: bool, standard: S) -> S {
    // Work with the logit of the observed outcome: b = 0 is b = 1 for the logit -θ, negated.
    let theta = if b { logit } else { -logit };
    let log_u = log_add_exp(-softplus(theta), -softplus(-standard) - softplus(-theta));
    let magnitude = log_u + softplus(standard) + softplus(-theta);
    // Need theta + magnitude > 0; rounding can only produce a tie at 0.
    let magnitude = -lower_until_below(-magnitude, -theta, S::ZERO);
    if b { magnitude } else { -magnitude }
}

/// `dz̃/dθ` for the conditional logistic sample `z̃ = logit + noise`, the uniform behind the
/// noise held fixed: `σ(sθ)(1 − e^{−s z̃})` with `s = +1` for `b` and `−1` otherwise; it lies in
/// `[0, 1]`. `noise` must be conditional noise for `b` ([`Error::NoiseMismatch`] otherwise).
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
