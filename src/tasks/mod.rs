//! Benchmark tasks for the [learner](crate::learner): a contextual bandit, a contextual bandit
//! only a hidden layer can solve (XOR), and CartPole.
//!
//! They live in the library (behind the `tasks` feature, off by default) rather than in the
//! examples because three places run them and must agree bit for bit: the host examples, the
//! host tests, and the firmware in `boards/`, which is `no_std` and cannot include an example.
//! Like the rest of the crate they allocate nothing, never panic, and draw their randomness from
//! the caller's `rand_core::Rng`, so a seed fixes a whole training run on every target.

mod bandit;
mod cartpole;
mod contextual;
mod moving_sum;
mod xor_bandit;

pub use bandit::Bandit;
pub use cartpole::{CartPole, CartPoleAgent};
pub use contextual::ContextualBandit;
pub use moving_sum::MovingSum;
pub use xor_bandit::{XorAgent, XorBandit};
