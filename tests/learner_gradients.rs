//! The learner's policy gradients against finite differences in `f64`: straight-through exactly
//! per sample against the relaxed objective; Gumbel-Rao in expectation against the relaxed
//! objective; REINFORCE and RELAX in expectation against the true objective.

#![allow(clippy::needless_range_loop)] // index-heavy f64 reference maths

use gumbel::Temperature;
use gumbel::learner::{Agent, Config, Critic, Decision, Estimator, Linear, Optimiser, Policy};
use rand_core::SeedableRng;
use rand_xoshiro::Xoshiro128PlusPlus;

const D: usize = 3;
const K: usize = 4;
const LAMBDA: f32 = 0.5;
/// A fixed reward per action for the expectation tests.
const REWARD: [f32; K] = [0.3, -0.7, 1.1, 0.2];
const FEATURES: [f32; D] = [0.8, -0.4, 1.3];
/// Central-difference step: the truncation error is O(h²) ≈ 1e-10 for these smooth objectives,
/// and the rounding error ≈ 1e-16 / h ≈ 1e-11, both far below every tolerance below.
const H: f64 = 1e-5;

fn config(estimator: Estimator) -> Config<f32> {
    Config {
        estimator,
        temperature: Temperature::new(LAMBDA).unwrap(),
        policy_optimiser: Optimiser::Sgd {
            learning_rate: 0.1,
            momentum: 0.0,
        },
        critic_optimiser: Optimiser::Sgd {
            learning_rate: 0.1,
            momentum: 0.0,
        },
        max_gradient_norm: 0.0,
        baseline_decay: 0.9,
    }
}

fn networks() -> (Policy<f32, D, K>, Critic<f32, D, K>) {
    let policy = Linear::new(
        [
            [0.5, -0.3, 0.2],
            [-0.1, 0.4, -0.6],
            [0.3, 0.3, 0.1],
            [-0.7, 0.2, 0.5],
        ],
        [0.1, -0.2, 0.3, 0.0],
    );
    let critic = Linear::new(
        [
            [0.2, 0.1, -0.3],
            [-0.4, 0.5, 0.2],
            [0.6, -0.2, 0.4],
            [0.1, 0.3, -0.5],
        ],
        [0.2, -0.1, 0.5, 0.0],
    );
    (Policy::new(policy), Critic::new(critic))
}

fn agent(estimator: Estimator) -> Agent<f32, D, K> {
    let (policy, critic) = networks();
    Agent::with_networks(config(estimator), policy, critic).unwrap()
}

/// `W s + b` in f64 with the policy's weights perturbed by `dw` at (k, d) (`d = D` is the bias).
fn affine(
    linear: &Linear<f32, D, K>,
    s: &[f32; D],
    perturb: Option<(usize, usize, f64)>,
) -> [f64; K] {
    let mut out = [0.0; K];
    for k in 0..K {
        let mut v = linear.bias()[k] as f64;
        if let Some((pk, pd, h)) = perturb
            && pk == k
            && pd == D
        {
            v += h;
        }
        for d in 0..D {
            let mut w = linear.weights()[k][d] as f64;
            if let Some((pk, pd, h)) = perturb
                && pk == k
                && pd == d
            {
                w += h;
            }
            v += w * s[d] as f64;
        }
        out[k] = v;
    }
    out
}

fn softmax(z: &[f64; K]) -> [f64; K] {
    let m = z.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
    let e: Vec<f64> = z.iter().map(|v| (v - m).exp()).collect();
    let s: f64 = e.iter().sum();
    core::array::from_fn(|k| e[k] / s)
}

/// The central difference of `objective(policy perturbed at (k, d))` for every parameter, as a
/// gradient in the parameter order of [`Linear`] (weights row-major, then biases).
fn finite_difference(objective: impl Fn(Option<(usize, usize, f64)>) -> f64) -> Vec<f64> {
    let mut out = Vec::new();
    let coordinates = (0..K)
        .flat_map(|k| (0..D).map(move |d| (k, d)))
        .chain((0..K).map(|k| (k, D)));
    for (k, d) in coordinates {
        out.push((objective(Some((k, d, H))) - objective(Some((k, d, -H)))) / (2.0 * H));
    }
    out
}

