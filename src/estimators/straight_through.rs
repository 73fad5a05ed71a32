//! Straight-through Gumbel-Softmax (Jang et al. 2017, §2.2; Bengio et al. 2013), both passes.
//!
//! **Forward** ([`sample`], [`sample_binary`]): the hard sample of the argmax and the soft
//! Concrete sample, both from the *same* noise, so the hard sample is an exact categorical draw
//! and the soft one is what the backward pass differentiates. Noise, masking and errors follow
//! [`categorical`](crate::categorical); the hard index is exactly the
//! [`categorical::sample_with_noise`](crate::categorical::sample_with_noise) index for the same
//! words.
//!
//! **Backward** ([`backward`], [`backward_binary`]): the forward pass used the hard one-hot
//! sample `D = one_hot(argmax(θ + g))`, the backward pass pretends it was the relaxed sample
//! `y = softmax((θ + g)/λ)` of the same noise and returns the Concrete VJP `y ⊙ (v − ⟨v, y⟩)/λ`
//! of the upstream `v = ∂f/∂D`. Biased (the bias shrinks with λ while the variance grows);
//! [`gumbel_rao`](super::gumbel_rao) has the same mean and never more variance. Errors as in
//! [`reparam`](super::reparam).

use rand_core::Rng;

use super::reparam::ConcreteSample;
use crate::concrete::sample_inner;
use crate::scalar::sigmoid;
use crate::{Error, Scalar, Temperature, binary};

/// Draws the soft sample `softmax((logits + G)/λ)` into `soft` and returns the index of the hard
/// one-hot sample, `argmax_k (logits_k + G_k)` (write the one-hot with [`one_hot`]). Refuses
/// what [`concrete::sample`](crate::concrete::sample) refuses, drawing nothing; `soft` is a
/// point of the simplex as there, and the index an available action.
pub fn sample<S: Scalar, R: Rng + ?Sized>(
    rng: &mut R,
    logits: &[S],
    allowed: Option<&[bool]>,
    temperature: Temperature<S>,
    soft: &mut [S],
) -> Result<usize, Error> {
    sample_inner::<S, R, true>(rng, logits, allowed, temperature, soft, false)
}

/// Writes the one-hot vector of `index` into `out`. `index` out of range is
/// [`Error::UnavailableAction`] (nothing is written).
pub fn one_hot<S: Scalar>(index: usize, out: &mut [S]) -> Result<(), Error> {
    if index >= out.len() {
        return Err(Error::UnavailableAction { index });
    }
    for (k, v) in out.iter_mut().enumerate() {
        *v = if k == index { S::ONE } else { S::ZERO };
    }
    Ok(())
}

/// The binary forward pass: `(hard, soft)` where `soft = σ((logit + L)/λ)` in `[0, 1]` and
/// `hard = (logit + L > 0)`, from one logistic draw. Refuses a NaN or infinite logit
/// ([`Error::Nan`], [`Error::NotFinite`]) without drawing.
pub fn sample_binary<S: Scalar, R: Rng + ?Sized>(
    rng: &mut R,
    logit: S,
    temperature: Temperature<S>,
) -> Result<(bool, S), Error> {
    let y = binary::sample_logit(rng, logit, temperature)?;
    Ok((y > S::ZERO, sigmoid(y)))
}

/// Straight-through backward for a categorical sample drawn with `noise`: on entry `upstream`
/// holds `∂f/∂D` at the hard one-hot `D`, on exit the estimate of `∂E[f]/∂logits`, finite and 0
/// for masked actions. Refuses what [`reparam::concrete`](super::reparam::concrete) refuses,
/// writing nothing.
pub fn backward<S: Scalar>(
    logits: &[S],
    allowed: Option<&[bool]>,
    noise: &[S],
    temperature: Temperature<S>,
    upstream: &mut [S],
) -> Result<(), Error> {
    ConcreteSample::checked_vjp(logits, allowed, noise, temperature, upstream, false).map(|_| ())
}

/// Straight-through backward for a binary sample `b = (logit + noise > 0)`: returns
/// `v σ'(y)/λ` for the upstream `v = ∂f/∂b`, with `y = (logit + noise)/λ`; finite, at most
/// `|v|/(4λ)` in magnitude. Refuses what [`reparam::binary`](super::reparam::binary) refuses.
pub fn backward_binary<S: Scalar>(
    logit: S,
    noise: S,
    temperature: Temperature<S>,
    upstream: S,
) -> Result<S, Error> {
    super::reparam::binary(logit, noise, temperature, upstream).map(|(d_logit, _)| d_logit)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Issue 10, defect 1: `index + 1` overflowed for `usize::MAX` (a panic with overflow
    /// checks on, which the default test profile has: the first assertion proves it there).
    #[test]
    fn one_hot_of_the_largest_index_is_refused() {
        // Where overflow checks are on (they follow debug assertions unless a profile says
        // otherwise), an index computed by overflowing arithmetic would panic here; with them
        // off (`--release`) it would wrap, and the assertions below still see a wrong result.
        if cfg!(debug_assertions) {
            let overflow = std::panic::catch_unwind(|| core::hint::black_box(u8::MAX) + 1);
            assert!(overflow.is_err(), "overflow checks are off");
        }
        assert_eq!(
            one_hot::<f32>(usize::MAX, &mut []),
            Err(Error::UnavailableAction { index: usize::MAX })
        );
        let mut out = [5.0f32; 3];
        assert_eq!(
            one_hot(3, &mut out),
            Err(Error::UnavailableAction { index: 3 })
        );
        assert_eq!(out, [5.0; 3]);
        one_hot(1, &mut out).unwrap();
        assert_eq!(out, [0.0, 1.0, 0.0]);
    }
}
