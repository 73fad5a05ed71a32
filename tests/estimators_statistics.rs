//! Statistical properties of the estimators on the toy problems of Tucker et al. (2017):
//! `f(b) = |b − t|²` for a Bernoulli (`t = 0.45`, logit 1) and a categorical (K = 10,
//! `t_i = i/45`, logits 0), where the exact gradient is known in closed form.
//!
//! - Unbiased estimators (REINFORCE, REBAR, RELAX): every coordinate of the sample mean lies
//!   within 4 standard errors of the exact gradient (a 6e-5 two-sided chance per coordinate).
//! - Gumbel-Rao has no more variance than straight-through, and the same mean.
//! - RELAX with a learned surrogate beats REINFORCE with a baseline; REBAR with adapted η beats
//!   REINFORCE.
//! - The relaxed (binary Concrete) estimator's bias shrinks as λ decreases (2, 1, 0.5, 0.25).
//!
//! Variance comparisons require the sample variances to differ by more than 4 standard errors
//! of their difference (estimated from the fourth moments), so they are not decided by noise.

// Coordinates are indexed across several parallel vectors; index loops read best here.
#![allow(clippy::needless_range_loop)]

use gumbel::estimators::control_variate::{AdaptiveEta, BinarySurrogate, Surrogate};
use gumbel::estimators::score::Baseline;
use gumbel::estimators::{
    Buffers, Choice, Draw, gumbel_rao, rebar, relax, reparam, score, straight_through,
};
use gumbel::{Error, Temperature, categorical, noise};
use rand_core::SeedableRng;
use rand_xoshiro::Xoshiro128PlusPlus;

const T: f32 = 0.45;
const THETA: f32 = 1.0;
const K: usize = 10;

fn target() -> [f32; K] {
    core::array::from_fn(|i| i as f32 / 45.0)
}

fn lambda(x: f32) -> Temperature<f32> {
    Temperature::new(x).unwrap()
}

/// Per-coordinate sample moments of a stream of gradient estimates.
struct Moments {
    n: f64,
    sum: Vec<f64>,
    sum2: Vec<f64>,
    total_sum: f64,
    total_sum2: f64,
}

impl Moments {
    fn collect(n: usize, dim: usize, mut draw: impl FnMut(&mut [f32])) -> Self {
        let mut m = Moments {
            n: n as f64,
            sum: vec![0.0; dim],
            sum2: vec![0.0; dim],
            total_sum: 0.0,
            total_sum2: 0.0,
        };
        let mut g = vec![0.0f32; dim];
        // Kept for the second pass: the squared deviations from the final mean.
        let mut samples = Vec::with_capacity(n);
        for _ in 0..n {
            draw(&mut g);
            for i in 0..dim {
                let x = f64::from(g[i]);
                assert!(x.is_finite());
                m.sum[i] += x;
                m.sum2[i] += x * x;
            }
            samples.push(g.iter().map(|&x| f64::from(x)).collect::<Vec<_>>());
        }
        let mean = m.mean();
        for sample in &samples {
            let d: f64 = sample
                .iter()
                .zip(&mean)
                .map(|(x, mu)| (x - mu).powi(2))
                .sum();
            m.total_sum += d;
            m.total_sum2 += d * d;
        }
        m
    }

    fn mean(&self) -> Vec<f64> {
        self.sum.iter().map(|s| s / self.n).collect()
    }

    fn standard_errors(&self) -> Vec<f64> {
        self.sum
            .iter()
            .zip(&self.sum2)
            .map(|(s, s2)| ((s2 - s * s / self.n) / (self.n - 1.0) / self.n).sqrt())
            .collect()
    }

    /// The total variance `E|g − E g|²` and the standard error of that estimate.
    fn total_variance(&self) -> (f64, f64) {
        let v = self.total_sum / self.n;
        let var_of_d = self.total_sum2 / self.n - v * v;
        (v, (var_of_d / self.n).sqrt())
    }

