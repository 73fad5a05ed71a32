//! The two optimisers, SGD with momentum and Adam, with their state in fixed-size arrays.
//!
//! Both *minimise*: they move the parameters against the gradient they are given. The agent
//! hands them the gradient of the loss (minus the reward).

use super::Linear;
use super::network::{Network, values, zero_if_finite};
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
    /// AdaMax (Kingma & Ba 2015, §7.1), Adam with the infinity norm in place of the second
    /// moment: `m ← β₁ m + (1−β₁) g`, `u ← max(β₂ u, |g|)`, `θ ← θ − α (m / (1−β₁ᵗ)) / (u + ε)`.
    ///
    /// The optimiser for fixed point: it squares nothing. Adam's `(1 − β₂) g²` is below the
    /// I16F16 resolution (2^-16) for any `|g| < 0.12` at `β₂ = 0.999`, so its second moment
    /// stays 0 and every step becomes `α m / ε`; measured on CartPole after 50 episodes, 8 of
    /// the 10 policy parameters' second moments were exactly 0 in I16F16 (they are `1e-8` to
    /// `1e-5` in `f32`). `u` tracks `|g|` itself, which I16F16 resolves.
    AdaMax {
        /// Step size α.
        learning_rate: S,
        /// First-moment decay β₁ in `[0, 1)`.
        beta1: S,
        /// Decay β₂ of the infinity norm, in `[0, 1)`.
        beta2: S,
        /// The ε added to the infinity norm, `> 0`.
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
            }
            | Optimiser::AdaMax {
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

/// The optimiser's memory for one set of parameters (a [`Network`] `N`, by default [`Linear`]):
/// the momentum (SGD) or first moment (Adam), the second moment (Adam only), and Adam's running
/// `β₁ᵗ`, `β₂ᵗ`.
///
/// Always the size Adam needs, so a saved agent has the same size whichever optimiser it uses.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct OptimiserState<S, const D: usize, const K: usize, N = Linear<S, D, K>> {
    pub(crate) first: N,
    pub(crate) second: N,
    pub(crate) beta1_power: S,
    pub(crate) beta2_power: S,
}

impl<S: Scalar, const D: usize, const K: usize, N: Network<S, D, K>> Default
    for OptimiserState<S, D, K, N>
{
    fn default() -> Self {
        Self::NEW
    }
}

impl<S: Scalar, const D: usize, const K: usize, N: Network<S, D, K>> OptimiserState<S, D, K, N> {
    /// The state before the first step.
    pub const NEW: Self = Self {
        first: N::ZERO,
        second: N::ZERO,
        beta1_power: S::ONE,
        beta2_power: S::ONE,
    };

    /// The invariants a saved state must meet to be loaded: every value finite, the second
    /// moment not negative, and `β₁ᵗ, β₂ᵗ` in `[0, 1]` (0 is reached legitimately: `0.9ᵗ`
    /// underflows to 0 in `f32` after about 1,000 steps and in I16F16 after about 100, and
    /// `β = 0` gives 0 after one).
    pub(crate) fn is_valid(&self) -> bool {
        let unit = |x: S| x.is_finite() && x >= S::ZERO && x <= S::ONE;
        values(&self.first).all(|v| v.is_finite())
            && values(&self.second).all(|v| v.is_finite() && *v >= S::ZERO)
            && unit(self.beta1_power)
            && unit(self.beta2_power)
    }
}

/// What one step needs besides the parameter, its moments and its gradient: the
/// hyperparameters with Adam's bias corrections worked out once per step.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Step<S> {
    Sgd {
        learning_rate: S,
        momentum: S,
    },
    Adam {
        first: FirstMoment<S>,
        beta2: S,
        one_minus_beta2: S,
        /// `1 / (1 − β₂ᵗ)`.
        second_correction: S,
        epsilon: S,
    },
    AdaMax {
        first: FirstMoment<S>,
        beta2: S,
        epsilon: S,
    },
}

/// What Adam and AdaMax share: the first moment `m ← β₁ m + (1 − β₁) g` and the step size
/// with its bias correction, `α / (1 − β₁ᵗ)`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct FirstMoment<S> {
    /// `α / (1 − β₁ᵗ)`.
    rate: S,
    beta1: S,
    one_minus_beta1: S,
}

impl<S: Scalar> FirstMoment<S> {
    /// For step size `α`, decay `β₁` and `β₁ᵗ` after this step.
    fn new(learning_rate: S, beta1: S, beta1_power: S) -> Self {
        Self {
            rate: learning_rate / (S::ONE - beta1_power),
            beta1,
            one_minus_beta1: S::ONE - beta1,
        }
    }

    /// The moment after gradient `g`.
    #[inline(always)]
    fn next(&self, m: S, g: S) -> S {
        self.beta1 * m + self.one_minus_beta1 * g
    }
}

/// A pass over every parameter with its moments and gradient, given the per-parameter update
/// `f(p, m, v, g) → (p', m', v')`: [`Step::run`] matches on the optimiser once and hands the
/// pass a closure, so the loop itself has no branch on the optimiser.
trait Pass<S> {
    type Output;
    fn pass<F: Fn(S, S, S, S) -> (S, S, S)>(self, update: F) -> Self::Output;
}

