//! The learner's benchmark table: for each estimator, the steps (bandit) and episodes
//! (CartPole) to reach the success criterion over 10 seeds — median, range and how many seeds
//! made it. Prints the Markdown block the README carries.
//!
//! ```sh
//! cargo run --release --features tasks,fixed --example benchmark
//! ```
//!
//! - Contextual bandit ([`Bandit`]): the first step at which the last 1,000 steps held ≥ 95%
//!   optimal actions; a run counts as solved if that happened within 20,000 steps. In `f32`
//!   and (with the `fixed` feature) in I16F16, same configuration.
//! - CartPole ([`CartPole`], Gym `CartPole-v0` physics, 200-step cap): the first episode at
//!   which the last 100 episodes averaged a return ≥ 195; at most 2,000 episodes.
use gumbel::Scalar;
use gumbel::learner::{Agent, Decision, Estimator};
use gumbel::tasks::{Bandit, CartPole, MovingSum};
use rand_core::SeedableRng;
use rand_xoshiro::Xoshiro128PlusPlus;

const SEEDS: u64 = 10;
const CARTPOLE_EPISODES: usize = 2_000;

fn bandit<S: Scalar>(estimator: Estimator, seed: u64) -> Result<Option<usize>, gumbel::Error> {
    let mut agent = Agent::<S, 4, 4>::new(Bandit::config(estimator)?)?;
    let mut rng = Xoshiro128PlusPlus::seed_from_u64(seed);
    let mut bandit = Bandit::new();
    let mut window = MovingSum::<{ Bandit::WINDOW }>::new();
    for step in 1..=Bandit::STEPS {
        window.push(u8::from(bandit.train_step(&mut agent, &mut rng)?));
        if window.is_full() && window.sum() >= Bandit::SUCCESS {
            return Ok(Some(step));
        }
    }
    Ok(None)
}

fn cartpole(estimator: Estimator, seed: u64) -> Result<Option<usize>, gumbel::Error> {
    let mut agent = Agent::<f32, 4, 2>::new(CartPole::config(estimator)?)?;
    let mut rng = Xoshiro128PlusPlus::seed_from_u64(seed);
    let mut env = CartPole::default();
    let mut decisions = heapless::Vec::<Decision<f32, 4, 2>, 200>::new();
    let mut window = MovingSum::<{ CartPole::WINDOW }>::new();
    for episode in 1..=CARTPOLE_EPISODES {
        let steps = env.train_episode(&mut agent, &mut rng, &mut decisions)?;
        window.push(u8::try_from(steps).unwrap_or(u8::MAX));
        if window.is_full() && window.sum() >= CartPole::SOLVED_MEAN * CartPole::WINDOW as u32 {
            return Ok(Some(episode));
        }
    }
    Ok(None)
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

fn main() -> Result<(), gumbel::Error> {
    let mut rows = Vec::new();
    for estimator in Estimator::ALL {
        let run = |f: &dyn Fn(u64) -> Result<Option<usize>, gumbel::Error>| {
            (0..SEEDS).map(f).collect::<Result<Vec<_>, _>>()
        };
        let bandit_f32 = run(&|seed| bandit::<f32>(estimator, seed))?;
        #[cfg(feature = "fixed")]
        let bandit_fixed = summary(
            &run(&|seed| bandit::<gumbel::Fixed>(estimator, seed))?,
            Bandit::STEPS,
        );
        #[cfg(not(feature = "fixed"))]
        let bandit_fixed = String::from("(needs `--features fixed`)");
        let cart = run(&|seed| cartpole(estimator, seed))?;
        let row = format!(
            "| {} | {} | {} | {} |",
            estimator.name(),
            summary(&bandit_f32, Bandit::STEPS),
            bandit_fixed,
            summary(&cart, CARTPOLE_EPISODES)
        );
        eprintln!("{row}");
        rows.push(row);
    }
    println!(
        "| estimator | bandit, f32: steps to 95% optimal | bandit, I16F16: steps to 95% optimal | CartPole-v0, f32: episodes to mean 195 |"
    );
    println!("|---|---|---|---|");
    for row in rows {
        println!("{row}");
    }
    println!(
        "\nEach cell: median (min - max) over seeds 0-9, then how many seeds met the criterion (bandit within 20,000 steps; CartPole within 2,000 episodes)."
    );
    Ok(())
}
