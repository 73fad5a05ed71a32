//! The learner's networks: `Linear` and `Hidden` forward and backward passes against an
//! independent `f64` route (the outputs recomputed, the gradients by central differences) in
//! `f32` and in I16F16, with tolerances derived from the rounding of each pass; the bound
//! `Network::gain` the agent relies on before it draws; the starting networks.

#![allow(clippy::needless_range_loop)] // index-heavy f64 reference maths

use gumbel::Scalar;
use gumbel::learner::{Hidden, Linear, Network};
use rand_core::{Rng, SeedableRng};
use rand_xoshiro::Xoshiro128PlusPlus;

const D: usize = 3;
const H: usize = 5;
const K: usize = 2;

type Net<S> = Hidden<S, D, H, K>;

/// A uniform value in `(−scale, scale)`.
fn uniform(rng: &mut Xoshiro128PlusPlus, scale: f64) -> f64 {
    (rng.next_u32() as f64 / u32::MAX as f64 * 2.0 - 1.0) * scale
}

fn random_network<S: Scalar>(rng: &mut Xoshiro128PlusPlus) -> Net<S> {
    let mut value = |scale| S::from_f64(uniform(rng, scale));
    Hidden::new(
        Linear::new(
            core::array::from_fn(|_| core::array::from_fn(|_| value(1.0))),
            core::array::from_fn(|_| value(0.5)),
        ),
        Linear::new(
            core::array::from_fn(|_| core::array::from_fn(|_| value(1.0))),
            core::array::from_fn(|_| value(0.5)),
        ),
    )
}

/// Every parameter as `f64`, in saved order.
fn parameters<S: Scalar>(net: &Net<S>) -> Vec<f64> {
    net.slices()
        .iter()
        .flat_map(|s| s.iter())
        .map(|v| v.to_f64())
        .collect()
}

/// The rectifier's slope below zero.
const LEAK: f64 = 1.0 / 64.0;

/// The leaky rectifier.
fn relu(z: f64) -> f64 {
    if z > 0.0 { z } else { LEAK * z }
}

/// The network's outputs and pre-activations in `f64` from a flat parameter vector (saved
/// order: W₁ row-major, b₁, W₂ row-major, b₂).
fn reference(p: &[f64], s: &[f64; D]) -> ([f64; K], [f64; H]) {
    let (w1, rest) = p.split_at(H * D);
    let (b1, rest) = rest.split_at(H);
    let (w2, b2) = rest.split_at(K * H);
    let z: [f64; H] =
        core::array::from_fn(|j| b1[j] + (0..D).map(|d| w1[j * D + d] * s[d]).sum::<f64>());
    let out =
        core::array::from_fn(|k| b2[k] + (0..H).map(|j| w2[k * H + j] * relu(z[j])).sum::<f64>());
    (out, z)
}

/// `f32`: forward within its rounding, backward against central differences of
/// `⟨u, f(s)⟩` in `f64`. Networks whose pre-activations come within the step of a kink are
/// skipped (the difference quotient straddles it); the test counts that most are kept.
#[test]
fn hidden_forward_and_backward_match_f64_in_f32() {
    let mut rng = Xoshiro128PlusPlus::seed_from_u64(1);
    let eps = f32::EPSILON as f64;
    let step = 1e-6;
    let mut checked = 0;
    for _ in 0..2000 {
        let net = random_network::<f32>(&mut rng);
        let s: [f32; D] = core::array::from_fn(|_| uniform(&mut rng, 2.0) as f32);
        let u: [f32; K] = core::array::from_fn(|_| uniform(&mut rng, 1.0) as f32);
        let s64 = s.map(f64::from);
        let p = parameters(&net);
        let (exact, z) = reference(&p, &s64);
        if z.iter().any(|z| z.abs() < 1e-3) {
            continue;
        }
        checked += 1;
        // Forward: z_j has D products and D additions, each rounding by ε relative to the
        // sum of the magnitudes; the output as much again over H terms.
        let (out, _) = net.forward(&s);
        let z_terms: f64 = (0..H)
            .map(|j| {
                p[H * D + j].abs() + (0..D).map(|d| (p[j * D + d] * s64[d]).abs()).sum::<f64>()
            })
            .fold(0.0, f64::max);
        for k in 0..K {
            let terms: f64 = p[H * D + H + K * H + k].abs()
                + (0..H)
                    .map(|j| {
                        p[H * D + H + k * H + j].abs()
                            * (z[j].max(0.0) + 2.0 * D as f64 * eps * z_terms)
                    })
                    .sum::<f64>();
            let bound = 2.0 * (D + H + 2) as f64 * eps * terms;
            assert!(
                (out[k] as f64 - exact[k]).abs() <= bound,
                "output {k}: {} vs {}",
                out[k],
                exact[k]
            );
        }
        // Backward against central differences.
        let (_, activations) = net.forward(&s);
        let mut gradient = Net::<f32>::ZERO;
        net.backward(&s, &activations, &u, &mut gradient);
        let got = parameters(&gradient);
        let objective = |q: &[f64]| {
            let (out, _) = reference(q, &s64);
            out.iter().zip(&u).map(|(o, &u)| o * u as f64).sum::<f64>()
        };
        for i in 0..p.len() {
            let mut plus = p.clone();
            let mut minus = p.clone();
            plus[i] += step;
            minus[i] -= step;
            let numeric = (objective(&plus) - objective(&minus)) / (2.0 * step);
            // The objective is piecewise linear in each parameter (away from kinks, which the
            // skip above excludes), so the quotient is exact up to f64 rounding, ~1e-10 here;
            // the f32 gradient is a product of at most K + 2 rounded factors of size ≤ 4.
            let bound = 1e-9 + 4.0 * (K + 2) as f64 * eps * (numeric.abs() + 1.0);
            assert!(
                (got[i] - numeric).abs() <= bound,
                "parameter {i}: {} vs {numeric}",
                got[i]
            );
        }
    }
    assert!(checked > 1000, "{checked}");
}

