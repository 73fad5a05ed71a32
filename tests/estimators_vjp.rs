//! Every vector-Jacobian product and reparameterisation derivative of the estimators against
//! central finite differences of an independent `f64` implementation, over K ∈ {2, 3, 10},
//! λ ∈ {0.1, 0.5, 1, 5} and logits spread up to ±20.
//!
//! Tolerances are derived per coordinate (see `relaxed.rs`): the `f32` result carries the
//! rounding of the perturbed logits, amplified by `1/λ` in the exponent, plus a few roundings per
//! operation; the finite difference carries its truncation error, estimated a posteriori as
//! `|D(h) − D(2h)|` (the error is `O(h²)`, so `D(2h)` is off by four times as much), plus its
//! cancellation error `~1e-16 |F| / h`.

// Coordinates are indexed across several parallel vectors; index loops read best here.
#![allow(clippy::needless_range_loop)]

use gumbel::conditional::{
    binary_derivative, binary_from_logistic, categorical_backward, categorical_from_gumbel,
};
use gumbel::estimators::reparam;
use gumbel::{Temperature, noise};
use rand::RngExt;
use rand_core::SeedableRng;
use rand_xoshiro::Xoshiro128PlusPlus;

const EPS: f64 = f32::EPSILON as f64;
const KS: [usize; 3] = [2, 3, 10];
const LAMBDAS: [f32; 4] = [0.1, 0.5, 1.0, 5.0];
const SPREADS: [f32; 3] = [1.0, 5.0, 20.0];
const REPEATS: usize = 20;

/// Central difference of `f` at `x` with step `h`, and its error bound.
fn derivative(f: impl Fn(f64) -> f64, x: f64, h: f64) -> (f64, f64) {
    let d1 = (f(x + h) - f(x - h)) / (2.0 * h);
    let d2 = (f(x + 2.0 * h) - f(x - 2.0 * h)) / (4.0 * h);
    let cancellation = 1e-15 * f(x).abs().max(1.0) / h;
    (d1, (d1 - d2).abs() + cancellation)
}

fn softmax(z: &[f64], lambda: f64) -> Vec<f64> {
    let max = z.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
    let e: Vec<f64> = z.iter().map(|&x| ((x - max) / lambda).exp()).collect();
    let s: f64 = e.iter().sum();
    e.iter().map(|x| x / s).collect()
}

fn case(
    rng: &mut Xoshiro128PlusPlus,
    std_rng: &mut rand::rngs::StdRng,
    k: usize,
    spread: f32,
) -> (Vec<f32>, Vec<f32>, Vec<f32>) {
    let logits: Vec<f32> = (0..k)
        .map(|_| std_rng.random_range(-spread..=spread))
        .collect();
    let mut gumbels = vec![0.0f32; k];
    noise::fill_gumbel(rng, &mut gumbels);
    let upstream: Vec<f32> = (0..k).map(|_| std_rng.random_range(-1.0..=1.0)).collect();
    (logits, gumbels, upstream)
}