impl<S: Scalar> Step<S> {
    /// Runs `pass` with this step's per-parameter update.
    #[inline(always)]
    fn run<P: Pass<S>>(self, pass: P) -> P::Output {
        match self {
            Step::Sgd {
                learning_rate,
                momentum,
            } => pass.pass(move |p, m, v, g| {
                let m = momentum * m + g;
                (p - learning_rate * m, m, v)
            }),
            Step::Adam {
                first,
                beta2,
                one_minus_beta2,
                second_correction,
                epsilon,
            } => pass.pass(move |p, m, v, g| {
                let m = first.next(m, g);
                let v = beta2 * v + one_minus_beta2 * g * g;
                let step = first.rate * m / ((v * second_correction).sqrt() + epsilon);
                (p - step, m, v)
            }),
            Step::AdaMax {
                first,
                beta2,
                epsilon,
            } => pass.pass(move |p, m, v, g| {
                let m = first.next(m, g);
                let u = (beta2 * v).max(g.abs());
                (p - first.rate * m / (u + epsilon), m, u)
            }),
        }
    }
}

impl<S: Scalar> Optimiser<S> {
    /// The step from `state`, and the `β` powers after it.
    pub(crate) fn prepare<const D: usize, const K: usize, N: Network<S, D, K>>(
        &self,
        state: &OptimiserState<S, D, K, N>,
    ) -> (Step<S>, S, S) {
        match *self {
            Optimiser::Sgd {
                learning_rate,
                momentum,
            } => (
                Step::Sgd {
                    learning_rate,
                    momentum,
                },
                state.beta1_power,
                state.beta2_power,
            ),
            Optimiser::Adam {
                learning_rate,
                beta1,
                beta2,
                epsilon,
            } => {
                let beta1_power = state.beta1_power * beta1;
                let beta2_power = state.beta2_power * beta2;
                (
                    Step::Adam {
                        first: FirstMoment::new(learning_rate, beta1, beta1_power),
                        beta2,
                        one_minus_beta2: S::ONE - beta2,
                        second_correction: S::ONE / (S::ONE - beta2_power),
                        epsilon,
                    },
                    beta1_power,
                    beta2_power,
                )
            }
            Optimiser::AdaMax {
                learning_rate,
                beta1,
                beta2,
                epsilon,
            } => {
                let beta1_power = state.beta1_power * beta1;
                (
                    Step::AdaMax {
                        first: FirstMoment::new(learning_rate, beta1, beta1_power),
                        beta2,
                        epsilon,
                    },
                    beta1_power,
                    state.beta2_power,
                )
            }
        }
    }
}

/// The read-only pass over the parameter runs ([`Network::slices`]): the sum of `x − x` over
/// every new parameter and moment.
struct DryRun<'a, S> {
    params: [&'a [S]; 4],
    first: [&'a [S]; 4],
    second: [&'a [S]; 4],
    gradient: [&'a [S]; 4],
    scale: S,
}

impl<S: Scalar> Pass<S> for DryRun<'_, S> {
    type Output = S;
    #[inline(always)]
    fn pass<F: Fn(S, S, S, S) -> (S, S, S)>(self, update: F) -> S {
        let mut sentinel = S::ZERO;
        let scale = self.scale;
        for_each_element(
            [self.params, self.first, self.second],
            self.gradient,
            |[&p, &m, &v], g| {
                let (p, m, v) = update(p, m, v, g * scale);
                sentinel += zero_if_finite(p) + zero_if_finite(m) + zero_if_finite(v);
            },
        );
        sentinel
    }
}

/// The writing pass.
struct Apply<'a, S> {
    params: [&'a mut [S]; 4],
    first: [&'a mut [S]; 4],
    second: [&'a mut [S]; 4],
    gradient: [&'a [S]; 4],
    scale: S,
}

impl<S: Scalar> Pass<S> for Apply<'_, S> {
    type Output = ();
    #[inline(always)]
    fn pass<F: Fn(S, S, S, S) -> (S, S, S)>(self, update: F) {
        let scale = self.scale;
        for_each_element(
            [self.params, self.first, self.second],
            self.gradient,
            |[p, m, v], g| (*p, *m, *v) = update(*p, *m, *v, g * scale),
        );
    }
}

/// Calls `f` with each parameter and its two moments (shared or mutable references: the read
/// and the writing pass walk the same way) and its gradient component, run by run, in order.
#[inline(always)]
fn for_each_element<S: Scalar, T: IntoIterator>(
    [params, first, second]: [[T; 4]; 3],
    gradient: [&[S]; 4],
    mut f: impl FnMut([T::Item; 3], S),
) {
    let runs = params.into_iter().zip(first).zip(second).zip(gradient);
    for (((p, m), v), g) in runs {
        for (((p, m), v), &g) in p.into_iter().zip(m).zip(v).zip(g) {
            f([p, m, v], g);
        }
    }
}

/// `0` if the step `step` with gradient `scale · gradient` would leave every parameter and
/// moment finite, NaN otherwise (`x − x` summed, as `network::non_finite_sentinel`); reads
/// only.
pub(crate) fn dry_run<S: Scalar, const D: usize, const K: usize, N: Network<S, D, K>>(
    step: Step<S>,
    state: &OptimiserState<S, D, K, N>,
    params: &N,
    gradient: &N,
    scale: S,
) -> S {
    step.run(DryRun {
        params: params.slices(),
        first: state.first.slices(),
        second: state.second.slices(),
        gradient: gradient.slices(),
        scale,
    })
}

/// Takes the step `step` on `params` in place with gradient `scale · gradient`, updating the
/// moments, and stores the new `β` powers.
pub(crate) fn apply<S: Scalar, const D: usize, const K: usize, N: Network<S, D, K>>(
    (step, beta1_power, beta2_power): (Step<S>, S, S),
    state: &mut OptimiserState<S, D, K, N>,
    params: &mut N,
    gradient: &N,
    scale: S,
) {
    step.run(Apply {
        params: params.slices_mut(),
        first: state.first.slices_mut(),
        second: state.second.slices_mut(),
        gradient: gradient.slices(),
        scale,
    });
    state.beta1_power = beta1_power;
    state.beta2_power = beta2_power;
}