fn flatten(linear: &Linear<f32, D, K>) -> Vec<f64> {
    linear
        .weights()
        .iter()
        .flatten()
        .chain(linear.bias())
        .map(|&v| v as f64)
        .collect()
}

/// The gradient of the *reward* (minus the loss gradient the agent accumulates) that one
/// observation of `decision` adds.
fn estimate(
    agent: &Agent<f32, D, K>,
    rng: &mut Xoshiro128PlusPlus,
    decision: &Decision<f32, D, K>,
) -> Vec<f64> {
    let mut fresh = agent.clone();
    fresh
        .observe(rng, decision, REWARD[decision.action()])
        .unwrap();
    flatten(fresh.pending_gradients().0)
        .iter()
        .map(|g| -g)
        .collect()
}

#[test]
fn straight_through_is_the_exact_gradient_of_the_relaxed_critic_value_per_sample() {
    let agent = agent(Estimator::StraightThrough);
    let policy = *agent.policy().parameters();
    let q = affine(agent.critic().parameters(), &FEATURES, None);
    let mut rng = Xoshiro128PlusPlus::seed_from_u64(11);
    let eps = f32::EPSILON as f64;
    for _ in 0..200 {
        let decision = agent.act(&mut rng, &FEATURES).unwrap();
        let noise = decision.noise().map(|g| g as f64);
        let relaxed_value = |p| {
            let theta = affine(&policy, &FEATURES, p);
            let z: [f64; K] = core::array::from_fn(|k| (theta[k] + noise[k]) / LAMBDA as f64);
            softmax(&z).iter().zip(&q).map(|(y, q)| y * q).sum::<f64>()
        };
        let reference = finite_difference(relaxed_value);
        let got = estimate(&agent, &mut rng, &decision);
        // The estimators' documented bound for the logit gradient (estimators::relaxed):
        // ε (2 + K + spread/λ) · 2 max|q| / λ, spread = max_i |θ_i + g_i − max|; plus the error
        // of q itself in f32, (D + 1) ε Σ|terms| per action, times 2/λ; then one rounding in the
        // product with a feature, and the logits' own rounding, (D + 1) ε Σ|terms|, times the
        // largest curvature of y, 2 max|q| / λ².
        let theta = affine(&policy, &FEATURES, None);
        let z: Vec<f64> = (0..K).map(|k| theta[k] + noise[k]).collect();
        let max = z.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
        let spread = z.iter().map(|v| max - v).fold(0.0, f64::max);
        let max_q = q.iter().map(|v| v.abs()).fold(0.0, f64::max);
        let terms: f64 = FEATURES.iter().map(|s| s.abs() as f64).sum::<f64>() + 1.0;
        let lambda = LAMBDA as f64;
        let logit_bound = eps * (2.0 + K as f64 + spread / lambda) * 2.0 * max_q / lambda
            + (D as f64 + 1.0) * eps * terms * 2.0 / lambda
            + (D as f64 + 1.0) * eps * terms * 2.0 * max_q / (lambda * lambda);
        for (i, (g, r)) in got.iter().zip(&reference).enumerate() {
            let feature = if i < K * D {
                FEATURES[i % D].abs() as f64
            } else {
                1.0
            };
            let bound = logit_bound * feature * (1.0 + eps) + eps * r.abs();
            assert!(
                (g - r).abs() <= bound,
                "parameter {i}: {g} vs {r} (bound {bound})"
            );
        }
    }
}

/// Mean and standard error of each component over the samples.
fn mean_and_error(samples: &[Vec<f64>]) -> (Vec<f64>, Vec<f64>) {
    let n = samples.len() as f64;
    let p = samples[0].len();
    let mean: Vec<f64> = (0..p)
        .map(|j| samples.iter().map(|s| s[j]).sum::<f64>() / n)
        .collect();
    let error = (0..p)
        .map(|j| {
            let var = samples
                .iter()
                .map(|s| (s[j] - mean[j]).powi(2))
                .sum::<f64>()
                / (n - 1.0);
            (var / n).sqrt()
        })
        .collect();
    (mean, error)
}

