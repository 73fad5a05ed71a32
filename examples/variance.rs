//! The variance table: every gradient estimator of `gumbel::estimators` on the toy problems of
//! Tucker et al. (2017) and Grathwohl et al. (2018).
//!
//! Minimise `E[(b − t)²]` over the logit θ of a Bernoulli `b`, for `t = 0.45` and `t = 0.499`
//! (the exact gradient `σ'(θ)(1 − 2t)` is tiny and the estimators must find its sign), and a
//! categorical analogue: `b` one-hot over K = 10 classes, `f(b) = |b − t|²` for a fixed
//! per-class target `t_i = i/45`. Relaxed estimators evaluate `f` on relaxed samples.
//!
//! For each estimator: the mean gradient at the start θ (1 for the Bernoulli, where p ≠ 1/2;
//! 0 for the categorical) over 10^5 draws, its bias against the exact
//! gradient (the Euclidean norm of the difference for the categorical case), log10 of its
//! variance (summed over coordinates), then the exact loss after a fixed number of SGD steps
//! from the same θ. Adaptive parts (baseline, REBAR's η, RELAX's surrogate) adapt online, during a
//! warm-up of 10^4 draws and then throughout.
//!
//! `cargo run --release --example variance`
//!
//! Besides the tables it prints, it writes the rows to `examples/figures/variance.tsv`, from
//! which `examples/figures.rs` draws the variance chart.

use gumbel::estimators::control_variate::{AdaptiveEta, BinarySurrogate, Surrogate};
use gumbel::estimators::score::Baseline;
use gumbel::estimators::{
    Buffers, Choice, Draw, gumbel_rao, rebar, relax, reparam, score, straight_through,
};
use gumbel::{Error, Temperature, categorical, concrete, noise};
use rand_core::SeedableRng;
use rand_xoshiro::Xoshiro128PlusPlus;

const DRAWS: usize = 100_000;
const WARM_UP: usize = 10_000;
const SGD_STEPS: usize = 2_000;
const K: usize = 10;
const SEED: u64 = 2017;
/// The rows, tab-separated, for `examples/figures.rs`.
const TABLE: &str = "examples/figures/variance.tsv";

#[derive(Debug, Clone, Copy)]
enum Estimator {
    Reinforce,
    ReinforceBaseline,
    Concrete(f32),
    StraightThrough,
    GumbelRao(usize),
    Rebar,
    Relax,
}

const ESTIMATORS: [Estimator; 9] = [
    Estimator::Reinforce,
    Estimator::ReinforceBaseline,
    Estimator::Concrete(0.5),
    Estimator::Concrete(1.0),
    Estimator::StraightThrough,
    Estimator::GumbelRao(10),
    Estimator::GumbelRao(100),
    Estimator::Rebar,
    Estimator::Relax,
];

/// λ of straight-through and Gumbel-Rao, and of REBAR's and RELAX's relaxations.
const LAMBDA_ST: f32 = 1.0;
const LAMBDA_CV: f32 = 0.5;

impl Estimator {
    fn name(self) -> String {
        match self {
            Estimator::Reinforce => "REINFORCE".into(),
            Estimator::ReinforceBaseline => "REINFORCE + baseline".into(),
            Estimator::Concrete(l) => format!("Concrete λ={l}"),
            Estimator::StraightThrough => format!("straight-through λ={LAMBDA_ST}"),
            Estimator::GumbelRao(m) => format!("Gumbel-Rao M={m} λ={LAMBDA_ST}"),
            Estimator::Rebar => format!("REBAR λ={LAMBDA_CV}, η adapted"),
            Estimator::Relax => format!("RELAX λ={LAMBDA_CV}, c learned"),
        }
    }
}

/// Surrogate `c(x) = Σ_m φ_m h_m(x)` over three features, or one feature alone (which gives
/// `∂ĝ/∂φ_m`, the estimator being linear in φ). Categorical features: 1, `|x − t|²`, `|x|²`;
/// binary: 1, `(x − t)²`, `x`.
#[derive(Clone, Copy)]
struct Linear<'a> {
    phi: [f32; 3],
    only: Option<usize>,
    target: &'a [f32],
}

