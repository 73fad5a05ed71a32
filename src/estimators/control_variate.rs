//! The control-variate estimator shared by [`rebar`](super::rebar) and [`relax`](super::relax)
//! (Tucker et al. 2017; Grathwohl et al. 2018), the surrogate traits the user implements, and
//! the online adaptation of the REBAR weight η.
//!
//! For a discrete sample `b = H(z)` of perturbed logits `z = θ + g`, conditional perturbed
//! logits `z̃ ~ p(z | b)` ([`conditional`]), a differentiable surrogate `c`
//! of the relaxed sample `σ_λ(z)` and the objective value `f(b)`:
//!
//! `ĝ = [f(b) − η c(z̃)] ∇θ log p(b) + η ∇θ c(z) − η ∇θ c(z̃)`.
//!
//! It is unbiased for `∇θ E[f(b)]` for every η and every `c`, because `E[c(z̃) ∇ log p(b)] +
//! ∇ E[c(z̃)] = ∇ E[c(z)]`. `∇θ c(z)` is the reparameterisation gradient
//! ([`reparam`](super::reparam)); `∇θ c(z̃)` goes through the conditional reparameterisation
//! ([`conditional::categorical_backward`]).
//!
//! The variance of `ĝ` is quadratic in η. Its derivative `d E[|ĝ|²]/dη = 2 E⟨ĝ, ∂ĝ/∂η⟩` has the
//! single-sample estimate [`Terms::eta_variance_gradient`]; [`AdaptiveEta`] descends it, as
//! REBAR does.
//!
//! # What is refused, and when the generator is touched
//! The estimators built on this ([`rebar`](super::rebar), [`relax`](super::relax)) refuse,
//! before drawing anything: what [`categorical::argmax_perturbed`](crate::categorical::argmax_perturbed)
//! refuses for the logits, mask and noise (and NaN or infinite noise, [`Error::Nan`] /
//! [`Error::NotFinite`]); a gradient buffer of another length ([`Error::LengthMismatch`]);
//! scratch shorter than [`SCRATCH_PER_ACTION`] × K ([`Error::BufferTooSmall`]); a NaN or
//! infinite η or objective value; an action of probability zero at the scalar's precision,
//! whose conditional noise is not representable ([`Error::UnavailableAction`], see
//! [`conditional`]). Then they draw the conditional noise (`K` random words, one for the
//! binary estimators) and call the surrogate; what the surrogate returns is known only then, so
//! these refusals come after the draw: the surrogate's own error (passed through), a NaN or
//! infinite value or gradient from it ([`Error::Nan`], [`Error::NotFinite`]), and an estimate,
//! `∂ĝ/∂η` or [`Terms::eta_variance_gradient`] that would overflow ([`Error::NonFiniteUpdate`]).
//! On any error nothing is written to the gradient.
//!
//! On `Ok` the gradient, the surrogate values and `eta_variance_gradient` are finite, and the
//! gradient is 0 for masked actions.

use rand_core::Rng;

use super::reparam::{ConcreteSample, Kept};
use super::{Buffers, Draw, score};
use crate::categorical::best;
use crate::conditional::{
    self, backward_in_place, condition_in_place, conditionable, draw_binary, outcome_logit,
};
use crate::scalar::sigmoid;
use crate::validate::{Support, finite, finite_scalar, support};
use crate::{Error, Scalar, Temperature};

/// A differentiable function of a relaxed one-hot sample: the surrogate `c` of RELAX, or the
/// objective `f` itself for REBAR (which evaluates it on relaxed samples too).
pub trait Surrogate<S: Scalar> {
    /// Returns `c(relaxed)` and writes `∂c/∂relaxed` to `gradient` (same length). An error is
    /// passed through to the estimator's caller.
    fn evaluate(&mut self, relaxed: &[S], gradient: &mut [S]) -> Result<S, Error>;
}

/// A differentiable function of a relaxed binary sample `x ∈ [0, 1]`.
pub trait BinarySurrogate<S: Scalar> {
    /// Returns `(c(x), dc/dx)`.
    fn evaluate(&mut self, relaxed: S) -> Result<(S, S), Error>;
}

