//! The statistical suite (`tests/common/suite.rs`, shared with `f32`) run for `gumbel::Fixed`,
//! and the checks only the fixed-point path needs: Concrete accuracy against f64 from the same
//! random words, Gumbel-max against softmax at 10^6 draws (the TV bound of `gumbel::Fixed`),
//! masking by explicit mask, the minimum temperature, and saturation instead of panics.
#![cfg(feature = "fixed")]

mod common;

use common::suite::{self, draws_to_detect_one_percent};
use common::{ALPHA, chi_square_p, rng, softmax};
use gumbel::estimators::straight_through;
use gumbel::{Error, Fixed, Scalar, Temperature, binary, categorical, concrete, topk};
use rand_core::Rng;

const LSB: f64 = 1.0 / 65536.0;

/// `|Σ x − 1|` for a fixed-point Concrete sample of `k` coordinates: each `x_k = e_k · r` is
/// rounded (K half-LSBs), and `r`, the rounded `1 / Σ e`, is off by half an LSB, which the sum
/// `Σ e <= K` scales to at most K half-LSBs.
fn sum_bound(k: usize) -> f64 {
    k as f64 * LSB
}

fn scattered(k: usize, spread: f64) -> Vec<f64> {
    (0..k)
        .map(|i| spread * (i as f64 * 2.399_963).sin())
        .collect()
}

#[test]
fn gumbel_max_matches_softmax() {
    for (seed, logits) in [
        (1, vec![0.0, 1.0]),
        (2, vec![0.3, -1.2, 2.0, 0.0]),
        (3, scattered(16, 2.0)),
        (5, (0..16).map(|i| i as f64 * 20.0 / 15.0).collect()),
    ] {
        let n = draws_to_detect_one_percent(&softmax(&logits), &logits);
        suite::gumbel_max_matches_softmax::<Fixed>(seed, &logits, None, n);
    }
}

#[test]
fn gumbel_max_matches_softmax_masked_and_at_the_ends_of_the_range() {
    let logits = scattered(8, 1.5);
    let allowed = [true, false, true, true, false, true, true, false];
    let n = draws_to_detect_one_percent(
        &suite::reference_probabilities::<Fixed>(&suite::to_scalars(&logits), Some(&allowed)),
        &logits,
    );
    suite::gumbel_max_matches_softmax::<Fixed>(6, &logits, Some(&allowed), n);
    // Equal logits at the ends of the range are a fair coin (the noise is not swallowed).
    suite::gumbel_max_matches_softmax::<Fixed>(8, &[32767.0, 32767.0], None, 100_000);
    suite::gumbel_max_matches_softmax::<Fixed>(9, &[-32768.0; 3], None, 100_000);
}

#[test]
fn top_k_matches_plackett_luce() {
    let logits = [0.5, -0.3, 1.2, 0.0, -1.0];
    let n = draws_to_detect_one_percent(&softmax(&logits), &logits);
    suite::top_k_matches_plackett_luce::<Fixed>(13, &logits, 2, n);
    suite::top_k_matches_plackett_luce::<Fixed>(14, &logits, 3, n);
}

#[test]
fn concrete_argmax_matches_softmax_at_every_temperature() {
    let logits = [0.3, -1.2, 2.0, 0.0];
    let n = draws_to_detect_one_percent(&softmax(&logits), &logits);
    for (seed, lambda) in [(15, 0.1), (16, 1.0), (17, 5.0)] {
        suite::concrete_argmax_matches_softmax::<Fixed>(seed, &logits, lambda, n, sum_bound(4));
    }
}

#[test]
fn noise_and_binary_concrete_match_their_distributions() {
    suite::noise_matches_cdfs::<Fixed>(24, 200_000);
    suite::binary_concrete_matches_cdf::<Fixed>(21, 0.7, 2.0 / 3.0, 100_000);
    suite::binary_concrete_matches_cdf::<Fixed>(22, -1.3, 0.1, 100_000);
}

#[test]
fn edge_cases() {
    suite::extreme_words_give_valid_samples::<Fixed>(sum_bound(4));
    suite::bad_input_is_refused_without_drawing::<Fixed>();
    suite::densities_refuse_points_outside_the_support::<Fixed>();
    suite::single_action::<Fixed>();
    suite::ties_go_to_the_lowest_index::<Fixed>();
}

