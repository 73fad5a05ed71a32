//! The agent: a [`Policy`], a [`Critic`], their optimisers and a reward baseline, driven one
//! decision at a time — [`act`](Agent::act), then [`observe`](Agent::observe) the reward, then
//! [`update`](Agent::update).

use rand_core::Rng;

use super::estimator::{self, Estimator};
use super::{Critic, Decision, Linear, Optimiser, OptimiserState, Policy, clip, persistence};
use crate::estimators::score::Baseline;
use crate::{Error, Scalar, Temperature};

/// How an [`Agent`] learns.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Config<S> {
    /// The policy-gradient estimator.
    pub estimator: Estimator,
    /// The temperature λ of the Concrete relaxation the relaxed estimators differentiate
    /// (unused by [`Estimator::Reinforce`]).
    pub temperature: Temperature<S>,
    /// The policy's optimiser.
    pub policy_optimiser: Optimiser<S>,
    /// The critic's optimiser (unused by [`Estimator::Reinforce`], which has no critic).
    pub critic_optimiser: Optimiser<S>,
    /// Gradients longer than this (Euclidean norm over one network's parameters) are scaled
    /// down to it before the optimiser step; `0` disables clipping.
    pub max_gradient_norm: S,
    /// The decay of the running-mean reward baseline
    /// ([`score::Baseline`](crate::estimators::score::Baseline)), in `[0, 1)`: it averages
    /// about the last `1 / (1 − decay)` updates' rewards.
    pub baseline_decay: S,
}

impl<S: Scalar> Config<S> {
    /// Checks every hyperparameter ([`Error::InvalidParameter`] if one is out of range).
    pub fn validate(&self) -> Result<(), Error> {
        self.policy_optimiser.validate()?;
        self.critic_optimiser.validate()?;
        self.estimator.validate()?;
        Baseline::new(self.baseline_decay)?;
        let clip = self.max_gradient_norm;
        if clip.is_finite() && clip >= S::ZERO {
            Ok(())
        } else {
            Err(Error::InvalidParameter)
        }
    }
}

/// Everything an agent has learned: what [`Agent::save`] writes and [`Agent::load`] reads.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct State<S, const D: usize, const K: usize> {
    pub(crate) policy: Policy<S, D, K>,
    pub(crate) critic: Critic<S, D, K>,
    pub(crate) policy_optimiser: OptimiserState<S, D, K>,
    pub(crate) critic_optimiser: OptimiserState<S, D, K>,
    pub(crate) baseline: Baseline<S>,
    pub(crate) updates: u32,
}

/// Gradients observed since the last update.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Pending<S, const D: usize, const K: usize> {
    policy: Linear<S, D, K>,
    critic: Linear<S, D, K>,
    reward_sum: S,
    count: u32,
}

impl<S: Scalar, const D: usize, const K: usize> Pending<S, D, K> {
    const EMPTY: Self = Self {
        policy: Linear::ZERO,
        critic: Linear::ZERO,
        reward_sum: S::ZERO,
        count: 0,
    };
}

/// A learning agent over `K` actions from `D` features, in scalar `S`.
///
/// All state lives in fixed-size arrays inside the struct (no heap); [`Agent::BLOB_LEN`] bytes
/// save it. Every fallible call validates its input first and, on error, leaves the agent
/// exactly as it was.
#[derive(Debug, Clone, PartialEq)]
pub struct Agent<S, const D: usize, const K: usize> {
    config: Config<S>,
    state: State<S, D, K>,
    pending: Pending<S, D, K>,
}

impl<S: Scalar, const D: usize, const K: usize> Agent<S, D, K> {
    /// The size of a saved agent in bytes ([`save`](Self::save)): size a flash page by it.
    /// `18 + 4·(6·(D·K + K) + 5) + 12`; for `D = K = 4`, 530.
    pub const BLOB_LEN: usize = persistence::blob_len(D, K);

    /// A fresh agent: uniform policy, zero critic, zero baseline. Checks `config`
    /// ([`Error::InvalidParameter`]) and that `K ≥ 1` ([`Error::Empty`]).
    pub fn new(config: Config<S>) -> Result<Self, Error> {
        if K == 0 {
            return Err(Error::Empty);
        }
        config.validate()?;
        Ok(Self {
            config,
            state: State {
                policy: Policy::UNIFORM,
                critic: Critic::ZERO,
                policy_optimiser: OptimiserState::NEW,
                critic_optimiser: OptimiserState::NEW,
                baseline: Baseline::new(config.baseline_decay)?,
                updates: 0,
            },
            pending: Pending::EMPTY,
        })
    }

    /// An agent that starts from given networks (for example trained on the host and
    /// flashed): otherwise as [`new`](Self::new). Non-finite parameters are
    /// [`Error::NotFinite`].
    pub fn with_networks(
        config: Config<S>,
        policy: Policy<S, D, K>,
        critic: Critic<S, D, K>,
    ) -> Result<Self, Error> {
        if !(policy.linear.is_finite() && critic.linear.is_finite()) {
            return Err(Error::NotFinite { index: 0 });
        }
        let mut agent = Self::new(config)?;
        agent.state.policy = policy;
        agent.state.critic = critic;
        Ok(agent)
    }

    /// The sums of the loss gradients observed since the last update, for the policy's and
    /// the critic's parameters (the critic's stays zero for [`Estimator::Reinforce`]). `update`
    /// steps against their mean.
    pub fn pending_gradients(&self) -> (&Linear<S, D, K>, &Linear<S, D, K>) {
        (&self.pending.policy, &self.pending.critic)
    }

    /// The configuration.
    pub fn config(&self) -> &Config<S> {
        &self.config
    }

    /// The policy.
    pub fn policy(&self) -> &Policy<S, D, K> {
        &self.state.policy
    }

