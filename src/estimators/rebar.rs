//! REBAR (Tucker, Mnih, Maddison, Lawson and Sohl-Dickstein 2017): the
//! [control-variate estimator](super::control_variate) with the surrogate `c = f ∘ σ_λ`, the
//! objective itself evaluated on the relaxed sample. Unbiased for any η; choose η by hand or
//! adapt it with [`AdaptiveEta`](super::control_variate::AdaptiveEta) from the returned
//! [`Terms`].
//!
//! The objective must therefore be defined and differentiable on relaxed samples, not only on
//! one-hot vectors: implement [`Surrogate`] for it. `f(b)` is its value at the one-hot of `b`
//! (or at `b ∈ {0, 1}` for the binary case).
//!
//! Errors: those of [`relax`](super::relax) (which this calls with the objective as surrogate).

use rand_core::Rng;

use super::control_variate::{self, BinarySurrogate, SCRATCH_PER_ACTION, Surrogate, Terms};
use super::straight_through::one_hot;
use crate::categorical::argmax_perturbed;
use crate::validate::finite_scalar;
use crate::{Error, Scalar, Temperature};

/// The REBAR estimate of `∂E[f]/∂logits` for the action drawn with the Gumbel `noise`, written
/// to `gradient`; `scratch` needs [`SCRATCH_PER_ACTION`] × K slots.
#[allow(clippy::too_many_arguments)]
pub fn categorical<S, R, F>(
    rng: &mut R,
    logits: &[S],
    allowed: Option<&[bool]>,
    noise: &[S],
    temperature: Temperature<S>,
    eta: S,
    objective: &mut F,
    scratch: &mut [S],
    gradient: &mut [S],
) -> Result<Terms<S>, Error>
where
    S: Scalar,
    R: Rng + ?Sized,
    F: Surrogate<S> + ?Sized,
{
    let k = logits.len();
    let action = argmax_perturbed(logits, allowed, noise)?;
    if scratch.len() < SCRATCH_PER_ACTION * k {
        return Err(Error::BufferTooSmall {
            needed: SCRATCH_PER_ACTION * k,
            found: scratch.len(),
        });
    }
    let (hard, rest) = scratch.split_at_mut(k);
    one_hot(action, hard)?;
    let value = objective.evaluate(hard, &mut rest[..k])?;
    finite_scalar(value)?;
    control_variate::categorical(
        rng,
        logits,
        allowed,
        noise,
        temperature,
        eta,
        value,
        objective,
        scratch,
        gradient,
    )
}

/// The REBAR estimate for a binary sample `b = (logit + noise > 0)`: returns the gradient with
/// respect to the logit and the terms.
pub fn binary<S, R, F>(
    rng: &mut R,
    logit: S,
    noise: S,
    temperature: Temperature<S>,
    eta: S,
    objective: &mut F,
) -> Result<(S, Terms<S>), Error>
where
    S: Scalar,
    R: Rng + ?Sized,
    F: BinarySurrogate<S> + ?Sized,
{
    crate::binary::logit_from_noise(logit, noise, temperature)?;
    let b = logit + noise > S::ZERO;
    let (value, _) = objective.evaluate(if b { S::ONE } else { S::ZERO })?;
    finite_scalar(value)?;
    control_variate::binary(rng, logit, noise, temperature, eta, value, objective)
}
