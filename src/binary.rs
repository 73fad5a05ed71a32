//! The binary Concrete distribution (Maddison et al. 2017, §3.3): the logistic relaxation of a
//! Bernoulli variable with `P(1) = σ(logit)`. A sample is `X = σ(Y)` with the *logit-space*
//! sample `Y = (logit + L) / λ`, `L` standard logistic; as λ → 0, `X` → Bernoulli(σ(logit)).
//!
//! Work in logit space where you can: `Y` is finite for every λ, while `X` rounds to exactly 0 or
//! 1 once `|Y|` exceeds about 17 (`f32`), which is outside the open interval where the density of
//! `X` lives. [`log_density_logit`] is finite for every finite `y`; [`log_density`] for every `x`
//! strictly inside (0, 1), computing `ln(1 − x)` as `ln_1p(−x)` so points near either end keep
//! their accuracy (where peers return NaN or ±inf).
//!
//! # What is refused, and the range of the outputs
//! - The logit must be finite ([`Error::Nan`] / [`Error::NotFinite`] otherwise): an infinite
//!   logit is a deterministic variable, not a relaxation. So must given noise and points `y`.
//!   A temperature is a [`Temperature`], valid by construction.
//! - Samples: `y` is finite (clamped to `±MAX` where `(logit + L)/λ` overflows) and has the sign
//!   of `logit + L`, so the hard sample `y > 0` is exactly `logit + L > 0`; `x = σ(y)` lies in
//!   `[0, 1]`. One random word per sample, none when refused.
//! - Log-densities are finite; a point so far into the tail that its log-density (about
//!   `−|λy − logit|`) is below the representable range is [`Error::OutsideSupport`], as for the
//!   [Concrete densities](crate::concrete). The logit-space density is at most `ln λ − 2 ln 2`.
//! - The CDF lies in `[0, 1]`.

use rand_core::Rng;

use crate::scalar::{sigmoid, softplus};
use crate::validate::{finite_scalar, not_nan};
use crate::{Error, Scalar, Temperature};

/// Draws the logit-space sample `y = (logit + L) / λ`, clamped to the finite range, with the
/// sign of `logit + L` even where the quotient underflows. Refuses a NaN or infinite logit
/// ([`Error::Nan`], [`Error::NotFinite`]) without drawing.
pub fn sample_logit<S: Scalar, R: Rng + ?Sized>(
    rng: &mut R,
    logit: S,
    temperature: Temperature<S>,
) -> Result<S, Error> {
    finite_scalar(logit)?;
    Ok(logit_from_noise_unchecked(
        logit,
        S::logistic_from_word(rng.next_u32()),
        temperature,
    ))
}

/// Draws a relaxed Bernoulli sample `x = σ((logit + L) / λ)` in `[0, 1]`; refuses as
/// [`sample_logit`].
pub fn sample<S: Scalar, R: Rng + ?Sized>(
    rng: &mut R,
    logit: S,
    temperature: Temperature<S>,
) -> Result<S, Error> {
    sample_logit(rng, logit, temperature).map(sigmoid)
}

/// The logit-space relaxation for given logistic noise: `(logit + noise) / λ`, clamped to the
/// finite range. The hard sample is `y > 0`, which is exactly `logit + noise > 0`: a quotient
/// that underflows to 0 (a tiny sum over a huge λ) is returned as the smallest value of the
/// sum's sign. Refuses a NaN or infinite logit or noise ([`Error::Nan`], [`Error::NotFinite`]).
pub fn logit_from_noise<S: Scalar>(
    logit: S,
    noise: S,
    temperature: Temperature<S>,
) -> Result<S, Error> {
    finite_scalar(logit)?;
    finite_scalar(noise)?;
    Ok(logit_from_noise_unchecked(logit, noise, temperature))
}

/// `(logit + noise) / λ`, clamped to the finite range, with the sign of `logit + noise`: a
/// quotient that underflows to 0 (a tiny sum over a huge λ) becomes the smallest value of that
/// sign, so that `y > 0` exactly when `logit + noise > 0`.
pub(crate) fn logit_from_noise_unchecked<S: Scalar>(
    logit: S,
    noise: S,
    temperature: Temperature<S>,
) -> S {
    let sum = logit + noise;
    // In the binary sampler's deepest frame: the division that adds the least below it.
    let y = sum
        .div_shallow(temperature.get())
        .max(S::LOWEST)
        .min(S::MAX);
    let smallest = S::from_bits(1);
    if y == S::ZERO && sum > S::ZERO {
        smallest
    } else if y == S::ZERO && sum < S::ZERO {
        -smallest
    } else {
        y
    }
}