#[test]
fn concrete_vjp_matches_finite_differences() {
    let mut rng = Xoshiro128PlusPlus::seed_from_u64(11);
    let mut std_rng = rand::rngs::StdRng::seed_from_u64(12);
    let mut checked = 0;
    for k in KS {
        for lambda in LAMBDAS {
            for spread in SPREADS {
                for _ in 0..REPEATS {
                    let (logits, g, v) = case(&mut rng, &mut std_rng, k, spread);
                    let mut out = v.clone();
                    let temperature = Temperature::new(lambda).unwrap();
                    let d_lambda =
                        reparam::concrete(&logits, None, &g, temperature, &mut out).unwrap();

                    let theta: Vec<f64> = logits.iter().map(|&x| f64::from(x)).collect();
                    let g64: Vec<f64> = g.iter().map(|&x| f64::from(x)).collect();
                    let v64: Vec<f64> = v.iter().map(|&x| f64::from(x)).collect();
                    let lam = f64::from(lambda);
                    let objective = |theta: &[f64], lam: f64| {
                        let z: Vec<f64> = theta.iter().zip(&g64).map(|(a, b)| a + b).collect();
                        softmax(&z, lam)
                            .iter()
                            .zip(&v64)
                            .map(|(y, v)| y * v)
                            .sum::<f64>()
                    };

                    // The derived f32 error of each y_i, relative.
                    let z: Vec<f64> = theta.iter().zip(&g64).map(|(a, b)| a + b).collect();
                    let z_max = z.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
                    let y = softmax(&z, lam);
                    let rel: Vec<f64> = z
                        .iter()
                        .map(|zi| EPS * (k as f64 + 4.0 + (zi.abs() + z_max.abs()) / lam))
                        .collect();
                    let vy: f64 = (0..k).map(|i| v64[i] * y[i]).sum();
                    let vy_error: f64 = (0..k)
                        .map(|i| v64[i].abs() * y[i] * (rel[i] + k as f64 * EPS))
                        .sum();

                    for j in 0..k {
                        let (reference, fd_error) = derivative(
                            |x| {
                                let mut t = theta.clone();
                                t[j] = x;
                                objective(&t, lam)
                            },
                            theta[j],
                            1e-4 * lam,
                        );
                        let tolerance = 2.0 * y[j] * (rel[j] * (v64[j] - vy).abs() + vy_error)
                            / lam
                            + 2.0 * EPS * reference.abs()
                            + fd_error;
                        let error = (f64::from(out[j]) - reference).abs();
                        assert!(
                            error <= tolerance,
                            "∂/∂θ_{j}: K={k} λ={lambda} spread={spread}: {} vs {reference} \
                             (error {error:e} > {tolerance:e}); logits {logits:?} noise {g:?}",
                            out[j]
                        );
                    }

                    let s: Vec<f64> = z.iter().map(|zi| (zi - z_max) / lam).collect();
                    let s_mean: f64 = (0..k).map(|i| y[i] * s[i]).sum();
                    let s_mean_error: f64 =
                        (0..k).map(|i| y[i] * (rel[i] + EPS) * s[i].abs()).sum();
                    let weight: f64 = (0..k).map(|i| v64[i].abs() * y[i]).sum();
                    let (reference, fd_error) =
                        derivative(|l| objective(&theta, l), lam, 1e-4 * lam);
                    let tolerance = 2.0
                        * ((0..k)
                            .map(|i| {
                                v64[i].abs()
                                    * y[i]
                                    * (rel[i] * ((s[i] - s_mean).abs() + 1.0)
                                        + EPS * (s[i].abs() + s_mean.abs()))
                            })
                            .sum::<f64>()
                            + weight * s_mean_error)
                        / lam
                        + 2.0 * EPS * reference.abs()
                        + fd_error;
                    let error = (f64::from(d_lambda) - reference).abs();
                    assert!(
                        error <= tolerance,
                        "∂/∂λ: K={k} λ={lambda} spread={spread}: {d_lambda} vs {reference} \
                         (error {error:e} > {tolerance:e})"
                    );
                    checked += 1;
                }
            }
        }
    }
    assert_eq!(checked, KS.len() * LAMBDAS.len() * SPREADS.len() * REPEATS);
}