/// What the estimator saw, beside the gradient it wrote.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Terms<S> {
    /// The action drawn, `b` (for the binary estimators: 1 or 0).
    pub action: usize,
    /// `c(σ_λ(z))`, the surrogate at the relaxed sample.
    pub surrogate: S,
    /// `c(σ_λ(z̃))`, the surrogate at the conditional relaxed sample.
    pub conditional_surrogate: S,
    /// `2⟨ĝ, ∂ĝ/∂η⟩`, a single-sample unbiased estimate of `d E[|ĝ|²]/dη`.
    pub eta_variance_gradient: S,
}

/// Adapts η online to minimise the estimator's variance: `η ← η − r · d/√(m + δ)` with `d` the
/// [`Terms::eta_variance_gradient`] of the latest estimate and `m` a running mean of `d²`
/// (decay 0.99; `δ` = [`Scalar::EPSILON`]). The normalisation makes the step size `r` independent
/// of the scale of the objective (REBAR itself used Adam). Using η from past draws only keeps
/// the estimator unbiased.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AdaptiveEta<S> {
    eta: S,
    rate: S,
    mean_square: S,
}

impl<S: Scalar> AdaptiveEta<S> {
    /// Starts at `initial` with step size `rate`; both must be finite and `rate > 0`
    /// ([`Error::InvalidParameter`] otherwise).
    pub fn new(initial: S, rate: S) -> Result<Self, Error> {
        if !initial.is_finite() || !rate.is_finite() || rate <= S::ZERO {
            return Err(Error::InvalidParameter);
        }
        Ok(Self {
            eta: initial,
            rate,
            mean_square: S::ZERO,
        })
    }

    /// The current η.
    pub fn value(&self) -> S {
        self.eta
    }

    /// One step on the variance, from the terms of the latest estimate. A non-finite step is
    /// refused ([`Error::NonFiniteUpdate`]) and the state left unchanged; η stays finite.
    pub fn update(&mut self, terms: &Terms<S>) -> Result<(), Error> {
        let d = terms.eta_variance_gradient;
        // decay 0.99 = 1 − 1/100, from integers so fixed point needs no float constant.
        let keep = S::ONE - S::ONE / S::from_i32(100);
        let mean_square = keep * self.mean_square + (S::ONE - keep) * d * d;
        let eta = self.eta - self.rate * d / (mean_square + S::EPSILON).sqrt();
        if !(eta.is_finite() && mean_square.is_finite()) {
            return Err(Error::NonFiniteUpdate);
        }
        self.eta = eta;
        self.mean_square = mean_square;
        Ok(())
    }
}

/// How many slots of scratch per action the categorical estimators need.
pub const SCRATCH_PER_ACTION: usize = 3;

/// A categorical draw checked by [`check`]: its support, noise and action.
pub(crate) struct Checked<'a, S> {
    support: Support<'a, S>,
    noise: &'a [S],
    pub(crate) action: usize,
}

/// Everything about a categorical draw and the buffers that can be checked before the first
/// random word (see the [module documentation](self)).
pub(crate) fn check<'a, S: Scalar>(
    draw: Draw<'a, S>,
    out: &Buffers<'_, S>,
) -> Result<Checked<'a, S>, Error> {
    let support = support(draw.logits, draw.allowed)?;
    support.same_len(draw.noise.len())?;
    support.same_len(out.gradient.len())?;
    finite(draw.noise)?;
    let action = best(&support, draw.noise.iter().copied());
    conditionable(&support, action)?;
    let needed = SCRATCH_PER_ACTION * support.len();
    if out.scratch.len() < needed {
        return Err(Error::BufferTooSmall {
            needed,
            found: out.scratch.len(),
        });
    }
    Ok(Checked {
        support,
        noise: draw.noise,
        action,
    })
}

/// Three disjoint blocks of scratch.
type Blocks<'s, S> = (&'s mut [S], &'s mut [S], &'s mut [S]);

/// The first three blocks of `k` in `scratch` ([`Error::BufferTooSmall`] if it is shorter).
pub(crate) fn three_blocks<S>(scratch: &mut [S], k: usize) -> Result<Blocks<'_, S>, Error> {
    let too_small = Error::BufferTooSmall {
        needed: SCRATCH_PER_ACTION * k,
        found: scratch.len(),
    };
    let (a, rest) = scratch.split_at_mut_checked(k).ok_or(too_small)?;
    let (b, rest) = rest.split_at_mut_checked(k).ok_or(too_small)?;
    let c = rest.get_mut(..k).ok_or(too_small)?;
    Ok((a, b, c))
}

