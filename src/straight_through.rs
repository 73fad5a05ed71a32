//! The straight-through Gumbel-Softmax forward pass (Jang et al. 2017, §2.2; Bengio et al.
//! 2013): the hard one-hot sample of the argmax and the soft Concrete sample, both from the
//! *same* noise, so the hard sample is an exact categorical draw and the soft one is what the
//! backward pass differentiates.
//!
//! Noise, masking and errors follow [`categorical`](crate::categorical); the hard index is
//! exactly the [`categorical::sample_with_noise`](crate::categorical::sample_with_noise) index
//! for the same words.

use rand_core::Rng;

use crate::concrete::sample_inner;
use crate::{Error, Scalar, Temperature, binary};

/// Draws the soft sample `softmax((logits + G)/λ)` into `soft` and returns the index of the hard
/// one-hot sample, `argmax_k (logits_k + G_k)` (write the one-hot with [`one_hot`]).
pub fn sample<S: Scalar, R: Rng + ?Sized>(
    rng: &mut R,
    logits: &[S],
    allowed: Option<&[bool]>,
    temperature: Temperature<S>,
    soft: &mut [S],
) -> Result<usize, Error> {
    sample_inner(rng, logits, allowed, temperature, soft, false)
}

/// Writes the one-hot vector of `index` into `out`. `index` out of range is
/// [`Error::BufferTooSmall`] (nothing is written).
pub fn one_hot<S: Scalar>(index: usize, out: &mut [S]) -> Result<(), Error> {
    if index >= out.len() {
        return Err(Error::BufferTooSmall {
            needed: index + 1,
            found: out.len(),
        });
    }
    for (k, v) in out.iter_mut().enumerate() {
        *v = if k == index { S::ONE } else { S::ZERO };
    }
    Ok(())
}

/// The binary straight-through forward pass: `(hard, soft)` where `soft = σ((logit + L)/λ)`
/// and `hard = (logit + L > 0)`, from one logistic draw.
pub fn sample_binary<S: Scalar, R: Rng + ?Sized>(
    rng: &mut R,
    logit: S,
    temperature: Temperature<S>,
) -> Result<(bool, S), Error> {
    let y = binary::sample_logit(rng, logit, temperature)?;
    Ok((y > S::ZERO, crate::scalar::sigmoid(y)))
}
