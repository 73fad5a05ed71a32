//! Gradient estimators for discrete choices, built on the samplers: every one estimates
//! `∇θ E[f(b)]` for a categorical (or Bernoulli) `b` with logits θ, writes it into a buffer the
//! caller provides, runs in `O(K)` memory (never a K×K Jacobian) and returns an [`Error`] instead
//! of panicking or writing a NaN.
//!
//! | estimator | needs | bias | variance |
//! |---|---|---|---|
//! | [`score`] (REINFORCE, with a [`score::Baseline`]) | `f(b)` only | none | high |
//! | [`relaxed`] (Concrete reparameterisation) | `f` differentiable on relaxed samples | yes, shrinks with λ | low |
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
//! [`Error`]: crate::Error
//! [`categorical::sample_with_noise`]: crate::categorical::sample_with_noise
//! [`noise::logistic`]: crate::noise::logistic

pub mod control_variate;
pub mod gumbel_rao;
pub mod rebar;
pub mod relax;
pub mod relaxed;
pub mod schedule;
pub mod score;
pub mod straight_through;
