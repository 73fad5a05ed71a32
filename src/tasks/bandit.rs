//! A contextual bandit with 4 contexts, 4 features, 4 actions and noisy rewards.

use rand_core::Rng;

use super::ContextualBandit;
use crate::learner::{Config, Estimator, Optimiser};
use crate::{Error, Scalar, Temperature};

/// Mean reward of each action in each context, in tenths. Every context has one best action
/// (mean 1.0) and a runner-up 0.4 behind it (mean 0.6), so the noise (±1) swamps the gap in any
/// single reward.
const MEAN_REWARD_TENTHS: [[i32; 4]; 4] =
    [[2, 10, 6, 0], [6, 0, 2, 10], [10, 2, 0, 6], [0, 6, 10, 2]];
/// The best action of each context.
const OPTIMAL: [usize; 4] = [1, 3, 0, 2];

/// A contextual bandit: each step a context `c ∈ {0,1,2,3}` is drawn uniformly; the agent sees 4
/// features, `e_c` (one-hot) plus independent uniform jitter in `(−1/4, 1/4)` on every
/// coordinate; it picks one of 4 actions and receives the context's mean reward for it (in
/// `[0, 1]`, a fixed table with a gap of 0.4 between the best and second-best action) plus
/// uniform noise in `(−1, 1)` (standard deviation 0.58).
///
/// The success criterion of the crate's benchmark: at least 95% optimal actions over the last
/// 1,000 of 20,000 steps.
///
/// Written over [`Scalar`] with integer constants only, so the fixed-point learner trains on the
/// same task. Each context draw takes 5 random words (context, then jitter in feature order),
/// each reward 1.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Bandit {
    context: usize,
}

impl Bandit {
    /// Number of features.
    pub const FEATURES: usize = 4;
    /// Number of actions.
    pub const ACTIONS: usize = 4;
    /// Steps in a benchmark run.
    pub const STEPS: usize = 20_000;
    /// The success window: the last this many steps.
    pub const WINDOW: usize = 1_000;
    /// Optimal actions needed in the window.
    pub const SUCCESS: u32 = 950;

    /// A bandit in context 0 (call [`next_context`](Self::next_context) before acting).
    pub const fn new() -> Self {
        Self { context: 0 }
    }

    /// The current context.
    pub fn context(&self) -> usize {
        self.context
    }

    /// The hyperparameters the benchmark uses for `estimator`, from integers only (so the same
    /// in fixed point): λ = 1/2; policy SGD with learning rate 1/100 and momentum 9/10; critic
    /// plain SGD at 1/20; gradients clipped to norm 5; baseline decay 19/20. (An error only if
    /// the scalar type cannot represent λ = 1/2.)
    pub fn config<S: Scalar>(estimator: Estimator) -> Result<Config<S>, Error> {
        let ratio = |n: i32, d: i32| S::from_i32(n) / S::from_i32(d);
        Ok(Config {
            estimator,
            temperature: Temperature::new(S::HALF)?,
            policy_optimiser: Optimiser::Sgd {
                learning_rate: ratio(1, 100),
                momentum: ratio(9, 10),
            },
            critic_optimiser: Optimiser::Sgd {
                learning_rate: ratio(1, 20),
                momentum: S::ZERO,
            },
            max_gradient_norm: S::from_i32(5),
            baseline_decay: ratio(19, 20),
        })
    }
}

impl ContextualBandit<4, 4> for Bandit {
    /// Draws the next context and returns its features.
    fn next_context<S: Scalar, R: Rng + ?Sized>(&mut self, rng: &mut R) -> [S; 4] {
        self.context = (rng.next_u32() >> 30) as usize;
        let mut features = [S::ZERO; 4];
        for (d, f) in features.iter_mut().enumerate() {
            let jitter = (crate::noise::uniform::<S, _>(rng) - S::HALF) * S::HALF;
            *f = if d == self.context { S::ONE } else { S::ZERO } + jitter;
        }
        features
    }

    /// The best action in the current context.
    fn optimal_action(&self) -> usize {
        OPTIMAL.get(self.context).copied().unwrap_or(0)
    }

    /// The mean reward of `action` in the current context (an action `≥ 4` is
    /// [`Error::UnavailableAction`]).
    fn mean_reward<S: Scalar>(&self, action: usize) -> Result<S, Error> {
        let tenths = MEAN_REWARD_TENTHS
            .get(self.context)
            .and_then(|row| row.get(action))
            .ok_or(Error::UnavailableAction { index: action })?;
        Ok(S::from_i32(*tenths) / S::from_i32(10))
    }
}
