//! RELAX (Grathwohl, Choi, Wu, Roeder and Duvenaud 2018): the
//! [control-variate estimator](super::control_variate) with a free differentiable surrogate `c`
//! (η = 1; scale `c` instead) and the objective known only by its value `f(b)` at the sample, so
//! `f` may be a black box: a reward from the world, a loss through non-differentiable code.
//! Unbiased for every surrogate; the closer `c` tracks `f`, the lower the variance. In a learner
//! the surrogate is a critic trained to minimise the estimator's variance.
//!
//! # Training the surrogate
//! RELAX trains `c_φ` to minimise the variance, by descending `2⟨ĝ, ∂ĝ/∂φ⟩`. When `c_φ` is
//! linear in its parameters, `c_φ = Σ_m φ_m h_m`, so is the estimate:
//! `ĝ = f(b) ∇log p(b) + Σ_m φ_m ĝ_m`, where `ĝ_m` is this estimator called with objective 0 and
//! surrogate `h_m` *on a clone of the generator* (the same conditional noise). `examples/variance.rs`
//! trains a three-feature surrogate this way.
//!
//! Errors: listed in the [control-variate notes](super::control_variate): every check on the
//! arguments comes before the first random word, while what the surrogate returns (its error,
//! a NaN or infinite value or gradient, an estimate that overflows) is known only after the
//! conditional noise has been drawn. On error nothing is written to the gradient; on `Ok` the
//! gradient and the [`Terms`] are finite, the gradient 0 for masked actions.

use rand_core::Rng;

#[cfg(doc)]
use super::control_variate::SCRATCH_PER_ACTION;
use super::control_variate::{self, BinarySurrogate, Surrogate, Terms};
use super::{Buffers, Draw};
use crate::{Error, Scalar, Temperature};

/// The RELAX estimate of `∂E[f]/∂logits` for the action drawn with `draw.noise` (see
/// [`categorical::sample_with_noise`](crate::categorical::sample_with_noise)), whose objective
/// value was `objective`, written to `out.gradient`; `out.scratch` needs
/// [`SCRATCH_PER_ACTION`] × K slots. Draws `K` random words for the conditional noise.
pub fn categorical<S, R, C>(
    rng: &mut R,
    draw: Draw<'_, S>,
    temperature: Temperature<S>,
    objective: S,
    surrogate: &mut C,
    out: Buffers<'_, S>,
) -> Result<Terms<S>, Error>
where
    S: Scalar,
    R: Rng + ?Sized,
    C: Surrogate<S> + ?Sized,
{
    let checked = control_variate::check(draw, &out)?;
    control_variate::categorical(rng, checked, temperature, S::ONE, objective, surrogate, out)
}

/// The RELAX estimate for a binary sample `b = (logit + noise > 0)` with objective value
/// `objective`: returns the gradient with respect to the logit and the terms. Draws one random
/// word.
pub fn binary<S, R, C>(
    rng: &mut R,
    logit: S,
    noise: S,
    temperature: Temperature<S>,
    objective: S,
    surrogate: &mut C,
) -> Result<(S, Terms<S>), Error>
where
    S: Scalar,
    R: Rng + ?Sized,
    C: BinarySurrogate<S> + ?Sized,
{
    control_variate::binary(rng, logit, noise, temperature, S::ONE, objective, surrogate)
}