impl Linear<'_> {
    fn weight(&self, m: usize) -> f32 {
        match self.only {
            Some(only) => f32::from(u8::from(only == m)),
            None => self.phi[m],
        }
    }
}

impl Surrogate<f32> for Linear<'_> {
    fn evaluate(&mut self, x: &[f32], gradient: &mut [f32]) -> Result<f32, Error> {
        let (w0, w1, w2) = (self.weight(0), self.weight(1), self.weight(2));
        let mut value = w0;
        for ((g, &xi), &ti) in gradient.iter_mut().zip(x).zip(self.target) {
            value += w1 * (xi - ti) * (xi - ti) + w2 * xi * xi;
            *g = 2.0 * w1 * (xi - ti) + 2.0 * w2 * xi;
        }
        Ok(value)
    }
}

impl BinarySurrogate<f32> for Linear<'_> {
    fn evaluate(&mut self, x: f32) -> Result<(f32, f32), Error> {
        let t = self.target[0];
        let (w0, w1, w2) = (self.weight(0), self.weight(1), self.weight(2));
        Ok((
            w0 + w1 * (x - t) * (x - t) + w2 * x,
            2.0 * w1 * (x - t) + w2,
        ))
    }
}

/// The objective `f(x) = |x − t|²` on hard or relaxed samples.
struct Objective<'a> {
    target: &'a [f32],
}

impl Surrogate<f32> for Objective<'_> {
    fn evaluate(&mut self, x: &[f32], gradient: &mut [f32]) -> Result<f32, Error> {
        let mut value = 0.0;
        for ((g, &xi), &ti) in gradient.iter_mut().zip(x).zip(self.target) {
            value += (xi - ti) * (xi - ti);
            *g = 2.0 * (xi - ti);
        }
        Ok(value)
    }
}

impl BinarySurrogate<f32> for Objective<'_> {
    fn evaluate(&mut self, x: f32) -> Result<(f32, f32), Error> {
        let t = self.target[0];
        Ok(((x - t) * (x - t), 2.0 * (x - t)))
    }
}

/// Normalised SGD on RELAX's surrogate weights (the same rule as `AdaptiveEta`).
struct SurrogateTrainer {
    phi: [f32; 3],
    mean_square: [f32; 3],
}

impl SurrogateTrainer {
    fn new() -> Self {
        Self {
            phi: [0.0, 1.0, 0.0],
            mean_square: [0.0; 3],
        }
    }

    /// `d_phi[m] = 2⟨ĝ, ∂ĝ/∂φ_m⟩`.
    fn step(&mut self, d_phi: [f32; 3]) {
        for ((phi, mean_square), d) in self.phi.iter_mut().zip(&mut self.mean_square).zip(d_phi) {
            *mean_square = 0.99 * *mean_square + 0.01 * d * d;
            *phi -= 0.002 * d / (*mean_square + f32::EPSILON).sqrt();
        }
    }
}

/// The adaptive state of one estimator on one problem.
struct State {
    baseline: Baseline<f32>,
    eta: AdaptiveEta<f32>,
    surrogate: SurrogateTrainer,
}

impl State {
    fn new() -> Self {
        Self {
            baseline: Baseline::new(0.99).unwrap(),
            eta: AdaptiveEta::new(1.0, 0.01).unwrap(),
            surrogate: SurrogateTrainer::new(),
        }
    }
}

/// A toy problem: logits θ (K = 1 means the Bernoulli with logit θ_0) and the target.
struct Problem {
    name: String,
    /// Where the variance is measured and SGD starts.
    start: f32,
    target: Vec<f32>,
    binary: bool,
    learning_rate: f32,
}

impl Problem {
    fn dim(&self) -> usize {
        self.target.len()
    }

