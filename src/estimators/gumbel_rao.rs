//! The Gumbel-Rao estimator (Paulus, Maddison and Krause 2021): the straight-through gradient
//! Rao-Blackwellised over the noise. Given the drawn action `a`, it averages the Concrete VJP
//! over `M` draws of Gumbel noise *conditioned on* `argmax(θ + g) = a`
//! ([`conditional`](crate::conditional)):
//! `(1/M) Σ_m y^m ⊙ (v − ⟨v, y^m⟩)/λ`, `y^m = softmax((θ + g^m)/λ)`, with the upstream
//! `v = ∂f/∂D` at the hard one-hot `D = one_hot(a)`. Same expectation as
//! [`straight_through`](super::straight_through), and variance no larger for every `M ≥ 1`.
//!
//! Streamed: each draw is folded into the output as it is made, so the memory is one noise
//! buffer of `K`, whatever `M`. Cost: `M` conditional draws (`K` random words each; one for the
//! binary estimator) and `O(MK)` arithmetic.
//!
//! # What is refused, and the range of the outputs
//! Errors as in [`reparam`](super::reparam) and [`conditional`](crate::conditional) (an action that is not
//! available, or of probability zero at the scalar's precision, is
//! [`Error::UnavailableAction`]), plus `draws` outside `1..=`[`MAX_DRAWS`] →
//! [`Error::InvalidParameter`], a scratch or gradient buffer of another length than the logits
//! → [`Error::LengthMismatch`], and an upstream gradient so large that the estimate could
//! overflow → [`Error::NonFiniteUpdate`] (`4 max|v| / λ` or `M max|v|` beyond the largest finite
//! value). Every check happens before the first random word is drawn; on error nothing is
//! written to the gradient.
//!
//! On `Ok` the estimate is finite, 0 for masked actions, and each coordinate lies within
//! `max|v| / (2λ)` of 0 (`y_i |v_i − ⟨v, y⟩| ≤ y_i (1 − y_i) · 2 max|v|`); the binary estimate
//! within `|v| / (4λ)`.

use rand_core::Rng;

use super::reparam::{ConcreteSample, Kept};
use super::{Buffers, Choice};
use crate::conditional::{condition_in_place, conditioning_support, draw_binary, outcome_logit};
use crate::scalar::{from_count, sigmoid};
use crate::validate::finite_scalar;
use crate::{Error, Scalar, Temperature};

/// The most conditional draws one estimate may average: 32,767, the largest count that fixed
/// point represents exactly (and far beyond the point where more draws stop lowering the
/// variance).
pub const MAX_DRAWS: usize = 32_767;

/// Writes the Gumbel-Rao estimate of `∂E[f]/∂logits` for the chosen action and the upstream
/// `v = ∂f/∂D` at its one-hot to `out.gradient`; `out.scratch` (the logits' length) holds
/// each conditional noise draw in turn. See the [module documentation](self) for what is
/// refused and the range of the estimate.
pub fn categorical<S: Scalar, R: Rng + ?Sized>(
    rng: &mut R,
    choice: Choice<'_, S>,
    temperature: Temperature<S>,
    draws: usize,
    upstream: &[S],
    out: Buffers<'_, S>,
) -> Result<(), Error> {
    let Choice {
        logits,
        allowed,
        action,
    } = choice;
    let Buffers { gradient, scratch } = out;
    let support = conditioning_support(logits, allowed, action)?;
    support.same_len(scratch.len())?;
    support.same_len(gradient.len())?;
    let count = draw_count::<S>(draws)?;
    // Checks the upstream gradient and the overflow bound of one draw once for all draws: the
    // bound does not depend on the noise.
    scratch.fill(S::ZERO);
    let mut room = Kept::new();
    ConcreteSample::validated(support, scratch, temperature, &mut room).checked_inner(upstream)?;
    // The sum over M draws: each term is at most max|v|/2 in magnitude.
    let largest = upstream.iter().fold(S::ZERO, |m, v| m.max(v.abs()));
    if largest > S::MAX / count {
        return Err(Error::NonFiniteUpdate);
    }

    gradient.fill(S::ZERO);
    for _ in 0..draws {
        crate::noise::fill_gumbel(rng, scratch);
        condition_in_place(&support, action, scratch);
        let relaxed = ConcreteSample::validated(support, scratch, temperature, &mut room);
        let mut inner = S::ZERO;
        for (i, &v) in upstream.iter().enumerate() {
            inner += v * relaxed.y(i);
        }
        for (i, (out, &v)) in gradient.iter_mut().zip(upstream).enumerate() {
            *out += relaxed.y(i) * (v - inner);
        }
    }
    let lambda = temperature.get();
    for out in gradient.iter_mut() {
        *out = *out / count / lambda;
    }
    Ok(())
}

