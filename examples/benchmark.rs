//! The learner's benchmark table: for each estimator, the steps (bandits) and episodes
//! (CartPole) to reach the success criterion over 10 seeds — median, range and how many seeds
//! made it. Prints the Markdown block the README carries.
//!
//! ```sh
//! cargo run --release --features tasks,fixed --example benchmark              # seeds 0-9
//! cargo run --release --features tasks,fixed --example benchmark -- 10 29     # seeds 10-29
//! cargo run --release --features tasks --example benchmark -- --critics        # the critic study
//! ```
//!
//! - Contextual bandit ([`Bandit`], linear agent) and XOR bandit ([`XorBandit`], hidden-layer
//!   agent, and the linear one for comparison): solved if the last 1,000 of 20,000 steps held
//!   ≥ 95% optimal actions; the number is the first step at which the last 1,000 did.
//! - CartPole ([`CartPole`], Gym `CartPole-v0` physics, 200-step cap, [`CartPoleAgent`]): the
//!   first episode at which the last 100 episodes averaged a return ≥ 195; at most 1,000
//!   episodes.
//!
//! Seeds run on every core (`--jobs N` to choose); each run is deterministic, so the table
//! does not depend on the number of cores.
use std::sync::Mutex;

use gumbel::learner::{Agent, Decision, Estimator, Hidden, Linear, Network};
use gumbel::tasks::{Bandit, CartPole, CartPoleAgent, ContextualBandit, MovingSum, XorBandit};
use gumbel::{Error, Scalar};
use rand_core::SeedableRng;
use rand_xoshiro::Xoshiro128PlusPlus;

const CARTPOLE_EPISODES: usize = 1_000;

/// A bandit run: the first step at which the last 1,000 held ≥ 95% optimal actions, and the
/// optimal actions among the last 1,000 of 20,000.
#[derive(Debug, Clone, Copy)]
struct BanditRun {
    first: Option<usize>,
    last: u64,
}

impl BanditRun {
    /// What the table counts: the step it first met the criterion, if it still met it at the
    /// end.
    fn solved(self) -> Option<usize> {
        self.first.filter(|_| self.last >= 950)
    }
}

/// 20,000 steps of `step` (one agent step, returning whether the action was optimal).
fn bandit_run(mut step: impl FnMut() -> Result<bool, Error>) -> Result<BanditRun, Error> {
    let mut window = MovingSum::<{ Bandit::WINDOW }>::new();
    let mut first = None;
    for n in 1..=Bandit::STEPS {
        window.push(u8::from(step()?));
        if first.is_none() && window.is_full() && window.sum() >= u64::from(Bandit::SUCCESS) {
            first = Some(n);
        }
    }
    Ok(BanditRun {
        first,
        last: window.sum(),
    })
}

fn bandit<S: Scalar>(estimator: Estimator, seed: u64) -> Result<BanditRun, Error> {
    let mut agent = Agent::<S, 4, 4>::new(Bandit::config(estimator)?)?;
    let mut rng = Xoshiro128PlusPlus::seed_from_u64(seed);
    let mut bandit = Bandit::new();
    bandit_run(|| bandit.train_step(&mut agent, &mut rng))
}

/// The XOR bandit, with policy network `P` and critic network `C`.
fn xor<S: Scalar, P: Network<S, 2, 2>, C: Network<S, 2, 2>>(
    estimator: Estimator,
    seed: u64,
) -> Result<BanditRun, Error> {
    let mut agent = Agent::<S, 2, 2, P, C>::new(XorBandit::config(estimator)?)?;
    let mut rng = Xoshiro128PlusPlus::seed_from_u64(seed);
    let mut bandit = XorBandit::new();
    bandit_run(|| bandit.train_step(&mut agent, &mut rng))
}

/// The first episode at which the last 100 averaged 195.
fn cartpole<S: Scalar>(agent: &mut CartPoleAgent<S>, seed: u64) -> Result<Option<usize>, Error> {
    let mut rng = Xoshiro128PlusPlus::seed_from_u64(seed);
    let mut env = CartPole::default();
    let mut decisions = heapless::Vec::<Decision<S, 4, 2>, 200>::new();
    let mut window = MovingSum::<{ CartPole::WINDOW }>::new();
    let solved = u64::from(CartPole::SOLVED_MEAN) * CartPole::WINDOW as u64;
    for episode in 1..=CARTPOLE_EPISODES {
        let steps = env.train_episode(agent, &mut rng, &mut decisions)?;
        window.push(u8::try_from(steps).unwrap_or(u8::MAX));
        if window.is_full() && window.sum() >= solved {
            return Ok(Some(episode));
        }
    }
    Ok(None)
}

