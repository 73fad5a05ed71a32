//! The score function (REINFORCE, Williams 1992): `∇θ log p(a)` of the sampled action, the
//! unbiased estimator `(f(a) − baseline) ∇θ log p(a)` built on it, and a running-mean
//! [`Baseline`].
//!
//! Categorical: `∇θ log softmax(θ)_a = one_hot(a) − softmax(θ)` (masked actions get 0).
//! Bernoulli with `P(b = 1) = σ(θ)`: `b − σ(θ)`. Both are computed from `e^{θ − max}`, so any
//! finite logits work.

use crate::scalar::{LogSumExp, from_count, sigmoid};
use crate::validate::{Support, finite_scalar, support_with_action};
use crate::{Error, Scalar};

/// Writes `∇θ log p(action) = one_hot(action) − softmax(logits)` into `out` (the logits'
/// length). Refuses, writing nothing, what [`categorical`](crate::categorical) refuses for the
/// logits and mask, an `action` that is not available ([`Error::UnavailableAction`]) and `out`
/// of another length ([`Error::LengthMismatch`]). Each output lies in `[−1, 1]`, masked ones
/// exactly 0, and they sum to 0 up to rounding.
pub fn categorical<S: Scalar>(
    logits: &[S],
    allowed: Option<&[bool]>,
    action: usize,
    out: &mut [S],
) -> Result<(), Error> {
    let support = support_with_action(logits, allowed, action)?;
    support.same_len(out.len())?;
    write_categorical(&support, action, out);
    Ok(())
}

/// [`categorical`] for validated input: `action` available in `support`, `out` its length.
pub(crate) fn write_categorical<S: Scalar>(support: &Support<S>, action: usize, out: &mut [S]) {
    let mut lse = LogSumExp::new();
    for i in 0..support.len() {
        if let Some(theta) = support.effective(i) {
            lse.push(theta);
        }
    }
    let log_normaliser = lse.value();
    for (i, o) in out.iter_mut().enumerate() {
        *o = match support.effective(i) {
            Some(theta) => {
                let p = (theta - log_normaliser).exp();
                if i == action { S::ONE - p } else { -p }
            }
            None => S::ZERO,
        };
    }
}

/// `∇θ log p(b) = b − σ(logit)` for a Bernoulli with `P(1) = σ(logit)`, in `[−1, 1]`. Refuses a
/// NaN or infinite logit ([`Error::Nan`], [`Error::NotFinite`]).
pub fn bernoulli<S: Scalar>(logit: S, b: bool) -> Result<S, Error> {
    finite_scalar(logit)?;
    Ok(if b { sigmoid(-logit) } else { -sigmoid(logit) })
}

/// The REINFORCE estimate `(reward − baseline) (one_hot(action) − softmax(logits))`, written to
/// `out`. Refuses, writing nothing, what [`categorical`] refuses, a NaN or infinite `reward` or
/// `baseline` ([`Error::Nan`], [`Error::NotFinite`]) and an advantage `reward − baseline` that
/// overflows ([`Error::NonFiniteUpdate`]). Each output is finite, at most the advantage in
/// magnitude, masked ones exactly 0.
pub fn reinforce_categorical<S: Scalar>(
    logits: &[S],
    allowed: Option<&[bool]>,
    action: usize,
    reward: S,
    baseline: S,
    out: &mut [S],
) -> Result<(), Error> {
    finite_scalar(reward)?;
    finite_scalar(baseline)?;
    let support = support_with_action(logits, allowed, action)?;
    support.same_len(out.len())?;
    let advantage = reward - baseline;
    if !advantage.is_finite() {
        return Err(Error::NonFiniteUpdate);
    }
    write_categorical(&support, action, out);
    for o in out.iter_mut() {
        *o *= advantage;
    }
    Ok(())
}

/// The REINFORCE estimate `(reward − baseline) (b − σ(logit))` for a Bernoulli. Refuses a NaN or
/// infinite logit, reward or baseline, and an estimate that overflows
/// ([`Error::NonFiniteUpdate`]); otherwise finite.
pub fn reinforce_bernoulli<S: Scalar>(
    logit: S,
    b: bool,
    reward: S,
    baseline: S,
) -> Result<S, Error> {
    finite_scalar(reward)?;
    finite_scalar(baseline)?;
    let estimate = (reward - baseline) * bernoulli(logit, b)?;
    if estimate.is_finite() {
        Ok(estimate)
    } else {
        Err(Error::NonFiniteUpdate)
    }
}

/// A running mean of past rewards, for use as the REINFORCE baseline. Using only *past* rewards
/// keeps the estimator unbiased.
///
/// Update `n` moves the mean a fraction `max(1/n, 1 − decay)` of the way to the new reward: the
/// exact mean of all rewards for the first `1/(1 − decay)` updates, then an exponential moving
/// average that forgets old rewards as the policy improves. `decay = 0` tracks the last reward
/// only; a decay close to 1 averages over about `1/(1 − decay)` rewards.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Baseline<S> {
    mean: S,
    count: u32,
    decay: S,
}

