//! Trains the learner with every estimator over 10 seeds on two tasks — the contextual bandit
//! and CartPole-v0 — prints each run as it finishes and a summary per task, and draws both
//! tasks' learning curves into `target/learning_curves.png`. Fails if any run misses its task's
//! criterion.
//!
//! ```sh
//! cargo run --release --features tasks --example train
//! ```
use std::io::Write;
use std::sync::Mutex;
use std::time::Instant;

use gumbel::learner::{Agent, Decision, Estimator};
use gumbel::tasks::{Bandit, CartPole, CartPoleAgent, ContextualBandit, MovingSum};
use plotters::prelude::*;
use rand_core::SeedableRng;
use rand_xoshiro::Xoshiro128PlusPlus;

const SEEDS: u64 = 10;
/// Bandit steps per point of its learning curve.
const BANDIT_BIN: usize = 500;
const BANDIT_BINS: usize = Bandit::STEPS / BANDIT_BIN;
/// CartPole: episodes per run, and per point of the learning curve.
const EPISODES: usize = 1_000;
const CARTPOLE_BIN: usize = 20;
const CARTPOLE_BINS: usize = EPISODES / CARTPOLE_BIN;
const OUTPUT: &str = "target/learning_curves.png";
const FONT: &str = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf";

/// One training run: when it met its criterion (step or episode), and its learning curve
/// (per bin: the fraction of optimal actions, or the mean return).
struct Run {
    solved_at: Option<usize>,
    curve: Vec<f64>,
}

/// The bandit for 20,000 steps; solved when the last 1,000 held ≥ 95% optimal actions.
fn bandit(estimator: Estimator, seed: u64) -> Result<Run, gumbel::Error> {
    let mut agent = Agent::<f32, 4, 4>::new(Bandit::config(estimator)?)?;
    let mut rng = Xoshiro128PlusPlus::seed_from_u64(seed);
    let mut bandit = Bandit::new();
    let mut window = MovingSum::<{ Bandit::WINDOW }>::new();
    let mut curve = vec![0.0; BANDIT_BINS];
    let mut solved_at = None;
    for step in 0..Bandit::STEPS {
        let optimal = bandit.train_step(&mut agent, &mut rng)?;
        window.push(u8::from(optimal));
        curve[step / BANDIT_BIN] += f64::from(u8::from(optimal)) / BANDIT_BIN as f64;
        if solved_at.is_none() && window.is_full() && window.sum() >= u64::from(Bandit::SUCCESS) {
            solved_at = Some(step + 1);
        }
    }
    Ok(Run { solved_at, curve })
}

/// CartPole for 1,000 episodes; solved when the last 100 averaged a return of 195.
fn cartpole(estimator: Estimator, seed: u64) -> Result<Run, gumbel::Error> {
    let mut agent = CartPoleAgent::<f32>::new(CartPole::config(estimator)?)?;
    let mut rng = Xoshiro128PlusPlus::seed_from_u64(seed);
    let mut env = CartPole::default();
    let mut decisions = heapless::Vec::<Decision<f32, 4, 2>, 200>::new();
    let mut window = MovingSum::<{ CartPole::WINDOW }>::new();
    let solved = u64::from(CartPole::SOLVED_MEAN) * CartPole::WINDOW as u64;
    let mut curve = vec![0.0; CARTPOLE_BINS];
    let mut solved_at = None;
    for episode in 0..EPISODES {
        let steps = env.train_episode(&mut agent, &mut rng, &mut decisions)?;
        window.push(u8::try_from(steps).unwrap_or(u8::MAX));
        curve[episode / CARTPOLE_BIN] += f64::from(steps) / CARTPOLE_BIN as f64;
        if solved_at.is_none() && window.is_full() && window.sum() >= solved {
            solved_at = Some(episode + 1);
        }
    }
    Ok(Run { solved_at, curve })
}

/// Runs every seed of `task` on every core, printing one mark per finished run: the step or
/// episode it met the criterion at, or `-`.
fn runs(
    estimator: Estimator,
    task: fn(Estimator, u64) -> Result<Run, gumbel::Error>,
) -> Result<Vec<Run>, gumbel::Error> {
    let jobs = std::thread::available_parallelism().map_or(1, |n| n.get());
    let next = Mutex::new(0u64);
    let done = Mutex::new(Vec::new());
    std::thread::scope(|scope| {
        for _ in 0..jobs {
            scope.spawn(|| {
                loop {
                    let seed = {
                        let mut next = next.lock().unwrap();
                        *next += 1;
                        *next - 1
                    };
                    if seed >= SEEDS {
                        break;
                    }
                    let run = task(estimator, seed);
                    match &run {
                        Ok(Run {
                            solved_at: Some(at),
                            ..
                        }) => print!(" {at}"),
                        _ => print!(" -"),
                    }
                    let _ = std::io::stdout().flush();
                    done.lock().unwrap().push((seed, run));
                }
            });
        }
    });
    let mut done = done.into_inner().unwrap();
    done.sort_by_key(|(seed, _)| *seed);
    done.into_iter().map(|(_, run)| run).collect()
}

fn median(sorted: &[usize]) -> f64 {
    let n = sorted.len();
    if n % 2 == 1 {
        sorted[n / 2] as f64
    } else {
        (sorted[n / 2 - 1] + sorted[n / 2]) as f64 / 2.0
    }
}