    fn assert_unbiased(&self, exact: &[f64], what: &str) {
        for (i, ((m, se), e)) in self
            .mean()
            .iter()
            .zip(self.standard_errors())
            .zip(exact)
            .enumerate()
        {
            assert!(
                (m - e).abs() <= 4.0 * se,
                "{what}: coordinate {i}: mean {m:e} vs exact {e:e}, 4 SE = {:e}",
                4.0 * se
            );
        }
    }
}

/// `self` has less variance than `other`, by more than 4 standard errors of the difference.
fn assert_less_variance(low: &Moments, high: &Moments, what: &str) {
    let (a, sa) = low.total_variance();
    let (b, sb) = high.total_variance();
    assert!(
        b - a > 4.0 * (sa * sa + sb * sb).sqrt(),
        "{what}: variance {a:e} ± {sa:e} is not clearly below {b:e} ± {sb:e}"
    );
}

fn binary_exact() -> f64 {
    let p = 1.0 / (1.0 + (-f64::from(THETA)).exp());
    p * (1.0 - p) * (1.0 - 2.0 * f64::from(T))
}

fn categorical_exact(theta: &[f32], allowed: Option<&[bool]>) -> Vec<f64> {
    let t = target();
    let e: Vec<f64> = theta
        .iter()
        .enumerate()
        .map(|(i, &x)| {
            if allowed.is_none_or(|m| m[i]) {
                f64::from(x).exp()
            } else {
                0.0
            }
        })
        .collect();
    let z: f64 = e.iter().sum();
    let n = theta.len();
    let f: Vec<f64> = (0..n)
        .map(|b| {
            (0..n)
                .map(|i| (f64::from(u8::from(i == b)) - f64::from(t[i])).powi(2))
                .sum()
        })
        .collect();
    let loss: f64 = (0..n).map(|b| e[b] / z * f[b]).sum();
    (0..n).map(|b| e[b] / z * (f[b] - loss)).collect()
}

/// `f(x) = (x − t)²` on relaxed samples, and its categorical analogue.
struct Objective;

impl BinarySurrogate<f32> for Objective {
    fn evaluate(&mut self, x: f32) -> Result<(f32, f32), Error> {
        Ok(((x - T) * (x - T), 2.0 * (x - T)))
    }
}

impl Surrogate<f32> for Objective {
    fn evaluate(&mut self, x: &[f32], gradient: &mut [f32]) -> Result<f32, Error> {
        let t = target();
        let mut value = 0.0;
        for i in 0..x.len() {
            value += (x[i] - t[i]).powi(2);
            gradient[i] = 2.0 * (x[i] - t[i]);
        }
        Ok(value)
    }
}

/// An arbitrary surrogate: RELAX must be unbiased whatever it is.
struct Arbitrary;

impl BinarySurrogate<f32> for Arbitrary {
    fn evaluate(&mut self, x: f32) -> Result<(f32, f32), Error> {
        Ok((0.2 + 0.8 * (x - 0.3) * (x - 0.3) - x, 1.6 * (x - 0.3) - 1.0))
    }
}

impl Surrogate<f32> for Arbitrary {
    fn evaluate(&mut self, x: &[f32], gradient: &mut [f32]) -> Result<f32, Error> {
        let mut value = 0.3;
        for i in 0..x.len() {
            let w = (i as f32 - 4.0) / 3.0;
            value += w * x[i] + x[i] * x[i];
            gradient[i] = w + 2.0 * x[i];
        }
        Ok(value)
    }
}

fn f_binary(b: bool) -> f32 {
    let x = f32::from(u8::from(b));
    (x - T) * (x - T)
}

/// `f(b) = |one_hot(b) − t|²` for the categorical toy.
fn f_categorical(b: usize) -> f32 {
    let t = target();
    (0..K)
        .map(|i| (f32::from(u8::from(i == b)) - t[i]).powi(2))
        .sum()
}

const N: usize = 40_000;

