//! The learner on target, in the board's natural scalar — `f32` on cores with an FPU
//! (`eabihf` targets: M4F, M33), I16F16 fixed point on the others (M0, M3; and on the host,
//! where `cargo test` runs the same code) when the `fixed` feature is on, as it is by default:
//!
//! - the crate's contextual bandit (`gumbel::tasks::Bandit`: 4 features, 4 actions, noisy
//!   rewards) learned from scratch with every estimator; each must meet the benchmark's
//!   criterion, at least 95% optimal actions over the last 1,000 of 20,000 steps
//!   (`Bandit::config`, integers only);
//! - CartPole-v0 (`gumbel::tasks::CartPole`, the host benchmark's agent and configuration:
//!   a linear policy, a critic with 16 hidden units fitted by TD(0), `CartPole::config`)
//!   learned with RELAX from [`crate::SEED`]; it must be solved (a mean return of 195 over 100
//!   consecutive episodes) within the host benchmark's budget of [`EPISODES`].
//!
//! Every number is the host's: the same seed gives the same bits on every target, so the
//! episode at which CartPole is solved is the one `cargo test` prints on the host.

use gumbel::Error;
use gumbel::learner::{Agent, Decision, Estimator};
use gumbel::tasks::{Bandit, CartPole, CartPoleAgent, ContextualBandit, MovingSum};
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

/// One bandit learning run in progress: the agent, the task, the random number generator.
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

/// Trains the bandit with every estimator, logging each outcome; `true` if every one met the
/// criterion.
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

/// The estimator the board trains CartPole with.
pub const CARTPOLE_ESTIMATOR: Estimator = Estimator::Relax;

/// The episode budget: the host benchmark's.
pub const EPISODES: u32 = 1_000;

/// The decisions of one episode, kept until it ends (7 KB: the largest part of the run's RAM,
/// kept apart so that it is never moved).
pub type Episode = heapless::Vec<Decision<Natural, 4, 2>, 200>;

/// A CartPole learning run in progress: the agent, the cart and pole, the success window.
pub struct CartPoleRun {
    /// The learner.
    pub agent: CartPoleAgent<Natural>,
    env: CartPole,
    rng: Xoshiro128PlusPlus,
    window: MovingSum<{ CartPole::WINDOW }>,
    episodes: u32,
    steps: u32,
}

impl CartPoleRun {
    /// A fresh agent with the benchmark configuration for [`CARTPOLE_ESTIMATOR`], seeded with
    /// [`crate::SEED`].
    pub fn new() -> Result<Self, Error> {
        Ok(Self {
            agent: CartPoleAgent::new(CartPole::config(CARTPOLE_ESTIMATOR)?)?,
            env: CartPole::default(),
            rng: Xoshiro128PlusPlus::seed_from_u64(crate::SEED),
            window: MovingSum::new(),
            episodes: 0,
            steps: 0,
        })
    }

    /// Plays and learns from one episode, its decisions kept in `decisions`; returns its return.
    pub fn episode(&mut self, decisions: &mut Episode) -> Result<u32, Error> {
        let steps = self
            .env
            .train_episode(&mut self.agent, &mut self.rng, decisions)?;
        self.window.push(u8::try_from(steps).unwrap_or(u8::MAX));
        self.episodes += 1;
        self.steps += steps;
        Ok(steps)
    }

    /// `true` once the last 100 episodes averaged a return of at least 195.
    pub fn is_solved(&self) -> bool {
        self.window.is_full()
            && self.window.sum() >= u64::from(CartPole::SOLVED_MEAN) * CartPole::WINDOW as u64
    }

    /// Episodes played so far.
    pub fn episodes(&self) -> u32 {
        self.episodes
    }

    /// Agent steps (decisions) taken so far.
    pub fn steps(&self) -> u32 {
        self.steps
    }

    /// The mean return over the last (up to) 100 episodes, rounded down.
    pub fn mean_return(&self) -> u64 {
        let held = (self.episodes as u64).min(CartPole::WINDOW as u64).max(1);
        self.window.sum() / held
    }
}

/// Trains CartPole until it is solved or [`EPISODES`] have been played, calling `episode` to
/// play each one (so the caller can time it), logging the mean return every 50 episodes and the
/// outcome. `true` if solved within the budget.
pub fn cartpole_with(
    run: &mut CartPoleRun,
    decisions: &mut Episode,
    mut episode: impl FnMut(&mut CartPoleRun, &mut Episode) -> Result<u32, Error>,
) -> bool {
    while run.episodes() < EPISODES && !run.is_solved() {
        if let Err(error) = episode(run, decisions) {
            say!(
                "cartpole {} {}: ERROR {}",
                NATURAL_NAME,
                CARTPOLE_ESTIMATOR.name(),
                error
            );
            return false;
        }
        if run.episodes().is_multiple_of(50) {
            say!(
                "cartpole {} {}: episode {}, mean return of the last 100 {}",
                NATURAL_NAME,
                CARTPOLE_ESTIMATOR.name(),
                run.episodes(),
                run.mean_return()
            );
        }
    }
    let solved = run.is_solved();
    if solved {
        say!(
            "cartpole {} {}: solved at episode {} of {} ({} agent steps)",
            NATURAL_NAME,
            CARTPOLE_ESTIMATOR.name(),
            run.episodes(),
            EPISODES,
            run.steps()
        );
    } else {
        say!(
            "cartpole {} {}: FAILED: not solved in {} episodes (mean return {})",
            NATURAL_NAME,
            CARTPOLE_ESTIMATOR.name(),
            EPISODES,
            run.mean_return()
        );
    }
    solved
}

/// How a CartPole run ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Outcome {
    /// Solved within [`EPISODES`].
    pub solved: bool,
    /// Episodes played.
    pub episodes: u32,
    /// Agent steps (decisions) taken.
    pub steps: u32,
}

/// Trains CartPole from a fresh run ([`cartpole_with`]), with `episode` playing each episode.
/// Never inlined, and the run and its episode buffer live in this one frame (about 9 KB), so
/// that nothing larger than the outcome is copied out: the M0 has 16 KB of RAM.
#[inline(never)]
pub fn cartpole(
    episode: impl FnMut(&mut CartPoleRun, &mut Episode) -> Result<u32, Error>,
) -> Result<Outcome, Error> {
    let mut decisions = Episode::new();
    // Borrowed where it was built: moving the run out of the `Result` would copy 2 KB.
    let mut created = CartPoleRun::new();
    let run = match &mut created {
        Ok(run) => run,
        Err(error) => return Err(*error),
    };
    let solved = cartpole_with(run, &mut decisions, episode);
    Ok(Outcome {
        solved,
        episodes: run.episodes(),
        steps: run.steps(),
    })
}

/// The cart and pole alone for `steps` steps of a fixed alternating policy, resetting when an
/// episode ends: the environment's share of an agent step. Returns the last episode's length.
pub fn environment_only(rng: &mut Xoshiro128PlusPlus, steps: u32) -> Result<u32, Error> {
    let mut env = CartPole::default();
    env.reset(rng);
    for step in 0..steps {
        if env.is_done() {
            env.reset(rng);
        }
        env.step((step & 1) as usize)?;
    }
    Ok(env.steps())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_estimator_meets_the_criterion_in_the_natural_scalar() {
        assert!(run());
    }

    #[test]
    fn cartpole_is_solved_within_the_budget_in_the_natural_scalar() {
        let outcome = cartpole(CartPoleRun::episode).unwrap();
        assert!(outcome.solved, "{outcome:?}");
    }
}
