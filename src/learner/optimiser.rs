//! The two optimisers, SGD with momentum and Adam, with their state in fixed-size arrays.
//!
//! Both *minimise*: they move the parameters against the gradient they are given. The agent
//! hands them the gradient of the loss (minus the reward).

use super::Linear;
use crate::{Error, Scalar};

/// Which optimiser, and its hyperparameters.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Optimiser<S> {
    /// Heavy-ball SGD: `m ← μ m + g`, `θ ← θ − α m`.
    Sgd {
        /// Step size α.
        learning_rate: S,
        /// Momentum μ in `[0, 1)`; 0 is plain SGD.
        momentum: S,
    },
    /// Adam (Kingma & Ba 2015) with bias correction:
    /// `m ← β₁ m + (1−β₁) g`, `v ← β₂ v + (1−β₂) g²`,
    /// `θ ← θ − α (m / (1−β₁ᵗ)) / (sqrt(v / (1−β₂ᵗ)) + ε)`.
    ///
    /// In fixed point a gradient component below `sqrt(ε_fixed)` (2^-8 in I16F16) squares to
    /// zero, so `v` underestimates small gradients: prefer [`Optimiser::Sgd`] there.
    Adam {
        /// Step size α.
        learning_rate: S,
        /// First-moment decay β₁ in `[0, 1)`.
        beta1: S,
        /// Second-moment decay β₂ in `[0, 1)`.
        beta2: S,
        /// The ε added to the root of the second moment, `> 0`.
        epsilon: S,
    },
}

impl<S: Scalar> Optimiser<S> {
    /// Checks the hyperparameters: finite, learning rate `> 0`, decays in `[0, 1)`, ε `> 0`.
    /// Otherwise [`Error::InvalidParameter`].
    pub fn validate(&self) -> Result<(), Error> {
        let positive = |x: S| x.is_finite() && x > S::ZERO;
        let decay = |x: S| x.is_finite() && x >= S::ZERO && x < S::ONE;
        let ok = match *self {
            Optimiser::Sgd {
                learning_rate,
                momentum,
            } => positive(learning_rate) && decay(momentum),
            Optimiser::Adam {
                learning_rate,
                beta1,
                beta2,
                epsilon,
            } => positive(learning_rate) && decay(beta1) && decay(beta2) && positive(epsilon),
        };
        if ok {
            Ok(())
        } else {
            Err(Error::InvalidParameter)
        }
    }
}

/// The optimiser's memory for one set of parameters: the momentum (SGD) or first moment
/// (Adam), the second moment (Adam only), and Adam's running `β₁ᵗ`, `β₂ᵗ`.
///
/// Always the size Adam needs, so a saved agent has the same size whichever optimiser it uses.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct OptimiserState<S, const D: usize, const K: usize> {
    pub(crate) first: Linear<S, D, K>,
    pub(crate) second: Linear<S, D, K>,
    pub(crate) beta1_power: S,
    pub(crate) beta2_power: S,
}

impl<S: Scalar, const D: usize, const K: usize> Default for OptimiserState<S, D, K> {
    fn default() -> Self {
        Self::NEW
    }
}

impl<S: Scalar, const D: usize, const K: usize> OptimiserState<S, D, K> {
    /// The state before the first step.
    pub const NEW: Self = Self {
        first: Linear::ZERO,
        second: Linear::ZERO,
        beta1_power: S::ONE,
        beta2_power: S::ONE,
    };

    pub(crate) fn is_finite(&self) -> bool {
        self.first.is_finite()
            && self.second.is_finite()
            && self.beta1_power.is_finite()
            && self.beta2_power.is_finite()
    }
}

impl<S: Scalar> Optimiser<S> {
    /// One step on `params` against `gradient`, updating `state`. Writes whatever the
    /// arithmetic gives: the caller checks the result is finite before keeping it.
    pub(crate) fn step<const D: usize, const K: usize>(
        &self,
        state: &mut OptimiserState<S, D, K>,
        params: &mut Linear<S, D, K>,
        gradient: &Linear<S, D, K>,
    ) {
        match *self {
            Optimiser::Sgd {
                learning_rate,
                momentum,
            } => {
                for ((p, m), &g) in params
                    .values_mut()
                    .zip(state.first.values_mut())
                    .zip(gradient.values())
                {
                    *m = momentum * *m + g;
                    *p -= learning_rate * *m;
                }
            }
            Optimiser::Adam {
                learning_rate,
                beta1,
                beta2,
                epsilon,
            } => {
                state.beta1_power *= beta1;
                state.beta2_power *= beta2;
                let first_correction = S::ONE / (S::ONE - state.beta1_power);
                let second_correction = S::ONE / (S::ONE - state.beta2_power);
                for (((p, m), v), &g) in params
                    .values_mut()
                    .zip(state.first.values_mut())
                    .zip(state.second.values_mut())
                    .zip(gradient.values())
                {
                    *m = beta1 * *m + (S::ONE - beta1) * g;
                    *v = beta2 * *v + (S::ONE - beta2) * g * g;
                    let m_hat = *m * first_correction;
                    let v_hat = *v * second_correction;
                    *p -= learning_rate * m_hat / (v_hat.sqrt() + epsilon);
                }
            }
        }
    }
}
