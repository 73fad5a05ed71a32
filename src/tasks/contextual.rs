//! What the two contextual bandits share: the interface a training loop needs, the noisy
//! reward, and the training step itself.

use rand_core::Rng;

use crate::learner::{Agent, Network};
use crate::{Error, Scalar};

/// A contextual bandit with `D` features and `K` actions: each step draws a context, the agent
/// acts on its features, and the chosen action's reward is its mean in that context plus
/// uniform noise in `(−1, 1)` (one random word).
///
/// Implemented by [`Bandit`](super::Bandit) and [`XorBandit`](super::XorBandit); a training
/// loop written against it runs either.
pub trait ContextualBandit<const D: usize, const K: usize> {
    /// Draws the next context and returns its features.
    fn next_context<S: Scalar, R: Rng + ?Sized>(&mut self, rng: &mut R) -> [S; D];

    /// The best action in the current context.
    fn optimal_action(&self) -> usize;

    /// The mean reward of `action` in the current context (an action `≥ K` is
    /// [`Error::UnavailableAction`]).
    fn mean_reward<S: Scalar>(&self, action: usize) -> Result<S, Error>;

    /// A noisy reward for `action`: its mean plus uniform noise in `(−1, 1)`, from one random
    /// word.
    fn reward<S: Scalar, R: Rng + ?Sized>(&self, rng: &mut R, action: usize) -> Result<S, Error> {
        let mean = self.mean_reward::<S>(action)?;
        let noise = crate::noise::uniform::<S, _>(rng) - S::HALF;
        Ok(mean + noise + noise)
    }

    /// One step of training: draws a context, lets `agent` act, draws the reward and
    /// [`learn`](Agent::learn)s from it. Returns whether the action was optimal.
    fn train_step<S, R, P, C>(
        &mut self,
        agent: &mut Agent<S, D, K, P, C>,
        rng: &mut R,
    ) -> Result<bool, Error>
    where
        S: Scalar,
        R: Rng + ?Sized,
        P: Network<S, D, K>,
        C: Network<S, D, K>,
    {
        let features = self.next_context::<S, R>(rng);
        let decision = agent.act(rng, &features)?;
        let reward = self.reward(rng, decision.action())?;
        agent.learn(rng, &decision, reward)?;
        Ok(decision.action() == self.optimal_action())
    }
}
