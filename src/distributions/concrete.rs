//! The Concrete distribution as a value: logits and temperature validated once, relaxed
//! one-hot samples drawn without checks into `[S; K]`.

use rand_core::Rng;

use crate::validate::{Support, support};
use crate::{Error, Scalar, Temperature, concrete};

/// The Concrete (Gumbel-Softmax) distribution over `K` categories at temperature λ, with the
/// logits (and an optional mask) validated once in [`new`](Self::new).
///
/// Every rule of [`concrete`] applies (log-space evaluation, masked
/// coordinates exactly 0, one random word per logit), and a sample has the bits
/// [`concrete::sample`] writes from the same generator state. It borrows the logits.
///
/// ```
/// use gumbel::Temperature;
/// use gumbel::distributions::Concrete;
/// use rand_core::SeedableRng;
/// use rand_xoshiro::Xoshiro128PlusPlus;
///
/// let logits = [2.0f32.ln(), 0.5f32.ln(), 0.0];
/// let relaxed = Concrete::new(&logits, None, Temperature::new(0.5)?)?;
/// let mut rng = Xoshiro128PlusPlus::seed_from_u64(1);
/// let x: [f32; 3] = relaxed.sample(&mut rng);
/// assert!((x.iter().sum::<f32>() - 1.0).abs() < 1e-6);
/// # Ok::<(), gumbel::Error>(())
/// ```
#[derive(Debug, Clone, Copy)]
pub struct Concrete<'a, S, const K: usize> {
    support: Support<'a, S>,
    temperature: Temperature<S>,
}

impl<'a, S: Scalar, const K: usize> Concrete<'a, S, K> {
    /// Validates the logits and the optional mask (`true` = allowed), with the errors of
    /// [`concrete::sample`]: [`Error::Empty`] (for `K = 0`), [`Error::Nan`],
    /// [`Error::AllMasked`]. The temperature is already valid.
    pub fn new(
        logits: &'a [S; K],
        allowed: Option<&'a [bool; K]>,
        temperature: Temperature<S>,
    ) -> Result<Self, Error> {
        let allowed = allowed.map(|mask| mask.as_slice());
        support(logits, allowed).map(|support| Self {
            support,
            temperature,
        })
    }

    /// The temperature λ.
    pub fn temperature(&self) -> Temperature<S> {
        self.temperature
    }

    /// Draws a relaxed one-hot sample `softmax((logits + G)/λ)`.
    #[inline]
    pub fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> [S; K] {
        let mut x = [S::ZERO; K];
        self.sample_into(rng, &mut x);
        x
    }

    /// Draws a relaxed one-hot sample into `out`, for callers that keep the buffer.
    #[inline]
    pub fn sample_into<R: Rng + ?Sized>(&self, rng: &mut R, out: &mut [S; K]) {
        concrete::sample_from_support(&self.support, self.temperature, rng, out);
    }
}

#[cfg(feature = "rand")]
impl<S: Scalar, const K: usize> rand::distr::Distribution<[S; K]> for Concrete<'_, S, K> {
    /// [`Concrete::sample`].
    #[inline]
    fn sample<R: rand::Rng + ?Sized>(&self, rng: &mut R) -> [S; K] {
        Concrete::sample(self, rng)
    }
}
