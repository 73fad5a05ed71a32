//! CartPole with the classic physics of Barto, Sutton & Anderson (1983), as in Gym's
//! `CartPole-v0`.

use rand_core::Rng;

use crate::learner::{Agent, Config, Decision, Estimator, Hidden, Linear, Optimiser};
use crate::{Error, Scalar, Temperature};

/// The agent the CartPole benchmark trains, in scalar `S`: 4 features, 2 actions, a linear
/// policy and a critic with one hidden layer of 16 leaky ReLU units (why: the
/// [`learner`](crate::learner) notes). 1,546 bytes saved ([`Agent::BLOB_LEN`]).
pub type CartPoleAgent<S> = Agent<S, 4, 2, Linear<S, 4, 2>, Hidden<S, 4, 16, 2>>;

const GRAVITY: f32 = 9.8;
const MASS_CART: f32 = 1.0;
const MASS_POLE: f32 = 0.1;
const TOTAL_MASS: f32 = MASS_CART + MASS_POLE;
/// Half the pole's length.
const LENGTH: f32 = 0.5;
const POLE_MASS_LENGTH: f32 = MASS_POLE * LENGTH;
const FORCE: f32 = 10.0;
/// Seconds per step (explicit Euler).
const TAU: f32 = 0.02;
/// 12 degrees.
const THETA_LIMIT: f32 = 12.0 * 2.0 * core::f32::consts::PI / 360.0;
const X_LIMIT: f32 = 2.4;

/// A pole hinged on a cart on a track: push the cart left (action 0) or right (action 1) with
/// 10 N to keep the pole within 12° of upright and the cart within 2.4 m of the centre. Gym
/// `CartPole-v0`'s constants and explicit Euler step (τ = 0.02 s); the start state is uniform in
/// `(−0.05, 0.05)` in each coordinate; reward 1 for every step taken, the failing one included;
/// an episode ends when the pole or cart leaves its limits or after 200 steps.
/// Solved: mean return ≥ 195 over 100 consecutive episodes.
///
/// The physics is `f32` through `libm` (it needs sine and cosine), so every target computes the
/// same trajectory; the learner may still be fixed point, fed by
/// [`features`](Self::features) converted at the boundary.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct CartPole {
    state: [f32; 4],
    steps: u32,
    done: bool,
}

impl CartPole {
    /// The episode cap.
    pub const MAX_STEPS: u32 = 200;
    /// Number of actions.
    pub const ACTIONS: usize = 2;
    /// Number of features returned by [`features`](Self::features).
    pub const FEATURES: usize = 4;
    /// Episodes averaged by the success criterion.
    pub const WINDOW: usize = 100;
    /// Mean return over the window that counts as solved.
    pub const SOLVED_MEAN: u32 = 195;

    /// Starts an episode: each of `x, ẋ, θ, θ̇` uniform in `(−0.05, 0.05)` (4 random words).
    pub fn reset<R: Rng + ?Sized>(&mut self, rng: &mut R) {
        for s in &mut self.state {
            *s = (crate::noise::uniform::<f32, _>(rng) - 0.5) * 0.1;
        }
        self.steps = 0;
        self.done = false;
    }

    /// The state `[x, ẋ, θ, θ̇]` (m, m/s, rad, rad/s).
    pub fn state(&self) -> [f32; 4] {
        self.state
    }

    /// The policy's features: the state divided by rough scales of each coordinate over an
    /// episode, `[x / 2.4, ẋ / 2, θ / 0.21, θ̇ / 2]`, so every feature is of order one.
    pub fn features(&self) -> [f32; 4] {
        let [x, x_dot, theta, theta_dot] = self.state;
        [
            x / X_LIMIT,
            x_dot * 0.5,
            theta / THETA_LIMIT,
            theta_dot * 0.5,
        ]
    }

    /// Steps taken in this episode.
    pub fn steps(&self) -> u32 {
        self.steps
    }

    /// `true` once the episode is over.
    pub fn is_done(&self) -> bool {
        self.done
    }

    /// `true` if the pole or the cart is beyond its limit: the episode ended in failure (rather
    /// than at the 200-step time limit, or not yet).
    pub fn has_failed(&self) -> bool {
        let [x, _, theta, _] = self.state;
        !(-X_LIMIT..=X_LIMIT).contains(&x) || !(-THETA_LIMIT..=THETA_LIMIT).contains(&theta)
    }

    /// Applies `action` (0 = push left, 1 = push right) for one step; returns the reward (1)
    /// and whether the episode is over. Stepping a finished episode is [`Error::EpisodeOver`];
    /// an action other than 0 or 1 is [`Error::UnavailableAction`].
    pub fn step(&mut self, action: usize) -> Result<(f32, bool), Error> {
        if self.done {
            return Err(Error::EpisodeOver);
        }
        if action > 1 {
            return Err(Error::UnavailableAction { index: action });
        }
        let [x, x_dot, theta, theta_dot] = self.state;
        let force = if action == 1 { FORCE } else { -FORCE };
        let (sin, cos) = (libm::sinf(theta), libm::cosf(theta));
        let temp = (force + POLE_MASS_LENGTH * theta_dot * theta_dot * sin) / TOTAL_MASS;
        let theta_acc = (GRAVITY * sin - cos * temp)
            / (LENGTH * (4.0 / 3.0 - MASS_POLE * cos * cos / TOTAL_MASS));
        let x_acc = temp - POLE_MASS_LENGTH * theta_acc * cos / TOTAL_MASS;
        self.state = [
            x + TAU * x_dot,
            x_dot + TAU * x_acc,
            theta + TAU * theta_dot,
            theta_dot + TAU * theta_acc,
        ];
        self.steps += 1;
        self.done = self.has_failed() || self.steps >= Self::MAX_STEPS;
        Ok((1.0, self.done))
    }

