//! The distribution types of `gumbel::distributions` as samplers, in `f32` and `Fixed`: the
//! same bits as the free functions from the same generator state, the same statistical tests
//! (chi-square against the softmax, Kolmogorov–Smirnov against the exact CDFs, with the
//! helpers and α of `tests/common`), validation once in `new`, and — with the feature `rand` —
//! the same samples through `rand::distr::Distribution`.

mod common;

use common::suite::{draws_to_detect_one_percent, reference_probabilities, to_scalars};
use common::{ALPHA, chi_square_p, gumbel_cdf, ks_p, logistic_cdf, rng, softmax};
use gumbel::distributions::{BinaryConcrete, Categorical, Concrete, Gumbel, Logistic};
use gumbel::{Error, Scalar, Temperature, binary, categorical, concrete, noise};

const DRAWS: usize = 20_000;
/// Kolmogorov–Smirnov sample size, as the noise suite uses: at α = 1e-4 it rejects a CDF off by
/// 0.005 anywhere. The standard variates are proven bit-identical to the noise the suite tests
/// at the same size; these tests guard the location-scale map and the relaxations.
const KS_DRAWS: usize = 200_000;

/// Every type draws what its free function draws, word for word.
fn same_bits_as_the_free_functions<S: Scalar>() {
    let logits = to_scalars::<S>(&[0.3, -1.2, 2.0, 0.0, 1e3, -7.5]);
    let allowed = [true, true, false, true, true, true];
    let temperature = Temperature::new(S::from_f64(0.4)).unwrap();
    let (mut a, mut b) = (rng(21), rng(21));

    let plain = Categorical::new(&logits, None).unwrap();
    let masked = Categorical::new(&logits, Some(&allowed)).unwrap();
    let logits6: [S; 6] = logits.clone().try_into().unwrap();
    let relaxed = Concrete::new(&logits6, Some(&allowed), temperature).unwrap();
    let bernoulli = BinaryConcrete::new(S::from_f64(-0.7), temperature).unwrap();
    for _ in 0..DRAWS {
        assert_eq!(
            plain.sample(&mut a),
            categorical::sample(&mut b, &logits).unwrap()
        );
        assert_eq!(
            masked.sample(&mut a),
            categorical::sample_masked(&mut b, &logits, &allowed).unwrap()
        );
        let x = relaxed.sample(&mut a);
        let mut expected = [S::ZERO; 6];
        concrete::sample(&mut b, &logits, Some(&allowed), temperature, &mut expected).unwrap();
        assert_eq!(x.map(S::to_bits), expected.map(S::to_bits));
        let mut into = [S::ONE; 6];
        relaxed.sample_into(&mut a, &mut into);
        concrete::sample(&mut b, &logits, Some(&allowed), temperature, &mut expected).unwrap();
        assert_eq!(into.map(S::to_bits), expected.map(S::to_bits));
        let logit = bernoulli.logit();
        assert_eq!(
            bernoulli.sample(&mut a).to_bits(),
            binary::sample(&mut b, logit, temperature)
                .unwrap()
                .to_bits()
        );
        assert_eq!(
            bernoulli.sample_logit(&mut a).to_bits(),
            binary::sample_logit(&mut b, logit, temperature)
                .unwrap()
                .to_bits()
        );
        assert_eq!(
            Gumbel::<S>::standard().sample(&mut a).to_bits(),
            noise::gumbel::<S, _>(&mut b).to_bits()
        );
        assert_eq!(
            Logistic::<S>::standard().sample(&mut a).to_bits(),
            noise::logistic::<S, _>(&mut b).to_bits()
        );
    }
}

#[test]
fn f32_types_draw_the_bits_of_the_free_functions() {
    same_bits_as_the_free_functions::<f32>();
}

/// `Categorical` frequencies against the softmax (chi-square, with the sample size that detects
/// a 1% temperature error), masked and unmasked.
fn categorical_matches_softmax<S: Scalar>(seed: u64) {
    let raw = [0.5, -0.3, 1.2, 0.0, -1.0, 2.5];
    let logits = to_scalars::<S>(&raw);
    for allowed in [None, Some(&[true, false, true, true, true, false][..])] {
        let probabilities = reference_probabilities(&logits, allowed);
        let draws = draws_to_detect_one_percent(&probabilities, &raw);
        let policy = Categorical::new(&logits, allowed).unwrap();
        let mut rng = rng(seed);
        let mut counts = [0u64; 6];
        for _ in 0..draws {
            counts[policy.sample(&mut rng)] += 1;
        }
        let p = chi_square_p(&counts, &probabilities);
        assert!(p > ALPHA, "Categorical vs softmax: p = {p:.2e}");
    }
}