    /// The exact loss `E[f(b)]` and its gradient, in f64.
    fn exact(&self, theta: &[f32], gradient: &mut [f64]) -> f64 {
        if self.binary {
            let t = f64::from(self.target[0]);
            let p = 1.0 / (1.0 + (-f64::from(theta[0])).exp());
            gradient[0] = p * (1.0 - p) * (1.0 - 2.0 * t);
            return p * (1.0 - t).powi(2) + (1.0 - p) * t * t;
        }
        let max = theta.iter().fold(f32::MIN, |a, &b| a.max(b));
        let e: Vec<f64> = theta.iter().map(|&x| f64::from(x - max).exp()).collect();
        let z: f64 = e.iter().sum();
        let f: Vec<f64> = (0..K)
            .map(|b| {
                (0..K)
                    .map(|i| (f64::from(u8::from(i == b)) - f64::from(self.target[i])).powi(2))
                    .sum()
            })
            .collect();
        let loss: f64 = (0..K).map(|b| e[b] / z * f[b]).sum();
        for b in 0..K {
            gradient[b] = e[b] / z * (f[b] - loss);
        }
        loss
    }

    /// One estimate of the gradient at θ into `out`; updates the adaptive state.
    fn estimate(
        &self,
        estimator: Estimator,
        theta: &[f32],
        state: &mut State,
        rng: &mut Xoshiro128PlusPlus,
        out: &mut [f32],
    ) -> Result<(), Error> {
        if self.binary {
            out[0] = self.estimate_binary(estimator, theta[0], state, rng)?;
            Ok(())
        } else {
            self.estimate_categorical(estimator, theta, state, rng, out)
        }
    }

    fn estimate_binary(
        &self,
        estimator: Estimator,
        logit: f32,
        state: &mut State,
        rng: &mut Xoshiro128PlusPlus,
    ) -> Result<f32, Error> {
        let t = self.target[0];
        let l: f32 = noise::logistic(rng);
        let b = logit + l > 0.0;
        let hard = f32::from(u8::from(b));
        let f_b = (hard - t) * (hard - t);
        let st = Temperature::new(LAMBDA_ST)?;
        let cv = Temperature::new(LAMBDA_CV)?;
        Ok(match estimator {
            Estimator::Reinforce => score::reinforce_bernoulli(logit, b, f_b, 0.0)?,
            Estimator::ReinforceBaseline => {
                let g = score::reinforce_bernoulli(logit, b, f_b, state.baseline.value())?;
                state.baseline.update(f_b)?;
                g
            }
            Estimator::Concrete(lambda) => {
                let lambda = Temperature::new(lambda)?;
                let x = sigmoid(gumbel::binary::logit_from_noise(logit, l, lambda)?);
                reparam::binary(logit, l, lambda, 2.0 * (x - t))?.0
            }
            Estimator::StraightThrough => {
                straight_through::backward_binary(logit, l, st, 2.0 * (hard - t))?
            }
            Estimator::GumbelRao(m) => gumbel_rao::binary(rng, logit, b, st, m, 2.0 * (hard - t))?,
            Estimator::Rebar => {
                let mut objective = Objective {
                    target: &self.target,
                };
                let eta = state.eta.value();
                let (g, terms) = rebar::binary(rng, logit, l, cv, eta, &mut objective)?;
                state.eta.update(&terms)?;
                g
            }
            Estimator::Relax => {
                let mut linear = Linear {
                    phi: state.surrogate.phi,
                    only: None,
                    target: &self.target,
                };
                let mut features = [0.0; 3];
                for (m, feature) in features.iter_mut().enumerate() {
                    let mut single = Linear {
                        only: Some(m),
                        ..linear
                    };
                    *feature = relax::binary(&mut rng.clone(), logit, l, cv, 0.0, &mut single)?.0;
                }
                let (g, _) = relax::binary(rng, logit, l, cv, f_b, &mut linear)?;
                state
                    .surrogate
                    .step(features.map(|feature| 2.0 * g * feature));
                g
            }
        })
    }

