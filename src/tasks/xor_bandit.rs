//! A contextual bandit that a linear policy cannot solve: the best action is the XOR of two
//! context bits.

use rand_core::Rng;

use super::ContextualBandit;
use crate::learner::{Agent, Config, Estimator, Hidden, Optimiser};
use crate::{Error, Scalar, Temperature};

/// The agent the XOR bandit needs, in scalar `S`: 2 features, 2 actions, a policy and a critic
/// each with one hidden layer of 16 leaky ReLU units (82 parameters each). 2,026 bytes saved
/// ([`Agent::BLOB_LEN`]).
pub type XorAgent<S> = Agent<S, 2, 2, Hidden<S, 2, 16, 2>, Hidden<S, 2, 16, 2>>;

/// A contextual bandit whose best action is the XOR of two context bits: each step two bits
/// `b₁, b₂` are drawn uniformly; the agent sees 2 features, `±1` for each bit plus independent
/// uniform jitter in `(−1/4, 1/4)`; action `b₁ ⊕ b₂` has mean reward 1, the other 0.6, and each
/// reward carries uniform noise in `(−1, 1)`.
///
/// The best action depends on the product of the features (`+` when their signs differ), which
/// no linear logit `w₁ s₁ + w₂ s₂ + b` can follow in all four contexts: a linear policy is
/// right in at most three of them, 75% optimal at best, so it cannot meet the criterion of the
/// crate's benchmark, at least 95% optimal actions over the last 1,000 of 20,000 steps. A
/// policy with a hidden layer can ([`XorAgent`]).
///
/// Written over [`Scalar`] with integer constants only (so the fixed-point learner trains on
/// the same task). Each context draw takes 3 random words (the bits, then the jitter in feature
/// order), each reward 1.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct XorBandit {
    bits: [bool; 2],
}

impl XorBandit {
    /// Number of features.
    pub const FEATURES: usize = 2;
    /// Number of actions.
    pub const ACTIONS: usize = 2;
    /// Steps in a benchmark run.
    pub const STEPS: usize = 20_000;
    /// The success window: the last this many steps.
    pub const WINDOW: usize = 1_000;
    /// Optimal actions needed in the window.
    pub const SUCCESS: u32 = 950;

    /// A bandit with both bits clear (call [`next_context`](Self::next_context) before
    /// acting).
    pub const fn new() -> Self {
        Self { bits: [false; 2] }
    }

    /// The current context bits.
    pub fn bits(&self) -> [bool; 2] {
        self.bits
    }

    /// The hyperparameters the benchmark uses for `estimator`, for the hidden-layer agent and
    /// the linear one alike, from integers only: λ = 1; policy and critic Adam with learning
    /// rate 3/1000, β₁ = 9/10, β₂ = 999/1000 and ε = 1/10; gradients clipped to norm 5;
    /// baseline decay 19/20.
    ///
    /// Slow, and with an ε a hundred times CartPole's, on purpose. The critic-driven estimators
    /// follow the critic, which is wrong about XOR until its hidden layer has learned it and
    /// which, once the policy is greedy, sees only the actions it takes. With a small ε Adam
    /// turns the reward noise into full-size steps: the policy saturated on a wrong action in
    /// one context (probability `1 − 10⁻⁷`, where the relaxed sample has no slope to come back
    /// by), or drifted off the right one late. With ε = 1/10 steps shrink with the gradient;
    /// measured over seeds 100-199, every estimator then held ≥ 95% optimal actions at step
    /// 20,000 (with ε = 1/100 and learning rates 3/1000 and 1/100, 7 to 20 of 60 straight-through
    /// and Gumbel-Rao runs did not).
    pub fn config<S: Scalar>(estimator: Estimator) -> Result<Config<S>, Error> {
        let ratio = |n: i32, d: i32| S::from_i32(n) / S::from_i32(d);
        let adam = Optimiser::Adam {
            learning_rate: ratio(3, 1000),
            beta1: ratio(9, 10),
            beta2: ratio(999, 1000),
            epsilon: ratio(1, 10),
        };
        Ok(Config {
            estimator,
            temperature: Temperature::new(S::ONE)?,
            policy_optimiser: adam,
            critic_optimiser: adam,
            max_gradient_norm: S::from_i32(5),
            baseline_decay: ratio(19, 20),
        })
    }
}

impl ContextualBandit<2, 2> for XorBandit {
    /// Draws the next context and returns its features.
    fn next_context<S: Scalar, R: Rng + ?Sized>(&mut self, rng: &mut R) -> [S; 2] {
        let word = rng.next_u32();
        self.bits = [word >> 31 == 1, (word >> 30) & 1 == 1];
        self.bits.map(|bit| {
            let jitter = (crate::noise::uniform::<S, _>(rng) - S::HALF) * S::HALF;
            let sign = if bit { S::ONE } else { -S::ONE };
            sign + jitter
        })
    }

    /// The best action in the current context, `b₁ ⊕ b₂`.
    fn optimal_action(&self) -> usize {
        usize::from(self.bits[0] ^ self.bits[1])
    }

    /// The mean reward of `action` in the current context: 1 for the best, 0.6 for the other
    /// (an action `≥ 2` is [`Error::UnavailableAction`]).
    fn mean_reward<S: Scalar>(&self, action: usize) -> Result<S, Error> {
        if action >= Self::ACTIONS {
            return Err(Error::UnavailableAction { index: action });
        }
        Ok(if action == self.optimal_action() {
            S::ONE
        } else {
            S::from_i32(3) / S::from_i32(5)
        })
    }
}