#[test]
fn binary_concrete_vjp_matches_finite_differences() {
    let mut rng = Xoshiro128PlusPlus::seed_from_u64(21);
    let mut std_rng = rand::rngs::StdRng::seed_from_u64(22);
    for lambda in LAMBDAS {
        for spread in SPREADS {
            for _ in 0..REPEATS * 5 {
                let logit: f32 = std_rng.random_range(-spread..=spread);
                let l: f32 = noise::logistic(&mut rng);
                let v: f32 = std_rng.random_range(-1.0..=1.0);
                let temperature = Temperature::new(lambda).unwrap();
                let (d_logit, d_lambda) = reparam::binary(logit, l, temperature, v).unwrap();

                let (theta, l64, v64, lam) = (
                    f64::from(logit),
                    f64::from(l),
                    f64::from(v),
                    f64::from(lambda),
                );
                let sigmoid = |x: f64| 1.0 / (1.0 + (-x).exp());
                let objective = |theta: f64, lam: f64| v64 * sigmoid((theta + l64) / lam);
                let y = (theta + l64) / lam;
                let slope = sigmoid(y) * sigmoid(-y);
                // Abs. error of y in f32 (one addition, one division) bounds the relative
                // error of the slope, whose logarithmic derivative is at most 1 in size.
                let y_error = EPS * ((theta.abs() + l64.abs()) / lam + y.abs());
                let rel = y_error + 6.0 * EPS;

                let (reference, fd_error) = derivative(|t| objective(t, lam), theta, 1e-4 * lam);
                let tolerance = 2.0 * v64.abs() * slope * rel / lam + fd_error;
                assert!(
                    (f64::from(d_logit) - reference).abs() <= tolerance,
                    "binary ∂/∂θ at θ={logit} L={l} λ={lambda}: {d_logit} vs {reference}"
                );
                let (reference, fd_error) = derivative(|m| objective(theta, m), lam, 1e-4 * lam);
                let tolerance =
                    2.0 * v64.abs() * slope * (rel * (y.abs() + 1.0) + y_error) / lam + fd_error;
                assert!(
                    (f64::from(d_lambda) - reference).abs() <= tolerance,
                    "binary ∂/∂λ at θ={logit} L={l} λ={lambda}: {d_lambda} vs {reference}"
                );
            }
        }
    }
}

/// The conditional perturbed logits in f64, from standard Gumbel variates.
fn conditional_z(theta: &[f64], chosen: usize, gumbels: &[f64]) -> Vec<f64> {
    let max = theta.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
    let lse = max + theta.iter().map(|t| (t - max).exp()).sum::<f64>().ln();
    let z_k = gumbels[chosen] + lse;
    let log_add_exp = |a: f64, b: f64| a.max(b) + (-(a - b).abs()).exp().ln_1p();
    (0..theta.len())
        .map(|i| {
            if i == chosen {
                z_k
            } else {
                -log_add_exp(-(theta[i] + gumbels[i]), -z_k)
            }
        })
        .collect()
}

