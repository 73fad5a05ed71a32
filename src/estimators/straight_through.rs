//! The straight-through Gumbel-Softmax gradient (Jang et al. 2017, §2.2): the forward pass uses
//! the hard one-hot sample `D = one_hot(argmax(θ + g))`, the backward pass pretends it was the
//! relaxed sample `y = softmax((θ + g)/λ)` of the same noise and returns the Concrete VJP
//! `y ⊙ (v − ⟨v, y⟩)/λ` of the upstream `v = ∂f/∂D`. Biased (the bias shrinks with λ while the
//! variance grows); [`gumbel_rao`](super::gumbel_rao) has the same mean and never more variance.
//!
//! The forward pass is [`straight_through::sample`](crate::straight_through::sample) or
//! [`categorical::sample_with_noise`](crate::categorical::sample_with_noise); errors as in
//! [`relaxed`](super::relaxed).

use super::relaxed::Relaxed;
use crate::{Error, Scalar, Temperature};

/// Straight-through backward for a categorical sample drawn with `noise`: on entry `upstream`
/// holds `∂f/∂D` at the hard one-hot `D`, on exit the estimate of `∂E[f]/∂logits`.
pub fn categorical<S: Scalar>(
    logits: &[S],
    allowed: Option<&[bool]>,
    noise: &[S],
    temperature: Temperature<S>,
    upstream: &mut [S],
) -> Result<(), Error> {
    Relaxed::new(logits, allowed, noise, temperature)?
        .vjp_in_place(upstream, false)
        .map(|_| ())
}

/// Straight-through backward for a binary sample `b = (logit + noise > 0)`: returns
/// `v σ'(y)/λ` for the upstream `v = ∂f/∂b`, with `y = (logit + noise)/λ`.
pub fn binary<S: Scalar>(
    logit: S,
    noise: S,
    temperature: Temperature<S>,
    upstream: S,
) -> Result<S, Error> {
    super::relaxed::binary(logit, noise, temperature, upstream).map(|(d_logit, _)| d_logit)
}