#[test]
fn unbiased_binary_estimators() {
    let exact = [binary_exact()];
    let mut rng = Xoshiro128PlusPlus::seed_from_u64(100);
    Moments::collect(N, 1, |g| {
        let l: f32 = noise::logistic(&mut rng);
        let b = THETA + l > 0.0;
        g[0] = score::reinforce_bernoulli(THETA, b, f_binary(b), 0.0).unwrap();
    })
    .assert_unbiased(&exact, "REINFORCE");
    for (lam, eta) in [(0.5, 1.0), (0.1, 0.3), (2.0, -0.7)] {
        Moments::collect(N, 1, |g| {
            let l: f32 = noise::logistic(&mut rng);
            g[0] = rebar::binary(&mut rng, THETA, l, lambda(lam), eta, &mut Objective)
                .unwrap()
                .0;
        })
        .assert_unbiased(&exact, &format!("REBAR λ={lam} η={eta}"));
    }
    Moments::collect(N, 1, |g| {
        let l: f32 = noise::logistic(&mut rng);
        let f = f_binary(THETA + l > 0.0);
        g[0] = relax::binary(&mut rng, THETA, l, lambda(0.5), f, &mut Arbitrary)
            .unwrap()
            .0;
    })
    .assert_unbiased(&exact, "RELAX");
}

#[test]
fn unbiased_categorical_estimators() {
    let mut rng = Xoshiro128PlusPlus::seed_from_u64(200);
    // Uniform logits, and uneven logits with a masked action.
    let uneven: [f32; K] = core::array::from_fn(|i| (i as f32 - 5.0) / 2.0);
    let mask: [bool; K] = core::array::from_fn(|i| i != 3);
    for (theta, allowed) in [([0.0f32; K], None), (uneven, Some(&mask[..]))] {
        let exact = categorical_exact(&theta, allowed);
        let mut noise = [0.0f32; K];
        let mut scratch = [0.0f32; 3 * K];
        Moments::collect(N / 2, K, |g| {
            let b = categorical::sample_with_noise(&mut rng, &theta, allowed, &mut noise).unwrap();
            score::reinforce_categorical(&theta, allowed, b, f_categorical(b), 0.0, g).unwrap();
        })
        .assert_unbiased(&exact, "REINFORCE");
        Moments::collect(N / 2, K, |g| {
            categorical::sample_with_noise(&mut rng, &theta, allowed, &mut noise).unwrap();
            let terms = rebar::categorical(
                &mut rng,
                Draw {
                    logits: &theta,
                    allowed,
                    noise: &noise,
                },
                lambda(0.5),
                1.0,
                &mut Objective,
                Buffers {
                    gradient: g,
                    scratch: &mut scratch,
                },
            )
            .unwrap();
            if let Some(mask) = allowed {
                assert!(mask[terms.action]);
                assert_eq!(g[3], 0.0);
            }
        })
        .assert_unbiased(&exact, "REBAR");
        Moments::collect(N / 2, K, |g| {
            let b = categorical::sample_with_noise(&mut rng, &theta, allowed, &mut noise).unwrap();
            relax::categorical(
                &mut rng,
                Draw {
                    logits: &theta,
                    allowed,
                    noise: &noise,
                },
                lambda(0.5),
                f_categorical(b),
                &mut Arbitrary,
                Buffers {
                    gradient: g,
                    scratch: &mut scratch,
                },
            )
            .unwrap();
        })
        .assert_unbiased(&exact, "RELAX");
    }
}