/// Each estimator's name and mean learning curve.
type Curves = Vec<(&'static str, Vec<f64>)>;

/// One task: every estimator's runs, a summary table, the mean curves; returns the curves and
/// the number of runs that missed the criterion.
fn task(
    title: &str,
    unit: &str,
    task: fn(Estimator, u64) -> Result<Run, gumbel::Error>,
    started: Instant,
) -> Result<(Curves, usize), gumbel::Error> {
    println!("{title}: {unit} to the criterion per finished run (- if missed), {SEEDS} seeds");
    let mut curves = Vec::new();
    let mut rows = Vec::new();
    let mut missed = 0;
    for estimator in Estimator::ALL {
        print!("  {:<20}", estimator.name());
        let _ = std::io::stdout().flush();
        let runs = runs(estimator, task)?;
        println!("  ({:.1} s)", started.elapsed().as_secs_f64());
        let mut mean = vec![0.0; runs[0].curve.len()];
        for run in &runs {
            for (m, c) in mean.iter_mut().zip(&run.curve) {
                *m += c / SEEDS as f64;
            }
        }
        let mut solved: Vec<usize> = runs.iter().filter_map(|r| r.solved_at).collect();
        solved.sort_unstable();
        missed += runs.len() - solved.len();
        let cell = match (solved.first(), solved.last()) {
            (Some(first), Some(last)) => {
                format!("{:.0} ({first} - {last})", median(&solved))
            }
            _ => "-".into(),
        };
        rows.push(format!(
            "| {} | {}/{} | {cell} |",
            estimator.name(),
            solved.len(),
            runs.len()
        ));
        curves.push((estimator.name(), mean));
    }
    println!("\n| estimator | runs meeting the criterion | {unit} to it: median (min - max) |");
    println!("|---|---|---|");
    for row in rows {
        println!("{row}");
    }
    println!();
    Ok((curves, missed))
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let started = Instant::now();
    let (bandit_curves, bandit_missed) = task(
        "Contextual bandit (4 features, 4 actions, noisy rewards; criterion: >= 95% optimal over the last 1,000 of 20,000 steps)",
        "steps",
        bandit,
        started,
    )?;
    let (cartpole_curves, cartpole_missed) = task(
        "CartPole-v0 (criterion: mean return >= 195 over 100 consecutive episodes, within 1,000)",
        "episodes",
        cartpole,
        started,
    )?;
    plot(&bandit_curves, &cartpole_curves)?;
    println!(
        "Learning curves written to {OUTPUT} ({:.1} s in all).",
        started.elapsed().as_secs_f64()
    );
    let failures = bandit_missed + cartpole_missed;
    if failures > 0 {
        return Err(format!("{failures} runs missed their task's criterion").into());
    }
    Ok(())
}

/// Both tasks' mean learning curves, side by side. Text needs a TrueType font: DejaVu Sans
/// (Debian's `fonts-dejavu-core`) if present, else the charts are drawn without labels.
fn plot(
    bandit: &[(&str, Vec<f64>)],
    cartpole: &[(&str, Vec<f64>)],
) -> Result<(), Box<dyn std::error::Error>> {
    let has_font = match std::fs::read(FONT) {
        Ok(bytes) => {
            plotters::style::register_font("sans-serif", FontStyle::Normal, bytes.leak())
                .map_err(|_| "the font file is not a TrueType font")?;
            true
        }
        Err(_) => {
            eprintln!("{FONT} not found: drawing the charts without text");
            false
        }
    };
    let root = BitMapBackend::new(OUTPUT, (1400, 560)).into_drawing_area();
    root.fill(&WHITE)?;
    let (left, right) = root.split_horizontally(700);
    panel(
        &left,
        has_font,
        "Contextual bandit: optimal actions (mean of 10 seeds)",
        ("step", "optimal actions (%)"),
        (Bandit::STEPS, 100.0, 95.0),
        bandit,
        |i, v| (i * BANDIT_BIN + BANDIT_BIN / 2, 100.0 * v),
    )?;
    panel(
        &right,
        has_font,
        "CartPole-v0: return per episode (mean of 10 seeds)",
        ("episode", "return"),
        (EPISODES, 200.0, 195.0),
        cartpole,
        |i, v| (i * CARTPOLE_BIN + CARTPOLE_BIN / 2, v),
    )?;
    root.present()?;
    Ok(())
}

/// One chart: the curves, the criterion as a grey line, a legend.
fn panel(
    area: &DrawingArea<BitMapBackend<'_>, plotters::coord::Shift>,
    has_font: bool,
    caption: &str,
    (x_label, y_label): (&str, &str),
    (x_max, y_max, criterion): (usize, f64, f64),
    curves: &[(&str, Vec<f64>)],
    point: fn(usize, f64) -> (usize, f64),
) -> Result<(), Box<dyn std::error::Error>> {
    let mut builder = ChartBuilder::on(area);
    builder.margin(20);
    if has_font {
        builder
            .caption(caption, ("sans-serif", 20))
            .x_label_area_size(45)
            .y_label_area_size(55);
    }
    let mut chart = builder.build_cartesian_2d(0..x_max, 0.0..y_max)?;
    if has_font {
        chart
            .configure_mesh()
            .x_desc(x_label)
            .y_desc(y_label)
            .draw()?;
    } else {
        chart.configure_mesh().disable_mesh().draw()?;
    }
    let colours = [RED, BLUE, GREEN, MAGENTA];
    for ((name, curve), colour) in curves.iter().zip(colours) {
        let points = curve.iter().enumerate().map(|(i, &v)| point(i, v));
        let series = chart.draw_series(LineSeries::new(points, colour.stroke_width(2)))?;
        if has_font {
            series.label(*name).legend(move |(x, y)| {
                PathElement::new([(x, y), (x + 20, y)], colour.stroke_width(2))
            });
        }
    }
    chart.draw_series(LineSeries::new(
        [(0, criterion), (x_max, criterion)],
        BLACK.mix(0.4),
    ))?;
    if has_font {
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::LowerRight)
            .background_style(WHITE.mix(0.8))
            .border_style(BLACK)
            .draw()?;
    }
    Ok(())
}
