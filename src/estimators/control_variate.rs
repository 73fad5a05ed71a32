//! The control-variate estimator shared by [`rebar`](super::rebar) and [`relax`](super::relax)
//! (Tucker et al. 2017; Grathwohl et al. 2018), the surrogate traits the user implements, and
//! the online adaptation of the REBAR weight η.
//!
//! For a discrete sample `b = H(z)` of perturbed logits `z = θ + g`, conditional perturbed
//! logits `z̃ ~ p(z | b)` ([`conditional`]), a differentiable surrogate `c`
//! of the relaxed sample `σ_λ(z)` and the objective value `f(b)`:
//!
//! `ĝ = [f(b) − η c(z̃)] ∇θ log p(b) + η ∇θ c(z) − η ∇θ c(z̃)`.
//!
//! It is unbiased for `∇θ E[f(b)]` for every η and every `c`, because `E[c(z̃) ∇ log p(b)] +
//! ∇ E[c(z̃)] = ∇ E[c(z)]`. `∇θ c(z)` is the reparameterisation gradient
//! ([`reparam`](super::reparam)); `∇θ c(z̃)` goes through the conditional reparameterisation
//! ([`conditional::categorical_backward`]).
//!
//! The variance of `ĝ` is quadratic in η. Its derivative `d E[|ĝ|²]/dη = 2 E⟨ĝ, ∂ĝ/∂η⟩` has the
//! single-sample estimate [`Terms::eta_variance_gradient`]; [`AdaptiveEta`] descends it, as
//! REBAR does.

use rand_core::Rng;

use super::reparam::ConcreteSample;
use super::score;
use crate::categorical::argmax_perturbed;
use crate::concrete::from_noise;
use crate::conditional::{self, backward_in_place, condition_in_place};
use crate::scalar::sigmoid;
use crate::validate::{finite, finite_scalar, support};
use crate::{Error, Scalar, Temperature};

/// A differentiable function of a relaxed one-hot sample: the surrogate `c` of RELAX, or the
/// objective `f` itself for REBAR (which evaluates it on relaxed samples too).
pub trait Surrogate<S: Scalar> {
    /// Returns `c(relaxed)` and writes `∂c/∂relaxed` to `gradient` (same length). An error is
    /// passed through to the estimator's caller.
    fn evaluate(&mut self, relaxed: &[S], gradient: &mut [S]) -> Result<S, Error>;
}

/// A differentiable function of a relaxed binary sample `x ∈ [0, 1]`.
pub trait BinarySurrogate<S: Scalar> {
    /// Returns `(c(x), dc/dx)`.
    fn evaluate(&mut self, relaxed: S) -> Result<(S, S), Error>;
}

/// What the estimator saw, beside the gradient it wrote.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Terms<S> {
    /// The action drawn, `b` (for the binary estimators: 1 or 0).
    pub action: usize,
    /// `c(σ_λ(z))`, the surrogate at the relaxed sample.
    pub surrogate: S,
    /// `c(σ_λ(z̃))`, the surrogate at the conditional relaxed sample.
    pub conditional_surrogate: S,
    /// `2⟨ĝ, ∂ĝ/∂η⟩`, a single-sample unbiased estimate of `d E[|ĝ|²]/dη`.
    pub eta_variance_gradient: S,
}

/// Adapts η online to minimise the estimator's variance: `η ← η − r · d/√(m + δ)` with `d` the
/// [`Terms::eta_variance_gradient`] of the latest estimate and `m` a running mean of `d²`
/// (decay 0.99; `δ` = [`Scalar::EPSILON`]). The normalisation makes the step size `r` independent
/// of the scale of the objective (REBAR itself used Adam). Using η from past draws only keeps
/// the estimator unbiased.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AdaptiveEta<S> {
    eta: S,
    rate: S,
    mean_square: S,
}

impl<S: Scalar> AdaptiveEta<S> {
    /// Starts at `initial` with step size `rate`; both must be finite and `rate > 0`
    /// ([`Error::InvalidParameter`] otherwise).
    pub fn new(initial: S, rate: S) -> Result<Self, Error> {
        if !initial.is_finite() || !rate.is_finite() || rate <= S::ZERO {
            return Err(Error::InvalidParameter);
        }
        Ok(Self {
            eta: initial,
            rate,
            mean_square: S::ZERO,
        })
    }

    /// The current η.
    pub fn value(&self) -> S {
        self.eta
    }

    /// One step on the variance, from the terms of the latest estimate. A non-finite step is
    /// refused ([`Error::NonFiniteUpdate`]) and the state left unchanged.
    pub fn update(&mut self, terms: &Terms<S>) -> Result<(), Error> {
        let d = terms.eta_variance_gradient;
        // decay 0.99 = 1 − 1/100, from integers so fixed point needs no float constant.
        let keep = S::ONE - S::ONE / S::from_i32(100);
        let mean_square = keep * self.mean_square + (S::ONE - keep) * d * d;
        let eta = self.eta - self.rate * d / (mean_square + S::EPSILON).sqrt();
        if !(eta.is_finite() && mean_square.is_finite()) {
            return Err(Error::NonFiniteUpdate);
        }
        self.eta = eta;
        self.mean_square = mean_square;
        Ok(())
    }
}

/// How many slots of scratch per action the categorical estimators need.
pub const SCRATCH_PER_ACTION: usize = 3;