#[test]
fn gumbel_rao_has_less_variance_than_straight_through() {
    let mut rng = Xoshiro128PlusPlus::seed_from_u64(300);
    let st_lambda = lambda(1.0);
    let binary_st = Moments::collect(N, 1, |g| {
        let l: f32 = noise::logistic(&mut rng);
        let b = THETA + l > 0.0;
        let upstream = 2.0 * (f32::from(u8::from(b)) - T);
        g[0] = straight_through::backward_binary(THETA, l, st_lambda, upstream).unwrap();
    });
    let binary_gr = Moments::collect(N, 1, |g| {
        let l: f32 = noise::logistic(&mut rng);
        let b = THETA + l > 0.0;
        let upstream = 2.0 * (f32::from(u8::from(b)) - T);
        g[0] = gumbel_rao::binary(&mut rng, THETA, b, st_lambda, 10, upstream).unwrap();
    });
    assert_less_variance(&binary_gr, &binary_st, "binary Gumbel-Rao M=10");
    // Same expectation: the means agree within 4 standard errors of their difference.
    let (a, b) = (binary_st.mean()[0], binary_gr.mean()[0]);
    let se = binary_st.standard_errors()[0].hypot(binary_gr.standard_errors()[0]);
    assert!((a - b).abs() <= 4.0 * se, "ST mean {a} vs GR mean {b}");

    let t = target();
    let theta = [0.0f32; K];
    let mut noise = [0.0f32; K];
    let mut scratch = [0.0f32; K];
    let upstream_of = |b: usize| -> [f32; K] {
        core::array::from_fn(|i| 2.0 * (f32::from(u8::from(i == b)) - t[i]))
    };
    let cat_st = Moments::collect(N / 2, K, |g| {
        let b = categorical::sample_with_noise(&mut rng, &theta, None, &mut noise).unwrap();
        g.copy_from_slice(&upstream_of(b));
        straight_through::backward(&theta, None, &noise, st_lambda, g).unwrap();
    });
    let cat_gr = Moments::collect(N / 2, K, |g| {
        let b = categorical::sample_with_noise(&mut rng, &theta, None, &mut noise).unwrap();
        let upstream = upstream_of(b);
        gumbel_rao::categorical(
            &mut rng,
            Choice {
                logits: &theta,
                allowed: None,
                action: b,
            },
            st_lambda,
            10,
            &upstream,
            Buffers {
                gradient: g,
                scratch: &mut scratch,
            },
        )
        .unwrap();
    });
    assert_less_variance(&cat_gr, &cat_st, "categorical Gumbel-Rao M=10");
}

/// RELAX's surrogate `c(x) = φ_0 + φ_1 (x − t)² + φ_2 x`, trained online to minimise the
/// variance: the estimate is linear in φ, `ĝ = f ∇log p + Σ_m φ_m ĝ_m`, where `ĝ_m` is the RELAX
/// estimate with objective 0 and surrogate `h_m`, made with the same random words.
struct Feature(usize, [f32; 3]);

impl BinarySurrogate<f32> for Feature {
    fn evaluate(&mut self, x: f32) -> Result<(f32, f32), Error> {
        let w = match self.0 {
            3 => self.1,
            m => core::array::from_fn(|i| f32::from(u8::from(i == m))),
        };
        Ok((
            w[0] + w[1] * (x - T) * (x - T) + w[2] * x,
            2.0 * w[1] * (x - T) + w[2],
        ))
    }
}

