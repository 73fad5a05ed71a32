//! The agent: a [`Policy`], a [`Critic`], their optimisers and a reward baseline, driven one
//! decision at a time — [`act`](Agent::act), then [`observe`](Agent::observe) the reward, then
//! [`update`](Agent::update).

use rand_core::Rng;

use super::network::{Network, non_finite_sentinel, values};
use super::optimiser::{apply, dry_run};
use super::policy::softmax;
use super::state::State;
use super::{Critic, Decision, Estimator, Linear, Optimiser, Policy, clip, persistence};
use crate::estimators::score::Baseline;
use crate::scalar::from_count;
use crate::validate::{finite, finite_array, finite_scalar};
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

/// Gradients observed since the last update.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Pending<S, P, C> {
    policy: P,
    critic: C,
    reward_sum: S,
    count: u32,
}

/// The largest gradient component, per decision, that [`Agent::observe`] accepts: `2^60` in
/// `f32` (so that `count` of them still sum to a finite value and Adam's square of one stays
/// finite), the largest value in fixed point (which saturates rather than overflows).
fn gradient_limit<S: Scalar>() -> S {
    let half = S::from_i32(1 << 30);
    half * half
}

/// A learning agent over `K` actions from `D` features, in scalar `S`, with a policy network
/// `P` and a critic network `C` (each [`Linear`] by default, or [`Hidden`](super::Hidden)).
///
/// All state lives in fixed-size arrays inside the struct (no heap); [`Agent::BLOB_LEN`] bytes
/// save it. Every fallible call validates its input before it draws a random word or changes
/// anything and, on error, leaves the agent exactly as it was — with one exception, stated at
/// [`update`](Self::update): a batch that cannot be applied is discarded.
#[derive(Debug, Clone, PartialEq)]
pub struct Agent<S, const D: usize, const K: usize, P = Linear<S, D, K>, C = Linear<S, D, K>> {
    config: Config<S>,
    state: State<S, D, K, P, C>,
    pending: Pending<S, P, C>,
}

