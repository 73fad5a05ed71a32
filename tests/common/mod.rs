//! Test support shared by the integration tests: goodness-of-fit statistics (p-values from
//! `statrs`), exact reference distributions in f64, scripted random generators, and the
//! statistical suite written once over `Scalar` so every scalar type runs the same checks.
#![allow(dead_code)]

pub mod oracle;
pub mod suite;

use std::convert::Infallible;

use rand_core::{SeedableRng, TryRng};
use rand_xoshiro::Xoshiro128PlusPlus;
use statrs::distribution::ContinuousCDF;
use statrs::statistics::{Max, Min};
use statrs::stats_tests::NaNPolicy;
use statrs::stats_tests::chisquare::chisquare;
use statrs::stats_tests::ks_test::{KSOneSampleAlternativeMethod, ks_onesample};

/// Significance level of every goodness-of-fit test. The seeds are fixed, so a test either
/// always passes or always fails; α only says how unlikely it was that the seed chosen (the first
/// one tried, never searched for) lands in the rejection region of a correct sampler.
pub const ALPHA: f64 = 1e-4;

pub fn rng(seed: u64) -> Xoshiro128PlusPlus {
    Xoshiro128PlusPlus::seed_from_u64(seed)
}

/// Softmax in f64, with `-inf` giving probability 0.
pub fn softmax(logits: &[f64]) -> Vec<f64> {
    let max = logits.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let e: Vec<f64> = logits.iter().map(|&l| (l - max).exp()).collect();
    let s: f64 = e.iter().sum();
    e.iter().map(|v| v / s).collect()
}

/// Pearson's chi-square p-value of `counts` against `probabilities` (which sum to 1).
///
/// Cells of probability 0 must have count 0 (asserted: an impossible outcome is a hard failure,
/// not a statistic) and are left out. Cells expected fewer than 5 times are pooled into one, the
/// usual condition for the chi-square approximation.
pub fn chi_square_p(counts: &[u64], probabilities: &[f64]) -> f64 {
    assert_eq!(counts.len(), probabilities.len());
    let n: u64 = counts.iter().sum();
    let mut observed = Vec::new();
    let mut expected = Vec::new();
    let (mut pooled_observed, mut pooled_expected) = (0u64, 0f64);
    for (&c, &p) in counts.iter().zip(probabilities) {
        if p == 0.0 {
            assert_eq!(c, 0, "an outcome of probability 0 was drawn {c} times");
            continue;
        }
        let e = p * n as f64;
        if e < 5.0 {
            pooled_observed += c;
            pooled_expected += e;
        } else {
            observed.push(c as usize);
            expected.push(e);
        }
    }
    if pooled_expected > 0.0 {
        observed.push(pooled_observed as usize);
        expected.push(pooled_expected);
    }
    if observed.len() < 2 {
        return 1.0;
    }
    // statrs wants expected counts summing to the observed total exactly.
    let scale = n as f64 / expected.iter().sum::<f64>();
    let expected: Vec<f64> = expected.iter().map(|e| e * scale).collect();
    chisquare(&observed, Some(&expected), None).unwrap().1
}

/// A continuous CDF given by a closure, for `statrs`' Kolmogorov–Smirnov test.
pub struct Cdf<F>(pub F);

impl<F: Fn(f64) -> f64> ContinuousCDF<f64, f64> for Cdf<F> {
    fn cdf(&self, x: f64) -> f64 {
        (self.0)(x)
    }
    fn inverse_cdf(&self, _p: f64) -> f64 {
        unimplemented!("not needed by the KS test")
    }
}
impl<F> Min<f64> for Cdf<F> {
    fn min(&self) -> f64 {
        f64::NEG_INFINITY
    }
}
impl<F> Max<f64> for Cdf<F> {
    fn max(&self) -> f64 {
        f64::INFINITY
    }
}

/// Two-sided one-sample Kolmogorov–Smirnov p-value (asymptotic; our samples are large).
pub fn ks_p(samples: Vec<f64>, cdf: impl Fn(f64) -> f64) -> f64 {
    assert!(
        samples.len() > 140,
        "the asymptotic KS p-value needs n > 140"
    );
    ks_onesample(
        samples,
        &Cdf(cdf),
        KSOneSampleAlternativeMethod::TwoSidedAsymptotic,
        NaNPolicy::Error,
    )
    .unwrap()
    .1
}

pub fn gumbel_cdf(x: f64) -> f64 {
    (-(-x).exp()).exp()
}

pub fn logistic_cdf(x: f64) -> f64 {
    1.0 / (1.0 + (-x).exp())
}

/// The Plackett–Luce probability of drawing the ordered tuple `order` without replacement.
pub fn plackett_luce(probabilities: &[f64], order: &[usize]) -> f64 {
    let mut remaining = 1.0;
    let mut p = 1.0;
    for &i in order {
        p *= probabilities[i] / remaining;
        remaining -= probabilities[i];
    }
    p
}

/// A generator that replays a fixed list of words, cycling: for the words 0 and `u32::MAX`.
#[derive(Clone)]
pub struct Scripted {
    words: Vec<u32>,
    next: usize,
}

impl Scripted {
    pub fn new(words: &[u32]) -> Self {
        Self {
            words: words.to_vec(),
            next: 0,
        }
    }
    /// Words handed out so far.
    pub fn drawn(&self) -> usize {
        self.next
    }
}

impl TryRng for Scripted {
    type Error = Infallible;
    fn try_next_u32(&mut self) -> Result<u32, Infallible> {
        let w = self.words[self.next % self.words.len()];
        self.next += 1;
        Ok(w)
    }
    fn try_next_u64(&mut self) -> Result<u64, Infallible> {
        let lo = u64::from(self.try_next_u32()?);
        let hi = u64::from(self.try_next_u32()?);
        Ok(lo | (hi << 32))
    }
    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Infallible> {
        for chunk in dst.chunks_mut(4) {
            let w = self.try_next_u32()?.to_le_bytes();
            chunk.copy_from_slice(&w[..chunk.len()]);
        }
        Ok(())
    }
}
