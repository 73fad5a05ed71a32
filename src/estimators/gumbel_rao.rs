//! The Gumbel-Rao estimator (Paulus, Maddison and Krause 2021): the straight-through gradient
//! Rao-Blackwellised over the noise. Given the drawn action `a`, it averages the Concrete VJP
//! over `M` draws of Gumbel noise *conditioned on* `argmax(θ + g) = a`
//! ([`conditional`]):
//! `(1/M) Σ_m y^m ⊙ (v − ⟨v, y^m⟩)/λ`, `y^m = softmax((θ + g^m)/λ)`, with the upstream
//! `v = ∂f/∂D` at the hard one-hot `D = one_hot(a)`. Same expectation as
//! [`straight_through`](super::straight_through), and variance no larger for every `M ≥ 1`.
//!
//! Streamed: each draw is folded into the output as it is made, so the memory is one noise
//! buffer of `K`, whatever `M`. Cost: `M` conditional draws (`K` random words each) and `O(MK)`
//! arithmetic.
//!
//! Errors as in [`reparam`](super::reparam) and [`conditional`], plus
//! `draws == 0` → [`Error::InvalidParameter`] and a scratch or output buffer of another length
//! → [`Error::LengthMismatch`]. Every check happens before the first random word is drawn; on
//! error nothing is written.

use rand_core::Rng;

use super::reparam::ConcreteSample;
use crate::conditional::condition_in_place;
use crate::scalar::{from_count, sigmoid};
use crate::validate::{finite_scalar, support_with_action};
use crate::{Error, Scalar, Temperature, conditional};

/// Writes the Gumbel-Rao estimate of `∂E[f]/∂logits` to `gradient`, for the action `action`
/// and the upstream `v = ∂f/∂D` at its one-hot. `scratch` (the logits' length) holds each
/// conditional noise draw in turn.
#[allow(clippy::too_many_arguments)]
pub fn categorical<S: Scalar, R: Rng + ?Sized>(
    rng: &mut R,
    logits: &[S],
    allowed: Option<&[bool]>,
    action: usize,
    temperature: Temperature<S>,
    draws: usize,
    upstream: &[S],
    scratch: &mut [S],
    gradient: &mut [S],
) -> Result<(), Error> {
    let support = support_with_action(logits, allowed, action)?;
    support.same_len(scratch.len())?;
    support.same_len(gradient.len())?;
    if draws == 0 {
        return Err(Error::InvalidParameter);
    }
    // Checks the upstream gradient and the overflow bound once for all draws: the bound does
    // not depend on the noise.
    scratch.fill(S::ZERO);
    ConcreteSample::validated(support, scratch, temperature).checked_inner(upstream)?;

    gradient.fill(S::ZERO);
    for _ in 0..draws {
        crate::noise::fill_gumbel(rng, scratch);
        condition_in_place(&support, action, scratch);
        let relaxed = ConcreteSample::validated(support, scratch, temperature);
        let mut inner = S::ZERO;
        for (i, &v) in upstream.iter().enumerate() {
            inner += v * relaxed.y(i);
        }
        for (i, (out, &v)) in gradient.iter_mut().zip(upstream).enumerate() {
            *out += relaxed.y(i) * (v - inner);
        }
    }
    let count = from_count::<S>(draws);
    let lambda = temperature.get();
    for out in gradient.iter_mut() {
        *out = *out / count / lambda;
    }
    Ok(())
}

/// The Gumbel-Rao estimate for a binary sample `b`: `(v/λ) (1/M) Σ_m σ'(y^m)` with
/// `y^m = (logit + L^m)/λ` for logistic noise `L^m` conditioned on `b`, and `v = ∂f/∂b`.
pub fn binary<S: Scalar, R: Rng + ?Sized>(
    rng: &mut R,
    logit: S,
    b: bool,
    temperature: Temperature<S>,
    draws: usize,
    upstream: S,
) -> Result<S, Error> {
    finite_scalar(logit)?;
    finite_scalar(upstream)?;
    if draws == 0 {
        return Err(Error::InvalidParameter);
    }
    let lambda = temperature.get();
    if !(S::from_i32(4) * upstream.abs() / lambda).is_finite() {
        return Err(Error::NonFiniteUpdate);
    }
    let mut total = S::ZERO;
    for _ in 0..draws {
        let noise = conditional::binary(rng, logit, b)?;
        let y = crate::binary::logit_from_noise(logit, noise, temperature)?;
        total += sigmoid(y) * sigmoid(-y);
    }
    Ok(upstream * (total / from_count::<S>(draws)) / lambda)
}