/// The categorical estimator for a draw checked by [`check`] (with the same buffers).
pub(crate) fn categorical<S, R, C>(
    rng: &mut R,
    checked: Checked<'_, S>,
    temperature: Temperature<S>,
    eta: S,
    objective: S,
    surrogate: &mut C,
    out: Buffers<'_, S>,
) -> Result<Terms<S>, Error>
where
    S: Scalar,
    R: Rng + ?Sized,
    C: Surrogate<S> + ?Sized,
{
    let Checked {
        support,
        noise,
        action,
    } = checked;
    finite_scalar(eta)?;
    finite_scalar(objective)?;
    let (scratch_a, scratch_b, scratch_c) = three_blocks(out.scratch, support.len())?;

    // ∇θ c(z̃) into C: conditional noise in A, its relaxation in B.
    crate::noise::fill_gumbel(rng, scratch_a);
    condition_in_place(&support, action, scratch_a);
    finite(scratch_a)?;
    let mut room = Kept::new();
    let conditional_value = surrogate_gradient(
        ConcreteSample::validated(support, scratch_a, temperature, &mut room),
        surrogate,
        scratch_b,
        scratch_c,
    )?;
    backward_in_place(&support, action, scratch_a, scratch_c);

    // ∇θ c(z) into B: relaxation in A.
    let value = surrogate_gradient(
        ConcreteSample::validated(support, noise, temperature, &mut room),
        surrogate,
        scratch_a,
        scratch_b,
    )?;

    // The score into A, then combine: check everything before writing.
    score::write_categorical(&support, action, scratch_a);
    // ĝ = f ∇log p + η ∂ĝ/∂η, with ∂ĝ/∂η = −c(z̃) ∇log p + ∇c(z) − ∇c(z̃).
    let estimate = |score: S, through_sample: S, through_conditional: S| {
        let d_eta = -conditional_value * score + through_sample - through_conditional;
        (objective * score + eta * d_eta, d_eta)
    };
    let terms = || scratch_a.iter().zip(scratch_b.iter()).zip(scratch_c.iter());
    let mut eta_variance_gradient = S::ZERO;
    for ((&score, &through_sample), &through_conditional) in terms() {
        let (g, d_eta) = estimate(score, through_sample, through_conditional);
        if !(g.is_finite() && d_eta.is_finite()) {
            return Err(Error::NonFiniteUpdate);
        }
        eta_variance_gradient += g * d_eta;
    }
    let eta_variance_gradient = eta_variance_gradient + eta_variance_gradient;
    if !eta_variance_gradient.is_finite() {
        return Err(Error::NonFiniteUpdate);
    }
    for (out, ((&score, &through_sample), &through_conditional)) in
        out.gradient.iter_mut().zip(terms())
    {
        *out = estimate(score, through_sample, through_conditional).0;
    }
    Ok(Terms {
        action,
        surrogate: value,
        conditional_surrogate: conditional_value,
        eta_variance_gradient,
    })
}

/// `c(y)` and `∇θ c(y)` for the relaxed sample `y`: writes `y` to `relaxed`, the surrogate's
/// gradient to `gradient`, and then its reparameterisation gradient there (the sample's VJP).
fn surrogate_gradient<S: Scalar, C: Surrogate<S> + ?Sized>(
    sample: ConcreteSample<'_, S>,
    surrogate: &mut C,
    relaxed: &mut [S],
    gradient: &mut [S],
) -> Result<S, Error> {
    sample.write_sample(relaxed);
    let value = evaluate(surrogate, relaxed, gradient)?;
    sample.vjp_in_place(gradient, false)?;
    Ok(value)
}

/// Calls the surrogate and checks what it returned.
fn evaluate<S: Scalar, C: Surrogate<S> + ?Sized>(
    surrogate: &mut C,
    relaxed: &[S],
    gradient: &mut [S],
) -> Result<S, Error> {
    let value = surrogate.evaluate(relaxed, gradient)?;
    finite_scalar(value)?;
    finite(gradient)?;
    Ok(value)
}

