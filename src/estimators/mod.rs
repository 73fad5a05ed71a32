//! Gradient estimators for discrete choices, built on the samplers: every one estimates
//! `∇θ E[f(b)]` for a categorical (or Bernoulli) `b` with logits θ, writes it into a buffer the
//! caller provides, runs in `O(K)` memory (never a K×K Jacobian) and returns an [`Error`] instead
//! of panicking or writing a NaN.
//!
//! | estimator | needs | bias | variance |
//! |---|---|---|---|
//! | [`score`] (REINFORCE, with a [`score::Baseline`]) | `f(b)` only | none | high |
//! | [`reparam`] (Concrete reparameterisation) | `f` differentiable on relaxed samples | yes, shrinks with λ | low |
//! | [`straight_through`] | `∂f/∂b` at the hard sample | yes | low |
//! | [`gumbel_rao`] | `∂f/∂b` at the hard sample | as straight-through | ≤ straight-through |
//! | [`rebar`] | `f` differentiable on relaxed samples | none | low |
//! | [`relax`] | `f(b)` and a differentiable surrogate | none | low with a good surrogate |
//!
//! `examples/variance.rs` measures all of them on the toy problems of Tucker et al. (2017); the
//! README carries the table.
//!
//! The sample and its noise come from [`categorical::sample_with_noise`] (categorical) or
//! [`noise::logistic`] with `b = (θ + L > 0)` (binary); the estimators take that noise so the
//! relaxation they differentiate is the one that produced `b`.
//!
//! The categorical estimators take their inputs in small named bundles, so that buffers of
//! the same type cannot be swapped silently: a [`Draw`] (logits, mask and the noise that drew
//! the action) or a [`Choice`] (logits, mask and the action), and [`Buffers`] (the gradient
//! they write and their scratch space).
//!
//! Every estimator refuses bad input with an [`Error`] and writes nothing then; each function
//! says what it refuses and the range of what it returns. Those that take a generator check
//! every argument before drawing their first random word; RELAX and REBAR can also be refused
//! by what their surrogate returns, which they learn only after drawing (their documentation
//! says so).
//!
//! ```
//! use gumbel::estimators::control_variate::{Surrogate, SCRATCH_PER_ACTION};
//! use gumbel::estimators::{gumbel_rao, relax, score, Buffers, Choice, Draw};
//! use gumbel::{categorical, Error, Temperature};
//! use rand_core::SeedableRng;
//! use rand_xoshiro::Xoshiro128PlusPlus;
//!
//! /// A critic of relaxed actions: here c(x) = ⟨w, x⟩.
//! struct Critic([f32; 3]);
//! impl Surrogate<f32> for Critic {
//!     fn evaluate(&mut self, x: &[f32], gradient: &mut [f32]) -> Result<f32, Error> {
//!         gradient.copy_from_slice(&self.0);
//!         Ok(x.iter().zip(&self.0).map(|(a, b)| a * b).sum())
//!     }
//! }
//!
//! let mut rng = Xoshiro128PlusPlus::seed_from_u64(3);
//! let logits = [0.2f32, -0.4, 1.0];
//! let mut noise = [0.0f32; 3];
//! let action = categorical::sample_with_noise(&mut rng, &logits, None, &mut noise)?;
//! let reward = [1.0f32, 0.0, 0.5][action];
//! let mut gradient = [0.0f32; 3];
//!
//! // REINFORCE with a baseline of 0.4.
//! score::reinforce_categorical(&logits, None, action, reward, 0.4, &mut gradient)?;
//!
//! // Gumbel-Rao through the critic's gradient at the hard one-hot (M = 8 draws).
//! let upstream = [1.0f32, 0.0, 0.5];
//! let mut scratch = [0.0f32; 3 * SCRATCH_PER_ACTION];
//! let lambda = Temperature::new(0.5)?;
//! let choice = Choice { logits: &logits, allowed: None, action };
//! let out = Buffers { gradient: &mut gradient, scratch: &mut scratch[..3] };
//! gumbel_rao::categorical(&mut rng, choice, lambda, 8, &upstream, out)?;
//!
//! // RELAX with the critic as surrogate: unbiased whatever the critic.
//! let mut critic = Critic([0.9, 0.1, 0.5]);
//! let draw = Draw { logits: &logits, allowed: None, noise: &noise };
//! let out = Buffers { gradient: &mut gradient, scratch: &mut scratch };
//! let terms = relax::categorical(&mut rng, draw, lambda, reward, &mut critic, out)?;
//! assert_eq!(terms.action, action);
//! assert!(gradient.iter().all(|g| g.is_finite()));
//! # Ok::<(), gumbel::Error>(())
//! ```
//!
//! [`Error`]: crate::Error
//! [`categorical::sample_with_noise`]: crate::categorical::sample_with_noise
//! [`noise::logistic`]: crate::noise::logistic

pub mod control_variate;
pub mod gumbel_rao;
pub mod rebar;
pub mod relax;
pub mod reparam;
pub mod schedule;
pub mod score;
pub mod straight_through;

/// A categorical sample as the estimators that differentiate its relaxation take it (REBAR,
/// RELAX): the logits, the mask and the Gumbel noise that drew it, as
/// [`categorical::sample_with_noise`](crate::categorical::sample_with_noise) returns it. The
/// action is `argmax(logits + noise)`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Draw<'a, S> {
    /// The logits the action was drawn from.
    pub logits: &'a [S],
    /// The mask it was drawn with (`true` = allowed; `None`: every logit above `-inf`).
    pub allowed: Option<&'a [bool]>,
    /// The Gumbel noise that drew it, one value per logit.
    pub noise: &'a [S],
}

/// An action drawn from a categorical distribution, for the estimators that need only which
/// action it was ([`gumbel_rao`]).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Choice<'a, S> {
    /// The logits the action was drawn from.
    pub logits: &'a [S],
    /// The mask it was drawn with (`true` = allowed; `None`: every logit above `-inf`).
    pub allowed: Option<&'a [bool]>,
    /// The action drawn.
    pub action: usize,
}

/// The caller's buffers a categorical estimator writes: the gradient with respect to the logits
/// (one value per logit, written only on success) and scratch space (its size is in the
/// estimator's documentation; its contents are unspecified afterwards).
#[derive(Debug)]
pub struct Buffers<'a, S> {
    /// Receives the estimate of `∂E[f]/∂logits`.
    pub gradient: &'a mut [S],
    /// Working memory.
    pub scratch: &'a mut [S],
}