fn cartpole_benchmark<S: Scalar>(estimator: Estimator, seed: u64) -> Result<Option<usize>, Error> {
    cartpole(
        &mut CartPoleAgent::<S>::new(CartPole::config(estimator)?)?,
        seed,
    )
}

/// Runs `run` for every seed, on `jobs` threads; results in seed order.
fn over_seeds<T: Send + Clone>(
    seeds: &[u64],
    jobs: usize,
    run: &(dyn Fn(u64) -> Result<T, Error> + Sync),
) -> Result<Vec<T>, Error> {
    let results = Mutex::new(vec![Err(Error::Empty); seeds.len()]);
    let next = Mutex::new(0usize);
    std::thread::scope(|scope| {
        for _ in 0..jobs.max(1) {
            scope.spawn(|| {
                loop {
                    let i = {
                        let mut next = next.lock().unwrap();
                        *next += 1;
                        *next - 1
                    };
                    let Some(&seed) = seeds.get(i) else { break };
                    let result = run(seed);
                    results.lock().unwrap()[i] = result;
                }
            });
        }
    });
    results.into_inner().unwrap().into_iter().collect()
}

/// "median (min - max), solved/seeds", with unsolved runs counted as beyond the cap.
fn summary(results: &[Option<usize>], cap: usize) -> String {
    let mut sorted: Vec<usize> = results.iter().map(|r| r.unwrap_or(usize::MAX)).collect();
    sorted.sort_unstable();
    let solved = results.iter().filter(|r| r.is_some()).count();
    let show = |v: usize| {
        if v == usize::MAX {
            format!("> {cap}")
        } else {
            v.to_string()
        }
    };
    let n = sorted.len();
    let median = if sorted[(n - 1) / 2] == usize::MAX || sorted[n / 2] == usize::MAX {
        show(sorted[n / 2])
    } else {
        format!("{}", (sorted[(n - 1) / 2] + sorted[n / 2]) / 2)
    };
    format!(
        "{median} ({} - {}), {solved}/{n}",
        show(sorted[0]),
        show(sorted[n - 1])
    )
}

/// Straight-through and Gumbel-Rao on CartPole with three critics: linear and hidden-layer
/// critics fitted to Monte-Carlo returns, and the benchmark's (hidden, TD(0)).
fn critic_study(seeds: &[u64], jobs: usize) -> Result<(), Error> {
    println!(
        "| estimator | linear critic, Monte-Carlo returns | hidden critic, Monte-Carlo returns | hidden critic, TD(0) (the benchmark's) |"
    );
    println!("|---|---|---|---|");
    for estimator in [
        Estimator::StraightThrough,
        Estimator::GumbelRao { samples: 10 },
    ] {
        let linear = over_seeds(seeds, jobs, &|seed| {
            let mut agent = Agent::<f32, 4, 2>::new(CartPole::config(estimator)?)?;
            monte_carlo(&mut agent, seed)
        })?;
        let hidden = over_seeds(seeds, jobs, &|seed| {
            let mut agent = CartPoleAgent::<f32>::new(CartPole::config(estimator)?)?;
            monte_carlo(&mut agent, seed)
        })?;
        let td = over_seeds(seeds, jobs, &|seed| {
            cartpole_benchmark::<f32>(estimator, seed)
        })?;
        println!(
            "| {} | {} | {} | {} |",
            estimator.name(),
            summary(&linear, CARTPOLE_EPISODES),
            summary(&hidden, CARTPOLE_EPISODES),
            summary(&td, CARTPOLE_EPISODES)
        );
    }
    Ok(())
}

/// CartPole with the critic fitted to the Monte-Carlo return ([`Agent::observe`]).
fn monte_carlo<C: Network<f32, 4, 2>>(
    agent: &mut Agent<f32, 4, 2, Linear<f32, 4, 2>, C>,
    seed: u64,
) -> Result<Option<usize>, Error> {
    let mut rng = Xoshiro128PlusPlus::seed_from_u64(seed);
    let mut env = CartPole::default();
    let mut decisions = Vec::new();
    let mut window = MovingSum::<{ CartPole::WINDOW }>::new();
    for episode in 1..=CARTPOLE_EPISODES {
        env.reset(&mut rng);
        decisions.clear();
        while !env.is_done() {
            let decision = agent.act(&mut rng, &env.features())?;
            env.step(decision.action())?;
            decisions.push(decision);
        }
        let mut to_go = 0.0;
        for decision in decisions.iter().rev() {
            to_go = 1.0 + CartPole::DISCOUNT * to_go;
            agent.observe(&mut rng, decision, to_go * (1.0 - CartPole::DISCOUNT))?;
        }
        agent.update()?;
        window.push(u8::try_from(env.steps()).unwrap_or(u8::MAX));
        if window.is_full() && window.sum() >= 195 * CartPole::WINDOW as u64 {
            return Ok(Some(episode));
        }
    }
    Ok(None)
}