/// The Gumbel-Rao estimate for a binary sample `b`: `(v/λ) (1/M) Σ_m σ'(y^m)` with
/// `y^m = (logit + L^m)/λ` for logistic noise `L^m` conditioned on `b`, and `v = ∂f/∂b`. One
/// random word per draw. Refuses, drawing nothing: a NaN or infinite logit or upstream
/// ([`Error::Nan`], [`Error::NotFinite`]), an outcome of probability zero at the scalar's
/// precision ([`Error::UnavailableAction`]), `draws` outside `1..=`[`MAX_DRAWS`]
/// ([`Error::InvalidParameter`]) and `4|v|/λ` beyond the largest finite value
/// ([`Error::NonFiniteUpdate`]). On `Ok` the estimate is finite, within `|v|/(4λ)` of 0.
pub fn binary<S: Scalar, R: Rng + ?Sized>(
    rng: &mut R,
    logit: S,
    b: bool,
    temperature: Temperature<S>,
    draws: usize,
    upstream: S,
) -> Result<S, Error> {
    let theta = outcome_logit(logit, b)?;
    finite_scalar(upstream)?;
    let count = draw_count::<S>(draws)?;
    let lambda = temperature.get();
    if !(S::from_i32(4) * upstream.abs() / lambda).is_finite() {
        return Err(Error::NonFiniteUpdate);
    }
    let mut total = S::ZERO;
    for _ in 0..draws {
        let noise = draw_binary(rng, theta, b);
        let y = crate::binary::logit_from_noise_unchecked(logit, noise, temperature);
        total += sigmoid(y) * sigmoid(-y);
    }
    Ok(upstream * (total / count) / lambda)
}

/// `draws` as a scalar, if it lies in `1..=MAX_DRAWS` ([`Error::InvalidParameter`] otherwise).
fn draw_count<S: Scalar>(draws: usize) -> Result<S, Error> {
    if (1..=MAX_DRAWS).contains(&draws) {
        Ok(from_count(draws))
    } else {
        Err(Error::InvalidParameter)
    }
}

#[cfg(test)]
mod tests {
    use rand_core::{Rng, SeedableRng};
    use rand_xoshiro::Xoshiro128PlusPlus;

    use super::*;
    use crate::conditional::testing;

    fn rng() -> Xoshiro128PlusPlus {
        Xoshiro128PlusPlus::seed_from_u64(4)
    }

    fn lambda(x: f32) -> Temperature<f32> {
        Temperature::new(x).unwrap()
    }

    fn estimate(
        generator: &mut Xoshiro128PlusPlus,
        logits: &[f32],
        action: usize,
        draws: usize,
        upstream: &[f32],
        gradient: &mut [f32],
    ) -> Result<(), Error> {
        let mut scratch = [0.0f32; 2];
        let choice = Choice {
            logits,
            allowed: None,
            action,
        };
        let out = Buffers {
            gradient,
            scratch: &mut scratch[..logits.len()],
        };
        categorical(generator, choice, lambda(1.0), draws, upstream, out)
    }

    /// Issue 10, defect 6: the overflow guard ignored the sum over the draws, so 20 draws of
    /// `[8e37, -8e37]` gave `Ok([inf, -inf])`. Now refused before any word is drawn.
    #[test]
    fn the_sum_over_draws_cannot_overflow() {
        let upstream = [8e37f32, -8e37];
        let mut generator = rng();
        let mut gradient = [1.0f32; 2];
        assert_eq!(
            estimate(&mut generator, &[0.0, 0.0], 0, 20, &upstream, &mut gradient),
            Err(Error::NonFiniteUpdate)
        );
        assert_eq!(gradient, [1.0; 2]);
        assert_eq!(generator.next_u32(), rng().next_u32());
        // Four draws stay within MAX: finite, and within max|v|/(2λ).
        estimate(&mut generator, &[0.0, 0.0], 0, 4, &upstream, &mut gradient).unwrap();
        assert!(gradient.iter().all(|g| g.abs() <= 4e37), "{gradient:?}");
    }