/// The binary estimator; `noise` is the logistic noise that drew `b = (logit + noise > 0)`.
/// Returns the gradient and the terms.
pub(crate) fn binary<S, R, C>(
    rng: &mut R,
    logit: S,
    noise: S,
    temperature: Temperature<S>,
    eta: S,
    objective: S,
    surrogate: &mut C,
) -> Result<(S, Terms<S>), Error>
where
    S: Scalar,
    R: Rng + ?Sized,
    C: BinarySurrogate<S> + ?Sized,
{
    let y = crate::binary::logit_from_noise(logit, noise, temperature)?;
    finite_scalar(eta)?;
    finite_scalar(objective)?;
    let b = logit + noise > S::ZERO;
    let theta = outcome_logit(logit, b)?;

    let conditional_noise = draw_binary(rng, theta, b);
    let y_tilde = crate::binary::logit_from_noise_unchecked(logit, conditional_noise, temperature);
    let (conditional_value, slope_tilde) = evaluate_binary(surrogate, sigmoid(y_tilde))?;
    let (reparam_tilde, _) =
        super::reparam::binary(logit, conditional_noise, temperature, slope_tilde)?;
    let grad_tilde = reparam_tilde * conditional::binary_derivative(logit, b, conditional_noise)?;

    let (value, slope) = evaluate_binary(surrogate, sigmoid(y))?;
    let (grad_sample, _) = super::reparam::binary(logit, noise, temperature, slope)?;

    let score = score::bernoulli(logit, b)?;
    let d_eta = -conditional_value * score + grad_sample - grad_tilde;
    let estimate = objective * score + eta * d_eta;
    let eta_variance_gradient = (S::ONE + S::ONE) * estimate * d_eta;
    if !(estimate.is_finite() && d_eta.is_finite() && eta_variance_gradient.is_finite()) {
        return Err(Error::NonFiniteUpdate);
    }
    let terms = Terms {
        action: usize::from(b),
        surrogate: value,
        conditional_surrogate: conditional_value,
        eta_variance_gradient,
    };
    Ok((estimate, terms))
}

fn evaluate_binary<S: Scalar, C: BinarySurrogate<S> + ?Sized>(
    surrogate: &mut C,
    relaxed: S,
) -> Result<(S, S), Error> {
    let (value, slope) = surrogate.evaluate(relaxed)?;
    finite_scalar(value)?;
    finite_scalar(slope)?;
    Ok((value, slope))
}

#[cfg(test)]
mod tests {
    use rand_core::{Rng, SeedableRng};
    use rand_xoshiro::Xoshiro128PlusPlus;

    use super::super::{Choice, gumbel_rao, rebar, relax, reparam};
    use super::*;
    use crate::conditional::testing;

    fn rng() -> Xoshiro128PlusPlus {
        Xoshiro128PlusPlus::seed_from_u64(5)
    }

    fn lambda(x: f32) -> Temperature<f32> {
        Temperature::new(x).unwrap()
    }

    struct Quadratic;

    impl Surrogate<f32> for Quadratic {
        fn evaluate(&mut self, x: &[f32], gradient: &mut [f32]) -> Result<f32, Error> {
            let mut value = 0.0;
            for (g, &xi) in gradient.iter_mut().zip(x) {
                value += xi * xi;
                *g = 2.0 * xi;
            }
            Ok(value)
        }
    }

    impl BinarySurrogate<f32> for Quadratic {
        fn evaluate(&mut self, x: f32) -> Result<(f32, f32), Error> {
            Ok((x * x, 2.0 * x))
        }
    }

    /// A surrogate that returns `value` and a gradient of `slope` everywhere (or fails).
    struct Broken {
        value: f32,
        slope: f32,
        fail: bool,
    }

    impl Surrogate<f32> for Broken {
        fn evaluate(&mut self, _: &[f32], gradient: &mut [f32]) -> Result<f32, Error> {
            if self.fail {
                return Err(Error::OutsideSupport);
            }
            gradient.fill(self.slope);
            Ok(self.value)
        }
    }

    impl BinarySurrogate<f32> for Broken {
        fn evaluate(&mut self, _: f32) -> Result<(f32, f32), Error> {
            if self.fail {
                return Err(Error::OutsideSupport);
            }
            Ok((self.value, self.slope))
        }
    }

    /// `c(x) = w Σ x_k` (and `w x` for a binary sample); fails if `fail`.
    #[derive(Clone, Copy)]
    struct Flat {
        weight: f32,
        fail: bool,
    }