/// Checks every component of the mean estimate is within 4 standard errors of the reference
/// (a 6·10⁻⁵ two-sided chance per component for an unbiased estimator), and that the test
/// could fail: the tolerance is below the gradient's own size.
fn assert_unbiased(name: &str, samples: &[Vec<f64>], reference: &[f64], reference_error: &[f64]) {
    let (mean, error) = mean_and_error(samples);
    let largest = reference.iter().map(|r| r.abs()).fold(0.0, f64::max);
    for j in 0..reference.len() {
        let tolerance = 4.0 * (error[j].powi(2) + reference_error[j].powi(2)).sqrt();
        assert!(
            tolerance < 0.25 * largest,
            "{name}: test too weak at {j}: {tolerance} vs {largest}"
        );
        assert!(
            (mean[j] - reference[j]).abs() <= tolerance,
            "{name} parameter {j}: mean {} vs {} (4 SE = {tolerance})",
            mean[j],
            reference[j]
        );
    }
}

/// `E[r] = Σ_a softmax(θ)_a r_a`, exactly, as a function of the policy's parameters.
fn expected_reward(policy: &Linear<f32, D, K>, p: Option<(usize, usize, f64)>) -> f64 {
    let pi = softmax(&affine(policy, &FEATURES, p));
    pi.iter().zip(REWARD).map(|(p, r)| p * r as f64).sum()
}

fn unbiased_for_the_true_objective(estimator: Estimator, seed: u64) {
    let agent = agent(estimator);
    let policy = *agent.policy().parameters();
    let reference = finite_difference(|p| expected_reward(&policy, p));
    let mut rng = Xoshiro128PlusPlus::seed_from_u64(seed);
    let samples: Vec<Vec<f64>> = (0..40_000)
        .map(|_| {
            let decision = agent.act(&mut rng, &FEATURES).unwrap();
            estimate(&agent, &mut rng, &decision)
        })
        .collect();
    assert_unbiased(
        estimator.name(),
        &samples,
        &reference,
        &vec![0.0; reference.len()],
    );
}

#[test]
fn reinforce_is_unbiased_for_the_expected_reward() {
    unbiased_for_the_true_objective(Estimator::Reinforce, 21);
}

#[test]
fn relax_with_the_critic_as_surrogate_is_unbiased_for_the_expected_reward() {
    unbiased_for_the_true_objective(Estimator::Relax, 22);
}

#[test]
fn gumbel_rao_matches_the_gradient_of_the_expected_relaxed_critic_value() {
    let agent = agent(Estimator::GumbelRao { samples: 4 });
    let policy = *agent.policy().parameters();
    let q = affine(agent.critic().parameters(), &FEATURES, None);
    let mut rng = Xoshiro128PlusPlus::seed_from_u64(31);
    let n = 40_000;
    // Reference: ∇ E_g[⟨q, softmax((θ + g)/λ)⟩] by finite differences with common random
    // numbers, one independent noise draw per sample (its own standard error).
    let mut reference_samples = Vec::with_capacity(n);
    for _ in 0..n {
        let noise: [f64; K] =
            core::array::from_fn(|_| gumbel::noise::gumbel::<f32, _>(&mut rng) as f64);
        reference_samples.push(finite_difference(|p| {
            let theta = affine(&policy, &FEATURES, p);
            let z: [f64; K] = core::array::from_fn(|k| (theta[k] + noise[k]) / LAMBDA as f64);
            softmax(&z).iter().zip(&q).map(|(y, q)| y * q).sum::<f64>()
        }));
    }
    let (reference, reference_error) = mean_and_error(&reference_samples);
    let samples: Vec<Vec<f64>> = (0..n)
        .map(|_| {
            let decision = agent.act(&mut rng, &FEATURES).unwrap();
            estimate(&agent, &mut rng, &decision)
        })
        .collect();
    assert_unbiased("Gumbel-Rao", &samples, &reference, &reference_error);
}
