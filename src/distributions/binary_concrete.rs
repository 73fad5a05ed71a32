//! The binary Concrete distribution as a value: logit and temperature validated once.

use rand_core::Rng;

use crate::scalar::sigmoid;
use crate::validate::finite_scalar;
use crate::{Error, Scalar, Temperature, binary};

/// The binary Concrete (relaxed Bernoulli) distribution with `P(1) = σ(logit)` at temperature
/// λ, validated once in [`new`](Self::new).
///
/// A sample is `σ((logit + L)/λ)` with logistic noise `L` from one random word: the bits of
/// [`binary::sample`] (and [`binary::sample_logit`] for [`sample_logit`](Self::sample_logit))
/// from the same generator state.
///
/// ```
/// use gumbel::Temperature;
/// use gumbel::distributions::BinaryConcrete;
/// use rand_core::SeedableRng;
/// use rand_xoshiro::Xoshiro128PlusPlus;
///
/// let relaxed = BinaryConcrete::new(0.3f32, Temperature::new(0.5)?)?;
/// let mut rng = Xoshiro128PlusPlus::seed_from_u64(1);
/// let x = relaxed.sample(&mut rng);
/// assert!((0.0..=1.0).contains(&x));
/// # Ok::<(), gumbel::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BinaryConcrete<S> {
    logit: S,
    temperature: Temperature<S>,
}

impl<S: Scalar> BinaryConcrete<S> {
    /// The logit must be finite ([`Error::Nan`], [`Error::NotFinite`]), as for
    /// [`binary::sample`].
    pub fn new(logit: S, temperature: Temperature<S>) -> Result<Self, Error> {
        finite_scalar(logit)?;
        Ok(Self { logit, temperature })
    }

    /// The logit.
    pub fn logit(&self) -> S {
        self.logit
    }

    /// The temperature λ.
    pub fn temperature(&self) -> Temperature<S> {
        self.temperature
    }

    /// Draws the logit-space sample `y = (logit + L)/λ`, clamped to the finite range.
    #[inline]
    pub fn sample_logit<R: Rng + ?Sized>(&self, rng: &mut R) -> S {
        binary::logit_from_noise_unchecked(
            self.logit,
            S::logistic_from_word(rng.next_u32()),
            self.temperature,
        )
    }

    /// Draws a relaxed Bernoulli sample `x = σ((logit + L)/λ)` in `[0, 1]`.
    #[inline]
    pub fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> S {
        sigmoid(self.sample_logit(rng))
    }
}

#[cfg(feature = "rand")]
impl<S: Scalar> rand::distr::Distribution<S> for BinaryConcrete<S> {
    /// [`BinaryConcrete::sample`].
    #[inline]
    fn sample<R: rand::Rng + ?Sized>(&self, rng: &mut R) -> S {
        BinaryConcrete::sample(self, rng)
    }
}