fn main() -> Result<(), Error> {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let mut jobs = std::thread::available_parallelism().map_or(1, |n| n.get());
    if let Some(i) = args.iter().position(|a| a == "--jobs") {
        jobs = args.get(i + 1).and_then(|n| n.parse().ok()).unwrap_or(1);
        args.drain(i..(i + 2).min(args.len()));
    }
    let study = args.iter().any(|a| a == "--critics");
    args.retain(|a| a != "--critics");
    let (first, last) = match args.as_slice() {
        [first, last] => (first.parse().unwrap_or(0), last.parse().unwrap_or(9)),
        _ => (0, 9),
    };
    let seeds: Vec<u64> = (first..=last).collect();
    if study {
        return critic_study(&seeds, jobs);
    }
    #[cfg(not(feature = "fixed"))]
    let fixed_missing = || String::from("(needs `--features fixed`)");
    let mut rows = Vec::new();
    for estimator in Estimator::ALL {
        let bandits =
            |f: &(dyn Fn(u64) -> Result<BanditRun, Error> + Sync)| over_seeds(&seeds, jobs, f);
        let solved = |runs: Vec<BanditRun>| -> Vec<Option<usize>> {
            runs.into_iter().map(BanditRun::solved).collect()
        };
        let episodes =
            |f: &(dyn Fn(u64) -> Result<Option<usize>, Error> + Sync)| over_seeds(&seeds, jobs, f);
        let bandit_f32 = summary(
            &solved(bandits(&|s| bandit::<f32>(estimator, s))?),
            Bandit::STEPS,
        );
        #[cfg(feature = "fixed")]
        let bandit_fixed = summary(
            &solved(bandits(&|s| bandit::<gumbel::Fixed>(estimator, s))?),
            Bandit::STEPS,
        );
        #[cfg(not(feature = "fixed"))]
        let bandit_fixed = fixed_missing();
        let xor_hidden = summary(
            &solved(bandits(&|s| {
                xor::<f32, Hidden<f32, 2, 16, 2>, Hidden<f32, 2, 16, 2>>(estimator, s)
            })?),
            XorBandit::STEPS,
        );
        let linear = bandits(&|s| xor::<f32, Linear<f32, 2, 2>, Linear<f32, 2, 2>>(estimator, s))?;
        let best_linear = linear.iter().map(|r| r.last).max().unwrap_or(0);
        let solved_linear = linear.iter().filter(|r| r.solved().is_some()).count();
        let xor_linear = format!(
            "{solved_linear}/{} (best run: {:.1}% optimal)",
            linear.len(),
            best_linear as f64 / 10.0
        );
        let cart_f32 = summary(
            &episodes(&|s| cartpole_benchmark::<f32>(estimator, s))?,
            CARTPOLE_EPISODES,
        );
        #[cfg(feature = "fixed")]
        let cart_fixed = summary(
            &episodes(&|s| cartpole_benchmark::<gumbel::Fixed>(estimator, s))?,
            CARTPOLE_EPISODES,
        );
        #[cfg(not(feature = "fixed"))]
        let cart_fixed = fixed_missing();
        let row = format!(
            "| {} | {bandit_f32} | {bandit_fixed} | {xor_hidden} | {xor_linear} | {cart_f32} | {cart_fixed} |",
            estimator.name(),
        );
        eprintln!("{row}");
        rows.push(row);
    }
    println!(
        "| estimator | bandit, f32 | bandit, I16F16 | XOR bandit, hidden layer, f32 | XOR bandit, linear, f32 | CartPole-v0, f32 | CartPole-v0, I16F16 |"
    );
    println!("|---|---|---|---|---|---|---|");
    for row in rows {
        println!("{row}");
    }
    println!(
        "\nEach cell: median (min - max) over seeds {first}-{last} of the steps (bandits) or episodes (CartPole) to the criterion, then how many seeds met it: bandits, >= 95% optimal actions over the last 1,000 of 20,000 steps (the steps are the first time the last 1,000 were); CartPole, a mean return >= 195 over 100 consecutive episodes within {CARTPOLE_EPISODES}. XOR, linear: the runs that met it, and the best run's optimal actions over its last 1,000 steps."
    );
    Ok(())
}