/// `P(argmax X = k) = softmax_k` for `Concrete` samples (chi-square), each on the simplex.
fn concrete_argmax_matches_softmax<S: Scalar>(seed: u64, lambda: f64, sum_tolerance: f64) {
    let raw = [2f64.ln(), 0.5f64.ln(), 0.0, -1.0];
    let logits: [S; 4] = to_scalars::<S>(&raw).try_into().unwrap();
    let probabilities = softmax(&logits.map(S::to_f64));
    let relaxed = Concrete::new(
        &logits,
        None,
        Temperature::new(S::from_f64(lambda)).unwrap(),
    )
    .unwrap();
    let mut rng = rng(seed);
    let mut counts = [0u64; 4];
    let draws = draws_to_detect_one_percent(&probabilities, &raw);
    for _ in 0..draws {
        let x = relaxed.sample(&mut rng);
        common::suite::assert_on_simplex(&x, sum_tolerance);
        let mut best = 0;
        for k in 1..4 {
            if x[k] > x[best] {
                best = k;
            }
        }
        counts[best] += 1;
    }
    let p = chi_square_p(&counts, &probabilities);
    assert!(p > ALPHA, "Concrete argmax at λ = {lambda}: p = {p:.2e}");
}

/// `BinaryConcrete` samples against their CDF `σ(λ·logit(x) − a)` (Kolmogorov–Smirnov).
fn binary_concrete_matches_cdf<S: Scalar>(seed: u64, logit: f64, lambda: f64) {
    let relaxed = BinaryConcrete::new(
        S::from_f64(logit),
        Temperature::new(S::from_f64(lambda)).unwrap(),
    )
    .unwrap();
    let (a, l) = (
        relaxed.logit().to_f64(),
        relaxed.temperature().get().to_f64(),
    );
    let mut rng = rng(seed);
    let ys: Vec<f64> = (0..KS_DRAWS)
        .map(|_| relaxed.sample_logit(&mut rng).to_f64())
        .collect();
    let p = ks_p(ys, |y| logistic_cdf(l * y - a));
    assert!(p > ALPHA, "binary Concrete at λ = {lambda}: KS p = {p:.2e}");
}

/// `Gumbel(μ, β)` and `Logistic(μ, β)` samples against the exact CDFs (Kolmogorov–Smirnov), and
/// against the crate's own `cdf`, which must be the same function.
fn location_scale_samples_match_their_cdfs<S: Scalar>(seed: u64, location: f64, scale: f64) {
    let (m, b) = (S::from_f64(location), S::from_f64(scale));
    let gumbel = Gumbel::new(m, b).unwrap();
    let logistic = Logistic::new(m, b).unwrap();
    let (m, b) = (m.to_f64(), b.to_f64());
    let mut rng = rng(seed);
    let draws: Vec<S> = (0..KS_DRAWS).map(|_| gumbel.sample(&mut rng)).collect();
    let p = ks_p(draws.iter().map(|v| v.to_f64()).collect(), |x| {
        gumbel_cdf((x - m) / b)
    });
    assert!(p > ALPHA, "Gumbel({m}, {b}): KS p = {p:.2e}");
    let own = |x: f64| gumbel.cdf(S::from_f64(x)).unwrap().to_f64();
    let p = ks_p(draws.iter().map(|v| v.to_f64()).collect(), own);
    assert!(
        p > ALPHA,
        "Gumbel({m}, {b}) against its own cdf: KS p = {p:.2e}"
    );
    let draws: Vec<f64> = (0..KS_DRAWS)
        .map(|_| logistic.sample(&mut rng).to_f64())
        .collect();
    let p = ks_p(draws, |x| logistic_cdf((x - m) / b));
    assert!(p > ALPHA, "Logistic({m}, {b}): KS p = {p:.2e}");
}

