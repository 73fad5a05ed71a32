//! The on-target test suite. Every check logs one line; [`run`] stops at the first failure and
//! returns it, and the board turns that into a failing exit status (QEMU) or a lit LED (real
//! boards).
//!
//! 1. **Pinned vectors**: every sampler's outputs for the fixed seed, replayed here and compared
//!    bit for bit with the tables the host pinned (`gumbel::vectors`).
//! 2. **Chi-square smoke test**: [`DRAWS`] Gumbel-max draws over the application's four logits
//!    against their softmax, at the 0.999 quantile of χ²(3) ([`CRITICAL_CHI_SQUARE_3`]).
//! 3. **Lazy against exact**: [`LAZY_DRAWS`] lazy Gumbel-max draws (brackets, the exact
//!    kernel only where they overlap) against the argmax of the exact noise from the same words,
//!    on logits with ties and on logits with masked (`LN_ZERO`) actions.
//! 4. **Actuator**: [`app::step`] on a recording pin and delay acts out exactly the action the
//!    sampler drew, with the documented pulse train.

use core::convert::Infallible;

use embedded_hal::delay::DelayNs;
use embedded_hal::digital::{ErrorType, OutputPin};
use gumbel::vectors::{self, Mismatch};
use gumbel::{Scalar, categorical};
use rand_core::{Rng, SeedableRng};
use rand_xoshiro::Xoshiro128PlusPlus;

use crate::app::{self, ACTIONS};
use crate::bench::Numeric;

/// The number of Gumbel-max draws of the chi-square smoke test (at least 400 expected in the
/// rarest of the four cells, far above the usual minimum of 5).
pub const DRAWS: u32 = 4000;

/// The 0.999 quantile of the chi-square distribution with 3 degrees of freedom (four cells, no
/// fitted parameter), 16.2662 rounded up: for a correct sampler and a random seed the test
/// fails with probability 10^-3; the seed is fixed, so the outcome is the same on every run.
/// The host test `critical_value_is_the_0_999_quantile` derives it with `statrs`.
pub const CRITICAL_CHI_SQUARE_3: f64 = 16.267;

/// The number of draws of the lazy-against-exact check, per set of logits.
pub const LAZY_DRAWS: u32 = 1000;

/// The number of decisions the actuator check acts out.
pub const STEPS: usize = 64;

/// The first check that failed.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Failure {
    /// A replayed output differs from the pinned table.
    Vectors {
        /// The scalar type of the replay.
        scalar: &'static str,
        /// Where, and which bits.
        mismatch: Mismatch,
    },
    /// The chi-square statistic exceeded [`CRITICAL_CHI_SQUARE_3`].
    ChiSquare {
        /// The scalar type of the sampler.
        scalar: &'static str,
        /// The statistic.
        statistic: f64,
    },
    /// The lazy Gumbel-max drew another index, or another number of words, than the exact
    /// argmax of the same noise.
    Lazy {
        /// The scalar type of the sampler.
        scalar: &'static str,
        /// The draw (0-based) that differed.
        draw: u32,
    },
    /// A sampler refused input it should accept.
    Sampler(gumbel::Error),
    /// The actuator did not act out the drawn action.
    Actuator {
        /// The decision (0-based) at which it went wrong.
        step: usize,
    },
}

/// Runs every check, logging each, and returns the first failure.
pub fn run() -> Result<(), Failure> {
    check_vectors::<f32>(vectors::check_f32())?;
    #[cfg(feature = "fixed")]
    check_vectors::<gumbel::Fixed>(vectors::check_fixed())?;
    chi_square::<f32>()?;
    #[cfg(feature = "fixed")]
    chi_square::<gumbel::Fixed>()?;
    lazy_matches_exact::<f32>()?;
    #[cfg(feature = "fixed")]
    lazy_matches_exact::<gumbel::Fixed>()?;
    actuator::<f32>()?;
    #[cfg(feature = "fixed")]
    actuator::<gumbel::Fixed>()?;
    say!("suite: every check passed");
    Ok(())
}