    fn estimate_categorical(
        &self,
        estimator: Estimator,
        theta: &[f32],
        state: &mut State,
        rng: &mut Xoshiro128PlusPlus,
        out: &mut [f32],
    ) -> Result<(), Error> {
        let mut g = [0.0f32; K];
        let b = categorical::sample_with_noise(rng, theta, None, &mut g)?;
        let f_b: f32 = (0..K)
            .map(|i| (f32::from(u8::from(i == b)) - self.target[i]).powi(2))
            .sum();
        let hard_gradient = |out: &mut [f32]| {
            for (i, o) in out.iter_mut().enumerate() {
                *o = 2.0 * (f32::from(u8::from(i == b)) - self.target[i]);
            }
        };
        let st = Temperature::new(LAMBDA_ST)?;
        let cv = Temperature::new(LAMBDA_CV)?;
        let mut scratch = [0.0f32; 3 * K];
        match estimator {
            Estimator::Reinforce => score::reinforce_categorical(theta, None, b, f_b, 0.0, out)?,
            Estimator::ReinforceBaseline => {
                let baseline = state.baseline.value();
                score::reinforce_categorical(theta, None, b, f_b, baseline, out)?;
                state.baseline.update(f_b)?;
            }
            Estimator::Concrete(lambda) => {
                let lambda = Temperature::new(lambda)?;
                let mut y = [0.0f32; K];
                concrete::from_noise(theta, None, &g, lambda, &mut y)?;
                for ((o, yi), ti) in out.iter_mut().zip(y).zip(&self.target) {
                    *o = 2.0 * (yi - ti);
                }
                reparam::concrete(theta, None, &g, lambda, out)?;
            }
            Estimator::StraightThrough => {
                hard_gradient(out);
                straight_through::backward(theta, None, &g, st, out)?;
            }
            Estimator::GumbelRao(m) => {
                let mut upstream = [0.0f32; K];
                hard_gradient(&mut upstream);
                gumbel_rao::categorical(
                    rng,
                    Choice {
                        logits: theta,
                        allowed: None,
                        action: b,
                    },
                    st,
                    m,
                    &upstream,
                    Buffers {
                        gradient: out,
                        scratch: &mut scratch[..K],
                    },
                )?;
            }
            Estimator::Rebar => {
                let mut objective = Objective {
                    target: &self.target,
                };
                let eta = state.eta.value();
                let terms = rebar::categorical(
                    rng,
                    Draw {
                        logits: theta,
                        allowed: None,
                        noise: &g,
                    },
                    cv,
                    eta,
                    &mut objective,
                    Buffers {
                        gradient: out,
                        scratch: &mut scratch,
                    },
                )?;
                state.eta.update(&terms)?;
            }
            Estimator::Relax => {
                let mut linear = Linear {
                    phi: state.surrogate.phi,
                    only: None,
                    target: &self.target,
                };
                let mut features = [[0.0f32; K]; 3];
                for (m, feature) in features.iter_mut().enumerate() {
                    let mut single = Linear {
                        only: Some(m),
                        ..linear
                    };
                    relax::categorical(
                        &mut rng.clone(),
                        Draw {
                            logits: theta,
                            allowed: None,
                            noise: &g,
                        },
                        cv,
                        0.0,
                        &mut single,
                        Buffers {
                            gradient: feature,
                            scratch: &mut scratch,
                        },
                    )?;
                }
                relax::categorical(
                    rng,
                    Draw {
                        logits: theta,
                        allowed: None,
                        noise: &g,
                    },
                    cv,
                    f_b,
                    &mut linear,
                    Buffers {
                        gradient: out,
                        scratch: &mut scratch,
                    },
                )?;
                let inner =
                    |feature: [f32; K]| 2.0 * (0..K).map(|i| out[i] * feature[i]).sum::<f32>();
                state.surrogate.step(features.map(inner));
            }
        }
        Ok(())
    }
}

fn sigmoid(x: f32) -> f32 {
    1.0 / (1.0 + (-x).exp())
}

struct Row {
    mean: Vec<f64>,
    bias: f64,
    log10_variance: f64,
    loss: f64,
}

