//! The statistical suite for `f32`, and the checks only `f32` needs (infinities, NaN, densities
//! against independent f64 closed forms).

mod common;

use common::suite::{self, draws_to_detect_one_percent};
use common::{ALPHA, Scripted, chi_square_p, rng, softmax};
use gumbel::estimators::straight_through;
use gumbel::{Error, Temperature, binary, categorical, concrete, topk};

const EPS: f64 = f32::EPSILON as f64;

/// The documented bound on `|Σ x − 1|` for a Concrete sample of `k` coordinates.
fn sum_bound(k: usize) -> f64 {
    (k as f64 + 3.0) * EPS
}

fn linspace(k: usize, lo: f64, hi: f64) -> Vec<f64> {
    (0..k)
        .map(|i| lo + (hi - lo) * i as f64 / (k - 1) as f64)
        .collect()
}

/// Logits that are not a neat pattern: a fixed pseudo-random spread over ±`spread`.
fn scattered(k: usize, spread: f64) -> Vec<f64> {
    (0..k)
        .map(|i| spread * ((i as f64 * 2.399_963).sin()))
        .collect()
}

#[test]
fn gumbel_max_matches_softmax_k2() {
    let logits = [0.0, 1.0];
    let n = draws_to_detect_one_percent(&softmax(&logits), &logits);
    suite::gumbel_max_matches_softmax::<f32>(1, &logits, None, n);
}

#[test]
fn gumbel_max_matches_softmax_k4() {
    let logits = [0.3, -1.2, 2.0, 0.0];
    let n = draws_to_detect_one_percent(&softmax(&logits), &logits);
    suite::gumbel_max_matches_softmax::<f32>(2, &logits, None, n);
}

#[test]
fn gumbel_max_matches_softmax_k16() {
    let logits = scattered(16, 2.0);
    let n = draws_to_detect_one_percent(&softmax(&logits), &logits);
    suite::gumbel_max_matches_softmax::<f32>(3, &logits, None, n);
}

#[test]
fn gumbel_max_matches_softmax_k256() {
    let logits = scattered(256, 3.0);
    let n = draws_to_detect_one_percent(&softmax(&logits), &logits);
    suite::gumbel_max_matches_softmax::<f32>(4, &logits, None, n);
}

#[test]
fn gumbel_max_matches_softmax_peaked() {
    // Logits over 0..20: the top action has probability 0.63, the lowest ~1e-9.
    let logits = linspace(16, 0.0, 20.0);
    let n = draws_to_detect_one_percent(&softmax(&logits), &logits);
    suite::gumbel_max_matches_softmax::<f32>(5, &logits, None, n);
}

#[test]
fn gumbel_max_matches_softmax_masked() {
    let mut logits = scattered(8, 1.5);
    let allowed = [true, false, true, true, false, true, true, false];
    let n = draws_to_detect_one_percent(
        &suite::reference_probabilities::<f32>(&suite::to_scalars(&logits), Some(&allowed)),
        &logits,
    );
    suite::gumbel_max_matches_softmax::<f32>(6, &logits, Some(&allowed), n);
    // The same actions masked with -inf instead of a mask.
    for (l, a) in logits.iter_mut().zip(allowed) {
        if !a {
            *l = f64::NEG_INFINITY;
        }
    }
    suite::gumbel_max_matches_softmax::<f32>(7, &logits, None, n);
}

#[test]
fn gumbel_max_with_huge_logits() {
    // Equal logits of 1e30 are a fair coin, not "index 0 always" (the noise is not swallowed).
    suite::gumbel_max_matches_softmax::<f32>(8, &[1e30, 1e30], None, 100_000);
    suite::gumbel_max_matches_softmax::<f32>(9, &[-1e30, -1e30, -1e30], None, 100_000);
    let mut rng = rng(10);
    for _ in 0..10_000 {
        assert_eq!(categorical::sample(&mut rng, &[1e30f32, -1e30, 0.0]), Ok(0));
        assert_eq!(categorical::sample(&mut rng, &[f32::MIN, f32::MAX]), Ok(1));
    }
}

