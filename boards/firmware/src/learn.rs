//! The learner on target: the crate's contextual bandit (`gumbel::tasks::Bandit`: 4 features,
//! 4 actions, noisy rewards) learned from scratch with every estimator, in the board's natural
//! scalar — `f32` on cores with an FPU (`eabihf` targets: M4F, M33), I16F16 fixed point on the
//! others (M0, M3; and on the host, where `cargo test` runs the same code) when the `fixed`
//! feature is on, as it is by default. A run passes only if
//! it meets the benchmark's criterion: at least 95% optimal actions over the last 1,000 of
//! 20,000 steps. The hyperparameters are the host benchmark's (`Bandit::config`, integers only).

use gumbel::Error;
use gumbel::learner::{Agent, Estimator};
use gumbel::tasks::{Bandit, MovingSum};
use rand_core::SeedableRng;
use rand_xoshiro::Xoshiro128PlusPlus;

/// The scalar the board learns in: `f32` where there is an FPU (or without the `fixed`
/// feature).
#[cfg(any(target_abi = "eabihf", not(feature = "fixed")))]
pub type Natural = f32;
/// The scalar the board learns in: fixed point where there is no FPU.
#[cfg(all(not(target_abi = "eabihf"), feature = "fixed"))]
pub type Natural = gumbel::Fixed;

/// The name of [`Natural`] in the logs.
pub const NATURAL_NAME: &str = if cfg!(any(target_abi = "eabihf", not(feature = "fixed"))) {
    "f32"
} else {
    "fixed"
};

/// The bandit's agent in the natural scalar.
pub type BanditAgent = Agent<Natural, 4, 4>;

/// One learning run in progress: the agent, the task, the random number generator.
pub struct Session {
    /// The learner (all its state: policy, critic, optimisers, baseline, pending gradients).
    pub agent: BanditAgent,
    bandit: Bandit,
    rng: Xoshiro128PlusPlus,
}

impl Session {
    /// A fresh agent with the benchmark configuration for `estimator`, seeded with
    /// [`crate::SEED`].
    pub fn new(estimator: Estimator) -> Result<Self, Error> {
        Ok(Self {
            agent: Agent::new(Bandit::config(estimator)?)?,
            bandit: Bandit::new(),
            rng: Xoshiro128PlusPlus::seed_from_u64(crate::SEED),
        })
    }

    /// One agent step — context, act, reward, observe, update; returns whether the action was
    /// optimal.
    pub fn step(&mut self) -> Result<bool, Error> {
        self.bandit.train_step(&mut self.agent, &mut self.rng)
    }

    /// The environment's share of [`step`](Self::step) alone (a context and a reward), so the
    /// agent's own cost can be told apart.
    pub fn environment_only(&mut self) -> Result<bool, Error> {
        let features = self.bandit.next_context::<Natural, _>(&mut self.rng);
        let reward: Natural = self
            .bandit
            .reward(&mut self.rng, self.bandit.optimal_action())?;
        Ok(features[0] > reward)
    }
}

/// Trains from scratch for [`Bandit::STEPS`] steps; returns the optimal actions among the last
/// [`Bandit::WINDOW`].
pub fn train(estimator: Estimator) -> Result<u64, Error> {
    let mut session = Session::new(estimator)?;
    let mut window = MovingSum::<{ Bandit::WINDOW }>::new();
    for _ in 0..Bandit::STEPS {
        window.push(u8::from(session.step()?));
    }
    Ok(window.sum())
}

/// Trains with every estimator, logging each outcome; `true` if every one met the criterion.
pub fn run() -> bool {
    let mut passed = true;
    for estimator in Estimator::ALL {
        match train(estimator) {
            Ok(optimal) => {
                let met = optimal >= u64::from(Bandit::SUCCESS);
                passed &= met;
                say!(
                    "learner {} {}: {} of the last 1000 of 20000 steps optimal ({})",
                    NATURAL_NAME,
                    estimator.name(),
                    optimal,
                    if met {
                        "criterion met"
                    } else {
                        "FAILED: needs 950"
                    }
                );
            }
            Err(error) => {
                passed = false;
                say!(
                    "learner {} {}: ERROR {}",
                    NATURAL_NAME,
                    estimator.name(),
                    error
                );
            }
        }
    }
    passed
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_estimator_meets_the_criterion_in_the_natural_scalar() {
        assert!(run());
    }
}