/// The exact Gumbel noise of a word: `U = t` or `1 - t` with `t = (2m + 1) · 2^-33`.
fn exact_gumbel(word: u32) -> f64 {
    let t = f64::from(((word & 0x7FFF_FFFF) << 1) | 1) * 2f64.powi(-33);
    let ln_u = if word >> 31 == 1 {
        (-t).ln_1p()
    } else {
        t.ln()
    };
    -(-ln_u).ln()
}

/// Logits spread over ±`spread`, as fixed-point values.
fn logits(k: usize, spread: f64) -> Vec<Fixed> {
    suite::to_scalars(&scattered(k, spread))
}

/// The derived bound on one Concrete coordinate, in LSB (`gumbel::Fixed`, "Concrete
/// accuracy"): the noise and the division, amplified by the softmax; the roundings of the
/// exponential, the reciprocal and the product; the Q32 sum; second-order terms.
fn concrete_bound_lsb(x: f64, lambda: f64, k: usize) -> f64 {
    let per_logit = (0.5 + 2f64.powi(-5)) / lambda + 0.5;
    2.0 * x * (1.0 - x) * per_logit
        + (1.0 + x / 2.0) * (1.0 + 2f64.powi(-11))
        + k as f64 * LSB
        + 0.01
}

/// Every coordinate of a fixed-point Concrete sample against `softmax((logits + G)/λ)` in f64,
/// with `G` the exact noise of the same words: the whole error of the path (noise, division,
/// exponential, normalisation). Each coordinate is checked against its derived bound
/// (`concrete_bound_lsb`, at most 4.17 LSB at λ = 0.1), the maximum against the target 2^-14 for
/// λ >= 0.1 at every K. The exponentials are
/// summed in Q32 (`Scalar::ExpSum`), so the sum adds at most `K · 2^-31` relative, and the rest
/// of the error does not depend on K (see `gumbel::Fixed`, "Concrete accuracy").
#[test]
fn concrete_probabilities_are_within_2_pow_minus_14_of_f64_for_lambda_at_least_0_1() {
    let mut overall = 0f64;
    for (seed, k) in [2usize, 6, 16, 64, 256].into_iter().enumerate() {
        let mut worst_k = 0f64;
        for lambda in [0.1, 0.2, 0.5, 1.0, 2.0, 10.0] {
            let logits = logits(k, 3.0);
            let temperature = Temperature::new(Fixed::from_f64(lambda)).unwrap();
            let lambda = temperature.get().to_f64();
            let mut rng = rng(seed as u64);
            let mut worst = 0f64;
            let mut x = vec![Fixed::ZERO; k];
            for _ in 0..20_000 {
                let mut words = rng.clone();
                concrete::sample(&mut rng, &logits, None, temperature, &mut x).unwrap();
                let z: Vec<f64> = logits
                    .iter()
                    .map(|l| (l.to_f64() + exact_gumbel(words.next_u32())) / lambda)
                    .collect();
                for (found, exact) in x.iter().zip(softmax(&z)) {
                    let error = (found.to_f64() - exact).abs();
                    let bound = concrete_bound_lsb(exact, lambda, k) * LSB;
                    assert!(
                        error <= bound,
                        "K {k}, λ {lambda}, x {exact}: {error} > {bound}"
                    );
                    worst = worst.max(error);
                }
            }
            eprintln!(
                "concrete K = {k:3}, lambda = {lambda:.4}: max |x - x_f64| = {:.3} LSB",
                worst / LSB
            );
            worst_k = worst_k.max(worst);
        }
        eprintln!("concrete K = {k:3}: max error {:.3} LSB", worst_k / LSB);
        overall = overall.max(worst_k);
    }
    eprintln!(
        "concrete: max error {:.3} LSB = 2^{:.2} over K in 2..=256",
        overall / LSB,
        overall.log2()
    );
    assert!(overall <= 2f64.powi(-14), "{overall}");
}

/// 10^6 Gumbel-max draws against softmax by chi-square. The TV bound for K = 6 (7.8e-5, see
/// `gumbel::Fixed`) moves no cell by more than 78 expected draws in 10^6, far below the
/// statistic's noise; a sampler off by the noise's full LSB scale would not be.
#[test]
fn gumbel_max_matches_softmax_at_a_million_draws() {
    let logits = logits(6, 2.0);
    let p = suite::reference_probabilities(&logits, None);
    let mut rng = rng(11);
    let mut counts = [0u64; 6];
    for _ in 0..1_000_000 {
        counts[categorical::sample(&mut rng, &logits).unwrap()] += 1;
    }
    let p_value = chi_square_p(&counts, &p);
    eprintln!("fixed Gumbel-max, 10^6 draws, K = 6: chi-square p = {p_value:.3}");
    assert!(p_value > ALPHA, "p = {p_value}");
}