#[test]
fn positive_infinite_logits_share_the_mass_equally() {
    let logits = [f32::INFINITY, 50.0, f32::INFINITY, f32::NEG_INFINITY];
    let mut rng = rng(11);
    let mut counts = [0u64; 4];
    let mut x = [0f32; 4];
    let temperature = Temperature::new(0.5).unwrap();
    for _ in 0..100_000 {
        counts[categorical::sample(&mut rng, &logits).unwrap()] += 1;
        concrete::sample(&mut rng, &logits, None, temperature, &mut x).unwrap();
        assert!(x[1] == 0.0 && x[3] == 0.0 && (x[0] + x[2] - 1.0).abs() <= 2.0 * f32::EPSILON);
    }
    let p = chi_square_p(&counts, &[0.5, 0.0, 0.5, 0.0]);
    assert!(p > ALPHA, "p = {p:.2e}");
    let mut indices = [0usize; 3];
    let mut keys = [0f32; 3];
    topk::top_k(&mut rng, &logits, None, &mut indices, &mut keys).unwrap();
    assert_eq!(indices[2], 1, "finite logits rank after every +inf one");
    assert_eq!(keys[..2], [f32::INFINITY; 2]);
}

#[test]
fn nan_and_masking_errors() {
    let mut rng = Scripted::new(&[1]);
    assert_eq!(
        categorical::sample(&mut rng, &[0.0, f32::NAN, 1.0]),
        Err(Error::Nan { index: 1 })
    );
    // A NaN is reported even where the action is masked.
    assert_eq!(
        categorical::sample_masked(&mut rng, &[0.0, f32::NAN], &[true, false]),
        Err(Error::Nan { index: 1 })
    );
    assert_eq!(
        categorical::sample(&mut rng, &[f32::NEG_INFINITY; 3]),
        Err(Error::AllMasked)
    );
    let mut out = [0f32; 2];
    let t = Temperature::new(1.0).unwrap();
    assert_eq!(
        concrete::from_noise(&[0.0, 1.0], None, &[0.0, f32::INFINITY], t, &mut out),
        Err(Error::NotFinite { index: 1 })
    );
    assert_eq!(
        concrete::log_density(&[f32::INFINITY, 0.0], None, t, &[0.5, 0.5]),
        Err(Error::NotFinite { index: 0 })
    );
    assert_eq!(
        binary::sample(&mut rng, f32::NAN, t),
        Err(Error::Nan { index: 0 })
    );
    assert_eq!(
        binary::sample(&mut rng, f32::INFINITY, t),
        Err(Error::NotFinite { index: 0 })
    );
    assert_eq!(rng.drawn(), 0);
}

/// `Temperature`'s accepted range is a unit test beside it; here, the smallest λ it accepts
/// still samples.
#[test]
fn the_smallest_temperature_still_samples() {
    let tiny = Temperature::new(f32::from_bits(1)).unwrap();
    let mut x = [0f32; 3];
    concrete::sample(&mut rng(12), &[0.0, 1.0, 2.0], None, tiny, &mut x).unwrap();
    suite::assert_on_simplex(&x, sum_bound(3));
    assert_eq!(
        x.iter().filter(|&&v| v == 1.0).count(),
        1,
        "λ → 0 gives a one-hot"
    );
    let mut y = [0f32; 3];
    concrete::sample_log(&mut rng(12), &[0.0, 1.0, 2.0], None, tiny, &mut y).unwrap();
    assert!(y.iter().all(|v| v.is_finite()));
}

#[test]
fn top_k_matches_plackett_luce() {
    // Sized by the first position's marginal, which is the softmax.
    let logits = [0.5, -0.3, 1.2, 0.0, -1.0];
    let n = draws_to_detect_one_percent(&softmax(&logits), &logits);
    suite::top_k_matches_plackett_luce::<f32>(13, &logits, 2, n);
    suite::top_k_matches_plackett_luce::<f32>(14, &logits, 3, n);
}

#[test]
fn concrete_argmax_matches_softmax_at_every_temperature() {
    let logits = [0.3, -1.2, 2.0, 0.0];
    let n = draws_to_detect_one_percent(&softmax(&logits), &logits);
    for (seed, lambda) in [(15, 0.1), (16, 1.0), (17, 5.0)] {
        suite::concrete_argmax_matches_softmax::<f32>(seed, &logits, lambda, n, sum_bound(4));
    }
}