/// Inverse-transform sampling through `quantile` has the right law too (KS), and `cdf` undoes
/// `quantile` to within the two functions' bounds.
fn quantile_inverts_the_cdf<S: Scalar>(seed: u64, tolerance: f64) {
    let gumbel = Gumbel::new(S::from_f64(1.5), S::from_f64(2.0)).unwrap();
    let logistic = Logistic::new(S::from_f64(-0.5), S::from_f64(0.75)).unwrap();
    let mut rng = rng(seed);
    let mut gumbels = Vec::new();
    let mut logistics = Vec::new();
    for _ in 0..KS_DRAWS {
        let u = noise::uniform::<S, _>(&mut rng);
        let g = gumbel.quantile(u).unwrap();
        let l = logistic.quantile(u).unwrap();
        let back = |c: S| (c.to_f64() - u.to_f64()).abs();
        assert!(
            back(gumbel.cdf(g).unwrap()) <= tolerance,
            "Gumbel at u = {u:?}"
        );
        assert!(
            back(logistic.cdf(l).unwrap()) <= tolerance,
            "logistic at u = {u:?}"
        );
        gumbels.push(g.to_f64());
        logistics.push(l.to_f64());
    }
    let p = ks_p(gumbels, |x| gumbel_cdf((x - 1.5) / 2.0));
    assert!(p > ALPHA, "Gumbel quantile of uniforms: KS p = {p:.2e}");
    let p = ks_p(logistics, |x| logistic_cdf((x + 0.5) / 0.75));
    assert!(p > ALPHA, "logistic quantile of uniforms: KS p = {p:.2e}");
}

/// Everything `new` refuses, and that a refused `new` leaves nothing to sample.
fn new_validates<S: Scalar>() {
    let logits = to_scalars::<S>(&[0.0, 1.0]);
    let t = Temperature::new(S::ONE).unwrap();
    assert_eq!(Categorical::<S>::new(&[], None).err(), Some(Error::Empty));
    assert_eq!(
        Categorical::new(&logits, Some(&[false, false])).err(),
        Some(Error::AllMasked)
    );
    assert_eq!(
        Categorical::new(&logits, Some(&[true])).err(),
        Some(Error::LengthMismatch {
            expected: 2,
            found: 1
        })
    );
    let empty: [S; 0] = [];
    assert_eq!(Concrete::new(&empty, None, t).err(), Some(Error::Empty));
    let pair: [S; 2] = [S::ZERO, S::ONE];
    assert_eq!(
        Concrete::new(&pair, Some(&[false, false]), t).err(),
        Some(Error::AllMasked)
    );
    assert_eq!(
        Gumbel::new(S::ZERO, -S::ONE).err(),
        Some(Error::InvalidParameter)
    );
    assert_eq!(
        Logistic::new(S::ZERO, S::ZERO).err(),
        Some(Error::InvalidParameter)
    );
}

#[test]
fn f32_types_validate_once_in_new() {
    new_validates::<f32>();
    let t = Temperature::new(1.0f32).unwrap();
    assert_eq!(
        Categorical::new(&[0.0f32, f32::NAN], None).err(),
        Some(Error::Nan { index: 1 })
    );
    assert_eq!(
        Concrete::new(&[f32::NAN, 0.0], None, t).err(),
        Some(Error::Nan { index: 0 })
    );
    assert_eq!(
        BinaryConcrete::new(f32::INFINITY, t),
        Err(Error::NotFinite { index: 0 })
    );
    assert_eq!(
        BinaryConcrete::new(f32::NAN, t),
        Err(Error::Nan { index: 0 })
    );
    // Extreme parameters: the variate is clamped to the finite range, never infinite.
    let wide = Gumbel::new(3e38f32, 3e38).unwrap();
    let mut rng = common::Scripted::new(&[1 << 31]);
    assert_eq!(wide.sample(&mut rng), f32::MAX);
}

#[test]
fn f32_categorical_matches_softmax() {
    categorical_matches_softmax::<f32>(31);
}

#[test]
fn f32_concrete_argmax_matches_softmax() {
    for (seed, lambda) in [(32, 0.1), (33, 1.0), (34, 5.0)] {
        concrete_argmax_matches_softmax::<f32>(seed, lambda, 7.0 * f64::from(f32::EPSILON));
    }
}

#[test]
fn f32_binary_concrete_matches_its_cdf() {
    binary_concrete_matches_cdf::<f32>(35, 0.8, 2.0 / 3.0);
    binary_concrete_matches_cdf::<f32>(36, -1.5, 0.1);
}

#[test]
fn f32_gumbel_and_logistic_match_their_cdfs() {
    location_scale_samples_match_their_cdfs::<f32>(37, 0.0, 1.0);
    location_scale_samples_match_their_cdfs::<f32>(38, -3.0, 0.25);
    location_scale_samples_match_their_cdfs::<f32>(39, 100.0, 20.0);
}

