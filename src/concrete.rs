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

use crate::scalar::{LogSumExp, from_count, ln_factorial_of_predecessor};
use crate::validate::{Support, finite, support};
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
    sample_inner(rng, logits, allowed, temperature, out, false).map(|_| ())
}

/// Draws an ExpConcrete sample `y = log softmax((logits + G) / λ)` into `out`.
pub fn sample_log<S: Scalar, R: Rng + ?Sized>(
    rng: &mut R,
    logits: &[S],
    allowed: Option<&[bool]>,
    temperature: Temperature<S>,
    out: &mut [S],
) -> Result<(), Error> {
    sample_inner(rng, logits, allowed, temperature, out, true).map(|_| ())
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

pub(crate) fn sample_inner<S: Scalar, R: Rng + ?Sized>(
    rng: &mut R,
    logits: &[S],
    allowed: Option<&[bool]>,
    temperature: Temperature<S>,
    out: &mut [S],
    log_space: bool,
) -> Result<usize, Error> {
    let support = support(logits, allowed)?;
    support.same_len(out.len())?;
    for g in out.iter_mut() {
        *g = S::gumbel_from_word(rng.next_u32());
    }
    Ok(softmax_in_place(&support, temperature, out, log_space))
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
    Ok(softmax_in_place(&support, temperature, out, log_space))
}

/// `buf` holds the noise on entry and the sample (or its log) on exit. Returns the argmax.
fn softmax_in_place<S: Scalar>(
    support: &Support<S>,
    temperature: Temperature<S>,
    buf: &mut [S],
    log_space: bool,
) -> usize {
    // Pass 1: perturbed logits z, their maximum and its (first) index.
    let mut best = usize::MAX;
    let mut max = S::ZERO;
    for (k, slot) in buf.iter_mut().enumerate() {
        if let Some(effective) = support.effective(k) {
            let z = effective + *slot;
            *slot = z;
            if best == usize::MAX || z > max {
                best = k;
                max = z;
            }
        }
    }
    // Pass 2: scaled logits (z - max)/λ <= 0 and the sum of their exponentials, in [1, K].
    // A division, not a product with 1/λ: 1/λ overflows for subnormal λ and 0·inf is NaN. The
    // clamp keeps y finite even where (z - max)/λ overflows.
    let lambda = temperature.get();
    // The sum is accumulated wider than S (see `Scalar::ExpSum`; in f32 it is the f32 sum).
    let mut sum = S::exp_sum_new();
    for (k, slot) in buf.iter_mut().enumerate() {
        if support.effective(k).is_some() {
            let scaled = ((*slot - max) / lambda).max(S::LOWEST);
            let e = S::exp_and_accumulate(scaled, &mut sum);
            *slot = if log_space { scaled } else { e };
        }
    }
    // Pass 3: normalise; masked actions get exactly 0 (or the log of 0).
    // Only the one the output needs: ln of the sum in log space, its reciprocal otherwise.
    let normaliser = if log_space {
        S::exp_sum_ln(sum)
    } else {
        S::exp_sum_recip(sum)
    };
    for (k, slot) in buf.iter_mut().enumerate() {
        *slot = match (support.effective(k).is_some(), log_space) {
            // Never the masked marker: in fixed point LN_ZERO is LOWEST itself.
            (true, true) => (*slot - normaliser).max(S::LOWEST + S::EPSILON),
            (true, false) => *slot * normaliser,
            (false, true) => S::LN_ZERO,
            (false, false) => S::ZERO,
        };
    }
    best.min(buf.len().saturating_sub(1))
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

/// A Concrete sample from logits validated once ([`distributions::Concrete`](crate::distributions::Concrete)):
/// the same words and the same bits as [`sample`] from the same generator state. `out` has one
/// value per logit (the caller's type guarantees it).
#[inline]
pub(crate) fn sample_from_support<S: Scalar, R: Rng + ?Sized>(
    support: &Support<S>,
    temperature: Temperature<S>,
    rng: &mut R,
    out: &mut [S],
) {
    for g in out.iter_mut() {
        *g = S::gumbel_from_word(rng.next_u32());
    }
    softmax_in_place(support, temperature, out, false);
}