#[test]
fn concrete_samples_stay_on_the_simplex_at_small_temperature_and_wide_logits() {
    let t = Temperature::new(0.01f32).unwrap();
    for (seed, k) in [(18, 16), (19, 256)] {
        let logits: Vec<f32> = scattered(k, 50.0).iter().map(|&l| l as f32).collect();
        let mut rng = rng(seed);
        let mut x = vec![0f32; k];
        let mut y = vec![0f32; k];
        for _ in 0..2_000 {
            concrete::sample(&mut rng, &logits, None, t, &mut x).unwrap();
            suite::assert_on_simplex(&x, sum_bound(k));
            concrete::sample_log(&mut rng, &logits, None, t, &mut y).unwrap();
            assert!(y.iter().all(|v| v.is_finite() && *v <= 0.0));
            let d = concrete::exp_log_density(&logits, None, t, &y).unwrap();
            assert!(d.is_finite());
            // The x-space density is finite or refuses a point with an underflowed coordinate.
            match concrete::log_density(&logits, None, t, &x) {
                Ok(d) => assert!(d.is_finite()),
                Err(e) => assert_eq!(e, Error::OutsideSupport),
            }
        }
    }
}

/// Independent f64 evaluation of the Concrete log-density (Maddison et al. 2017, eq. 3 in log
/// form), returning the value and a bound on the magnitude of the terms that are summed
/// (the condition number the f32 error scales with).
fn concrete_log_density_f64(logits: &[f64], lambda: f64, x: &[f64]) -> (f64, f64) {
    let n = logits.len();
    let ln_fact: f64 = (2..n).map(|i| (i as f64).ln()).sum();
    let a: Vec<f64> = logits
        .iter()
        .zip(x)
        .map(|(l, x)| l - lambda * x.ln())
        .collect();
    let m = a.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let lse = m + a.iter().map(|v| (v - m).exp()).sum::<f64>().ln();
    let linear: f64 = logits
        .iter()
        .zip(x)
        .map(|(l, x)| l - (lambda + 1.0) * x.ln())
        .sum();
    let value = ln_fact + (n as f64 - 1.0) * lambda.ln() + linear - n as f64 * lse;
    let magnitude = ln_fact
        + (n as f64 - 1.0) * lambda.ln().abs()
        + logits
            .iter()
            .zip(x)
            .map(|(l, x)| l.abs() + (lambda + 1.0) * x.ln().abs())
            .sum::<f64>()
        + n as f64 * (lse.abs() + a.iter().map(|v| v.abs()).fold(0.0, f64::max));
    (value, magnitude)
}

/// Every f32 operation rounds with relative error ε/2 and `libm`'s log/exp are within 1 ulp, so
/// a sum of terms whose magnitudes add up to `M` is off by at most a few ε·M. Four is the
/// number of roundings a term passes through (log, product, difference, accumulation).
fn density_tolerance(magnitude: f64) -> f64 {
    4.0 * EPS * magnitude
}

#[test]
fn concrete_log_densities_match_an_independent_f64_evaluation() {
    let mut rng = rng(20);
    for k in [2usize, 5, 16] {
        for lambda in [0.1, 0.5, 1.0, 5.0] {
            let logits64 = scattered(k, 5.0);
            let logits: Vec<f32> = logits64.iter().map(|&l| l as f32).collect();
            let logits64: Vec<f64> = logits.iter().map(|&l| f64::from(l)).collect();
            let t = Temperature::new(lambda as f32).unwrap();
            let lambda64 = f64::from(t.get());
            let mut x = vec![0f32; k];
            let mut y = vec![0f32; k];
            for _ in 0..200 {
                concrete::sample(&mut rng, &logits, None, t, &mut x).unwrap();
                let x64: Vec<f64> = x.iter().map(|&v| f64::from(v)).collect();
                if x64.iter().all(|&v| v > 0.0) {
                    let (expected, magnitude) = concrete_log_density_f64(&logits64, lambda64, &x64);
                    let got = f64::from(concrete::log_density(&logits, None, t, &x).unwrap());
                    assert!(
                        (got - expected).abs() <= density_tolerance(magnitude),
                        "Concrete K={k} λ={lambda}: {got} vs {expected}"
                    );
                }
                // ExpConcrete at y = log x: the change of variables log p_Y(y) = log p_X(x) + Σ y_k,
                // evaluated in f64 at x = e^y.
                concrete::sample_log(&mut rng, &logits, None, t, &mut y).unwrap();
                let y64: Vec<f64> = y.iter().map(|&v| f64::from(v)).collect();
                let x_of_y: Vec<f64> = y64.iter().map(|v| v.exp()).collect();
                if x_of_y.iter().all(|&v| v > 0.0) {
                    let (px, magnitude) = concrete_log_density_f64(&logits64, lambda64, &x_of_y);
                    let expected = px + y64.iter().sum::<f64>();
                    let magnitude = magnitude + y64.iter().map(|v| v.abs()).sum::<f64>();
                    let got = f64::from(concrete::exp_log_density(&logits, None, t, &y).unwrap());
                    assert!(
                        (got - expected).abs() <= density_tolerance(magnitude),
                        "ExpConcrete K={k} λ={lambda}: {got} vs {expected}"
                    );
                }
            }
        }
    }
}