#[test]
fn all_masked_is_an_error() {
    let logits = logits(4, 1.0);
    let none = [false; 4];
    let lambda = Temperature::new(Fixed::HALF).unwrap();
    let mut out = [Fixed::ZERO; 4];
    let mut rng = rng(3);
    assert_eq!(
        categorical::sample_masked(&mut rng, &logits, &none),
        Err(Error::AllMasked)
    );
    assert_eq!(
        categorical::sample_with_noise(&mut rng, &logits, Some(&none), &mut out),
        Err(Error::AllMasked)
    );
    let (mut indices, mut keys) = ([0usize; 1], [Fixed::ZERO; 1]);
    assert_eq!(
        topk::top_k(&mut rng, &logits, Some(&none), &mut indices, &mut keys),
        Err(Error::AllMasked)
    );
    assert_eq!(
        concrete::sample(&mut rng, &logits, Some(&none), lambda, &mut out),
        Err(Error::AllMasked)
    );
    assert_eq!(
        concrete::sample_log(&mut rng, &logits, Some(&none), lambda, &mut out),
        Err(Error::AllMasked)
    );
    assert_eq!(
        straight_through::sample(&mut rng, &logits, Some(&none), lambda, &mut out),
        Err(Error::AllMasked)
    );
    // Nothing was drawn by the refused calls.
    assert_eq!(rng.next_u32(), self::rng(3).next_u32());
    // A masked action is never drawn and gets exactly 0 (or the log of 0).
    let allowed = [true, false, true, false];
    for _ in 0..1000 {
        let k = categorical::sample_masked(&mut rng, &logits, &allowed).unwrap();
        assert!(allowed[k]);
        concrete::sample(&mut rng, &logits, Some(&allowed), lambda, &mut out).unwrap();
        assert_eq!((out[1], out[3]), (Fixed::ZERO, Fixed::ZERO));
        concrete::sample_log(&mut rng, &logits, Some(&allowed), lambda, &mut out).unwrap();
        assert_eq!((out[1], out[3]), (Fixed::LN_ZERO, Fixed::LN_ZERO));
    }
}

#[test]
fn minimum_temperature_is_2_pow_minus_10() {
    assert_eq!(Fixed::MIN_TEMPERATURE.to_f64(), 2f64.powi(-10));
    assert!(Temperature::new(Fixed::MIN_TEMPERATURE).is_ok());
    for bad in [
        Fixed::MIN_TEMPERATURE - Fixed::EPSILON,
        Fixed::ZERO,
        -Fixed::ONE,
    ] {
        assert_eq!(Temperature::new(bad), Err(Error::InvalidTemperature));
    }
    // At the minimum, the binary Concrete's (logit + L)/λ stays unsaturated for |logit| <= 9
    // and every logistic draw, the extremes included.
    let lambda = Temperature::new(Fixed::MIN_TEMPERATURE).unwrap();
    for logit in [Fixed::from_i32(9), Fixed::from_i32(-9)] {
        for word in [0, 1, 0x7FFF_FFFF, 0x8000_0000, u32::MAX] {
            let y =
                binary::logit_from_noise(logit, Fixed::logistic_from_word(word), lambda).unwrap();
            assert!(
                y > Fixed::LOWEST && y < Fixed::MAX,
                "{logit:?} {word:#x}: {y:?}"
            );
        }
    }
}