    /// The discount γ of the returns the agent learns from, 99/100.
    pub const DISCOUNT: f32 = 0.99;

    /// [`features`](Self::features) in scalar `S` (rounded to the nearest value).
    pub fn features_in<S: Scalar>(&self) -> [S; 4] {
        self.features().map(|f| S::from_f64(f64::from(f)))
    }

    /// The hyperparameters the benchmark uses for `estimator`, from integers only: λ = 1/2,
    /// gradients clipped to norm 5, baseline decay 19/20, and
    ///
    /// - in `f32`: policy and critic Adam with learning rate 3/100, β₁ = 9/10, β₂ = 999/1000,
    ///   ε = 1/1000;
    /// - in fixed point, where Adam's second moment underflows ([`Optimiser::AdaMax`] has the
    ///   measurement): AdaMax with learning rates 1/20 (policy) and 3/100 (critic), β₁ = 9/10,
    ///   β₂ = 19/20, ε = 2^-16.
    ///
    /// Which scalar is which is read off its resolution: fixed point is the one in which the
    /// square of [`Scalar::EPSILON`] is zero. (An error only if the scalar type cannot
    /// represent λ = 1/2.)
    pub fn config<S: Scalar>(estimator: Estimator) -> Result<Config<S>, Error> {
        let ratio = |n: i32, d: i32| S::from_i32(n) / S::from_i32(d);
        let squares_underflow = S::EPSILON * S::EPSILON == S::ZERO;
        let (policy_optimiser, critic_optimiser) = if squares_underflow {
            let adamax = |learning_rate| Optimiser::AdaMax {
                learning_rate,
                beta1: ratio(9, 10),
                beta2: ratio(19, 20),
                epsilon: ratio(1, 1 << 16),
            };
            (adamax(ratio(1, 20)), adamax(ratio(3, 100)))
        } else {
            let adam = Optimiser::Adam {
                learning_rate: ratio(3, 100),
                beta1: ratio(9, 10),
                beta2: ratio(999, 1000),
                epsilon: ratio(1, 1000),
            };
            (adam, adam)
        };
        Ok(Config {
            estimator,
            temperature: Temperature::new(S::HALF)?,
            policy_optimiser,
            critic_optimiser,
            max_gradient_norm: S::from_i32(5),
            baseline_decay: ratio(19, 20),
        })
    }

    /// Plays one episode with `agent` (its decisions kept in `decisions`, cleared first), then
    /// learns from it with one [`update`](Agent::update). Returns the episode's return (steps
    /// survived).
    ///
    /// Each decision is [`observe`](Agent::observe_with_target)d, last step first, with its
    /// discounted return scaled into `[0, 1)`, `G_t = (1 − γ) Σ_{t' ≥ t} γ^{t'−t}`, for the
    /// policy's estimator, and — if the estimator uses a critic — with the TD(0) target
    /// `(1 − γ) + γ V(s_{t+1})` for the critic ([`Agent::value`], all from the critic before
    /// this episode's update). After a failure `V = 0`; at the 200-step time limit, which the
    /// state does not show and which is no failure, the target bootstraps from the value of the
    /// state reached.
    pub fn train_episode<S: Scalar, R: Rng + ?Sized>(
        &mut self,
        agent: &mut CartPoleAgent<S>,
        rng: &mut R,
        decisions: &mut heapless::Vec<Decision<S, 4, 2>, 200>,
    ) -> Result<u32, Error> {
        self.reset(rng);
        decisions.clear();
        while !self.done {
            let decision = agent.act(rng, &self.features_in())?;
            self.step(decision.action())?;
            decisions
                .push(decision)
                .map_err(|_| Error::BufferTooSmall {
                    needed: Self::MAX_STEPS as usize + 1,
                    found: Self::MAX_STEPS as usize,
                })?;
        }
        let gamma = S::from_i32(99) / S::from_i32(100);
        let reward = S::ONE - gamma;
        let bootstrap = agent.config().estimator.uses_critic();
        let mut next_value = if bootstrap && !self.has_failed() {
            agent.value(&self.features_in())?
        } else {
            S::ZERO
        };
        let mut to_go = S::ZERO;
        for decision in decisions.iter().rev() {
            to_go = reward + gamma * to_go;
            let target = reward + gamma * next_value;
            agent.observe_with_target(rng, decision, to_go, target)?;
            if bootstrap {
                next_value = agent.value(decision.features())?;
            }
        }
        agent.update()?;
        Ok(self.steps)
    }
}
