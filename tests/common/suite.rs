//! The statistical test suite, written once over [`Scalar`]: `tests/sampling_f32.rs` runs it for
//! `f32`, and every other scalar type runs the same functions.
//!
//! Inputs are given in f64 and rounded to `S` with `from_f64`; the reference distribution is
//! always computed from the *rounded* logits, so the tests measure the sampler, not the
//! rounding of its inputs.
//!
//! Sample sizes: a chi-square test must catch a sampler that is off by 1%. The natural 1% error
//! of a softmax sampler is a 1% error in its temperature (logits scaled by 1.01): it moves
//! `Δp_k ≈ 0.01·p_k·(l_k − E_p[l])`, a non-centrality of `N·10⁻⁴·Var_p(l)`.
//! [`draws_to_detect_one_percent`] picks the `N` whose non-centrality gives the test at level
//! [`ALPHA`] a power of 0.99 (normal approximation of the non-central chi-square).

use statrs::distribution::{ChiSquared, ContinuousCDF};

use gumbel::{Error, Scalar, Temperature, binary, categorical, concrete, noise, topk};

use super::{ALPHA, Scripted, chi_square_p, ks_p, logistic_cdf, plackett_luce, rng, softmax};

/// The number of draws that detects a 1% temperature error with power 0.99 (module docs), for
/// these probabilities and logits.
pub fn draws_to_detect_one_percent(probabilities: &[f64], logits: &[f64]) -> usize {
    let used = || probabilities.iter().zip(logits).filter(|(p, _)| **p > 0.0);
    let mean: f64 = used().map(|(p, l)| p * l).sum();
    let variance: f64 = used().map(|(p, l)| p * (l - mean).powi(2)).sum();
    assert!(
        variance > 0.0,
        "equal logits: no temperature to get wrong; choose N directly"
    );
    let df = (used().count() - 1) as f64;
    let critical = ChiSquared::new(df).unwrap().inverse_cdf(1.0 - ALPHA);
    // Smallest non-centrality λ with (df + λ − critical) ≥ z₀.₉₉·sd, sd² = 2(df + 2λ).
    let z = 2.326;
    let mut lambda = 0.0;
    while df + lambda - critical < z * (2.0 * (df + 2.0 * lambda)).sqrt() {
        lambda += 0.5;
    }
    (lambda / (1e-4 * variance)).ceil() as usize
}

pub fn to_scalars<S: Scalar>(values: &[f64]) -> Vec<S> {
    values.iter().map(|&v| S::from_f64(v)).collect()
}

/// The softmax of the logits as `S` rounds them, with masked actions at probability 0.
pub fn reference_probabilities<S: Scalar>(logits: &[S], allowed: Option<&[bool]>) -> Vec<f64> {
    let effective: Vec<f64> = logits
        .iter()
        .enumerate()
        .map(|(k, l)| {
            if allowed.is_some_and(|a| !a[k]) {
                f64::NEG_INFINITY
            } else {
                l.to_f64()
            }
        })
        .collect();
    softmax(&effective)
}

/// Gumbel-max frequencies against the softmax, by chi-square.
pub fn gumbel_max_matches_softmax<S: Scalar>(
    seed: u64,
    logits: &[f64],
    allowed: Option<&[bool]>,
    draws: usize,
) {
    let logits = to_scalars::<S>(logits);
    let probabilities = reference_probabilities(&logits, allowed);
    let mut rng = rng(seed);
    let mut counts = vec![0u64; logits.len()];
    for _ in 0..draws {
        let k = match allowed {
            None => categorical::sample(&mut rng, &logits),
            Some(mask) => categorical::sample_masked(&mut rng, &logits, mask),
        }
        .unwrap();
        counts[k] += 1;
    }
    let p = chi_square_p(&counts, &probabilities);
    assert!(
        p > ALPHA,
        "Gumbel-max vs softmax: p = {p:.2e} (K = {}, {draws} draws)",
        logits.len()
    );
}