#[test]
fn f32_quantile_inverts_the_cdf() {
    // cdf(quantile(u)) − u: the quantile's error times the density (at most 1/(eβ)) plus the
    // cdf's own, both a few u on values of order one.
    quantile_inverts_the_cdf::<f32>(40, 64.0 * f64::from(f32::EPSILON));
}

#[cfg(feature = "fixed")]
mod fixed {
    use super::*;
    use gumbel::Fixed;

    const LSB: f64 = 1.0 / 65536.0;

    #[test]
    fn fixed_types_draw_the_bits_of_the_free_functions() {
        same_bits_as_the_free_functions::<Fixed>();
    }

    #[test]
    fn fixed_types_validate_once_in_new() {
        new_validates::<Fixed>();
    }

    #[test]
    fn fixed_categorical_matches_softmax() {
        categorical_matches_softmax::<Fixed>(41);
    }

    #[test]
    fn fixed_concrete_argmax_matches_softmax() {
        for (seed, lambda) in [(42, 0.1), (43, 1.0), (44, 5.0)] {
            concrete_argmax_matches_softmax::<Fixed>(seed, lambda, 4.0 * LSB);
        }
    }

    #[test]
    fn fixed_binary_concrete_matches_its_cdf() {
        binary_concrete_matches_cdf::<Fixed>(45, 0.8, 2.0 / 3.0);
    }

    #[test]
    fn fixed_gumbel_and_logistic_match_their_cdfs() {
        location_scale_samples_match_their_cdfs::<Fixed>(46, 0.0, 1.0);
        location_scale_samples_match_their_cdfs::<Fixed>(47, -3.0, 0.25);
    }

    #[test]
    fn fixed_quantile_inverts_the_cdf() {
        // The quantile's 4.4 LSB times the density (at most 1/(eβ) = 0.49 for β = 0.75)
        // plus the cdf's 1 LSB and the rounding of x.
        quantile_inverts_the_cdf::<Fixed>(48, 4.0 * LSB);
    }
}

#[cfg(feature = "rand")]
mod through_rand {
    use super::*;
    use rand::distr::Distribution;

    /// Generic code written for `rand_distr` works unchanged, and draws the same bits as the
    /// inherent `sample`.
    fn mean_of<D: Distribution<f32>>(distribution: &D, seed: u64) -> f64 {
        let rng = rng(seed);
        distribution
            .sample_iter(rng)
            .take(DRAWS)
            .map(f64::from)
            .sum::<f64>()
            / DRAWS as f64
    }

    #[test]
    fn every_type_is_a_rand_distribution_with_the_same_bits() {
        let logits = [0.5f32, -1.0, 2.0];
        let t = Temperature::new(0.5f32).unwrap();
        let policy = Categorical::new(&logits, None).unwrap();
        let relaxed = Concrete::new(&logits, None, t).unwrap();
        let bernoulli = BinaryConcrete::new(0.25f32, t).unwrap();
        let gumbel = Gumbel::new(1.0f32, 2.0).unwrap();
        let logistic = Logistic::new(-1.0f32, 0.5).unwrap();
        let (mut a, mut b) = (rng(50), rng(50));
        for _ in 0..1000 {
            assert_eq!(Distribution::sample(&policy, &mut a), policy.sample(&mut b));
            let x: [f32; 3] = Distribution::sample(&relaxed, &mut a);
            assert_eq!(x, relaxed.sample(&mut b));
            assert_eq!(
                Distribution::sample(&bernoulli, &mut a),
                bernoulli.sample(&mut b)
            );
            assert_eq!(Distribution::sample(&gumbel, &mut a), gumbel.sample(&mut b));
            assert_eq!(
                Distribution::sample(&logistic, &mut a),
                logistic.sample(&mut b)
            );
        }
        // Means through `sample_iter`: Gumbel μ + γβ, logistic μ, within 5 standard errors.
        let euler_gamma = 0.577_215_664_901_532_9;
        let sd = 2.0 * std::f64::consts::PI / 6f64.sqrt();
        let mean = mean_of(&gumbel, 51);
        assert!((mean - (1.0 + 2.0 * euler_gamma)).abs() < 5.0 * sd / (DRAWS as f64).sqrt());
        let sd = 0.5 * std::f64::consts::PI / 3f64.sqrt();
        let mean = mean_of(&logistic, 52);
        assert!((mean + 1.0).abs() < 5.0 * sd / (DRAWS as f64).sqrt());
    }
}