/// The extremes of the range: saturation, never a panic (overflow checks are on in tests), and
/// samples that stay valid.
#[test]
fn extreme_inputs_saturate_without_panicking() {
    let extremes = [Fixed::LOWEST, Fixed::MAX, Fixed::ZERO, -Fixed::EPSILON];
    for &a in &extremes {
        for &b in &extremes {
            let _ = (a + b, a - b, a * b, a / b, -a, a.abs());
            let _ = (a.exp(), a.ln(), a.ln_1p(), a.sqrt());
        }
    }
    assert_eq!(Fixed::LOWEST - Fixed::ONE, Fixed::LOWEST);
    assert_eq!(-Fixed::LOWEST, Fixed::MAX);
    assert_eq!(Fixed::MAX * Fixed::MAX, Fixed::MAX);
    assert_eq!(Fixed::LOWEST / Fixed::EPSILON, Fixed::LOWEST);
    assert_eq!(-Fixed::ONE / Fixed::ZERO, Fixed::LOWEST);
    assert_eq!(Fixed::ZERO / Fixed::ZERO, Fixed::ZERO);
    let logits = [Fixed::MAX, Fixed::LOWEST, Fixed::ZERO, Fixed::MAX];
    let mut rng = rng(5);
    let lambda = Temperature::new(Fixed::MIN_TEMPERATURE).unwrap();
    let mut x = [Fixed::ZERO; 4];
    for _ in 0..10_000 {
        let k = categorical::sample(&mut rng, &logits).unwrap();
        assert!(k == 0 || k == 3);
        concrete::sample(&mut rng, &logits, None, lambda, &mut x).unwrap();
        let sum: f64 = x.iter().map(|v| v.to_f64()).sum();
        assert!(x.iter().all(|v| *v >= Fixed::ZERO && *v <= Fixed::ONE));
        assert!((sum - 1.0).abs() <= 4.0 * 4.0 * LSB, "{sum}");
    }
}

/// The Concrete VJP `∂f/∂θ = y ⊙ (v − ⟨v, y⟩)/λ` in fixed point against f64 from the same
/// (fixed-point) logits, noise and upstream gradient. With `|v| <= 1` and each `y_i` within
/// `δ = 4` LSB (the Concrete bound above), the exact formula moves by at most `(2 + K)·δ/λ`;
/// the fixed-point evaluation adds one rounding per operation: `⟨v, y⟩` (K products), the
/// difference, the product with `y_j` and the division, each half an LSB, the last two scaled
/// by at most `1/λ`.
#[test]
fn concrete_vjp_matches_f64() {
    use gumbel::estimators::reparam;
    let mut rng = rng(31);
    for k in [2usize, 6, 16] {
        for lambda in [0.1, 0.5, 1.0, 2.0] {
            let temperature = Temperature::new(Fixed::from_f64(lambda)).unwrap();
            let l = temperature.get().to_f64();
            let logits = logits(k, 2.0);
            let bound = ((2 + k) as f64 * 4.0 / l + 0.5 * k as f64 + 1.0 + 1.0 / l) * LSB;
            let mut worst = 0f64;
            for _ in 0..2_000 {
                let mut g = vec![Fixed::ZERO; k];
                categorical::sample_with_noise(&mut rng, &logits, None, &mut g).unwrap();
                let v: Vec<Fixed> = (0..k)
                    .map(|_| Fixed::from_bits((rng.next_u32() >> 15) as i32 - (1 << 16)))
                    .collect();
                let mut upstream = v.clone();
                reparam::concrete(&logits, None, &g, temperature, &mut upstream).unwrap();
                let z: Vec<f64> = logits
                    .iter()
                    .zip(&g)
                    .map(|(a, b)| (a.to_f64() + b.to_f64()) / l)
                    .collect();
                let y = softmax(&z);
                let vy: f64 = v.iter().zip(&y).map(|(v, y)| v.to_f64() * y).sum();
                for j in 0..k {
                    let exact = y[j] * (v[j].to_f64() - vy) / l;
                    worst = worst.max((upstream[j].to_f64() - exact).abs());
                }
            }
            eprintln!(
                "concrete VJP K = {k:2}, lambda = {l:.4}: max error {:.2} LSB (bound {:.1})",
                worst / LSB,
                bound / LSB
            );
            assert!(worst <= bound, "K = {k}, λ = {l}: {worst} > {bound}");
        }
    }
}

#[test]
fn exp_concrete_keeps_saturated_coordinates_distinct_from_masked_ones() {
    // Logits 400 apart at λ = 0.01: (z − max)/λ saturates at LOWEST. An available action must
    // still not be mistaken for a masked one (LN_ZERO == LOWEST in fixed point), so its
    // density is computed rather than refused.
    let logits = [Fixed::from_i32(200), Fixed::from_i32(-200), Fixed::ZERO];
    let t = Temperature::new(Fixed::from_f64(0.01)).unwrap();
    let mut rng = rng(31);
    let mut y = [Fixed::ZERO; 3];
    for _ in 0..1_000 {
        concrete::sample_log(&mut rng, &logits, None, t, &mut y).unwrap();
        assert!(y.iter().all(|&v| v != Fixed::LN_ZERO), "{y:?}");
        assert!(
            concrete::exp_log_density(&logits, None, t, &y).is_ok(),
            "{y:?}"
        );
    }
}