fn check_vectors<S: Numeric>(result: Result<usize, Mismatch>) -> Result<(), Failure> {
    match result {
        Ok(values) => {
            say!(
                "vectors {}: {} values match the host bit for bit",
                S::NAME,
                values
            );
            Ok(())
        }
        Err(mismatch) => {
            say!(
                "vectors {}: MISMATCH in {} at position {}: pinned {:#x}, found {:#x}",
                S::NAME,
                mismatch.case.name(),
                mismatch.position,
                mismatch.expected,
                mismatch.found
            );
            Err(Failure::Vectors {
                scalar: S::NAME,
                mismatch,
            })
        }
    }
}

/// Draws [`DRAWS`] Gumbel-max samples in `S` and tests their frequencies against the softmax.
pub fn chi_square<S: Numeric>() -> Result<(), Failure> {
    let counts = gumbel_max_counts::<S>(&app::logits::<S>())?;
    let statistic = chi_square_statistic(&counts, &softmax(&app::LOGIT_QUARTERS));
    say!(
        "chi-square {}: {} draws, counts {} {} {} {}, statistic {} (critical {})",
        S::NAME,
        DRAWS,
        counts[0],
        counts[1],
        counts[2],
        counts[3],
        statistic,
        CRITICAL_CHI_SQUARE_3
    );
    if statistic > CRITICAL_CHI_SQUARE_3 {
        say!("chi-square {}: FAILED", S::NAME);
        return Err(Failure::ChiSquare {
            scalar: S::NAME,
            statistic,
        });
    }
    Ok(())
}

/// How often each action comes out of [`DRAWS`] Gumbel-max draws from [`crate::SEED`].
pub fn gumbel_max_counts<S: Scalar>(logits: &[S; ACTIONS]) -> Result<[u32; ACTIONS], Failure> {
    let mut rng = Xoshiro128PlusPlus::seed_from_u64(crate::SEED);
    let mut counts = [0u32; ACTIONS];
    for _ in 0..DRAWS {
        let k = categorical::sample(&mut rng, logits).map_err(Failure::Sampler)?;
        counts[k] += 1;
    }
    Ok(counts)
}

/// `categorical::sample` (lazy: it computes a variate only where the brackets of the noise
/// bounds overlap, and on some cores decides an overlap, or takes logits that are not all
/// finite, in functions of their own) against `noise::fill_gumbel` and
/// `categorical::argmax_perturbed` (every variate computed, then the exact argmax) from the
/// same generator state, [`LAZY_DRAWS`] times on 16
/// logits with many ties (so brackets often overlap) and as many with actions 3 and 9 at
/// `LN_ZERO` (masked in `f32`): the same index every time, and the generators end equal.
pub fn lazy_matches_exact<S: Numeric>() -> Result<(), Failure> {
    let quarter = S::ONE / S::from_i32(4);
    let tied: [S; 16] = core::array::from_fn(|i| S::from_i32((i * 5 % 7) as i32 - 3) * quarter);
    let mut masked = tied;
    masked[3] = S::LN_ZERO;
    masked[9] = S::LN_ZERO;
    let mut lazy = Xoshiro128PlusPlus::seed_from_u64(crate::SEED);
    let mut exact = lazy.clone();
    let mut noise = [S::ZERO; 16];
    for draw in 0..2 * LAZY_DRAWS {
        let logits = if draw < LAZY_DRAWS { &tied } else { &masked };
        let drawn = categorical::sample(&mut lazy, logits).map_err(Failure::Sampler)?;
        gumbel::noise::fill_gumbel(&mut exact, &mut noise);
        let argmax =
            categorical::argmax_perturbed(logits, None, &noise).map_err(Failure::Sampler)?;
        if drawn != argmax || lazy.next_u32() != exact.next_u32() {
            say!(
                "lazy {}: draw {} differs from the exact argmax",
                S::NAME,
                draw
            );
            return Err(Failure::Lazy {
                scalar: S::NAME,
                draw,
            });
        }
    }
    say!(
        "lazy {}: {} draws equal the exact argmax of the same noise",
        S::NAME,
        2 * LAZY_DRAWS
    );
    Ok(())
}

/// The softmax of logits given in quarters, in `f64`.
pub fn softmax(quarters: &[i32; ACTIONS]) -> [f64; ACTIONS] {
    let weights = quarters.map(|q| libm::exp(f64::from(q) / 4.0));
    let total: f64 = weights.iter().sum();
    weights.map(|w| w / total)
}

