//! CartPole with the classic physics of Barto, Sutton & Anderson (1983), as in Gym's
//! `CartPole-v0`.

use rand_core::Rng;

use crate::learner::{Agent, Config, Decision, Estimator, Optimiser};
use crate::{Error, Scalar, Temperature};

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
            *s = (f32::uniform_from_word(rng.next_u32()) - 0.5) * 0.1;
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
        let [x, _, theta, _] = self.state;
        self.done = !(-X_LIMIT..=X_LIMIT).contains(&x)
            || !(-THETA_LIMIT..=THETA_LIMIT).contains(&theta)
            || self.steps >= Self::MAX_STEPS;
        Ok((1.0, self.done))
    }

    /// The discount γ of the returns the agent learns from.
    pub const DISCOUNT: f32 = 0.99;

    /// The hyperparameters the benchmark uses for `estimator`: λ = 1/2; policy Adam with
    /// learning rate 0.05 (β₁ = 0.9, β₂ = 0.999, ε = 10⁻³); critic plain SGD at 0.05; gradients
    /// clipped to norm 5; baseline decay 0.95.
    pub fn config(estimator: Estimator) -> Result<Config<f32>, Error> {
        Ok(Config {
            estimator,
            temperature: Temperature::new(0.5)?,
            policy_optimiser: Optimiser::Adam {
                learning_rate: 0.05,
                beta1: 0.9,
                beta2: 0.999,
                epsilon: 1e-3,
            },
            critic_optimiser: Optimiser::Sgd {
                learning_rate: 0.05,
                momentum: 0.0,
            },
            max_gradient_norm: 5.0,
            baseline_decay: 0.95,
        })
    }

    /// Plays one episode with `agent` (its decisions kept in `decisions`, cleared first), then
    /// [`observe`](Agent::observe)s every decision with its discounted return scaled into
    /// `[0, 1)`, `(1 − γ) Σ_{t' ≥ t} γ^{t'−t}`, last step first, and takes one
    /// [`update`](Agent::update). Returns the episode's return (steps survived).
    pub fn train_episode<R: Rng + ?Sized>(
        &mut self,
        agent: &mut Agent<f32, 4, 2>,
        rng: &mut R,
        decisions: &mut heapless::Vec<Decision<f32, 4, 2>, 200>,
    ) -> Result<u32, Error> {
        self.reset(rng);
        decisions.clear();
        while !self.done {
            let decision = agent.act(rng, &self.features())?;
            self.step(decision.action())?;
            decisions
                .push(decision)
                .map_err(|_| Error::BufferTooSmall {
                    needed: Self::MAX_STEPS as usize + 1,
                    found: Self::MAX_STEPS as usize,
                })?;
        }
        let mut to_go = 0.0;
        for decision in decisions.iter().rev() {
            to_go = 1.0 + Self::DISCOUNT * to_go;
            agent.observe(rng, decision, to_go * (1.0 - Self::DISCOUNT))?;
        }
        agent.update()?;
        Ok(self.steps)
    }
}