/// I16F16: the same passes against `f64` evaluated on the very same fixed-point parameters and
/// inputs. Each product rounds by at most one LSB `ε` and sums are exact, so a pre-activation is
/// within `D ε` and a hidden output within `D ε` (`(D/64 + 1) ε` below zero, where the slope
/// multiplies once more), an output within `(Σ_j |W₂[k][j]|) (D + 1) ε + H ε`; a hidden unit's
/// `δ_j` within `K ε` (plus `ε` for the slope), and each gradient component within its
/// factor's error times the other factor plus `ε`.
#[cfg(feature = "fixed")]
#[test]
fn hidden_forward_and_backward_match_f64_in_fixed_point() {
    use gumbel::Fixed;
    let mut rng = Xoshiro128PlusPlus::seed_from_u64(2);
    let eps = Fixed::EPSILON.to_f64();
    let mut checked = 0;
    for _ in 0..5000 {
        let net = random_network::<Fixed>(&mut rng);
        let s: [Fixed; D] = core::array::from_fn(|_| Fixed::from_f64(uniform(&mut rng, 2.0)));
        let u: [Fixed; K] = core::array::from_fn(|_| Fixed::from_f64(uniform(&mut rng, 1.0)));
        let s64 = s.map(|v| v.to_f64());
        let u64 = u.map(|v| v.to_f64());
        let p = parameters(&net);
        let (exact, z) = reference(&p, &s64);
        let z_error = D as f64 * eps;
        if z.iter().any(|z| z.abs() <= z_error) {
            continue; // the rectifier may switch within the rounding
        }
        checked += 1;
        let (out, activations) = net.forward(&s);
        let w2 = |k: usize, j: usize| p[H * D + H + k * H + j];
        let h_error = z_error + eps;
        for k in 0..K {
            let bound = (0..H).map(|j| w2(k, j).abs()).sum::<f64>() * h_error + H as f64 * eps;
            assert!((out[k].to_f64() - exact[k]).abs() <= bound, "output {k}");
        }
        let mut gradient = Net::<Fixed>::ZERO;
        net.backward(&s, &activations, &u, &mut gradient);
        let got = parameters(&gradient);
        // Exact gradient of ⟨u, f(s)⟩ at these parameters.
        let h: Vec<f64> = z.iter().map(|&z| relu(z)).collect();
        let delta: Vec<f64> = (0..H)
            .map(|j| {
                let sum: f64 = (0..K).map(|k| w2(k, j) * u64[k]).sum();
                if z[j] > 0.0 { sum } else { LEAK * sum }
            })
            .collect();
        let delta_error = (K + 1) as f64 * eps;
        let mut expected = Vec::new();
        let mut bounds = Vec::new();
        for j in 0..H {
            for d in 0..D {
                expected.push(delta[j] * s64[d]);
                bounds.push(delta_error * s64[d].abs() + eps);
            }
        }
        for j in 0..H {
            expected.push(delta[j]);
            bounds.push(delta_error);
        }
        for k in 0..K {
            for j in 0..H {
                expected.push(u64[k] * h[j]);
                bounds.push(u64[k].abs() * h_error + eps);
            }
        }
        for k in 0..K {
            expected.push(u64[k]);
            bounds.push(0.0);
        }
        for i in 0..p.len() {
            assert!(
                (got[i] - expected[i]).abs() <= bounds[i],
                "parameter {i}: {} vs {}",
                got[i],
                expected[i]
            );
        }
    }
    assert!(checked > 2500, "{checked}");
}