/// Gumbel-top-k ordered tuples against the exact Plackett–Luce probabilities, by chi-square.
pub fn top_k_matches_plackett_luce<S: Scalar>(seed: u64, logits: &[f64], k: usize, draws: usize) {
    let logits = to_scalars::<S>(logits);
    let n = logits.len();
    let probabilities = reference_probabilities(&logits, None);
    let cells = n.pow(k as u32);
    let cell = |order: &[usize]| order.iter().fold(0, |acc, &i| acc * n + i);
    let mut expected = vec![0.0; cells];
    for code in 0..cells {
        let order: Vec<usize> = (0..k).rev().map(|j| (code / n.pow(j as u32)) % n).collect();
        let distinct = (1..k).all(|j| !order[..j].contains(&order[j]));
        if distinct {
            expected[cell(&order)] = plackett_luce(&probabilities, &order);
        }
    }
    let mut rng = rng(seed);
    let mut counts = vec![0u64; cells];
    let mut indices = vec![0usize; k];
    let mut keys = vec![S::ZERO; k];
    for _ in 0..draws {
        topk::top_k(&mut rng, &logits, None, &mut indices, &mut keys).unwrap();
        assert!(keys.windows(2).all(|w| w[0] >= w[1]), "keys not decreasing");
        counts[cell(&indices)] += 1;
    }
    let p = chi_square_p(&counts, &expected);
    assert!(p > ALPHA, "top-{k} vs Plackett–Luce: p = {p:.2e}");
}

/// `P(argmax X = k) = softmax_k` for the Concrete sample at any λ, by chi-square; every sample
/// also lies on the simplex within `sum_tolerance`.
pub fn concrete_argmax_matches_softmax<S: Scalar>(
    seed: u64,
    logits: &[f64],
    lambda: f64,
    draws: usize,
    sum_tolerance: f64,
) {
    let logits = to_scalars::<S>(logits);
    let probabilities = reference_probabilities(&logits, None);
    let temperature = Temperature::new(S::from_f64(lambda)).unwrap();
    let mut rng = rng(seed);
    let mut counts = vec![0u64; logits.len()];
    let mut x = vec![S::ZERO; logits.len()];
    for _ in 0..draws {
        concrete::sample(&mut rng, &logits, None, temperature, &mut x).unwrap();
        assert_on_simplex(&x, sum_tolerance);
        // First maximum, the same tie rule as the sampler.
        let mut best = 0;
        for (k, v) in x.iter().enumerate() {
            if *v > x[best] {
                best = k;
            }
        }
        counts[best] += 1;
    }
    let p = chi_square_p(&counts, &probabilities);
    assert!(p > ALPHA, "Concrete argmax at λ = {lambda}: p = {p:.2e}");
}

pub fn assert_on_simplex<S: Scalar>(x: &[S], sum_tolerance: f64) {
    let mut sum = 0.0;
    for v in x {
        let v = v.to_f64();
        assert!(
            v.is_finite() && (0.0..=1.0).contains(&v),
            "coordinate {v} off the simplex"
        );
        sum += v;
    }
    assert!(
        (sum - 1.0).abs() <= sum_tolerance,
        "sum {sum} is not 1 within {sum_tolerance:e}"
    );
}

/// Gumbel and logistic noise against their CDFs, and exponential noise against its CDF, by KS.
pub fn noise_matches_cdfs<S: Scalar>(seed: u64, draws: usize) {
    let mut rng = rng(seed);
    let gumbels: Vec<f64> = (0..draws)
        .map(|_| noise::gumbel::<S, _>(&mut rng).to_f64())
        .collect();
    let p = ks_p(gumbels, super::gumbel_cdf);
    assert!(p > ALPHA, "Gumbel noise KS p = {p:.2e}");
    let logistics: Vec<f64> = (0..draws)
        .map(|_| noise::logistic::<S, _>(&mut rng).to_f64())
        .collect();
    let p = ks_p(logistics, logistic_cdf);
    assert!(p > ALPHA, "logistic noise KS p = {p:.2e}");
    let exponentials: Vec<f64> = (0..draws)
        .map(|_| noise::exponential::<S, _>(&mut rng).to_f64())
        .collect();
    let p = ks_p(
        exponentials,
        |x| if x <= 0.0 { 0.0 } else { 1.0 - (-x).exp() },
    );
    assert!(p > ALPHA, "exponential noise KS p = {p:.2e}");
    let uniforms: Vec<f64> = (0..draws)
        .map(|_| noise::uniform::<S, _>(&mut rng).to_f64())
        .collect();
    let p = ks_p(uniforms, |x| x.clamp(0.0, 1.0));
    assert!(p > ALPHA, "uniform noise KS p = {p:.2e}");
}

