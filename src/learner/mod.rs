//! Layer 5: a tiny on-device learner. A softmax [`Policy`] over `K` discrete actions from `D`
//! features, a [`Critic`] `Q(s, y)` over the relaxed action, and an [`Agent`] that trains them
//! from rewards with a selectable policy-gradient [`Estimator`] and [`Optimiser`], everything in
//! fixed-size arrays (no heap), written once over [`Scalar`](crate::Scalar) so the same code
//! learns in `f32` and in fixed point.
//!
//! Each network is a [`Network`]: [`Linear`] (`W s + b`, the smallest: `K (D + 1)` parameters)
//! or [`Hidden`] (one hidden layer of `H` ReLU units: `H (D + 1) + K (H + 1)`), chosen per agent
//! by type: `Agent<S, D, K>` is linear throughout, `Agent<S, D, K, P, C>` names the policy's and
//! the critic's networks.
//!
//! # One step
//! ```
//! use gumbel::learner::{Agent, Config, Estimator, Optimiser};
//! use gumbel::Temperature;
//! use rand_core::SeedableRng;
//! use rand_xoshiro::Xoshiro128PlusPlus;
//!
//! let config = Config {
//!     estimator: Estimator::Reinforce,
//!     temperature: Temperature::new(0.5f32)?,
//!     policy_optimiser: Optimiser::Sgd { learning_rate: 0.1, momentum: 0.9 },
//!     critic_optimiser: Optimiser::Sgd { learning_rate: 0.1, momentum: 0.0 },
//!     max_gradient_norm: 5.0,
//!     baseline_decay: 0.95,
//! };
//! let mut agent = Agent::<f32, 2, 3>::new(config)?;
//! let mut rng = Xoshiro128PlusPlus::seed_from_u64(1);
//! let decision = agent.act(&mut rng, &[0.5, -1.0])?; // sample an action
//! let reward = if decision.action() == 2 { 1.0 } else { 0.0 }; // the world answers
//! agent.observe(&mut rng, &decision, reward)?; // gradient estimate, pending
//! agent.update()?; // one optimiser step
//!
//! let mut flash_page = [0u8; Agent::<f32, 2, 3>::BLOB_LEN];
//! agent.save(&mut flash_page)?;
//! agent.load(&flash_page)?; // after a reset
//! # Ok::<(), gumbel::Error>(())
//! ```
//!
//! In an episodic task, keep the episode's [`Decision`]s, `observe` each with its return, then
//! `update` once.
//!
//! # A hidden layer
//! ```
//! use gumbel::learner::{Agent, Config, Estimator, Hidden, Linear, Optimiser};
//! use gumbel::Temperature;
//! use rand_core::SeedableRng;
//! use rand_xoshiro::Xoshiro128PlusPlus;
//!
//! // A linear policy and a critic with 16 hidden units, over 4 features and 2 actions.
//! type Learner = Agent<f32, 4, 2, Linear<f32, 4, 2>, Hidden<f32, 4, 16, 2>>;
//! let config = Config {
//!     estimator: Estimator::StraightThrough,
//!     temperature: Temperature::new(0.5f32)?,
//!     policy_optimiser: Optimiser::Adam { learning_rate: 0.03, beta1: 0.9, beta2: 0.999, epsilon: 1e-3 },
//!     critic_optimiser: Optimiser::Adam { learning_rate: 0.03, beta1: 0.9, beta2: 0.999, epsilon: 1e-3 },
//!     max_gradient_norm: 5.0,
//!     baseline_decay: 0.95,
//! };
//! let mut agent = Learner::new(config)?;
//! let mut rng = Xoshiro128PlusPlus::seed_from_u64(1);
//! let (state, next) = ([0.1, 0.0, -0.2, 0.3], [0.1, 0.1, -0.1, 0.2]);
//! let decision = agent.act(&mut rng, &state)?;
//! // A TD(0) target for the critic: the reward plus the discounted value of the next state.
//! let reward = 0.01;
//! let target = reward + 0.99 * agent.value(&next)?;
//! agent.observe_with_target(&mut rng, &decision, reward, target)?;
//! agent.update()?;
//! assert_eq!(Learner::BLOB_LEN, 1546);
//! # Ok::<(), gumbel::Error>(())
//! ```
//!
//! # The critic the relaxed estimators need
//! Straight-through and Gumbel-Rao follow the critic's gradient `∂Q/∂y`, so they learn only as
//! well as the critic values actions. On CartPole (`gumbel::tasks::CartPole`, feature `tasks`)
//! a linear critic `Q(s, y) = ⟨y, W s + b⟩` fitted to Monte-Carlo returns left both at 0 of
//! 10 seeds. Measured on seeds 100–159 (neither the reported seeds 0–9 nor the hold-out
//! 10–29), with a linear policy and Adam:
//!
//! - a hidden layer of 16 ReLU units over the state, still fitted to Monte-Carlo returns:
//!   straight-through solved 9 of 10 seeds and Gumbel-Rao 9 of 10, slowly (medians 724, 358);
//! - an advantage head `V(s) + ⟨y, A(s)⟩`, or a critic over `(s, y)` jointly: no better;
//! - 16 tanh units instead of ReLU: 0 to 13 of 20 seeds;
//! - **TD(0) targets** `r + γ V(s')` (bootstrapped at the 200-step time limit, which is not a
//!   failure) with the hidden layer: 60 of 60 seeds for both. TD(λ) with λ = 0.5 or 0.8 and
//!   Monte-Carlo targets bootstrapped at the limit were less reliable.
//!
//! So the CartPole agent has a linear policy and a `Hidden<_, 4, 16, 2>` critic fitted by
//! TD(0) ([`Agent::observe_with_target`], [`Agent::value`]); the policy's estimators still see
//! the Monte-Carlo return, so REINFORCE and RELAX stay unbiased for it. A hidden layer in the
//! policy made CartPole slower and less reliable; it is what the XOR bandit needs.
//!
//! # Persistence
//! [`Agent::save`] and [`Agent::load`] use a versioned, CRC-checked format, documented at
//! [`Agent::save`]; [`Agent::BLOB_LEN`] is its size for each shape.

mod agent;
pub mod clip;
mod critic;
mod estimator;
mod hidden;
mod linear;
mod network;
mod optimiser;
mod persistence;
mod policy;
mod state;

pub use agent::{Agent, Config};
pub use critic::Critic;
pub use estimator::Estimator;
pub use hidden::Hidden;
pub use linear::Linear;
pub use network::Network;
pub use optimiser::{Optimiser, OptimiserState};
pub use policy::{Decision, Policy};