fn measure(problem: &Problem, estimator: Estimator) -> Result<Row, Error> {
    let n = problem.dim();
    let mut rng = Xoshiro128PlusPlus::seed_from_u64(SEED);
    let theta = vec![problem.start; n];
    let mut exact = vec![0.0f64; n];
    problem.exact(&theta, &mut exact);
    let mut state = State::new();
    let mut g = vec![0.0f32; n];
    for _ in 0..WARM_UP {
        problem.estimate(estimator, &theta, &mut state, &mut rng, &mut g)?;
    }
    let mut sum = vec![0.0f64; n];
    let mut sum_sq = vec![0.0f64; n];
    for _ in 0..DRAWS {
        problem.estimate(estimator, &theta, &mut state, &mut rng, &mut g)?;
        for i in 0..n {
            let x = f64::from(g[i]);
            sum[i] += x;
            sum_sq[i] += x * x;
        }
    }
    let count = DRAWS as f64;
    let mean: Vec<f64> = sum.iter().map(|s| s / count).collect();
    let variance: f64 = (0..n)
        .map(|i| (sum_sq[i] - sum[i] * sum[i] / count) / (count - 1.0))
        .sum();
    let bias = if problem.binary {
        mean[0] - exact[0]
    } else {
        (0..n)
            .map(|i| (mean[i] - exact[i]).powi(2))
            .sum::<f64>()
            .sqrt()
    };

    // SGD from the start with fresh adaptive state and the same seed for every estimator.
    let mut rng = Xoshiro128PlusPlus::seed_from_u64(SEED + 1);
    let mut state = State::new();
    let mut theta = vec![problem.start; n];
    for _ in 0..SGD_STEPS {
        problem.estimate(estimator, &theta, &mut state, &mut rng, &mut g)?;
        for i in 0..n {
            theta[i] -= problem.learning_rate * g[i];
        }
    }
    let loss = problem.exact(&theta, &mut exact);
    Ok(Row {
        mean,
        bias,
        log10_variance: variance.log10(),
        loss,
    })
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let problems = [
        Problem {
            name: "Bernoulli, t = 0.45".into(),
            start: 1.0,
            target: vec![0.45],
            binary: true,
            learning_rate: 1.0,
        },
        Problem {
            name: "Bernoulli, t = 0.499".into(),
            start: 1.0,
            target: vec![0.499],
            binary: true,
            learning_rate: 1.0,
        },
        Problem {
            name: format!("categorical, K = {K}, t_i = i/45"),
            start: 0.0,
            target: (0..K).map(|i| i as f32 / 45.0).collect(),
            binary: false,
            learning_rate: 1.0,
        },
    ];
    println!(
        "{DRAWS} draws at the start θ after a {WARM_UP}-draw warm-up; exact loss after \
         {SGD_STEPS} SGD steps (learning rate 1) from the same θ; seed {SEED}.\n"
    );
    let mut table = String::from("problem\testimator\tmean\tbias\tlog10_variance\tloss\n");
    for problem in &problems {
        let n = problem.dim();
        let mut exact = vec![0.0f64; n];
        let loss = problem.exact(&vec![problem.start; n], &mut exact);
        let (shown, label) = if problem.binary {
            (0, "mean ∂/∂θ")
        } else {
            (K - 1, "mean ∂/∂θ_9")
        };
        println!(
            "### {}: at θ = {} the exact gradient is {:.3e} ({}) and the loss {loss:.6}\n",
            problem.name,
            problem.start,
            exact[shown],
            if problem.binary {
                "∂/∂θ"
            } else {
                "∂/∂θ_9"
            }
        );
        println!(
            "| estimator | {label} | {} | log10 variance | loss after SGD |",
            if problem.binary { "bias" } else { "‖bias‖" }
        );
        println!("|---|---:|---:|---:|---:|");
        for estimator in ESTIMATORS {
            let row = measure(problem, estimator)?;
            table.push_str(&format!(
                "{}\t{}\t{:e}\t{:e}\t{}\t{}\n",
                problem.name,
                estimator.name(),
                row.mean[shown],
                row.bias,
                row.log10_variance,
                row.loss
            ));
            println!(
                "| {} | {:.3e} | {:.1e} | {:.2} | {:.6} |",
                estimator.name(),
                row.mean[shown],
                row.bias,
                row.log10_variance,
                row.loss
            );
        }
        println!();
    }
    std::fs::write(TABLE, table)?;
    println!("Rows written to {TABLE}.");
    Ok(())
}