/// Log-density of the logit-space sample `Y = (logit + L)/λ` at `y`:
/// `ln λ − u − 2·softplus(−u)` with `u = λy − logit` (a logistic density, scaled), at most
/// `ln λ − 2 ln 2`. Refuses a NaN or infinite logit or `y` ([`Error::Nan`],
/// [`Error::NotFinite`]), and a `y` whose `λy` or `λy − logit` reaches the largest finite
/// value ([`Error::OutsideSupport`]: the log-density there, about `−|λy − logit|`, is not
/// representable, and fixed point would saturate); otherwise finite.
pub fn log_density_logit<S: Scalar>(
    logit: S,
    temperature: Temperature<S>,
    y: S,
) -> Result<S, Error> {
    finite_scalar(logit)?;
    finite_scalar(y)?;
    let lambda = temperature.get();
    let scaled = lambda * y;
    let u = scaled - logit;
    // λy or λy − logit at (f32: beyond) the largest finite value: the log-density, about
    // −|λy − logit|, is not representable (and in fixed point the saturated value is wrong).
    let edge = |v: S| v.abs() >= S::MAX;
    if edge(scaled) || edge(u) {
        return Err(Error::OutsideSupport);
    }
    let softplus_u = softplus(-u);
    Ok(if u >= -(S::MAX * S::HALF * S::HALF) {
        lambda.ln() - u - (softplus_u + softplus_u)
    } else {
        // Far below zero 2·softplus(−u) ≈ 2|u| would overflow; the symmetric form
        // ln λ − |u| − 2 ln(1 + e^{−|u|}) does not (and for u ≥ 0 it is the line above).
        let magnitude = u.abs();
        let tail = (-magnitude).exp().ln_1p();
        lambda.ln() - magnitude - (tail + tail)
    })
}

/// Log-density of the binary Concrete `X` at `x ∈ (0, 1)` with respect to Lebesgue measure:
/// `ln λ + logit − (λ+1)(ln x + ln(1−x)) − 2 ln(e^logit x^−λ + (1−x)^−λ)`, evaluated as the
/// logit-space density at `y = ln x − ln(1−x)` minus `ln x + ln(1−x)`. Refuses a NaN `x`
/// ([`Error::Nan`]), `x` outside the open interval and points whose log-density is not
/// representable ([`Error::OutsideSupport`]), and what [`log_density_logit`] refuses;
/// otherwise finite.
pub fn log_density<S: Scalar>(logit: S, temperature: Temperature<S>, x: S) -> Result<S, Error> {
    not_nan(x)?;
    if !(x > S::ZERO && x < S::ONE) {
        return Err(Error::OutsideSupport);
    }
    let ln_x = x.ln();
    let ln_1m_x = (-x).ln_1p();
    Ok(log_density_logit(logit, temperature, ln_x - ln_1m_x)? - ln_x - ln_1m_x)
}

/// The cumulative distribution function `P(X ≤ x) = σ(λ·(ln x − ln(1−x)) − logit)`, for
/// `x ∈ [0, 1]` (0 below and 1 above, so any non-NaN `x`); the result lies in `[0, 1]`. Refuses
/// a NaN or infinite logit and a NaN `x` ([`Error::Nan`], [`Error::NotFinite`]).
pub fn cdf<S: Scalar>(logit: S, temperature: Temperature<S>, x: S) -> Result<S, Error> {
    finite_scalar(logit)?;
    not_nan(x)?;
    if x <= S::ZERO {
        return Ok(S::ZERO);
    }
    if x >= S::ONE {
        return Ok(S::ONE);
    }
    let y = x.ln() - (-x).ln_1p();
    Ok(sigmoid(temperature.get() * y - logit))
}

#[cfg(test)]
mod tests {
    use rand_core::SeedableRng;
    use rand_xoshiro::Xoshiro128PlusPlus;

    use super::*;

    fn lambda(x: f32) -> Temperature<f32> {
        Temperature::new(x).unwrap()
    }

    /// `ln λ − |u| − 2 ln(1 + e^{−|u|})` in f64, the logistic log-density at `u = λy − logit`.
    fn reference(logit: f32, lambda: f32, y: f32) -> f64 {
        let u = (f64::from(lambda) * f64::from(y) - f64::from(logit)).abs();
        f64::from(lambda).ln() - u - 2.0 * (-u).exp().ln_1p()
    }

