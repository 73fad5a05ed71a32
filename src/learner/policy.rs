//! The linear softmax policy `π(a | s) = softmax(W s + b)_a` over `K` actions from `D` features,
//! and the [`Decision`] it takes: the action together with the Gumbel noise that chose it.

use rand_core::Rng;

use super::Linear;
use crate::validate::{finite, finite_array};
use crate::{Error, Scalar, Temperature, categorical, concrete};

/// A linear softmax policy: logits `W s + b`, actions drawn by the Gumbel-max trick.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Policy<S, const D: usize, const K: usize> {
    pub(crate) linear: Linear<S, D, K>,
}

/// One action taken by a [`Policy`], with everything an estimator needs to learn from its reward
/// later: the features it saw, the logits, and the Gumbel noise `g` whose `argmax(logits + g)`
/// is the action. Keep it until the reward is known and hand it to
/// [`Agent::observe`](super::Agent::observe).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Decision<S, const D: usize, const K: usize> {
    pub(crate) action: usize,
    pub(crate) features: [S; D],
    pub(crate) logits: [S; K],
    pub(crate) noise: [S; K],
}

impl<S: Scalar, const D: usize, const K: usize> Decision<S, D, K> {
    /// The action taken, in `0..K`.
    pub fn action(&self) -> usize {
        self.action
    }
    /// The features the action was taken for.
    pub fn features(&self) -> &[S; D] {
        &self.features
    }
    /// The policy's logits at the time.
    pub fn logits(&self) -> &[S; K] {
        &self.logits
    }
    /// The Gumbel noise that picked the action.
    pub fn noise(&self) -> &[S; K] {
        &self.noise
    }
}

impl<S: Scalar, const D: usize, const K: usize> Default for Policy<S, D, K> {
    fn default() -> Self {
        Self::UNIFORM
    }
}

impl<S: Scalar, const D: usize, const K: usize> Policy<S, D, K> {
    /// The policy with all parameters zero: uniform over the actions.
    pub const UNIFORM: Self = Self {
        linear: Linear::ZERO,
    };

    /// The policy with the given parameters.
    pub fn new(linear: Linear<S, D, K>) -> Self {
        Self { linear }
    }

    /// The parameters.
    pub fn parameters(&self) -> &Linear<S, D, K> {
        &self.linear
    }

    /// The logits `W s + b` for `features` (`D` long, finite).
    pub fn logits(&self, features: &[S]) -> Result<[S; K], Error> {
        Ok(self.linear.apply(&finite_array(features)?))
    }

    /// The action probabilities `softmax(W s + b)`.
    pub fn probabilities(&self, features: &[S]) -> Result<[S; K], Error> {
        let logits = self.logits(features)?;
        Ok(softmax(&logits))
    }

    /// The most probable action (lowest index on ties): what to do once learning is over.
    pub fn greedy(&self, features: &[S]) -> Result<usize, Error> {
        let logits = self.logits(features)?;
        categorical::argmax_perturbed(&logits, None, &[S::ZERO; K])
    }

    /// Draws an action from `π(· | s)` by the Gumbel-max trick, `K` random words, and keeps
    /// the noise. The logits must be finite (they are, unless the parameters overflowed, which
    /// the agent never lets happen): otherwise [`Error::NotFinite`].
    pub fn act<R: Rng + ?Sized>(
        &self,
        rng: &mut R,
        features: &[S],
    ) -> Result<Decision<S, D, K>, Error> {
        let features = finite_array(features)?;
        let logits = self.linear.apply(&features);
        finite(&logits)?;
        let (action, noise) = categorical::sample_with_noise_array(rng, &logits)?;
        Ok(Decision {
            action,
            features,
            logits,
            noise,
        })
    }
}

/// `softmax(logits)` of finite logits, through the Concrete relaxation at zero noise and λ = 1
/// (the same overflow-free log-space computation).
pub(crate) fn softmax<S: Scalar, const K: usize>(logits: &[S; K]) -> [S; K] {
    let mut out = [S::ZERO; K];
    // λ = 1 is a valid temperature and the logits and noise have length K, so the only
    // possible errors (NaN, all masked) cannot occur for finite logits; fall back to zeros.
    if let Ok(one) = Temperature::new(S::ONE) {
        let _ = concrete::from_noise(logits, None, &[S::ZERO; K], one, &mut out);
    }
    out
}