impl<S: Scalar> Baseline<S> {
    /// A baseline at 0 that has seen no reward. `decay` must lie in `[0, 1)`
    /// ([`Error::InvalidParameter`] otherwise).
    pub fn new(decay: S) -> Result<Self, Error> {
        if decay.is_nan() || decay < S::ZERO || decay >= S::ONE {
            return Err(Error::InvalidParameter);
        }
        Ok(Self {
            mean: S::ZERO,
            count: 0,
            decay,
        })
    }

    /// The current baseline (0 before the first update).
    pub fn value(&self) -> S {
        self.mean
    }

    /// The number of rewards seen (saturating).
    pub fn count(&self) -> u32 {
        self.count
    }

    /// A baseline resumed from a saved [`value`](Self::value) and [`count`](Self::count), so
    /// that it goes on exactly as the saved one would have (the learner's persistence uses it).
    /// `decay` as in [`new`](Self::new); `mean` must be finite ([`Error::Nan`],
    /// [`Error::NotFinite`]).
    pub fn resume(decay: S, mean: S, count: u32) -> Result<Self, Error> {
        finite_scalar(mean)?;
        Ok(Self {
            mean,
            count,
            ..Self::new(decay)?
        })
    }

    /// Folds in a reward. A NaN or infinite reward ([`Error::Nan`], [`Error::NotFinite`]) or a
    /// mean that would overflow ([`Error::NonFiniteUpdate`]) is refused and the state left
    /// unchanged; the mean is always finite.
    pub fn update(&mut self, reward: S) -> Result<(), Error> {
        finite_scalar(reward)?;
        let count = self.count.saturating_add(1);
        let rate = (S::ONE / from_count::<S>(count as usize)).max(S::ONE - self.decay);
        let mean = self.mean + rate * (reward - self.mean);
        if !mean.is_finite() {
            return Err(Error::NonFiniteUpdate);
        }
        self.mean = mean;
        self.count = count;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::conditional::testing;

    #[test]
    fn score_and_baseline() {
        let logits = [0.0f32, 1.0, -f32::INFINITY];
        testing::refused(3, Error::UnavailableAction { index: 2 }, |_, out| {
            categorical(&logits, None, 2, out)
        });
        testing::refused(3, Error::UnavailableAction { index: 3 }, |_, out| {
            categorical(&logits, None, 3, out)
        });
        testing::refused(3, Error::UnavailableAction { index: 1 }, |_, out| {
            categorical(&logits, Some(&[true, false, true]), 1, out)
        });
        testing::refused(
            2,
            Error::LengthMismatch {
                expected: 3,
                found: 2,
            },
            |_, out| categorical(&logits, None, 0, out),
        );
        testing::refused(3, Error::Nan { index: 0 }, |_, out| {
            reinforce_categorical(&logits, None, 0, f32::NAN, 0.0, out)
        });
        testing::refused(3, Error::NotFinite { index: 0 }, |_, out| {
            reinforce_categorical(&logits, None, 0, 1.0, f32::INFINITY, out)
        });
        assert_eq!(
            reinforce_bernoulli(0.0, true, f32::NAN, 0.0),
            Err(Error::Nan { index: 0 })
        );
        assert_eq!(bernoulli(f32::NAN, true), Err(Error::Nan { index: 0 }));
        // one-hot − softmax, exactly at a symmetric point; masked coordinates 0.
        let mut out = [0.0f32; 3];
        categorical(&[0.0, 0.0, -f32::INFINITY], None, 1, &mut out).unwrap();
        assert_eq!(out, [-0.5, 0.5, 0.0]);
        assert_eq!(bernoulli(0.0f32, true).unwrap(), 0.5);
        assert_eq!(bernoulli(0.0f32, false).unwrap(), -0.5);
        // Logits of ±1e30: finite.
        categorical(&[1e30, -1e30, 0.0], None, 1, &mut out).unwrap();
        assert_eq!(out, [-1.0, 1.0, 0.0]);

        for bad in [-0.1f32, 1.0, 1.5, f32::NAN] {
            assert_eq!(Baseline::new(bad), Err(Error::InvalidParameter));
        }
        // The exact mean for the first 1/(1 − decay) = 4 rewards, then an EMA with weight 1/4.
        let mut b = Baseline::new(0.75f32).unwrap();
        for (reward, expected) in [
            (4.0f32, 4.0f32),
            (8.0, 6.0),
            (0.0, 4.0),
            (4.0, 4.0),
            (8.0, 5.0),
        ] {
            b.update(reward).unwrap();
            assert_eq!(b.value(), expected);
        }
        let before = b;
        assert_eq!(b.update(f32::NAN), Err(Error::Nan { index: 0 }));
        assert_eq!(b.update(-f32::INFINITY), Err(Error::NotFinite { index: 0 }));
        assert_eq!(b, before);
        assert_eq!(b.count(), 5);
    }
}