    /// The critic.
    pub fn critic(&self) -> &Critic<S, D, K> {
        &self.state.critic
    }

    /// The running-mean reward baseline.
    pub fn baseline(&self) -> S {
        self.state.baseline.value()
    }

    /// How many updates have been applied.
    pub fn updates(&self) -> u32 {
        self.state.updates
    }

    /// How many decisions have been observed since the last update.
    pub fn pending(&self) -> u32 {
        self.pending.count
    }

    /// Samples an action for `features` (`D` long, finite) from the policy, keeping its noise.
    pub fn act<R: Rng + ?Sized>(
        &self,
        rng: &mut R,
        features: &[S],
    ) -> Result<Decision<S, D, K>, Error> {
        self.state.policy.act(rng, features)
    }

    /// Records the reward (or, in an episodic task, the return) that followed `decision`: adds
    /// this decision's gradient estimate to the pending ones. Nothing changes in the policy until
    /// [`update`](Self::update).
    ///
    /// Errors, with the agent unchanged: a NaN or infinite reward ([`Error::Nan`],
    /// [`Error::NotFinite`]); an estimate that would make the pending gradient non-finite
    /// ([`Error::NonFiniteUpdate`]). The estimators that draw extra noise
    /// (Gumbel-Rao, RELAX) take it from `rng`.
    pub fn observe<R: Rng + ?Sized>(
        &mut self,
        rng: &mut R,
        decision: &Decision<S, D, K>,
        reward: S,
    ) -> Result<(), Error> {
        if reward.is_nan() {
            return Err(Error::Nan { index: 0 });
        }
        if !reward.is_finite() {
            return Err(Error::NotFinite { index: 0 });
        }
        let gradients = estimator::gradients(
            &self.config,
            &self.state.critic,
            self.state.baseline.value(),
            rng,
            decision,
            reward,
        )?;
        let mut pending = self.pending;
        pending
            .policy
            .add_outer(&gradients.logits, &decision.features, S::ONE);
        pending
            .critic
            .add_outer(&gradients.action_values, &decision.features, S::ONE);
        pending.reward_sum += reward;
        pending.count = pending.count.saturating_add(1);
        if !(pending.policy.is_finite()
            && pending.critic.is_finite()
            && pending.reward_sum.is_finite())
        {
            return Err(Error::NonFiniteUpdate);
        }
        self.pending = pending;
        Ok(())
    }

    /// Applies the mean of the pending gradients: clips each network's gradient to
    /// [`Config::max_gradient_norm`], takes one optimiser step for the policy (and the critic,
    /// if the estimator uses one), moves the baseline, and clears the pending gradients. Does
    /// nothing if nothing was observed.
    ///
    /// If the step would make any parameter or optimiser value NaN or infinite it is refused
    /// with [`Error::NonFiniteUpdate`] and the agent, pending gradients included, is unchanged.
    pub fn update(&mut self) -> Result<(), Error> {
        if self.pending.count == 0 {
            return Ok(());
        }
        let count = S::from_i32(i32::try_from(self.pending.count).unwrap_or(i32::MAX));
        let inverse = S::ONE / count;
        let mut next = self.state;
        let mut policy_gradient = self.pending.policy;
        policy_gradient.scale(inverse);
        clip::clip(&mut policy_gradient, self.config.max_gradient_norm);
        self.config.policy_optimiser.step(
            &mut next.policy_optimiser,
            &mut next.policy.linear,
            &policy_gradient,
        );
        if self.config.estimator.uses_critic() {
            let mut critic_gradient = self.pending.critic;
            critic_gradient.scale(inverse);
            clip::clip(&mut critic_gradient, self.config.max_gradient_norm);
            self.config.critic_optimiser.step(
                &mut next.critic_optimiser,
                &mut next.critic.linear,
                &critic_gradient,
            );
        }
        next.baseline
            .update(self.pending.reward_sum * inverse)
            .map_err(|_| Error::NonFiniteUpdate)?;
        next.updates = next.updates.wrapping_add(1);
        let finite = next.policy.linear.is_finite()
            && next.critic.linear.is_finite()
            && next.policy_optimiser.is_finite()
            && next.critic_optimiser.is_finite();
        if !finite {
            return Err(Error::NonFiniteUpdate);
        }
        self.state = next;
        self.pending = Pending::EMPTY;
        Ok(())
    }

    /// [`observe`](Self::observe) then [`update`](Self::update): one step of a bandit.
    pub fn learn<R: Rng + ?Sized>(
        &mut self,
        rng: &mut R,
        decision: &Decision<S, D, K>,
        reward: S,
    ) -> Result<(), Error> {
        // `observe` and `update` each change nothing when they fail; only the pending
        // gradient that `observe` added must be taken back if `update` then fails.
        let pending = self.pending;
        self.observe(rng, decision, reward)?;
        self.update().inspect_err(|_| self.pending = pending)
    }

    /// Writes the learned state into `out` (at least [`BLOB_LEN`](Self::BLOB_LEN) bytes,
    /// else [`Error::BufferTooSmall`]); returns the number of bytes written. The format is in
    /// the `persistence` notes of the [module documentation](super).
    pub fn save(&self, out: &mut [u8]) -> Result<usize, Error> {
        persistence::save(&self.state, out)
    }

    /// Replaces the learned state with one read from `blob` (saved by an agent of the same
    /// scalar type, `D` and `K`) and clears the pending gradients. A blob that is truncated,
    /// corrupted, of another format version or another shape is [`Error::CorruptedState`] and
    /// the agent is unchanged.
    pub fn load(&mut self, blob: &[u8]) -> Result<(), Error> {
        self.state = persistence::load(blob, self.config.baseline_decay)?;
        self.pending = Pending::EMPTY;
        Ok(())
    }
}