#[test]
fn control_variates_reduce_variance() {
    let mut rng = Xoshiro128PlusPlus::seed_from_u64(400);
    let mut baseline = Baseline::new(0.99).unwrap();
    let reinforce_baseline = Moments::collect(N, 1, |g| {
        let l: f32 = noise::logistic(&mut rng);
        let b = THETA + l > 0.0;
        g[0] = score::reinforce_bernoulli(THETA, b, f_binary(b), baseline.value()).unwrap();
        baseline.update(f_binary(b)).unwrap();
    });

    let mut phi = [0.0f32, 1.0, 0.0];
    let mut mean_square = [0.0f32; 3];
    let cv = lambda(0.5);
    let mut step = |rng: &mut Xoshiro128PlusPlus| -> f32 {
        let l: f32 = noise::logistic(rng);
        let f = f_binary(THETA + l > 0.0);
        let features: [f32; 3] = core::array::from_fn(|m| {
            relax::binary(&mut rng.clone(), THETA, l, cv, 0.0, &mut Feature(m, phi))
                .unwrap()
                .0
        });
        let g = relax::binary(rng, THETA, l, cv, f, &mut Feature(3, phi))
            .unwrap()
            .0;
        for m in 0..3 {
            let d = 2.0 * g * features[m];
            mean_square[m] = 0.99 * mean_square[m] + 0.01 * d * d;
            phi[m] -= 0.002 * d / (mean_square[m] + f32::EPSILON).sqrt();
        }
        g
    };
    for _ in 0..10_000 {
        step(&mut rng);
    }
    let relax_learned = Moments::collect(N, 1, |g| g[0] = step(&mut rng));
    relax_learned.assert_unbiased(&[binary_exact()], "RELAX, learned surrogate");
    assert_less_variance(
        &relax_learned,
        &reinforce_baseline,
        "RELAX vs REINFORCE + baseline",
    );

    // REBAR (c = f ∘ σ_λ, no baseline) against REINFORCE on the categorical toy.
    let theta = [0.0f32; K];
    let mut noise = [0.0f32; K];
    let mut scratch = [0.0f32; 3 * K];
    let reinforce = Moments::collect(N / 2, K, |g| {
        let b = categorical::sample_with_noise(&mut rng, &theta, None, &mut noise).unwrap();
        score::reinforce_categorical(&theta, None, b, f_categorical(b), 0.0, g).unwrap();
    });
    let mut eta = AdaptiveEta::new(1.0, 0.01).unwrap();
    let mut rebar_step = |rng: &mut Xoshiro128PlusPlus, g: &mut [f32]| {
        categorical::sample_with_noise(rng, &theta, None, &mut noise).unwrap();
        let terms = rebar::categorical(
            rng,
            Draw {
                logits: &theta,
                allowed: None,
                noise: &noise,
            },
            lambda(0.5),
            eta.value(),
            &mut Objective,
            Buffers {
                gradient: g,
                scratch: &mut scratch,
            },
        )
        .unwrap();
        eta.update(&terms).unwrap();
    };
    let mut g = [0.0f32; K];
    for _ in 0..10_000 {
        rebar_step(&mut rng, &mut g);
    }
    let rebar_adapted = Moments::collect(N / 2, K, |g| rebar_step(&mut rng, g));
    rebar_adapted.assert_unbiased(&categorical_exact(&theta, None), "REBAR, adapted η");
    assert_less_variance(&rebar_adapted, &reinforce, "REBAR vs REINFORCE");
}

/// `|mean − exact|` of the binary Concrete estimator at logit 0 (where `σ'` is largest and
/// the bias of the relaxation is plainest) and its standard error.
fn concrete_bias(rng: &mut Xoshiro128PlusPlus, lam: f32, n: usize) -> (f64, f64) {
    let exact = 0.25 * (1.0 - 2.0 * f64::from(T));
    let m = Moments::collect(n, 1, |g| {
        let l: f32 = noise::logistic(rng);
        let x = 1.0 / (1.0 + (-l / lam).exp());
        g[0] = reparam::binary(0.0, l, lambda(lam), 2.0 * (x - T))
            .unwrap()
            .0;
    });
    ((m.mean()[0] - exact).abs(), m.standard_errors()[0])
}

#[test]
fn relaxed_bias_shrinks_with_temperature() {
    let mut rng = Xoshiro128PlusPlus::seed_from_u64(500);
    let mut previous: Option<(f32, f64, f64)> = None;
    for lam in [2.0f32, 1.0, 0.5, 0.25] {
        let (bias, se) = concrete_bias(&mut rng, lam, 16 * N);
        if let Some((l, b, s)) = previous {
            assert!(
                b - bias > 4.0 * (se + s),
                "bias at λ={lam}: {bias:e} ± {se:e} not clearly below λ={l}: {b:e} ± {s:e}"
            );
        }
        previous = Some((lam, bias, se));
    }
}
