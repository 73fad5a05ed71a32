//! Layer 5: a tiny on-device learner. A linear softmax [`Policy`] over `K` discrete actions
//! from `D` features, a linear [`Critic`] `Q(s, y)` over the relaxed action, and an [`Agent`]
//! that trains them from rewards with a selectable policy-gradient [`Estimator`] and
//! [`Optimiser`], everything in fixed-size arrays (no heap), written once over [`Scalar`](crate::Scalar)
//! so the same code learns in `f32` and in fixed point.
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
//! let decision = agent.act(&mut rng, &[0.5, -1.0])?; // sample, keeping the noise
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
//! # Persistence
//! [`Agent::save`] and [`Agent::load`] use a versioned, CRC-checked format described in the
//! crate's `learner/persistence.rs`; [`Agent::BLOB_LEN`] is its size.

mod agent;
pub mod clip;
mod critic;
mod estimator;
mod linear;
mod optimiser;
mod persistence;
mod policy;

pub use agent::{Agent, Config};
pub use critic::Critic;
pub use estimator::Estimator;
pub use linear::Linear;
pub use optimiser::{Optimiser, OptimiserState};
pub use persistence::blob_len;
pub use policy::{Decision, Policy};