    /// Issue 10, defect 2, through Gumbel-Rao: `Ok([NaN, NaN])` before.
    #[test]
    fn an_action_of_probability_zero_is_refused() {
        let mut generator = rng();
        let mut gradient = [1.0f32; 2];
        assert_eq!(
            estimate(
                &mut generator,
                &[f32::MAX, -f32::MAX],
                1,
                3,
                &[1.0, 1.0],
                &mut gradient
            ),
            Err(Error::UnavailableAction { index: 1 })
        );
        assert_eq!(generator.next_u32(), rng().next_u32());
    }

    /// Issue 10, defect 8: the binary estimator drew, then refused the infinite conditional
    /// noise with `NotFinite`; now it refuses before its first word.
    #[test]
    fn binary_refuses_before_drawing() {
        let mut generator = rng();
        assert_eq!(
            binary(&mut generator, -f32::MAX, true, lambda(1.0), 4, 1.0),
            Err(Error::UnavailableAction { index: 1 })
        );
        for draws in [0, MAX_DRAWS + 1] {
            assert_eq!(
                binary(&mut generator, 0.0f32, true, lambda(1.0), draws, 1.0),
                Err(Error::InvalidParameter)
            );
        }
        assert_eq!(generator.next_u32(), rng().next_u32());
        let g = binary(&mut generator, 0.0f32, true, lambda(0.5), 10, 2.0).unwrap();
        assert!(g > 0.0 && g <= 2.0 / (4.0 * 0.5));
    }

    /// The categorical estimator as a call for [`testing::refused`].
    fn refusal<'a>(
        logits: &'a [f32],
        action: usize,
        l: Temperature<f32>,
        draws: usize,
        up: &'a [f32],
        scratch: usize,
    ) -> impl FnOnce(&mut Xoshiro128PlusPlus, &mut [f32]) -> Result<(), Error> + 'a {
        move |rng, out| {
            let choice = Choice {
                logits,
                allowed: None,
                action,
            };
            let mut scratch = vec![0.0f32; scratch];
            let out = Buffers {
                gradient: out,
                scratch: &mut scratch,
            };
            categorical(rng, choice, l, draws, up, out)
        }
    }

    #[test]
    fn gumbel_rao_refuses_bad_input() {
        let logits = [0.0f32, 1.0, -f32::INFINITY];
        let up = [1.0f32, -1.0, 0.0];
        let l = lambda(1.0);
        let call = |action, l, draws, up, scratch| refusal(&logits, action, l, draws, up, scratch);
        testing::refused(3, Error::InvalidParameter, call(0, l, 0, &up, 3));
        let unavailable = Error::UnavailableAction { index: 2 };
        testing::refused(3, unavailable, call(2, l, 10, &up, 3));
        let nan = [0.0, f32::NAN, 0.0];
        testing::refused(3, Error::Nan { index: 1 }, call(0, l, 10, &nan, 3));
        let short = Error::LengthMismatch {
            expected: 3,
            found: 2,
        };
        testing::refused(3, short, call(0, l, 10, &up, 2));
        let huge = [1e30f32, 0.0, 0.0];
        testing::refused(
            3,
            Error::NonFiniteUpdate,
            call(0, lambda(1e-30), 10, &huge, 3),
        );
        let mut generator = testing::rng();
        assert_eq!(
            binary(&mut generator, 0.0f32, true, l, 0, 1.0),
            Err(Error::InvalidParameter)
        );
        assert_eq!(
            binary(&mut generator, 0.0f32, true, l, 10, f32::NAN),
            Err(Error::Nan { index: 0 })
        );
        assert_eq!(generator.next_u32(), testing::rng().next_u32());
    }
}
