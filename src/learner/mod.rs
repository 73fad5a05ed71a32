//! Layer 5: a tiny on-device learner. A softmax [`Policy`] over `K` discrete actions from `D`
//! features, a [`Critic`] `Q(s, y)` over the relaxed action, and an [`Agent`] that trains them
//! from rewards with a selectable policy-gradient [`Estimator`] and [`Optimiser`], everything in
//! fixed-size arrays (no heap), written once over [`Scalar`](crate::Scalar) so the same code
//! learns in `f32` and in fixed point.
//!
//! Each network is a [`Network`]: [`Linear`] (`W s + b`, the smallest: `K (D + 1)` parameters)
//! or [`Hidden`] (one hidden layer of `H` leaky ReLU units: `H (D + 1) + K (H + 1)`), chosen per agent
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
//! a linear critic `Q(s, y) = ⟨y, W s + b⟩` fitted to Monte-Carlo returns leaves both stalled
//! at mean returns of 10 to 80. With a linear policy, Adam at 3/100 for both networks and the
//! episodes to a mean return of 195 over 100 (median (min - max), solved within 1,000), from
//! `cargo run --release --features tasks --example benchmark -- --critics 100 159`:
//!
//! | estimator | linear critic, Monte-Carlo returns | 16 hidden units, Monte-Carlo returns | 16 hidden units, TD(0) |
//! |---|---|---|---|
//! | straight-through | > 1000, 1/60 | 394 (235 - 894), 60/60 | 338 (258 - 611), 60/60 |
//! | Gumbel-Rao | > 1000, 0/60 | 421 (242 - > 1000), 59/60 | 347 (260 - 580), 60/60 |
//!
//! Also tried and dropped, on seeds 100–119 (in a scratch prototype with plain ReLU units, or
//! with a temporary switch in this crate):
//! tanh units (failed 7 to 20 of 20 seeds), an advantage head `V(s) + ⟨y, A(s)⟩` and a critic
//! over `(s, y)` jointly (no better than the baseline-relative `⟨y, q(s)⟩`), a critic fitted to
//! absolute rather than baseline-relative targets (worse on every task), and TD(λ) targets with
//! λ = 0.5 or 0.8 (less reliable than TD(0)). Units whose rectifier is flat below zero died for
//! good on the XOR bandit (the critic's values became the same in every context); hence the
//! slope of 1/64 ([`Hidden`]).
//!
//! So the CartPole agent (`tasks::CartPoleAgent`) has a linear policy and a
//! `Hidden<_, 4, 16, 2>` critic fitted by TD(0) ([`Agent::observe_with_target`],
//! [`Agent::value`]), bootstrapped at the 200-step time limit (which the state does not show,
//! and which is no failure); the policy's estimators still see the Monte-Carlo return, so
//! REINFORCE and RELAX stay unbiased for it. A hidden layer in the policy made CartPole slower
//! and less reliable; it is what the XOR bandit (`tasks::XorBandit`) needs.
//!
//! # Persistence
//! [`Agent::save`] and [`Agent::load`] use a versioned, CRC-checked format, documented at
//! [`Agent::save`]; [`Agent::BLOB_LEN`] is its size for each shape.

/// The constructors shared by [`Policy`] and [`Critic`], each a [`Network`] under a name that
/// says how its outputs are read: `Default` (the network's starting point), the linear one with
/// every parameter zero, `new` and `parameters`.
macro_rules! network_wrapper {
    ($wrapper:ident, $what:literal, $zero:ident, $zero_doc:literal) => {
        impl<S: Scalar, const D: usize, const K: usize, N: Network<S, D, K>> Default
            for $wrapper<S, D, K, N>
        {
            fn default() -> Self {
                Self::new(N::initial())
            }
        }

        impl<S: Scalar, const D: usize, const K: usize> $wrapper<S, D, K, Linear<S, D, K>> {
            #[doc = $zero_doc]
            pub const $zero: Self = Self::new(Linear::ZERO);
        }

        impl<S: Scalar, const D: usize, const K: usize, N: Network<S, D, K>> $wrapper<S, D, K, N> {
            #[doc = concat!("The ", $what, " with the given network.")]
            pub const fn new(network: N) -> Self {
                Self {
                    network,
                    scalar: PhantomData,
                }
            }

            /// The network (its parameters).
            pub fn parameters(&self) -> &N {
                &self.network
            }
        }
    };
}

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
