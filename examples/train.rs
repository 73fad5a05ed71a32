//! Trains the learner on the contextual bandit with every estimator over 10 seeds, prints the
//! learning-curve summary, and writes the learning curves to `target/learning_curves.png`.
//!
//! ```sh
//! cargo run --release --features tasks --example train
//! ```
use std::io::Write;
use std::time::Instant;

use gumbel::learner::{Agent, Estimator};
use gumbel::tasks::{Bandit, MovingSum};
use plotters::prelude::*;
use rand_core::SeedableRng;
use rand_xoshiro::Xoshiro128PlusPlus;

const SEEDS: u64 = 10;
/// Steps per point of the learning curve.
const BIN: usize = 500;
const BINS: usize = Bandit::STEPS / BIN;
const OUTPUT: &str = "target/learning_curves.png";
const FONT: &str = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf";

/// One training run: the step at which the last 1,000 steps first held ≥ 95% optimal actions,
/// the optimal fraction over the last 1,000 steps, and the optimal fraction per bin.
struct Run {
    solved_at: Option<usize>,
    final_window: f64,
    curve: [f64; BINS],
}

fn run(estimator: Estimator, seed: u64) -> Result<Run, gumbel::Error> {
    let mut agent = Agent::<f32, 4, 4>::new(Bandit::config(estimator)?)?;
    let mut rng = Xoshiro128PlusPlus::seed_from_u64(seed);
    let mut bandit = Bandit::new();
    let mut window = MovingSum::<{ Bandit::WINDOW }>::new();
    let mut curve = [0.0; BINS];
    let mut solved_at = None;
    for step in 0..Bandit::STEPS {
        let optimal = bandit.train_step(&mut agent, &mut rng)?;
        window.push(u8::from(optimal));
        curve[step / BIN] += f64::from(u8::from(optimal)) / BIN as f64;
        if solved_at.is_none() && window.is_full() && window.sum() >= Bandit::SUCCESS {
            solved_at = Some(step + 1);
        }
    }
    Ok(Run {
        solved_at,
        final_window: f64::from(window.sum()) / Bandit::WINDOW as f64,
        curve,
    })
}

fn median(sorted: &[usize]) -> f64 {
    let n = sorted.len();
    if n % 2 == 1 {
        sorted[n / 2] as f64
    } else {
        (sorted[n / 2 - 1] + sorted[n / 2]) as f64 / 2.0
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    println!(
        "Contextual bandit: 4 features, 4 actions, noisy rewards; {} steps, {SEEDS} seeds per estimator.",
        Bandit::STEPS
    );
    println!("Success: >= 95% optimal actions over the last 1,000 steps.\n");
    let started = Instant::now();
    let mut curves = Vec::new();
    let mut summary = Vec::new();
    for estimator in Estimator::ALL {
        print!("{:<20}", estimator.name());
        let mut runs = Vec::new();
        for seed in 0..SEEDS {
            let run = run(estimator, seed)?;
            print!("{}", if run.final_window >= 0.95 { '+' } else { '-' });
            std::io::stdout().flush()?;
            runs.push(run);
        }
        println!("  ({:.1} s)", started.elapsed().as_secs_f64());
        let mut mean_curve = [0.0; BINS];
        for run in &runs {
            for (m, c) in mean_curve.iter_mut().zip(&run.curve) {
                *m += c / SEEDS as f64;
            }
        }
        curves.push((estimator.name(), mean_curve));
        summary.push((estimator.name(), runs));
    }

    println!(
        "\n| estimator | runs meeting the criterion at step 20,000 | steps to 95% (median) | min - max | optimal in last 1,000 (mean) | optimal per 2,000-step block (mean over seeds) |"
    );
    println!("|---|---|---|---|---|---|");
    for ((name, runs), (_, curve)) in summary.iter().zip(&curves) {
        let successes = runs.iter().filter(|r| r.final_window >= 0.95).count();
        let mut solved: Vec<usize> = runs.iter().filter_map(|r| r.solved_at).collect();
        solved.sort_unstable();
        let final_mean = runs.iter().map(|r| r.final_window).sum::<f64>() / runs.len() as f64;
        let blocks: Vec<String> = curve
            .chunks(4)
            .map(|c| format!("{:.0}", 100.0 * c.iter().sum::<f64>() / c.len() as f64))
            .collect();
        let (median, spread) = if solved.len() == runs.len() {
            (
                format!("{:.0}", median(&solved)),
                format!("{} - {}", solved[0], solved[solved.len() - 1]),
            )
        } else {
            (
                format!("not reached by {} seeds", runs.len() - solved.len()),
                "-".into(),
            )
        };
        println!(
            "| {name} | {successes}/{} | {median} | {spread} | {:.1}% | {} |",
            runs.len(),
            100.0 * final_mean,
            blocks.join(" ")
        );
    }

    plot(&curves)?;
    println!("\nLearning curves written to {OUTPUT}.");
    let failures: usize = summary
        .iter()
        .map(|(_, runs)| runs.iter().filter(|r| r.final_window < 0.95).count())
        .sum();
    if failures > 0 {
        return Err(format!("{failures} runs missed the success criterion").into());
    }
    Ok(())
}

/// Draws the mean learning curve of each estimator. Text needs a TrueType font: DejaVu Sans
/// (Debian's `fonts-dejavu-core`) if present, else the chart is drawn without labels.
fn plot(curves: &[(&str, [f64; BINS])]) -> Result<(), Box<dyn std::error::Error>> {
    let has_font = match std::fs::read(FONT) {
        Ok(bytes) => {
            plotters::style::register_font("sans-serif", FontStyle::Normal, bytes.leak())
                .map_err(|_| "the font file is not a TrueType font")?;
            true
        }
        Err(_) => {
            eprintln!("{FONT} not found: drawing the chart without text");
            false
        }
    };
    let root = BitMapBackend::new(OUTPUT, (900, 560)).into_drawing_area();
    root.fill(&WHITE)?;
    let mut builder = ChartBuilder::on(&root);
    builder.margin(20);
    if has_font {
        builder
            .caption(
                "Contextual bandit: optimal actions (mean of 10 seeds, 500-step bins)",
                ("sans-serif", 22),
            )
            .x_label_area_size(45)
            .y_label_area_size(55);
    }
    let mut chart = builder.build_cartesian_2d(0..Bandit::STEPS, 0.0..100.0)?;
    if has_font {
        chart
            .configure_mesh()
            .x_desc("step")
            .y_desc("optimal actions (%)")
            .draw()?;
    } else {
        chart.configure_mesh().disable_mesh().draw()?;
    }
    let colours = [RED, BLUE, GREEN, MAGENTA];
    for ((name, curve), colour) in curves.iter().zip(colours) {
        let points = curve
            .iter()
            .enumerate()
            .map(|(i, &c)| (i * BIN + BIN / 2, 100.0 * c));
        let series = chart.draw_series(LineSeries::new(points, colour.stroke_width(2)))?;
        if has_font {
            series.label(*name).legend(move |(x, y)| {
                PathElement::new([(x, y), (x + 20, y)], colour.stroke_width(2))
            });
        }
    }
    chart.draw_series(LineSeries::new(
        [(0, 95.0), (Bandit::STEPS, 95.0)],
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
    root.present()?;
    Ok(())
}
