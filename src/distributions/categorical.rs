//! Gumbel-max as a distribution value: logits validated once, indices drawn without checks.

use rand_core::Rng;

use crate::validate::{Support, support};
use crate::{Error, Scalar, categorical};

/// The categorical distribution `softmax(logits)` over indices, sampled by Gumbel-max, with
/// the logits (and an optional mask) validated once in [`new`](Self::new).
///
/// It borrows the logits, like `rand`'s `Choose` borrows its slice: nothing is copied and
/// nothing allocated. Every rule of [`categorical`] applies (masks, `-inf`
/// and `+inf` logits, huge logits, ties, one random word per logit), and
/// [`sample`](Self::sample) returns the index [`categorical::sample`] (or
/// [`categorical::sample_masked`]) returns from the same generator state.
///
/// ```
/// use gumbel::distributions::Categorical;
/// use rand_core::SeedableRng;
/// use rand_xoshiro::Xoshiro128PlusPlus;
///
/// let logits = [0.5f32, 1.5, f32::NEG_INFINITY];
/// let policy = Categorical::new(&logits, None)?;
/// let mut rng = Xoshiro128PlusPlus::seed_from_u64(1);
/// let mut counts = [0u32; 3];
/// for _ in 0..1000 {
///     counts[policy.sample(&mut rng)] += 1; // no Result: validated once
/// }
/// assert_eq!(counts[2], 0);
/// # Ok::<(), gumbel::Error>(())
/// ```
#[derive(Debug, Clone, Copy)]
pub struct Categorical<'a, S> {
    support: Support<'a, S>,
}

impl<'a, S: Scalar> Categorical<'a, S> {
    /// Validates the logits and the optional mask (`true` = allowed), with the errors of
    /// [`categorical::sample_masked`]: [`Error::Empty`], [`Error::LengthMismatch`],
    /// [`Error::Nan`], [`Error::AllMasked`].
    pub fn new(logits: &'a [S], allowed: Option<&'a [bool]>) -> Result<Self, Error> {
        support(logits, allowed).map(|support| Self { support })
    }

    /// Draws an index with probability `softmax(logits)` among the available actions.
    #[inline]
    pub fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> usize {
        categorical::sample_from_support(&self.support, rng)
    }
}

#[cfg(feature = "rand")]
impl<S: Scalar> rand::distr::Distribution<usize> for Categorical<'_, S> {
    /// [`Categorical::sample`].
    #[inline]
    fn sample<R: rand::Rng + ?Sized>(&self, rng: &mut R) -> usize {
        Categorical::sample(self, rng)
    }
}