    impl Surrogate<f32> for Flat {
        fn evaluate(&mut self, relaxed: &[f32], gradient: &mut [f32]) -> Result<f32, Error> {
            if self.fail {
                return Err(Error::OutsideSupport);
            }
            gradient.fill(self.weight);
            Ok(self.weight * relaxed.iter().sum::<f32>())
        }
    }

    impl BinarySurrogate<f32> for Flat {
        fn evaluate(&mut self, relaxed: f32) -> Result<(f32, f32), Error> {
            if self.fail {
                return Err(Error::OutsideSupport);
            }
            Ok((self.weight * relaxed, self.weight))
        }
    }

    /// `c(x) = Σ w_k x_k`.
    struct Weights([f32; 2]);

    impl Surrogate<f32> for Weights {
        fn evaluate(&mut self, relaxed: &[f32], gradient: &mut [f32]) -> Result<f32, Error> {
            gradient.copy_from_slice(&self.0);
            Ok(relaxed.iter().zip(&self.0).map(|(x, w)| x * w).sum())
        }
    }

    fn relax_categorical(
        generator: &mut Xoshiro128PlusPlus,
        logits: &[f32],
        noise: &[f32],
        objective: f32,
        surrogate: &mut impl Surrogate<f32>,
        gradient: &mut [f32],
    ) -> Result<Terms<f32>, Error> {
        let mut scratch = [0.0f32; 3 * SCRATCH_PER_ACTION];
        let draw = Draw {
            logits,
            allowed: None,
            noise,
        };
        let out = Buffers {
            gradient,
            scratch: &mut scratch,
        };
        relax::categorical(generator, draw, lambda(0.5), objective, surrogate, out)
    }

    /// Issue 10, defect 6: a finite estimate whose `eta_variance_gradient` (2⟨ĝ, ∂ĝ/∂η⟩)
    /// overflowed was returned as `Ok`; now `NonFiniteUpdate`, with the gradient untouched.
    #[test]
    fn an_infinite_eta_variance_gradient_is_refused() {
        let logits = [0.0f32, 1.0, -1.0];
        let noise = [0.3f32, 0.1, 0.0];
        let mut gradient = [7.0f32; 3];
        let mut surrogate = Weights([1e20, -1e20]);
        // Gradients of 1e20 and 1e18 each are finite; their products overflow.
        let result = relax_categorical(
            &mut rng(),
            &logits[..2],
            &noise[..2],
            1e30,
            &mut surrogate,
            &mut gradient[..2],
        );
        assert_eq!(result, Err(Error::NonFiniteUpdate));
        assert_eq!(gradient, [7.0; 3]);
        let binary = relax::binary(
            &mut rng(),
            0.0f32,
            0.3,
            lambda(0.5),
            1e30,
            &mut Flat {
                weight: 1e20,
                fail: false,
            },
        );
        assert_eq!(binary.map(|r| r.0), Err(Error::NonFiniteUpdate));
        // A moderate objective: every term finite.
        let terms = relax_categorical(
            &mut rng(),
            &logits,
            &noise,
            1.0,
            &mut Flat {
                weight: 2.0,
                fail: false,
            },
            &mut gradient,
        )
        .unwrap();
        assert!(terms.eta_variance_gradient.is_finite());
        assert!(gradient.iter().all(|g| g.is_finite()));
    }