/// Logit-space binary Concrete samples `Y = (a + L)/λ` against their CDF `σ(λy − a)`, by KS.
pub fn binary_concrete_matches_cdf<S: Scalar>(seed: u64, logit: f64, lambda: f64, draws: usize) {
    let logit = S::from_f64(logit);
    let temperature = Temperature::new(S::from_f64(lambda)).unwrap();
    let (a, l) = (logit.to_f64(), temperature.get().to_f64());
    let mut rng = rng(seed);
    let ys: Vec<f64> = (0..draws)
        .map(|_| {
            binary::sample_logit(&mut rng, logit, temperature)
                .unwrap()
                .to_f64()
        })
        .collect();
    let p = ks_p(ys, |y| logistic_cdf(l * y - a));
    assert!(
        p > ALPHA,
        "binary Concrete (logit space) at λ = {lambda}: KS p = {p:.2e}"
    );
}

/// Random words 0 and `u32::MAX` (and alternating) give valid results from every sampler.
pub fn extreme_words_give_valid_samples<S: Scalar>(sum_tolerance: f64) {
    let logits = to_scalars::<S>(&[0.0, 1.0, -2.0, 3.0]);
    let temperature = Temperature::new(S::HALF).unwrap();
    for script in [
        &[0u32][..],
        &[u32::MAX],
        &[0, u32::MAX],
        &[u32::MAX, 0, 1, 1 << 31],
    ] {
        let mut rng = Scripted::new(script);
        for _ in 0..8 {
            for v in [
                noise::uniform::<S, _>(&mut rng),
                noise::gumbel(&mut rng),
                noise::logistic(&mut rng),
                noise::exponential(&mut rng),
            ] {
                assert!(v.to_f64().is_finite(), "non-finite noise from {script:?}");
            }
            let u = noise::uniform::<S, _>(&mut rng).to_f64();
            assert!(u > 0.0 && u < 1.0, "uniform {u} not in (0, 1)");
            assert!(noise::exponential::<S, _>(&mut rng).to_f64() > 0.0);
            assert!(categorical::sample(&mut rng, &logits).unwrap() < logits.len());
            let mut x = [S::ZERO; 4];
            concrete::sample(&mut rng, &logits, None, temperature, &mut x).unwrap();
            assert_on_simplex(&x, sum_tolerance);
            let mut y = [S::ZERO; 4];
            concrete::sample_log(&mut rng, &logits, None, temperature, &mut y).unwrap();
            assert!(y.iter().all(|v| v.to_f64().is_finite()));
            let d = concrete::exp_log_density(&logits, None, temperature, &y).unwrap();
            assert!(d.to_f64().is_finite());
            let b = binary::sample(&mut rng, S::ONE, temperature)
                .unwrap()
                .to_f64();
            assert!((0.0..=1.0).contains(&b));
            let mut indices = [0usize; 4];
            let mut keys = [S::ZERO; 4];
            topk::top_k(&mut rng, &logits, None, &mut indices, &mut keys).unwrap();
            let mut sorted = indices;
            sorted.sort_unstable();
            assert_eq!(sorted, [0, 1, 2, 3]);
        }
    }
}