#[test]
fn concrete_density_k2_integrates_to_one() {
    // ∫ p(x₁) dx₁ over (0, 1), substituting x₁ = σ(u) (dx₁ = σ(u)σ(−u) du) so both ends are
    // resolved; the smaller coordinate is always formed exactly. The trapezoid rule on ℝ
    // converges geometrically for this analytic integrand; what remains is the f32 density's
    // relative error, below 1e-5 here (see density_tolerance), so 1e-4 is a safe bound.
    let logits = [0.4f32, -0.3];
    for lambda in [0.5f32, 1.0, 2.0] {
        let t = Temperature::new(lambda).unwrap();
        let (lo, hi, h) = (-80.0f64, 80.0f64, 0.005f64);
        let mut integral = 0.0;
        let mut u = lo;
        while u <= hi {
            let small = 1.0 / (1.0 + u.abs().exp());
            let (x1, x2) = if u < 0.0 {
                (small as f32, 1.0 - small as f32)
            } else {
                (1.0 - small as f32, small as f32)
            };
            let jacobian = small * (1.0 - small);
            let density =
                f64::from(concrete::log_density(&logits, None, t, &[x1, x2]).unwrap()).exp();
            integral += density * jacobian * h;
            u += h;
        }
        assert!(
            (integral - 1.0).abs() < 1e-4,
            "λ = {lambda}: ∫p = {integral}"
        );
    }
}

#[test]
fn binary_concrete_matches_its_cdf() {
    // λ = 2/3 (Maddison et al.'s recommendation) in x-space and logit space; λ = 0.1 in logit
    // space, where x rounds to 0 or 1 too often for an x-space test to be meaningful.
    suite::binary_concrete_matches_cdf::<f32>(21, 0.7, 2.0 / 3.0, 100_000);
    suite::binary_concrete_matches_cdf::<f32>(22, -1.3, 0.1, 100_000);
    let t = Temperature::new(2.0f32 / 3.0).unwrap();
    let mut rng = rng(23);
    let xs: Vec<f64> = (0..100_000)
        .map(|_| f64::from(binary::sample(&mut rng, 0.7f32, t).unwrap()))
        .collect();
    let cdf = |x: f64| f64::from(binary::cdf(0.7f32, t, x as f32).unwrap());
    let p = common::ks_p(xs, cdf);
    assert!(p > ALPHA, "binary Concrete x-space KS p = {p:.2e}");
}

#[test]
fn binary_concrete_density_is_accurate_near_the_corners() {
    // Against the closed form in f64, at points peers return NaN or inf for.
    let closed_form = |a: f64, l: f64, x: f64| {
        let ln_x = x.ln();
        let ln_1m = (-x).ln_1p();
        let t1 = a - l * ln_x;
        let t2 = -l * ln_1m;
        let m = t1.max(t2);
        let lse = m + ((t1 - m).exp() + (t2 - m).exp()).ln();
        (
            l.ln() + a - (l + 1.0) * (ln_x + ln_1m) - 2.0 * lse,
            l.ln().abs() + a.abs() + (l + 1.0) * (ln_x.abs() + ln_1m.abs()) + 2.0 * lse.abs(),
        )
    };
    for lambda in [0.05f32, 0.1, 2.0 / 3.0, 1.0, 5.0] {
        let t = Temperature::new(lambda).unwrap();
        for x in [
            1e-38f32,
            1e-30,
            1e-6,
            0.3,
            0.5,
            0.999,
            1.0 - f32::EPSILON / 2.0,
            f32::from_bits(1),
        ] {
            for a in [-20.0f32, -1.0, 0.0, 2.5, 20.0] {
                let got = binary::log_density(a, t, x).unwrap();
                let (expected, magnitude) =
                    closed_form(f64::from(a), f64::from(lambda), f64::from(x));
                assert!(got.is_finite(), "λ={lambda} x={x:e} a={a}: {got}");
                assert!(
                    (f64::from(got) - expected).abs() <= density_tolerance(magnitude),
                    "λ={lambda} x={x:e} a={a}: {got} vs {expected}"
                );
            }
        }
    }
}