    /// Issue 10, defect 8: every check on the arguments precedes the first random word;
    /// a refusal that depends on the surrogate comes after the `K` words (documented).
    #[test]
    fn refusals_before_and_after_the_draw() {
        let logits = [0.0f32, 1.0];
        let noise = [0.3f32, 0.1];
        let mut gradient = [7.0f32; 2];
        let ok = Flat {
            weight: 1.0,
            fail: false,
        };
        let mut generator = rng();
        // An action of probability zero: refused before the draw (was NaN noise).
        let far = [0.0f32, -2e38];
        let reach = [0.0f32, 2.5e38];
        assert_eq!(
            relax_categorical(
                &mut generator,
                &far,
                &reach,
                1.0,
                &mut { ok },
                &mut gradient
            ),
            Err(Error::UnavailableAction { index: 1 })
        );
        assert_eq!(
            relax_categorical(
                &mut generator,
                &logits,
                &noise,
                f32::NAN,
                &mut { ok },
                &mut gradient
            ),
            Err(Error::Nan { index: 0 })
        );
        // REBAR's objective at the one-hot is evaluated before the draw.
        let mut scratch = [0.0f32; 6];
        let draw = Draw {
            logits: &logits,
            allowed: None,
            noise: &noise,
        };
        let out = Buffers {
            gradient: &mut gradient,
            scratch: &mut scratch,
        };
        let broken = &mut Flat {
            weight: 1.0,
            fail: true,
        };
        assert_eq!(
            rebar::categorical(&mut generator, draw, lambda(0.5), 1.0, broken, out),
            Err(Error::OutsideSupport)
        );
        assert_eq!(
            rebar::binary(&mut generator, 0.0f32, 0.1, lambda(0.5), 1.0, broken).map(|r| r.0),
            Err(Error::OutsideSupport)
        );
        assert_eq!(
            relax::binary(&mut generator, -2e38f32, 3e38, lambda(0.5), 1.0, &mut {
                ok
            })
            .map(|r| r.0),
            Err(Error::UnavailableAction { index: 1 })
        );
        assert_eq!(generator.next_u32(), rng().next_u32());
        // The surrogate's own refusal comes after the K = 2 words of the conditional noise.
        let mut generator = rng();
        assert_eq!(
            relax_categorical(&mut generator, &logits, &noise, 1.0, broken, &mut gradient),
            Err(Error::OutsideSupport)
        );
        let mut expected = rng();
        expected.next_u32();
        expected.next_u32();
        assert_eq!(generator.next_u32(), expected.next_u32());
        assert_eq!(gradient, [7.0; 2]);
    }