/// The agent refuses a decision before drawing if `bound × gain` could overflow; that is only
/// sound if `gain` really bounds every gradient component per unit of upstream.
fn gain_bounds_every_component<S: Scalar>(seed: u64, slack: f64) {
    let mut rng = Xoshiro128PlusPlus::seed_from_u64(seed);
    for _ in 0..5000 {
        let net = random_network::<S>(&mut rng);
        let scale = [0.1, 1.0, 10.0][(rng.next_u32() % 3) as usize];
        let s: [S; D] = core::array::from_fn(|_| S::from_f64(uniform(&mut rng, scale)));
        let u: [S; K] = core::array::from_fn(|_| S::from_f64(uniform(&mut rng, 1.0)));
        let (_, activations) = net.forward(&s);
        let mut gradient = Net::<S>::ZERO;
        net.backward(&s, &activations, &u, &mut gradient);
        let largest_u = u.iter().fold(0.0f64, |m, v| m.max(v.to_f64().abs()));
        let limit =
            net.gain(&s, &activations).to_f64() * largest_u * slack + S::EPSILON.to_f64() * 8.0;
        for g in parameters(&gradient) {
            assert!(g.abs() <= limit, "{g} > {limit}");
        }
        // And for the linear network.
        let linear = *net.output();
        let h = net.activations(&s);
        let mut lg = Linear::<S, H, K>::ZERO;
        linear.backward(&h, &(), &u, &mut lg);
        let limit = linear.gain(&h, &()).to_f64() * largest_u * slack + S::EPSILON.to_f64() * 2.0;
        assert!(
            lg.slices()
                .iter()
                .flat_map(|s| s.iter())
                .all(|g| g.to_f64().abs() <= limit)
        );
    }
}

#[test]
fn gain_bounds_every_gradient_component_in_f32() {
    gain_bounds_every_component::<f32>(3, 1.0 + 8.0 * f32::EPSILON as f64);
}

#[cfg(feature = "fixed")]
#[test]
fn gain_bounds_every_gradient_component_in_fixed_point() {
    gain_bounds_every_component::<gumbel::Fixed>(4, 1.0);
}

/// The starting network: zero output for every input (a uniform policy), `W₁` in Glorot's
/// range and not all equal, the same every time; `random` draws one word per hidden weight.
#[test]
fn the_initial_hidden_network_outputs_zero_and_breaks_symmetry() {
    let net = <Hidden<f32, 4, 16, 2> as Network<f32, 4, 2>>::initial();
    assert_eq!(
        net,
        <Hidden<f32, 4, 16, 2> as Network<f32, 4, 2>>::initial()
    );
    let limit = (6.0f32 / 20.0).sqrt();
    let w1: Vec<f32> = net.hidden().weights().iter().flatten().copied().collect();
    assert!(w1.iter().all(|w| w.abs() < limit));
    assert!(w1.iter().any(|w| w.abs() > 0.5 * limit));
    let distinct: std::collections::BTreeSet<u32> = w1.iter().map(|w| w.to_bits()).collect();
    assert_eq!(distinct.len(), w1.len());
    let mean = w1.iter().sum::<f32>() / w1.len() as f32;
    // 64 uniform values in ±0.55: the mean's standard deviation is 0.04; 4 of them.
    assert!(mean.abs() < 0.16, "{mean}");
    let mut rng = Xoshiro128PlusPlus::seed_from_u64(5);
    for _ in 0..100 {
        let s: [f32; 4] = core::array::from_fn(|_| uniform(&mut rng, 3.0) as f32);
        assert_eq!(net.forward(&s).0, [0.0; 2]);
    }
    let mut twin = rng.clone();
    let random = Hidden::<f32, 4, 16, 2>::random(&mut rng);
    for _ in 0..64 {
        twin.next_u32();
    }
    assert_eq!(rng, twin);
    assert_ne!(random, net);
    assert_eq!(random.output(), &Linear::ZERO);
}

#[test]
fn parameter_counts_and_saved_order() {
    let net = random_network::<f32>(&mut Xoshiro128PlusPlus::seed_from_u64(6));
    let runs = net.slices();
    assert_eq!(runs.map(|r| r.len()), [H * D, H, K * H, K]);
    assert_eq!(
        runs.iter().map(|r| r.len()).sum::<usize>(),
        <Net<f32> as Network<f32, D, K>>::PARAMETERS
    );
    assert_eq!(runs[0][1], net.hidden().weights()[0][1]);
    assert_eq!(runs[2][H], net.output().weights()[1][0]);
    let linear = Linear::<f32, D, K>::new([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], [7.0, 8.0]);
    assert_eq!(
        linear.slices(),
        [&[1.0, 2.0, 3.0, 4.0, 5.0, 6.0][..], &[7.0, 8.0], &[], &[]]
    );
}
