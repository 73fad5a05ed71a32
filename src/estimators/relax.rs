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
//! Errors: those of [`reparam`](super::reparam) and [`conditional`](crate::conditional); a
//! non-finite objective value or η → [`Error::Nan`] / [`Error::NotFinite`]; a surrogate that
//! returns NaN or infinity → the same; a surrogate's own error is passed through; `scratch`
//! shorter than [`SCRATCH_PER_ACTION`] × K → [`Error::BufferTooSmall`]; an estimate that would
//! overflow → [`Error::NonFiniteUpdate`]. On error nothing is written to `gradient`.

use rand_core::Rng;

#[cfg(doc)]
use super::control_variate::SCRATCH_PER_ACTION;
use super::control_variate::{self, BinarySurrogate, Surrogate, Terms};
use crate::{Error, Scalar, Temperature};

/// The RELAX estimate of `∂E[f]/∂logits` for the action drawn with the Gumbel `noise` (see
/// [`categorical::sample_with_noise`](crate::categorical::sample_with_noise)), whose objective
/// value was `objective`, written to `gradient`; `scratch` needs [`SCRATCH_PER_ACTION`] × K
/// slots. Draws `K` random words for the conditional noise.
#[allow(clippy::too_many_arguments)]
pub fn categorical<S, R, C>(
    rng: &mut R,
    logits: &[S],
    allowed: Option<&[bool]>,
    noise: &[S],
    temperature: Temperature<S>,
    objective: S,
    surrogate: &mut C,
    scratch: &mut [S],
    gradient: &mut [S],
) -> Result<Terms<S>, Error>
where
    S: Scalar,
    R: Rng + ?Sized,
    C: Surrogate<S> + ?Sized,
{
    control_variate::categorical(
        rng,
        logits,
        allowed,
        noise,
        temperature,
        S::ONE,
        objective,
        surrogate,
        scratch,
        gradient,
    )
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