    /// RELAX (objective `value`) or REBAR (η = `value`) with the [`Quadratic`] surrogate, as a
    /// call for [`testing::refused`].
    fn refusal<'a>(
        use_rebar: bool,
        logits: &'a [f32],
        noise: &'a [f32],
        value: f32,
        scratch: usize,
    ) -> impl FnOnce(&mut Xoshiro128PlusPlus, &mut [f32]) -> Result<(), Error> + 'a {
        move |rng, gradient| {
            let draw = Draw {
                logits,
                allowed: None,
                noise,
            };
            let mut scratch = vec![0.0f32; scratch];
            let out = Buffers {
                gradient,
                scratch: &mut scratch,
            };
            let l = lambda(0.5);
            let result = if use_rebar {
                rebar::categorical(rng, draw, l, value, &mut Quadratic, out)
            } else {
                relax::categorical(rng, draw, l, value, &mut Quadratic, out)
            };
            result.map(|_| ())
        }
    }

    #[test]
    fn control_variates_refuse_bad_input() {
        let logits = [0.0f32, 1.0, -f32::INFINITY];
        let noise = [0.3f32, 0.1, 0.0];
        let l = lambda(0.5);
        let mut scratch = [0.0f32; 9];
        let call = |use_rebar, value, scratch| refusal(use_rebar, &logits, &noise, value, scratch);
        let too_small = |found| Error::BufferTooSmall { needed: 9, found };
        testing::refused(3, too_small(8), call(false, 1.0, 8));
        testing::refused(3, Error::Nan { index: 0 }, call(false, f32::NAN, 9));
        testing::refused(
            3,
            Error::NotFinite { index: 0 },
            call(true, f32::INFINITY, 9),
        );
        testing::refused(3, too_small(3), call(true, 1.0, 3));

        // Surrogates that misbehave: their NaN is refused, their error passed through. The
        // conditional noise has been drawn by then, so only the output is checked.
        let cases = [
            (
                Broken {
                    value: f32::NAN,
                    slope: 0.0,
                    fail: false,
                },
                Error::Nan { index: 0 },
            ),
            (
                Broken {
                    value: 0.0,
                    slope: f32::INFINITY,
                    fail: false,
                },
                Error::NotFinite { index: 0 },
            ),
            (
                Broken {
                    value: 0.0,
                    slope: 0.0,
                    fail: true,
                },
                Error::OutsideSupport,
            ),
        ];
        for (mut surrogate, expected) in cases {
            let mut out = [testing::SENTINEL; 3];
            let result = relax::categorical(
                &mut testing::rng(),
                Draw {
                    logits: &logits,
                    allowed: None,
                    noise: &noise,
                },
                l,
                1.0,
                &mut surrogate,
                Buffers {
                    gradient: &mut out,
                    scratch: &mut scratch,
                },
            );
            assert_eq!(result, Err(expected));
            assert_eq!(out, [testing::SENTINEL; 3]);
            assert_eq!(
                relax::binary(&mut testing::rng(), 0.0f32, 0.3, l, 1.0, &mut surrogate)
                    .map(|r| r.0),
                Err(expected)
            );
        }
        assert_eq!(
            rebar::binary(
                &mut testing::rng(),
                0.0f32,
                f32::NAN,
                l,
                1.0,
                &mut Quadratic
            )
            .map(|r| r.0),
            Err(Error::Nan { index: 0 })
        );
        assert_eq!(
            rebar::binary(
                &mut testing::rng(),
                0.0f32,
                0.1,
                l,
                f32::NAN,
                &mut Quadratic
            )
            .map(|r| r.0),
            Err(Error::Nan { index: 0 })
        );

        for (initial, rate) in [
            (f32::NAN, 0.1f32),
            (f32::INFINITY, 0.1),
            (1.0, 0.0),
            (1.0, -0.1),
            (1.0, f32::NAN),
        ] {
            assert_eq!(
                AdaptiveEta::new(initial, rate),
                Err(Error::InvalidParameter)
            );
        }
        let mut eta = AdaptiveEta::new(1.0f32, 0.1).unwrap();
        let terms = Terms {
            action: 0,
            surrogate: 0.0,
            conditional_surrogate: 0.0,
            eta_variance_gradient: f32::NAN,
        };
        assert_eq!(eta.update(&terms), Err(Error::NonFiniteUpdate));
        assert_eq!(eta.value(), 1.0);
        // A positive variance gradient lowers η.
        let terms = Terms {
            eta_variance_gradient: 3.0,
            ..terms
        };
        eta.update(&terms).unwrap();
        assert!(eta.value() < 1.0);
    }

    #[test]
    fn extreme_logits_give_finite_gradients() {
        let mut generator = testing::rng();
        let l = lambda(0.1);
        let cases: [&[f32]; 4] = [
            &[1e30, -1e30, 0.0, 5.0],
            &[20.0, -20.0, 19.9, -f32::INFINITY],
            &[0.0, 0.0, 0.0, 0.0],
            &[-1e30, -1e30, -1e30, 1e30],
        ];
        let mut noise = [0.0f32; 4];
        let mut scratch = [0.0f32; 12];
        let mut out = [0.0f32; 4];
        for logits in cases {
            for _ in 0..2_000 {
                let b =
                    crate::categorical::sample_with_noise(&mut generator, logits, None, &mut noise)
                        .unwrap();
                let mut v = [1.0f32, -2.0, 0.5, 3.0];
                reparam::concrete(logits, None, &noise, l, &mut v).unwrap();
                assert!(v.iter().all(|x| x.is_finite()));
                gumbel_rao::categorical(
                    &mut generator,
                    Choice {
                        logits,
                        allowed: None,
                        action: b,
                    },
                    l,
                    4,
                    &[1.0, -2.0, 0.5, 3.0],
                    Buffers {
                        gradient: &mut out,
                        scratch: &mut scratch[..4],
                    },
                )
                .unwrap();
                assert!(out.iter().all(|x| x.is_finite()));
                rebar::categorical(
                    &mut generator,
                    Draw {
                        logits,
                        allowed: None,
                        noise: &noise,
                    },
                    l,
                    1.0,
                    &mut Quadratic,
                    Buffers {
                        gradient: &mut out,
                        scratch: &mut scratch,
                    },
                )
                .unwrap();
                assert!(out.iter().all(|x| x.is_finite()), "{logits:?}: {out:?}");
            }
        }
        for logit in [1e30f32, -1e30, 30.0, -30.0, 0.0] {
            for _ in 0..2_000 {
                let noise: f32 = crate::noise::logistic(&mut generator);
                let (g, _) =
                    rebar::binary(&mut generator, logit, noise, l, 1.0, &mut Quadratic).unwrap();
                assert!(g.is_finite());
                let b = logit + noise > 0.0;
                assert!(
                    gumbel_rao::binary(&mut generator, logit, b, l, 4, 1.0)
                        .unwrap()
                        .is_finite()
                );
            }
        }
    }
}