#[test]
fn conditional_backward_matches_finite_differences() {
    let mut rng = Xoshiro128PlusPlus::seed_from_u64(31);
    let mut std_rng = rand::rngs::StdRng::seed_from_u64(32);
    for k in KS {
        for spread in SPREADS {
            for _ in 0..REPEATS * 4 {
                let (logits, gumbels, u) = case(&mut rng, &mut std_rng, k, spread);
                let chosen = std_rng.random_range(0..k);
                let mut g = vec![0.0f32; k];
                categorical_from_gumbel(&logits, None, chosen, &gumbels, &mut g).unwrap();
                let mut out = u.clone();
                categorical_backward(&logits, None, chosen, &g, &mut out).unwrap();

                let theta: Vec<f64> = logits.iter().map(|&x| f64::from(x)).collect();
                let g64: Vec<f64> = gumbels.iter().map(|&x| f64::from(x)).collect();
                let u64: Vec<f64> = u.iter().map(|&x| f64::from(x)).collect();
                let objective = |theta: &[f64]| {
                    conditional_z(theta, chosen, &g64)
                        .iter()
                        .zip(&u64)
                        .map(|(z, u)| z * u)
                        .sum::<f64>()
                };
                // Each w_i = e^{z̃_i − z̃_k} is computed from f32 values whose roundings (the
                // conditional formula: a log-sum-exp, a log_add_exp, four additions) add up to an
                // absolute error δ in the exponent, so w_i and 1 − w_i carry w_i·δ.
                let z = conditional_z(&theta, chosen, &g64);
                let magnitude = |i: usize| theta[i].abs() + f64::from(g[i]).abs();
                let lse_size = z[chosen].abs() + g64[chosen].abs();
                let delta = |i: usize| {
                    8.0 * EPS * (magnitude(i) + magnitude(chosen) + lse_size + k as f64 + 2.0)
                };
                let w: Vec<f64> = (0..k).map(|i| (z[i] - z[chosen]).exp()).collect();
                let max = theta.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
                let lse = max + theta.iter().map(|t| (t - max).exp()).sum::<f64>().ln();
                let p: Vec<f64> = theta.iter().map(|t| (t - lse).exp()).collect();
                let through: f64 = u64[chosen]
                    + (0..k)
                        .filter(|&i| i != chosen)
                        .map(|i| u64[i] * w[i])
                        .sum::<f64>();
                let through_error: f64 = (0..k)
                    .filter(|&i| i != chosen)
                    .map(|i| u64[i].abs() * w[i] * delta(i))
                    .sum::<f64>()
                    + k as f64 * EPS * (u64.iter().map(|x| x.abs()).sum::<f64>());
                for j in 0..k {
                    let (reference, fd_error) = derivative(
                        |x| {
                            let mut t = theta.clone();
                            t[j] = x;
                            objective(&t)
                        },
                        theta[j],
                        1e-5,
                    );
                    let direct_error = if j == chosen {
                        0.0
                    } else {
                        u64[j].abs() * (w[j] * delta(j) + 2.0 * EPS)
                    };
                    let p_error = 4.0 * EPS * (k as f64 + theta[j].abs() + lse.abs());
                    let tolerance = 2.0
                        * (direct_error + p[j] * through_error + through.abs() * p[j] * p_error)
                        + 2.0 * EPS * reference.abs()
                        + fd_error;
                    let error = (f64::from(out[j]) - reference).abs();
                    assert!(
                        error <= tolerance,
                        "conditional ∂/∂θ_{j}, K={k} spread={spread} chosen={chosen}: {} vs \
                         {reference} (error {error:e} > {tolerance:e})",
                        out[j]
                    );
                }
            }
        }
    }
}

#[test]
fn binary_conditional_derivative_matches_finite_differences() {
    let mut std_rng = rand::rngs::StdRng::seed_from_u64(41);
    let softplus = |x: f64| x.max(0.0) + (-x.abs()).exp().ln_1p();
    let log_add_exp = |a: f64, b: f64| a.max(b) + (-(a - b).abs()).exp().ln_1p();
    for spread in SPREADS {
        for _ in 0..500 {
            let logit: f32 = std_rng.random_range(-spread..=spread);
            let standard: f32 = std_rng.random_range(-10.0..=10.0);
            for b in [false, true] {
                let noise = binary_from_logistic(logit, b, standard).unwrap();
                let derivative_f32 = binary_derivative(logit, b, noise).unwrap();
                let l = f64::from(standard);
                let z_tilde = |theta: f64| {
                    let (s, t) = if b { (1.0, theta) } else { (-1.0, -theta) };
                    let m = log_add_exp(-softplus(t), -softplus(-l) - softplus(-t))
                        + softplus(l)
                        + softplus(-t);
                    theta + s * m
                };
                let theta = f64::from(logit);
                let (reference, fd_error) = derivative(z_tilde, theta, 1e-5);
                let z = z_tilde(theta);
                let sign = if b { 1.0 } else { -1.0 };
                let sig = 1.0 / (1.0 + (-sign * theta).exp());
                // z̃ in f32 carries ~8 roundings of magnitude |θ| + |noise| + 2.
                let delta = 8.0 * EPS * (theta.abs() + f64::from(noise).abs() + 2.0);
                let tolerance =
                    sig * (-sign * z).exp() * delta + 4.0 * EPS * reference.abs() + fd_error;
                assert!(
                    (f64::from(derivative_f32) - reference).abs() <= tolerance,
                    "θ={logit} ℓ={standard} b={b}: {derivative_f32} vs {reference}"
                );
            }
        }
    }
}