/// Pearson's statistic `Σ (observed - expected)² / expected`.
pub fn chi_square_statistic(counts: &[u32; ACTIONS], probabilities: &[f64; ACTIONS]) -> f64 {
    let n: f64 = counts.iter().map(|&c| f64::from(c)).sum();
    counts
        .iter()
        .zip(probabilities)
        .map(|(&observed, &p)| {
            let expected = n * p;
            let d = f64::from(observed) - expected;
            d * d / expected
        })
        .sum()
}

/// Acts out [`STEPS`] decisions on a recording pin and delay, and checks each pulse train
/// against the action a plain `categorical::sample` draws from the same seed.
pub fn actuator<S: Numeric>() -> Result<(), Failure> {
    let logits = app::logits::<S>();
    let mut acting = Xoshiro128PlusPlus::seed_from_u64(crate::SEED);
    let mut reference = acting.clone();
    let mut pin = RecordingPin::default();
    let mut delay = RecordingDelay::default();
    for step in 0..STEPS {
        pin.rising_edges = 0;
        delay.total_ns = 0;
        let acted = app::step(&mut acting, &logits, &mut pin, &mut delay).map_err(|e| match e {
            app::StepError::Sampler(e) => Failure::Sampler(e),
            app::StepError::Pin(never) => match never {},
        })?;
        let drawn = categorical::sample(&mut reference, &logits).map_err(Failure::Sampler)?;
        let pulses = drawn as u64 + 1;
        let expected_ns =
            (2 * pulses * u64::from(app::PULSE_MS) + u64::from(app::PAUSE_MS)) * 1_000_000;
        if acted != drawn || pin.rising_edges != pulses || pin.high || delay.total_ns != expected_ns
        {
            say!("actuator {}: WRONG pulse train at step {}", S::NAME, step);
            return Err(Failure::Actuator { step });
        }
    }
    say!(
        "actuator {}: {} decisions acted out as drawn",
        S::NAME,
        STEPS
    );
    Ok(())
}

/// An output pin that counts its rising edges.
#[derive(Debug, Default)]
struct RecordingPin {
    high: bool,
    rising_edges: u64,
}

impl ErrorType for RecordingPin {
    type Error = Infallible;
}

impl OutputPin for RecordingPin {
    fn set_high(&mut self) -> Result<(), Infallible> {
        if !self.high {
            self.rising_edges += 1;
        }
        self.high = true;
        Ok(())
    }

    fn set_low(&mut self) -> Result<(), Infallible> {
        self.high = false;
        Ok(())
    }
}

/// A delay that adds up what it was asked to wait instead of waiting.
#[derive(Debug, Default)]
struct RecordingDelay {
    total_ns: u64,
}

impl DelayNs for RecordingDelay {
    fn delay_ns(&mut self, ns: u32) {
        self.total_ns += u64::from(ns);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use statrs::distribution::{ChiSquared, ContinuousCDF};

    #[test]
    fn the_suite_passes_on_the_host() {
        assert_eq!(run(), Ok(()));
    }

    #[test]
    fn critical_value_is_the_0_999_quantile() {
        let quantile = ChiSquared::new(3.0).unwrap().inverse_cdf(0.999);
        assert!(CRITICAL_CHI_SQUARE_3 >= quantile && CRITICAL_CHI_SQUARE_3 - quantile < 1e-3);
    }

    #[test]
    fn chi_square_catches_a_quarter_logit_bias() {
        // Draws from logits whose last entry is off by 1/4: the smoke test must reject them.
        let biased = [0.0f32, 0.5, 1.0, 1.75];
        let counts = gumbel_max_counts(&biased).unwrap();
        let statistic = chi_square_statistic(&counts, &softmax(&app::LOGIT_QUARTERS));
        assert!(statistic > CRITICAL_CHI_SQUARE_3, "statistic {statistic}");
    }

    #[test]
    fn a_step_pulses_action_plus_one_times() {
        let mut rng = Xoshiro128PlusPlus::seed_from_u64(crate::SEED);
        let mut pin = RecordingPin::default();
        let mut delay = RecordingDelay::default();
        let action = app::step(&mut rng, &app::logits::<f32>(), &mut pin, &mut delay).unwrap();
        assert_eq!(pin.rising_edges, action as u64 + 1);
        assert!(!pin.high);
    }
}