#[test]
fn straight_through_hard_sample_is_the_gumbel_max_of_the_same_noise() {
    let logits = [0.3f32, -1.2, 2.0, 0.0, f32::NEG_INFINITY];
    let t = Temperature::new(0.7).unwrap();
    let mut soft = [0f32; 5];
    let mut noise = [0f32; 5];
    for seed in 0..500 {
        let hard = straight_through::sample(&mut rng(seed), &logits, None, t, &mut soft).unwrap();
        let gumbel_max =
            categorical::sample_with_noise(&mut rng(seed), &logits, None, &mut noise).unwrap();
        assert_eq!(hard, gumbel_max);
        let mut relaxed = [0f32; 5];
        concrete::from_noise(&logits, None, &noise, t, &mut relaxed).unwrap();
        assert_eq!(
            relaxed, soft,
            "soft sample is not the relaxation of the same noise"
        );
        let mut one_hot = [0f32; 5];
        straight_through::one_hot(hard, &mut one_hot).unwrap();
        assert_eq!(one_hot.iter().sum::<f32>(), 1.0);
        assert_eq!(one_hot[hard], 1.0);
    }
    assert_eq!(
        straight_through::one_hot(5, &mut soft),
        Err(Error::UnavailableAction { index: 5 })
    );
}

#[test]
fn noise_matches_its_distributions() {
    suite::noise_matches_cdfs::<f32>(24, 200_000);
}

#[test]
fn extreme_random_words() {
    suite::extreme_words_give_valid_samples::<f32>(sum_bound(4));
}

#[test]
fn bad_input_is_refused_without_drawing() {
    suite::bad_input_is_refused_without_drawing::<f32>();
    suite::densities_refuse_points_outside_the_support::<f32>();
}

#[test]
fn single_action_and_ties() {
    suite::single_action::<f32>();
    suite::ties_go_to_the_lowest_index::<f32>();
}

#[test]
fn a_million_concrete_draws_are_all_finite() {
    let logits: Vec<f32> = scattered(8, 30.0).iter().map(|&l| l as f32).collect();
    let mut rng = rng(25);
    let mut y = [0f32; 8];
    for i in 0..1_000_000u32 {
        let t = Temperature::new(0.01 + (i % 100) as f32 * 0.05).unwrap();
        concrete::sample_log(&mut rng, &logits, None, t, &mut y).unwrap();
        assert!(y.iter().all(|v| v.is_finite()));
    }
}

#[test]
fn relaxed_bernoulli_boundary_samples_never_give_nan_or_inf() {
    // PyTorch #18254 (λ = 0.05, logit −5: sample 0.0, log_prob NaN) and TFP #1738 (λ = 0.005:
    // log_prob inf; λ = 0: NaN sample). Here the logit-space density is finite for every sample,
    // the x-space density is finite or refuses a point that rounded onto the boundary, and λ = 0
    // is refused up front.
    assert_eq!(Temperature::new(0.0f32), Err(Error::InvalidTemperature));
    let mut rng = rng(26);
    let mut on_boundary = 0;
    for lambda in [0.05f32, 0.005] {
        let t = Temperature::new(lambda).unwrap();
        for _ in 0..100_000 {
            let y = binary::sample_logit(&mut rng, -5.0f32, t).unwrap();
            assert!(y.is_finite());
            assert!(binary::log_density_logit(-5.0, t, y).unwrap().is_finite());
            let x = 1.0 / (1.0 + (-y).exp());
            match binary::log_density(-5.0, t, x) {
                Ok(d) => assert!(d.is_finite(), "λ={lambda} x={x:e}: {d}"),
                Err(e) => {
                    assert_eq!(e, Error::OutsideSupport);
                    on_boundary += 1;
                }
            }
        }
    }
    // The peers' failure does occur at these temperatures: most samples round onto the boundary.
    assert!(on_boundary > 100_000, "only {on_boundary} boundary samples");
}
