//! The softmax policy `π(a | s) = softmax(f(s))_a` over `K` actions from `D` features, `f` a
//! [`Network`], and the [`Decision`] it takes: the action together with the Gumbel noise that
//! chose it.

use core::marker::PhantomData;

use rand_core::Rng;

use super::Linear;
use super::network::{Network, checked_outputs, non_finite_sentinel};
use crate::validate::{finite, finite_array};
use crate::{Error, Scalar, Temperature, categorical, concrete};

/// A softmax policy: logits `f(s)` from a [`Network`] `N` (by default [`Linear`], `W s + b`),
/// actions drawn by the Gumbel-max trick.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Policy<S, const D: usize, const K: usize, N = Linear<S, D, K>> {
    pub(crate) network: N,
    scalar: PhantomData<S>,
}

/// One action taken by a [`Policy`], with everything an estimator needs to learn from its reward
/// later: the features it saw, the logits, and the Gumbel noise `g` whose `argmax(logits + g)`
/// is the action. Keep it until the reward is known and hand it to
/// [`Agent::observe`](super::Agent::observe).
#[derive(Clone, Copy, PartialEq)]
pub struct Decision<S, const D: usize, const K: usize> {
    /// The action, with [`Self::NO_NOISE`] set when the action was drawn without keeping its
    /// noise (an agent that learns by REINFORCE, which needs none; `noise` is then all zero).
    /// One word for both: a flag of its own would pad every decision by a word, 800 bytes of a
    /// 200-step CartPole episode.
    tagged_action: usize,
    pub(crate) features: [S; D],
    pub(crate) logits: [S; K],
    pub(crate) noise: [S; K],
}

impl<S: Scalar, const D: usize, const K: usize> core::fmt::Debug for Decision<S, D, K> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Decision")
            .field("action", &self.action())
            .field("features", &self.features)
            .field("logits", &self.logits)
            .field("noise", &self.noise)
            .field("has_noise", &self.has_noise())
            .finish()
    }
}

impl<S: Scalar, const D: usize, const K: usize> Decision<S, D, K> {
    /// The top bit of the tagged action: set when the noise was not kept. Actions are below `K`,
    /// far below it.
    const NO_NOISE: usize = 1 << (usize::BITS - 1);

    /// The action taken, in `0..K`.
    pub fn action(&self) -> usize {
        self.tagged_action & !Self::NO_NOISE
    }
    /// The features the action was taken for.
    pub fn features(&self) -> &[S; D] {
        &self.features
    }
    /// The policy's logits at the time.
    pub fn logits(&self) -> &[S; K] {
        &self.logits
    }
    /// The Gumbel noise that picked the action: `argmax(logits + noise)` is the action. All
    /// zero if the noise was not kept ([`has_noise`](Self::has_noise) is `false`): an
    /// [`Agent`](super::Agent) that learns by [`Estimator::Reinforce`](super::Estimator::Reinforce)
    /// needs none and draws its actions with the cheaper
    /// [`categorical::sample`] (the same random words and the same
    /// action).
    pub fn noise(&self) -> &[S; K] {
        &self.noise
    }
    /// `true` if [`noise`](Self::noise) is the noise that picked the action.
    pub fn has_noise(&self) -> bool {
        self.tagged_action & Self::NO_NOISE == 0
    }
}

network_wrapper!(
    Policy,
    "policy",
    UNIFORM,
    "The linear policy with all parameters zero: uniform over the actions."
);

impl<S: Scalar, const D: usize, const K: usize, N: Network<S, D, K>> Policy<S, D, K, N> {
    /// The logits `f(s)` for `features` (`D` long, finite). Logits that overflow (weights ×
    /// features beyond the scalar's range) are an error, [`Error::Nan`] or
    /// [`Error::NotFinite`] with the index of the first bad logit, never a NaN in `Ok`.
    pub fn logits(&self, features: &[S]) -> Result<[S; K], Error> {
        checked_outputs(&self.network, features)
    }

    /// The action probabilities `softmax(f(s))`; errors as [`logits`](Self::logits).
    pub fn probabilities(&self, features: &[S]) -> Result<[S; K], Error> {
        softmax(&self.logits(features)?)
    }

    /// The most probable action (lowest index on ties): what to do once learning is over.
    /// Errors as [`logits`](Self::logits), and [`Error::Empty`] if `K = 0`.
    pub fn greedy(&self, features: &[S]) -> Result<usize, Error> {
        let logits = self.logits(features)?;
        if K == 0 {
            return Err(Error::Empty);
        }
        let mut best = 0;
        let mut top = S::LOWEST;
        for (k, &l) in logits.iter().enumerate() {
            if k == 0 || l > top {
                best = k;
                top = l;
            }
        }
        Ok(best)
    }

    /// Draws an action from `π(· | s)` by the Gumbel-max trick, `K` random words, and keeps
    /// the noise. Errors, before any word is drawn: features of another length or not finite,
    /// logits that overflow (as [`logits`](Self::logits)).
    pub fn act<R: Rng + ?Sized>(
        &self,
        rng: &mut R,
        features: &[S],
    ) -> Result<Decision<S, D, K>, Error> {
        self.decide(rng, features, true)
    }

    /// [`act`](Self::act), keeping the noise or not: without it the action is drawn by
    /// [`categorical::sample`] (the same words, the same action, less work).
    pub(crate) fn decide<R: Rng + ?Sized>(
        &self,
        rng: &mut R,
        features: &[S],
        keep_noise: bool,
    ) -> Result<Decision<S, D, K>, Error> {
        let features = finite_array(features)?;
        let (logits, _) = self.network.forward(&features);
        // One branch-free pass; the slow path only names the culprit.
        if non_finite_sentinel(&logits) != S::ZERO {
            finite(&logits)?;
        }
        let (action, noise) = if keep_noise {
            categorical::sample_with_noise_array(rng, &logits)?
        } else {
            (categorical::sample(rng, &logits)?, [S::ZERO; K])
        };
        Ok(Decision {
            tagged_action: if keep_noise {
                action
            } else {
                action | Decision::<S, D, K>::NO_NOISE
            },
            features,
            logits,
            noise,
        })
    }
}

/// `softmax(logits)` of finite logits, through the Concrete relaxation at zero noise and λ = 1
/// (the same overflow-free log-space computation).
pub(crate) fn softmax<S: Scalar, const K: usize>(logits: &[S; K]) -> Result<[S; K], Error> {
    let mut out = [S::ZERO; K];
    concrete::from_noise(
        logits,
        None,
        &[S::ZERO; K],
        Temperature::new(S::ONE)?,
        &mut out,
    )?;
    Ok(out)
}