impl<S: Scalar, const D: usize, const K: usize, P: Network<S, D, K>, C: Network<S, D, K>>
    Agent<S, D, K, P, C>
{
    /// The size of a saved agent in bytes ([`save`](Self::save)): size a flash page by it.
    /// `26 + 4·(3 (P + C) + 5) + 12` for networks of `P` and `C` parameters
    /// ([`Network::PARAMETERS`]):
    ///
    /// | agent | policy parameters | critic parameters | `BLOB_LEN` |
    /// |---|---:|---:|---:|
    /// | `Agent<_, 4, 4>` (both [`Linear`], the bandit) | 20 | 20 | 538 |
    /// | `Agent<_, 4, 2>` (both [`Linear`]) | 10 | 10 | 298 |
    /// | `Agent<_, 4, 2, Linear<_, 4, 2>, Hidden<_, 4, 16, 2>>` (CartPole) | 10 | 114 | 1,546 |
    /// | `Agent<_, 2, 2, Hidden<_, 2, 16, 2>, Hidden<_, 2, 16, 2>>` (XOR bandit) | 82 | 82 | 2,026 |
    ///
    /// [`Hidden`]: super::Hidden
    pub const BLOB_LEN: usize = persistence::blob_len(P::PARAMETERS, C::PARAMETERS);

    const NO_PENDING: Pending<S, P, C> = Pending {
        policy: P::ZERO,
        critic: C::ZERO,
        reward_sum: S::ZERO,
        count: 0,
    };

    /// A fresh agent: both networks at [`Network::initial`] (a uniform policy, a zero critic),
    /// zero baseline. Checks `config` ([`Error::InvalidParameter`]) and that `K ≥ 1`
    /// ([`Error::Empty`]).
    pub fn new(config: Config<S>) -> Result<Self, Error> {
        if K == 0 {
            return Err(Error::Empty);
        }
        config.validate()?;
        Ok(Self {
            config,
            state: State::new(Baseline::new(config.baseline_decay)?),
            pending: Self::NO_PENDING,
        })
    }

    /// An agent that starts from given networks (for example trained on the host and
    /// flashed): otherwise as [`new`](Self::new). Non-finite parameters are
    /// [`Error::NotFinite`].
    pub fn with_networks(
        config: Config<S>,
        policy: Policy<S, D, K, P>,
        critic: Critic<S, D, K, C>,
    ) -> Result<Self, Error> {
        let finite = values(&policy.network).all(|v| v.is_finite())
            && values(&critic.network).all(|v| v.is_finite());
        if !finite {
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
    pub fn pending_gradients(&self) -> (&P, &C) {
        (&self.pending.policy, &self.pending.critic)
    }

    /// The configuration.
    pub fn config(&self) -> &Config<S> {
        &self.config
    }

    /// The policy.
    pub fn policy(&self) -> &Policy<S, D, K, P> {
        &self.state.policy
    }

    /// The critic.
    pub fn critic(&self) -> &Critic<S, D, K, C> {
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

    /// Samples an action for `features` (`D` long, finite) from the policy: `K` random words,
    /// drawn after every check. The noise is kept in the [`Decision`] if the estimator needs it;
    /// an agent that learns by [`Estimator::Reinforce`] draws the action with the cheaper
    /// [`categorical::sample`](crate::categorical::sample) instead (the same words, the same
    /// action) and its decisions hold zero noise ([`Decision::has_noise`]). Errors as
    /// [`Policy::act`].
    pub fn act<R: Rng + ?Sized>(
        &self,
        rng: &mut R,
        features: &[S],
    ) -> Result<Decision<S, D, K>, Error> {
        self.state
            .policy
            .decide(rng, features, self.config.estimator.uses_noise())
    }

    /// The agent's estimate of the value of the state with `features`: the baseline plus the
    /// critic's values averaged by the policy, `β + ⟨π(s), q(s)⟩` (just `β` while the critic is
    /// zero, and for [`Estimator::Reinforce`], which does not train it). What a TD target
    /// bootstraps from: `r + γ V(s')` for [`observe_with_target`](Self::observe_with_target).
    /// Errors: features of another length or not finite; a value that overflows.
    pub fn value(&self, features: &[S]) -> Result<S, Error> {
        let features = finite_array(features)?;
        let (logits, _) = self.state.policy.network.forward(&features);
        finite(&logits)?;
        let probabilities = softmax(&logits)?;
        let (q, _) = self.state.critic.network.forward(&features);
        finite(&q)?;
        let mut value = self.state.baseline.value();
        for (&p, &q) in probabilities.iter().zip(&q) {
            value += p * q;
        }
        finite_scalar(value)
    }

    /// Records the reward (or, in an episodic task, the return) that followed `decision`: adds
    /// this decision's gradient estimate to the pending ones, and the critic's least-squares
    /// gradient towards the same reward. Nothing changes in the policy until
    /// [`update`](Self::update). [`observe_with_target`](Self::observe_with_target) gives the
    /// critic another target.
    ///
    /// Errors, before any random word is drawn and with the agent unchanged: a NaN or infinite
    /// reward ([`Error::Nan`], [`Error::NotFinite`]); a decision without its noise for an
    /// estimator that needs it ([`Error::NoiseMismatch`]); critic values that overflow; and
    /// [`Error::NonFiniteUpdate`] for an estimate that could make a gradient component larger
    /// than `2^60` (in `f32`): a bound on the estimate (see [`Estimator`]) times a bound on the
    /// network's backward pass ([`Network::gain`]) is checked before the estimator draws, so
    /// that every accepted decision keeps the pending sums finite and any update's squares
    /// finite. The estimators that draw noise (Gumbel-Rao: `M·K` words, RELAX: `K`) take it
    /// from `rng` after these checks; they refuse nothing after drawing for a decision made by
    /// [`act`](Self::act).
    pub fn observe<R: Rng + ?Sized>(
        &mut self,
        rng: &mut R,
        decision: &Decision<S, D, K>,
        reward: S,
    ) -> Result<(), Error> {
        self.observe_with_target(rng, decision, reward, reward)
    }

    /// [`observe`](Self::observe), with the critic fitted to `target` instead of the reward:
    /// for example a TD(0) target `r + γ V(s')` ([`value`](Self::value)), which learns faster
    /// and with less variance than a Monte-Carlo return, while the policy's estimator still
    /// sees `reward`. Errors as `observe`; a NaN or infinite target is [`Error::Nan`] /
    /// [`Error::NotFinite`] with index 1.
    pub fn observe_with_target<R: Rng + ?Sized>(
        &mut self,
        rng: &mut R,
        decision: &Decision<S, D, K>,
        reward: S,
        target: S,
    ) -> Result<(), Error> {
        finite(&[reward, target])?;
        let estimator = self.config.estimator;
        if estimator.uses_noise() && !decision.has_noise() {
            return Err(Error::NoiseMismatch);
        }
        let baseline = self.state.baseline.value();
        let advantage = reward - baseline;
        let reward_sum = self.pending.reward_sum + reward;
        let limit = gradient_limit::<S>();
        let within = |bound: S, gain: S| {
            let b = (bound * gain).abs();
            b + b <= limit
        };
        let features = &decision.features;

        let critic = &self.state.critic.network;
        let critic_pass = if estimator.uses_critic() {
            let (q, activations) = critic.forward(features);
            finite(&q)?;
            let error = q.get(decision.action()).copied().unwrap_or(S::ZERO) - (target - baseline);
            if !within(error, critic.gain(features, &activations)) {
                return Err(Error::NonFiniteUpdate);
            }
            Some((q, activations, error))
        } else {
            None
        };
        let q = critic_pass.map_or([S::ZERO; K], |(q, _, _)| q);
        let policy = &self.state.policy.network;
        let activations = policy.activations(features);
        let bound = estimator.bound(self.config.temperature, advantage, &q);
        if !(within(bound, policy.gain(features, &activations)) && reward_sum.is_finite()) {
            return Err(Error::NonFiniteUpdate);
        }

        let ascent = super::estimator::ascent(
            estimator,
            self.config.temperature,
            rng,
            decision,
            advantage,
            &q,
        )?;
        let loss = ascent.map(|a| -a);
        policy.backward(features, &activations, &loss, &mut self.pending.policy);
        if let Some((_, activations, error)) = critic_pass {
            let mut upstream = [S::ZERO; K];
            if let Some(u) = upstream.get_mut(decision.action()) {
                *u = error;
            }
            critic.backward(features, &activations, &upstream, &mut self.pending.critic);
        }
        self.pending.reward_sum = reward_sum;
        self.pending.count = self.pending.count.saturating_add(1);
        Ok(())
    }

    /// Applies the mean of the pending gradients: clips each network's gradient to
    /// [`Config::max_gradient_norm`], takes one optimiser step for the policy (and the critic,
    /// if the estimator uses one), moves the baseline, and clears the pending gradients. Does
    /// nothing if nothing was observed.
    ///
    /// In place: in `f32` a read-only pass first checks that every new parameter and moment
    /// would be finite (a branch-free `x − x` sum); only then are they written. If one would be
    /// NaN or infinite the step is refused with [`Error::NonFiniteUpdate`]: the learned state
    /// (networks, optimisers, baseline) is unchanged and **the pending batch is discarded** —
    /// the same batch on the same state would be refused again for ever, so keeping it would
    /// wedge the agent. [`observe`](Self::observe) already refuses the estimates that could make
    /// any update overflow through its gradients, so this takes hyperparameters that overflow
    /// by themselves (a learning rate of `1e30`). Fixed point saturates instead and is never
    /// refused.
    pub fn update(&mut self) -> Result<(), Error> {
        let count = self.pending.count;
        if count == 0 {
            return Ok(());
        }
        let inverse = S::ONE / from_count::<S>(count as usize);
        let uses_critic = self.config.estimator.uses_critic();
        let max_norm = self.config.max_gradient_norm;
        let policy_scale = clip::scale(&self.pending.policy, inverse, max_norm);
        let critic_scale = if uses_critic {
            clip::scale(&self.pending.critic, inverse, max_norm)
        } else {
            S::ZERO
        };
        let policy_step = self
            .config
            .policy_optimiser
            .prepare(&self.state.policy_optimiser);
        let critic_step = self
            .config
            .critic_optimiser
            .prepare(&self.state.critic_optimiser);
        let mut baseline = self.state.baseline;
        let mut refused = baseline.update(self.pending.reward_sum * inverse).is_err();
        // Fixed point saturates, so it has nothing to check.
        let can_overflow = !(S::MAX + S::MAX).is_finite();
        if can_overflow && !refused {
            let state = &self.state;
            let mut sentinel = dry_run(
                policy_step.0,
                &state.policy_optimiser,
                &state.policy.network,
                &self.pending.policy,
                policy_scale,
            );
            sentinel += non_finite_sentinel(&[policy_step.1, policy_step.2]);
            if uses_critic {
                sentinel += dry_run(
                    critic_step.0,
                    &state.critic_optimiser,
                    &state.critic.network,
                    &self.pending.critic,
                    critic_scale,
                );
            }
            refused = sentinel != S::ZERO;
        }
        if refused {
            self.pending = Self::NO_PENDING;
            return Err(Error::NonFiniteUpdate);
        }
        let state = &mut self.state;
        apply(
            policy_step,
            &mut state.policy_optimiser,
            &mut state.policy.network,
            &self.pending.policy,
            policy_scale,
        );
        if uses_critic {
            apply(
                critic_step,
                &mut state.critic_optimiser,
                &mut state.critic.network,
                &self.pending.critic,
                critic_scale,
            );
        }
        state.baseline = baseline;
        state.updates = state.updates.wrapping_add(1);
        self.pending = Self::NO_PENDING;
        Ok(())
    }

    /// [`observe`](Self::observe) then [`update`](Self::update): one step of a bandit. Errors
    /// as theirs: refused by `observe`, the agent is unchanged; refused by `update`, the batch
    /// (this decision and any pending before it) is discarded.
    pub fn learn<R: Rng + ?Sized>(
        &mut self,
        rng: &mut R,
        decision: &Decision<S, D, K>,
        reward: S,
    ) -> Result<(), Error> {
        self.observe(rng, decision, reward)?;
        self.update()
    }

    /// Writes the learned state into `out` (at least [`BLOB_LEN`](Self::BLOB_LEN) bytes,
    /// else [`Error::BufferTooSmall`]); returns the number of bytes written. Gradients observed
    /// but not yet applied are not saved.
    ///
    /// # Format (version 2, all integers little-endian)
    ///
    /// | bytes | content |
    /// |---|---|
    /// | 4 | magic `GMBL` |
    /// | 2 | format version, 2 |
    /// | 4 | `D` (features) |
    /// | 4 | `K` (actions) |
    /// | 4 | the policy network's hidden width ([`Network::HIDDEN`], 0 for [`Linear`]) |
    /// | 4 | the critic network's hidden width |
    /// | 4 | fingerprint of the scalar type: the bits of `1` (`0x3F80_0000` for `f32`, `0x0001_0000` for I16F16) |
    /// | 4 · (3 (P + C) + 5) | policy, critic, the policy optimiser's first and second moments, the critic optimiser's, each network's parameters in [`Network::slices`] order; the optimisers' `β₁ᵗ, β₂ᵗ`; the reward baseline's mean; one word each ([`Scalar::to_bits`]) |
    /// | 4 | the number of rewards the baseline has seen |
    /// | 4 | the number of updates applied |
    /// | 4 | CRC-32 (ISO-HDLC, the zlib/PNG one) of everything before it |
    ///
    /// `P` and `C` are the networks' [`Network::PARAMETERS`]. CRC-32 detects every error burst
    /// of up to 32 bits, so every single-bit flip and every truncation (which removes or moves
    /// the checksum) is caught; the tests check both exhaustively. Version 1 (before hidden
    /// layers; no widths in the header) is refused.
    pub fn save(&self, out: &mut [u8]) -> Result<usize, Error> {
        persistence::save(&self.state, out)
    }

    /// Replaces the learned state with one read from `blob` (saved by an agent of the same
    /// scalar type, `D`, `K` and networks; the format is at [`save`](Self::save)) and clears
    /// the pending gradients. Refused with [`Error::CorruptedState`], the agent unchanged: a
    /// blob that is truncated, fails its CRC, is of another format version, shape or scalar,
    /// or decodes to a state no agent can be in — a NaN or infinite value, a negative second
    /// moment, a `β` power outside `[0, 1]` (0 is reached: `0.9ᵗ` underflows).
    pub fn load(&mut self, blob: &[u8]) -> Result<(), Error> {
        self.state = persistence::load(blob, self.config.baseline_decay)?;
        self.pending = Self::NO_PENDING;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use rand_core::SeedableRng;
    use rand_xoshiro::Xoshiro128PlusPlus;

    use super::*;
    use crate::learner::{Critic, Linear, Optimiser, Policy};

    /// A valid configuration: REINFORCE, λ = 1/2, SGD for both networks, clipping at 5.
    fn config() -> Config<f32> {
        Config {
            estimator: Estimator::Reinforce,
            temperature: Temperature::new(0.5).unwrap(),
            policy_optimiser: Optimiser::Sgd {
                learning_rate: 0.01,
                momentum: 0.9,
            },
            critic_optimiser: Optimiser::Sgd {
                learning_rate: 0.05,
                momentum: 0.0,
            },
            max_gradient_norm: 5.0,
            baseline_decay: 0.95,
        }
    }

    #[test]
    fn invalid_configurations_are_refused() {
        let good = config();
        let bad = [
            Config {
                baseline_decay: 1.0,
                ..good
            },
            Config {
                baseline_decay: f32::NAN,
                ..good
            },
            Config {
                max_gradient_norm: -1.0,
                ..good
            },
            Config {
                max_gradient_norm: f32::INFINITY,
                ..good
            },
            Config {
                policy_optimiser: Optimiser::Sgd {
                    learning_rate: 0.0,
                    momentum: 0.0,
                },
                ..good
            },
            Config {
                policy_optimiser: Optimiser::Sgd {
                    learning_rate: 0.1,
                    momentum: 1.0,
                },
                ..good
            },
            Config {
                critic_optimiser: Optimiser::Adam {
                    learning_rate: 0.1,
                    beta1: 0.9,
                    beta2: 0.999,
                    epsilon: 0.0,
                },
                ..good
            },
            Config {
                critic_optimiser: Optimiser::AdaMax {
                    learning_rate: 0.1,
                    beta1: 0.9,
                    beta2: 1.0,
                    epsilon: 1e-8,
                },
                ..good
            },
            Config {
                estimator: Estimator::GumbelRao { samples: 0 },
                ..good
            },
        ];
        for config in bad {
            assert_eq!(
                Agent::<f32, 4, 4>::new(config).unwrap_err(),
                Error::InvalidParameter,
                "{config:?}"
            );
        }
        let nan_policy = Policy::new(Linear::new([[f32::NAN; 4]; 4], [0.0; 4]));
        assert_eq!(
            Agent::<f32, 4, 4>::with_networks(good, nan_policy, Critic::ZERO).unwrap_err(),
            Error::NotFinite { index: 0 }
        );
    }

    #[test]
    fn sgd_first_step_is_the_learning_rate_times_the_gradient() {
        let config = Config {
            policy_optimiser: Optimiser::Sgd {
                learning_rate: 0.5,
                momentum: 0.5,
            },
            max_gradient_norm: 0.0,
            baseline_decay: 0.0,
            ..config()
        };
        let mut agent = Agent::<f32, 1, 2>::new(config).unwrap();
        let mut rng = Xoshiro128PlusPlus::seed_from_u64(13);
        let decision = agent.act(&mut rng, &[0.0]).unwrap();
        agent.learn(&mut rng, &decision, 1.0).unwrap(); // baseline 0: loss gradient −(e_a − 1/2)
        let first = agent.policy().parameters().bias()[decision.action()];
        assert_eq!(first, 0.25);
    }
}