/// The categorical estimator. `noise` is the Gumbel noise that drew the action; `scratch` has
/// [`SCRATCH_PER_ACTION`] × K slots.
#[allow(clippy::too_many_arguments)]
pub(crate) fn categorical<S, R, C>(
    rng: &mut R,
    logits: &[S],
    allowed: Option<&[bool]>,
    noise: &[S],
    temperature: Temperature<S>,
    eta: S,
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
    let k = logits.len();
    let support = support(logits, allowed)?;
    support.same_len(noise.len())?;
    support.same_len(gradient.len())?;
    finite(noise)?;
    finite_scalar(eta)?;
    finite_scalar(objective)?;
    let action = argmax_perturbed(logits, allowed, noise)?;
    let (scratch_a, rest) = split_scratch(scratch, k)?;
    let (scratch_b, scratch_c) = rest.split_at_mut(k);

    // ∇θ c(z̃) into C: conditional noise in A, its relaxation in B.
    crate::noise::fill_gumbel(rng, scratch_a);
    condition_in_place(&support, action, scratch_a);
    from_noise(logits, allowed, scratch_a, temperature, scratch_b)?;
    let conditional_value = evaluate(surrogate, scratch_b, scratch_c)?;
    ConcreteSample::validated(support, scratch_a, temperature).vjp_in_place(scratch_c, false)?;
    backward_in_place(&support, action, scratch_a, scratch_c);

    // ∇θ c(z) into B: relaxation in A.
    from_noise(logits, allowed, noise, temperature, scratch_a)?;
    let value = evaluate(surrogate, scratch_a, scratch_b)?;
    ConcreteSample::validated(support, noise, temperature).vjp_in_place(scratch_b, false)?;

    // The score into A, then combine: check everything before writing.
    score::categorical(logits, allowed, action, scratch_a)?;
    // ĝ = f ∇log p + η ∂ĝ/∂η, with ∂ĝ/∂η = −c(z̃) ∇log p + ∇c(z) − ∇c(z̃).
    let estimate = |j: usize| {
        let d_eta = -conditional_value * scratch_a[j] + scratch_b[j] - scratch_c[j];
        (objective * scratch_a[j] + eta * d_eta, d_eta)
    };
    let mut eta_variance_gradient = S::ZERO;
    for j in 0..k {
        let (g, d_eta) = estimate(j);
        if !g.is_finite() {
            return Err(Error::NonFiniteUpdate);
        }
        eta_variance_gradient += g * d_eta;
    }
    for (j, out) in gradient.iter_mut().enumerate() {
        *out = estimate(j).0;
    }
    Ok(Terms {
        action,
        surrogate: value,
        conditional_surrogate: conditional_value,
        eta_variance_gradient: eta_variance_gradient + eta_variance_gradient,
    })
}

fn split_scratch<S>(scratch: &mut [S], k: usize) -> Result<(&mut [S], &mut [S]), Error> {
    let needed = SCRATCH_PER_ACTION * k;
    if scratch.len() < needed {
        return Err(Error::BufferTooSmall {
            needed,
            found: scratch.len(),
        });
    }
    Ok(scratch[..needed].split_at_mut(k))
}

/// Calls the surrogate and checks what it returned.
fn evaluate<S: Scalar, C: Surrogate<S> + ?Sized>(
    surrogate: &mut C,
    relaxed: &[S],
    gradient: &mut [S],
) -> Result<S, Error> {
    let value = surrogate.evaluate(relaxed, gradient)?;
    finite_scalar(value)?;
    finite(gradient)?;
    Ok(value)
}

/// The binary estimator; `noise` is the logistic noise that drew `b = (logit + noise > 0)`.
/// Returns the gradient and the terms.
#[allow(clippy::too_many_arguments)]
pub(crate) fn binary<S, R, C>(
    rng: &mut R,
    logit: S,
    noise: S,
    temperature: Temperature<S>,
    eta: S,
    objective: S,
    surrogate: &mut C,
) -> Result<(S, Terms<S>), Error>
where
    S: Scalar,
    R: Rng + ?Sized,
    C: BinarySurrogate<S> + ?Sized,
{
    let y = crate::binary::logit_from_noise(logit, noise, temperature)?;
    finite_scalar(eta)?;
    finite_scalar(objective)?;
    let b = logit + noise > S::ZERO;

    let conditional_noise = conditional::binary(rng, logit, b)?;
    let y_tilde = crate::binary::logit_from_noise(logit, conditional_noise, temperature)?;
    let (conditional_value, slope_tilde) = evaluate_binary(surrogate, sigmoid(y_tilde))?;
    let (reparam_tilde, _) =
        super::reparam::binary(logit, conditional_noise, temperature, slope_tilde)?;
    let grad_tilde = reparam_tilde * conditional::binary_derivative(logit, b, conditional_noise)?;

    let (value, slope) = evaluate_binary(surrogate, sigmoid(y))?;
    let (grad_sample, _) = super::reparam::binary(logit, noise, temperature, slope)?;

    let score = score::bernoulli(logit, b)?;
    let d_eta = -conditional_value * score + grad_sample - grad_tilde;
    let estimate = objective * score + eta * d_eta;
    if !estimate.is_finite() {
        return Err(Error::NonFiniteUpdate);
    }
    let terms = Terms {
        action: usize::from(b),
        surrogate: value,
        conditional_surrogate: conditional_value,
        eta_variance_gradient: (S::ONE + S::ONE) * estimate * d_eta,
    };
    Ok((estimate, terms))
}

fn evaluate_binary<S: Scalar, C: BinarySurrogate<S> + ?Sized>(
    surrogate: &mut C,
    relaxed: S,
) -> Result<(S, S), Error> {
    let (value, slope) = surrogate.evaluate(relaxed)?;
    finite_scalar(value)?;
    finite_scalar(slope)?;
    Ok((value, slope))
}