/// Every error path: the right `Error`, and not one random word consumed.
pub fn bad_input_is_refused_without_drawing<S: Scalar>() {
    let logits = to_scalars::<S>(&[0.0, 1.0, 2.0]);
    let mut rng = Scripted::new(&[7]);
    let none_allowed = [false; 3];
    let temperature = Temperature::new(S::ONE).unwrap();
    assert_eq!(
        categorical::sample::<S, _>(&mut rng, &[]),
        Err(Error::Empty)
    );
    assert_eq!(
        categorical::sample_masked(&mut rng, &logits, &none_allowed),
        Err(Error::AllMasked)
    );
    assert_eq!(
        categorical::sample_masked(&mut rng, &logits, &[true]),
        Err(Error::LengthMismatch {
            expected: 3,
            found: 1
        })
    );
    let mut noise = [S::ZERO; 2];
    assert_eq!(
        categorical::sample_with_noise(&mut rng, &logits, None, &mut noise),
        Err(Error::LengthMismatch {
            expected: 3,
            found: 2
        })
    );
    let mut out = [S::ZERO; 3];
    assert_eq!(
        concrete::sample(
            &mut rng,
            &logits,
            Some(&none_allowed),
            temperature,
            &mut out
        ),
        Err(Error::AllMasked)
    );
    assert_eq!(
        concrete::sample(&mut rng, &logits, None, temperature, &mut out[..2]),
        Err(Error::LengthMismatch {
            expected: 3,
            found: 2
        })
    );
    let (mut indices, mut keys) = ([0usize; 3], [S::ZERO; 3]);
    assert_eq!(
        topk::top_k(
            &mut rng,
            &logits,
            Some(&[true, false, true]),
            &mut indices,
            &mut keys
        ),
        Err(Error::TooFewActions {
            requested: 3,
            available: 2
        })
    );
    assert_eq!(
        topk::top_k_vec::<S, _, 2>(&mut rng, &logits, None, 3),
        Err(Error::BufferTooSmall {
            needed: 3,
            found: 2
        })
    );
    for lambda in [S::ZERO, -S::ONE] {
        assert_eq!(Temperature::new(lambda), Err(Error::InvalidTemperature));
    }
    assert_eq!(rng.drawn(), 0, "a refused call consumed random words");
    // Nothing written either.
    assert_eq!(out, [S::ZERO; 3]);
}

/// A point outside the support gets `OutsideSupport`, never a NaN.
pub fn densities_refuse_points_outside_the_support<S: Scalar>() {
    let logits = to_scalars::<S>(&[0.0, 1.0, 2.0]);
    let temperature = Temperature::new(S::HALF).unwrap();
    let q = |v: f64| S::from_f64(v);
    for x in [
        [q(0.5), q(0.5), q(0.5)],
        [S::ZERO, q(0.5), q(0.5)],
        [q(-0.5), q(0.5), S::ONE],
    ] {
        assert_eq!(
            concrete::log_density(&logits, None, temperature, &x),
            Err(Error::OutsideSupport)
        );
    }
    let y = [q(0.0), q(0.0), q(0.0)];
    assert_eq!(
        concrete::exp_log_density(&logits, None, temperature, &y),
        Err(Error::OutsideSupport)
    );
    for x in [S::ZERO, S::ONE, -S::ONE] {
        assert_eq!(
            binary::log_density(S::ONE, temperature, x),
            Err(Error::OutsideSupport)
        );
    }
}

/// `k = 1` and `K = 1` behave: a single action is always drawn, its relaxed sample is 1.
pub fn single_action<S: Scalar>() {
    let logits = [S::from_f64(3.5)];
    let mut rng = rng(5);
    let temperature = Temperature::new(S::from_f64(0.1)).unwrap();
    for _ in 0..100 {
        assert_eq!(categorical::sample(&mut rng, &logits), Ok(0));
        let mut x = [S::ZERO];
        concrete::sample(&mut rng, &logits, None, temperature, &mut x).unwrap();
        assert_eq!(x[0].to_f64(), 1.0);
        assert_eq!(
            topk::top_k_vec::<S, _, 1>(&mut rng, &logits, None, 1).unwrap(),
            [0]
        );
    }
    // The one-point distribution has density 1 with respect to counting measure.
    let x = [S::ONE];
    assert_eq!(
        concrete::log_density(&logits, None, temperature, &x)
            .unwrap()
            .to_f64(),
        0.0
    );
}

/// Equal logits and equal noise words: the lowest index wins, every time.
pub fn ties_go_to_the_lowest_index<S: Scalar>() {
    let logits = to_scalars::<S>(&[1.0, 2.0, 2.0, 2.0]);
    let mut rng = Scripted::new(&[0x1234_5678]);
    assert_eq!(categorical::sample(&mut rng, &logits), Ok(1));
    let mut indices = [0usize; 3];
    let mut keys = [S::ZERO; 3];
    topk::top_k(&mut rng, &logits, None, &mut indices, &mut keys).unwrap();
    assert_eq!(indices, [1, 2, 3]);
}