    /// Issue 10, defect 3: these returned `Ok(NaN)`, `Ok(NaN)` and `Ok(-inf)`: `λy − logit`
    /// overflows, so the log-density (about `−|λy|`) is not representable.
    #[test]
    fn unrepresentable_log_densities_are_refused() {
        for (logit, l, y) in [(0.0, 2.0, -f32::MAX), (0.0, 1e30, -1e10), (0.0, 1e30, 1e10)] {
            assert_eq!(
                log_density_logit(logit, lambda(l), y),
                Err(Error::OutsideSupport),
                "{logit} {l} {y}"
            );
        }
    }

    /// Defect 3: at logit 3e38 and λ = 1e-30 the sample is clamped to `f32::MAX`, where
    /// `2·softplus(−u)` overflowed although the log-density, ≈ −3e38, is representable.
    #[test]
    fn the_clamped_sample_has_a_finite_density() {
        let l = lambda(1e-30);
        let mut rng = Xoshiro128PlusPlus::seed_from_u64(3);
        let y = sample_logit(&mut rng, 3e38f32, l).unwrap();
        assert_eq!(y, f32::MAX);
        for (logit, y) in [(3e38f32, y), (-3e38, -f32::MAX), (3e38, 0.0)] {
            let got = f64::from(log_density_logit(logit, l, y).unwrap());
            let expected = reference(logit, 1e-30, y);
            // Three roundings of magnitude |u| (the product, the difference, the result).
            assert!(
                (got - expected).abs() <= 3.0 * f64::from(f32::EPSILON) * expected.abs(),
                "{logit} {y}: {got} vs {expected}"
            );
        }
    }

    /// Issue 10, item 9: `(1e-20 + 0) / 1e30` underflowed to 0, so the hard sample `y > 0`
    /// no longer matched `logit + noise > 0`.
    #[test]
    fn the_relaxation_keeps_the_sign_of_logit_plus_noise() {
        let huge = lambda(1e30);
        let y = logit_from_noise(1e-20f32, 0.0, huge).unwrap();
        assert!(y > 0.0, "{y}");
        assert!(logit_from_noise(-1e-20f32, 0.0, huge).unwrap() < 0.0);
        assert_eq!(logit_from_noise(1.0f32, -1.0, huge), Ok(0.0));
        // Overflow clamps, keeping the sign.
        assert_eq!(
            logit_from_noise(f32::MAX, f32::MAX, lambda(1e-30)),
            Ok(f32::MAX)
        );
        assert_eq!(
            logit_from_noise(-f32::MAX, -1.0, lambda(1e-30)),
            Ok(-f32::MAX)
        );
    }

    /// Item 9 in fixed point: one LSB over the largest temperature rounds to 0.
    #[cfg(feature = "fixed")]
    #[test]
    fn fixed_relaxation_keeps_the_sign() {
        use crate::Fixed;
        let huge = Temperature::new(Fixed::MAX).unwrap();
        let lsb = Fixed::EPSILON;
        assert!(logit_from_noise(lsb, Fixed::ZERO, huge).unwrap() > Fixed::ZERO);
        assert!(logit_from_noise(-lsb, Fixed::ZERO, huge).unwrap() < Fixed::ZERO);
    }

    #[test]
    fn nan_and_out_of_range_points() {
        let l = lambda(0.5);
        assert_eq!(
            log_density(0.0f32, l, f32::NAN),
            Err(Error::Nan { index: 0 })
        );
        assert_eq!(log_density(0.0f32, l, 0.0), Err(Error::OutsideSupport));
        assert_eq!(log_density(0.0f32, l, 1.0), Err(Error::OutsideSupport));
        assert_eq!(cdf(0.0f32, l, f32::NAN), Err(Error::Nan { index: 0 }));
        assert_eq!(cdf(0.0f32, l, -f32::INFINITY), Ok(0.0));
        assert_eq!(cdf(0.0f32, l, f32::INFINITY), Ok(1.0));
        assert_eq!(cdf(0.0f32, l, 0.5), Ok(0.5));
        // The densest point: u = 0, ln λ − 2 ln 2.
        let top = log_density_logit(1.0f32, l, 2.0).unwrap();
        assert!((f64::from(top) - (0.5f64.ln() - 2.0 * 2f64.ln())).abs() < 1e-6);
    }
}
