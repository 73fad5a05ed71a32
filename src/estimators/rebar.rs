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
//! Errors: those of [`relax`](super::relax), listed in the
//! [control-variate notes](super::control_variate); the objective's value at the one-hot of the
//! drawn action (or at `b`) is computed before anything is drawn, so its refusal draws nothing.
//! On `Ok` the gradient and the [`Terms`] are finite.

use rand_core::Rng;

use super::control_variate::{self, BinarySurrogate, Surrogate, Terms, three_blocks};
use super::straight_through::one_hot;
use super::{Buffers, Draw};
use crate::validate::finite_scalar;
use crate::{Error, Scalar, Temperature};

/// The REBAR estimate of `∂E[f]/∂logits` for the action drawn with `draw.noise`, written to
/// `out.gradient`; `out.scratch` needs
/// [`SCRATCH_PER_ACTION`](super::control_variate::SCRATCH_PER_ACTION) × K slots. Draws `K`
/// random words for the conditional noise.
pub fn categorical<S, R, F>(
    rng: &mut R,
    draw: Draw<'_, S>,
    temperature: Temperature<S>,
    eta: S,
    objective: &mut F,
    out: Buffers<'_, S>,
) -> Result<Terms<S>, Error>
where
    S: Scalar,
    R: Rng + ?Sized,
    F: Surrogate<S> + ?Sized,
{
    let checked = control_variate::check(draw, &out)?;
    finite_scalar(eta)?;
    // f(b): the objective at the one-hot of the action, before anything is drawn.
    let (hard, gradient, _) = three_blocks(out.scratch, draw.logits.len())?;
    one_hot(checked.action, hard)?;
    let value = objective.evaluate(hard, gradient)?;
    finite_scalar(value)?;
    control_variate::categorical(rng, checked, temperature, eta, value, objective, out)
}

/// The REBAR estimate for a binary sample `b = (logit + noise > 0)`: returns the gradient with
/// respect to the logit and the terms. Draws one random word.
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
    finite_scalar(eta)?;
    let b = logit + noise > S::ZERO;
    crate::conditional::outcome_logit(logit, b)?;
    let (value, _) = objective.evaluate(if b { S::ONE } else { S::ZERO })?;
    finite_scalar(value)?;
    control_variate::binary(rng, logit, noise, temperature, eta, value, objective)
}
