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
//! The logit must be finite ([`Error::Nan`] / [`Error::NotFinite`] otherwise): an infinite logit is
//! a deterministic variable, not a relaxation. One random word per sample.

use rand_core::Rng;

use crate::scalar::{sigmoid, softplus};
use crate::validate::finite_scalar;
use crate::{Error, Scalar, Temperature};

/// Draws the logit-space sample `y = (logit + L) / λ`, clamped to the finite range.
pub fn sample_logit<S: Scalar, R: Rng + ?Sized>(
    rng: &mut R,
    logit: S,
    temperature: Temperature<S>,
) -> Result<S, Error> {
    finite_scalar(logit)?;
    Ok(from_noise_unchecked(
        logit,
        S::logistic_from_word(rng.next_u32()),
        temperature,
    ))
}

/// Draws a relaxed Bernoulli sample `x = σ((logit + L) / λ)` in `[0, 1]`.
pub fn sample<S: Scalar, R: Rng + ?Sized>(
    rng: &mut R,
    logit: S,
    temperature: Temperature<S>,
) -> Result<S, Error> {
    sample_logit(rng, logit, temperature).map(sigmoid)
}

/// The logit-space relaxation for given logistic noise: `(logit + noise) / λ`, clamped to the
/// finite range. The hard sample is `y > 0`, i.e. `logit + noise > 0`.
pub fn logit_from_noise<S: Scalar>(
    logit: S,
    noise: S,
    temperature: Temperature<S>,
) -> Result<S, Error> {
    finite_scalar(logit)?;
    finite_scalar(noise)?;
    Ok(from_noise_unchecked(logit, noise, temperature))
}

pub(crate) fn from_noise_unchecked<S: Scalar>(
    logit: S,
    noise: S,
    temperature: Temperature<S>,
) -> S {
    ((logit + noise) / temperature.get())
        .max(S::LOWEST)
        .min(S::MAX)
}

/// Log-density of the logit-space sample `Y = (logit + L)/λ` at `y`:
/// `ln λ − u − 2·softplus(−u)` with `u = λy − logit` (a logistic density, scaled). Finite for
/// every finite `y`.
pub fn log_density_logit<S: Scalar>(
    logit: S,
    temperature: Temperature<S>,
    y: S,
) -> Result<S, Error> {
    finite_scalar(logit)?;
    finite_scalar(y)?;
    let lambda = temperature.get();
    let u = lambda * y - logit;
    Ok(lambda.ln() - u - (S::ONE + S::ONE) * softplus(-u))
}

/// Log-density of the binary Concrete `X` at `x ∈ (0, 1)` with respect to Lebesgue measure:
/// `ln λ + logit − (λ+1)(ln x + ln(1−x)) − 2 ln(e^logit x^−λ + (1−x)^−λ)`, evaluated as the
/// logit-space density at `y = ln x − ln(1−x)` minus `ln x + ln(1−x)`. `x` outside the open
/// interval is [`Error::OutsideSupport`].
pub fn log_density<S: Scalar>(logit: S, temperature: Temperature<S>, x: S) -> Result<S, Error> {
    if x.is_nan() {
        return Err(Error::Nan { index: 0 });
    }
    if !(x > S::ZERO && x < S::ONE) {
        return Err(Error::OutsideSupport);
    }
    let ln_x = x.ln();
    let ln_1m_x = (-x).ln_1p();
    Ok(log_density_logit(logit, temperature, ln_x - ln_1m_x)? - ln_x - ln_1m_x)
}

/// The cumulative distribution function `P(X ≤ x) = σ(λ·(ln x − ln(1−x)) − logit)`, for
/// `x ∈ [0, 1]` (0 and 1 at the ends).
pub fn cdf<S: Scalar>(logit: S, temperature: Temperature<S>, x: S) -> Result<S, Error> {
    finite_scalar(logit)?;
    if x.is_nan() {
        return Err(Error::Nan { index: 0 });
    }
    if x <= S::ZERO {
        return Ok(S::ZERO);
    }
    if x >= S::ONE {
        return Ok(S::ONE);
    }
    let y = x.ln() - (-x).ln_1p();
    Ok(sigmoid(temperature.get() * y - logit))
}
