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
/// length). `action` must be available ([`Error::UnavailableAction`] otherwise).
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

/// `∇θ log p(b) = b − σ(logit)` for a Bernoulli with `P(1) = σ(logit)`.
pub fn bernoulli<S: Scalar>(logit: S, b: bool) -> Result<S, Error> {
    finite_scalar(logit)?;
    Ok(if b { sigmoid(-logit) } else { -sigmoid(logit) })
}

/// The REINFORCE estimate `(reward − baseline) (one_hot(action) − softmax(logits))`, written to
/// `out`. `reward` and `baseline` must be finite.
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

/// The REINFORCE estimate `(reward − baseline) (b − σ(logit))` for a Bernoulli.
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

    /// Folds in a reward. A NaN or infinite reward is refused and the state left unchanged.
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
