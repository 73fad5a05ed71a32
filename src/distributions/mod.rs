//! Distributions as values: parameters validated once in `new`, then evaluated or sampled
//! without further checks.
//!
//! | type | what | layer |
//! |---|---|---|
//! | [`Gumbel`] | location μ, scale β: `log_pdf`, `pdf`, `cdf`, `log_cdf`, `sf`, `log_sf`, `quantile`, `sample` | noise |
//! | [`Logistic`] | the same for the logistic distribution | noise |
//! | [`Categorical`] | Gumbel-max over validated logits (and mask): `sample` gives an index | samplers |
//! | [`Concrete`] | relaxed one-hot samples over `K` validated logits, into `[S; K]` | samplers |
//! | [`BinaryConcrete`] | relaxed Bernoulli samples for a validated logit | samplers |
//!
//! Each type samples with an inherent `sample(&self, rng)` that cannot fail and draws exactly
//! what the matching free function draws (one random word per logit, or one per variate), so it
//! returns the same bits from the same generator state as
//! [`categorical::sample`](crate::categorical::sample), [`concrete::sample`](crate::concrete::sample)
//! or [`binary::sample`](crate::binary::sample), and at the standard parameters as
//! [`noise::gumbel`](crate::noise::gumbel) or [`noise::logistic`](crate::noise::logistic)
//! (`μ + β·G` otherwise). With the feature
//! `rand` every type also implements `rand::distr::Distribution` (the `Rng` of `rand` 0.10 *is*
//! `rand_core` 0.10's, which every sampler here takes), so code written for `rand_distr` works
//! unchanged, and a hot loop validates once instead of at every call.
//!
//! `Gumbel` and `Logistic` sit at the noise layer: they use the scalar kernels and the noise
//! words, nothing above. The other three wrap the samplers.
//!
//! # Distribution functions: arguments, ends of the range, errors
//! A function of `x` first forms the standardised `z = (x − μ)/β` (when `x − μ` overflows, as
//! `x/β − μ/β`, where the signs differ and nothing cancels). `x = ±inf` in `f32` gives the limit
//! of the function (for example `cdf = 0` or `1`, `log_pdf = −inf`); in fixed point, which has
//! no infinity and saturates, a `z` at either end of the range (`MAX` or `LOWEST`) stands for
//! everything beyond it and gives the same limits, with the log-functions' `−inf` written as
//! [`Scalar::LN_ZERO`] (`LOWEST`). A NaN `x` is [`Error::Nan`]; nothing else is refused.
//!
//! # Error bounds
//! Each function's documentation states two bounds: one for `f32`, relative to the exact value
//! of the function at the given (exactly representable) argument, in units of `u = 2^-24`
//! (half an ulp of 1), and one for `gumbel::Fixed` (feature `fixed`), absolute, in LSB (`2^-16`). Both
//! assume the standard parameters (μ = 0, β = 1), where `z = x` exactly; with other parameters
//! forming `z` adds its own rounding, `|Δz| ≤ 2u·|z|` in `f32` and at most 1 LSB in fixed point,
//! and the result moves by `|f'(z)|·|Δz|` more: the conditioning of the function at `x`, not an
//! error of its evaluation. In `f32`, a result (or intermediate) below `f32::MIN_POSITIVE` is
//! subnormal and keeps only an absolute accuracy of a few `2^-149`, and a result beyond
//! `f32::MAX` rounds to infinity; the bounds hold outside those ranges. In fixed point an exact
//! value beyond the range saturates, and the bound is against the saturated value.
//!
//! `tests/distribution_functions.rs` proves every bound against an f64 reference computed from
//! an independent closed form: every fixed-point argument in the range where the function is
//! not constant (3.1 million values, exhaustively), a stride through the rest, and every one of
//! the 65 535 fixed-point uniforms of the quantiles; in `f32`, where each function has 2^32
//! arguments, every 1024th bit pattern over the whole line (every binade at 2^13 points), every
//! 64th where the functions change fastest, and every single value in windows of 2^15 ulps
//! around each branch point, overflow and underflow threshold of the formulas. Between those
//! points each formula is one fixed composition of `libm` functions whose own error is within
//! 1 ulp everywhere, so the error cannot change character between the sampled points.

/// What every location-scale family here shares: `new`, `standard`, the two accessors, and
/// the `rand` impl that forwards to the family's own `sample`. Defined before the modules that
/// use it.
macro_rules! location_scale_family {
    ($family:ident, $name:literal) => {
        impl<S: Scalar> $family<S> {
            #[doc = concat!("The ", $name, " distribution with location `location` (μ) and scale `scale` (β).")]
            ///
            /// Errors: a NaN or infinite parameter is [`Error::Nan`] / [`Error::NotFinite`] with
            /// index 0 for the location and 1 for the scale; a scale `<= 0`, or so small that
            /// its reciprocal overflows (`f32` below 2.9e-39, where the density itself would
            /// overflow), is [`Error::InvalidParameter`].
            pub fn new(location: S, scale: S) -> Result<Self, Error> {
                LocationScale::new(location, scale).map(|parameters| Self { parameters })
            }

            #[doc = concat!("The standard ", $name, " distribution, μ = 0 and β = 1.")]
            pub fn standard() -> Self {
                Self {
                    parameters: LocationScale::standard(),
                }
            }

            /// The location μ.
            pub fn location(&self) -> S {
                self.parameters.location
            }

            /// The scale β.
            pub fn scale(&self) -> S {
                self.parameters.scale
            }
        }

        #[cfg(feature = "rand")]
        impl<S: Scalar> rand::distr::Distribution<S> for $family<S> {
            #[doc = concat!("[`", stringify!($family), "::sample`].")]
            #[inline]
            fn sample<R: rand::Rng + ?Sized>(&self, rng: &mut R) -> S {
                $family::sample(self, rng)
            }
        }
    };
}

mod binary_concrete;
mod categorical;
mod concrete;
mod gumbel;
mod logistic;

pub use binary_concrete::BinaryConcrete;
pub use categorical::Categorical;
pub use concrete::Concrete;
pub use gumbel::Gumbel;
pub use logistic::Logistic;

use crate::validate::finite_scalar;
use crate::{Error, Scalar};

/// A location μ and scale β, checked once: `μ` finite, `β` finite, `> 0` and with a finite
/// reciprocal (so every density, at most a small multiple of `1/β`, is finite). `ln β` is kept,
/// as the log-densities need it at every call.
#[derive(Debug, Clone, Copy, PartialEq)]
struct LocationScale<S> {
    location: S,
    scale: S,
    ln_scale: S,
}

/// Where the standardised argument `z` lies.
#[derive(Debug, Clone, Copy)]
enum Standardised<S> {
    /// At or below the bottom of the range: `−inf` in `f32`, `LOWEST` in fixed point.
    Bottom,
    /// Strictly inside the range (any finite `f32`).
    Inside(S),
    /// At or above the top of the range: `+inf` in `f32`, `MAX` in fixed point.
    Top,
}

/// Fixed point has no infinities and saturates: its ends stand for everything beyond them.
#[inline]
fn saturates<S: Scalar>() -> bool {
    !S::LN_ZERO.is_neg_infinity()
}

/// `v` is at or beyond the top of the range (`+inf`; `MAX` in fixed point).
#[inline]
fn at_top<S: Scalar>(v: S) -> bool {
    if saturates::<S>() {
        v >= S::MAX
    } else {
        v.is_pos_infinity()
    }
}

/// `v` is at or beyond the bottom of the range (`−inf`; `LOWEST` in fixed point).
#[inline]
fn at_bottom<S: Scalar>(v: S) -> bool {
    if saturates::<S>() {
        v <= S::LOWEST
    } else {
        v.is_neg_infinity()
    }
}

/// `n / d` as a scalar: the series coefficients, built from integers (`|n|, d < 2^15`) so that
/// fixed point forms them without floating point.
#[inline]
fn ratio<S: Scalar>(n: i32, d: i32) -> S {
    S::from_i32(n) / S::from_i32(d)
}

impl<S: Scalar> LocationScale<S> {
    /// [`Error::Nan`] / [`Error::NotFinite`] with index 0 for the location, 1 for the scale;
    /// a scale `<= 0` or with an infinite reciprocal is [`Error::InvalidParameter`].
    fn new(location: S, scale: S) -> Result<Self, Error> {
        finite_scalar(location)?;
        finite_scalar(scale).map_err(|e| match e {
            Error::Nan { .. } => Error::Nan { index: 1 },
            _ => Error::NotFinite { index: 1 },
        })?;
        if scale <= S::ZERO || !(S::ONE / scale).is_finite() {
            return Err(Error::InvalidParameter);
        }
        Ok(Self {
            location,
            scale,
            ln_scale: scale.ln(),
        })
    }

    fn standard() -> Self {
        Self {
            location: S::ZERO,
            scale: S::ONE,
            ln_scale: S::ZERO,
        }
    }

    /// `z = (x − μ)/β`, classified.
    fn standardise(&self, x: S) -> Result<Standardised<S>, Error> {
        if x.is_nan() {
            return Err(Error::Nan { index: 0 });
        }
        // An infinite point is beyond every finite z, whatever μ and β (and x/β − μ/β would be
        // inf − inf when μ/β overflows too).
        if x.is_pos_infinity() {
            return Ok(Standardised::Top);
        }
        if x.is_neg_infinity() {
            return Ok(Standardised::Bottom);
        }
        let difference = x - self.location;
        let z = if at_top(difference) || at_bottom(difference) {
            // x − μ overflowed: the signs of x and −μ agree, so the two quotients add without
            // cancelling.
            x / self.scale - self.location / self.scale
        } else {
            difference / self.scale
        };
        Ok(if at_top(z) {
            Standardised::Top
        } else if at_bottom(z) {
            Standardised::Bottom
        } else {
            Standardised::Inside(z)
        })
    }

    /// `f(z)` inside the range, or the limits `below` / `above` at the ends.
    #[inline]
    fn evaluate(&self, x: S, below: S, above: S, f: impl FnOnce(S) -> S) -> Result<S, Error> {
        Ok(match self.standardise(x)? {
            Standardised::Bottom => below,
            Standardised::Inside(z) => f(z),
            Standardised::Top => above,
        })
    }

    /// `μ + β·v`, for a standard quantile or variate `v` (`±inf` in `f32` stays infinite).
    #[inline]
    fn scaled(&self, v: S) -> S {
        self.location + self.scale * v
    }

    /// A quantile `μ + β·q(u)`: `u` must lie in `[0, 1]` ([`Error::Nan`],
    /// [`Error::OutsideSupport`]); `u = 0` and `u = 1` give `−inf` and `+inf` (`LOWEST` and `MAX`
    /// in fixed point), and `q` is called only for `0 < u < 1`, where the result is clamped to
    /// the finite range (a quantile beyond it, possible only when `β·|q|` or `μ + β·q`
    /// overflows, is the nearest finite value, as fixed point saturates).
    fn quantile(&self, u: S, q: impl FnOnce(S) -> S) -> Result<S, Error> {
        if u.is_nan() {
            return Err(Error::Nan { index: 0 });
        }
        if u < S::ZERO || u > S::ONE {
            return Err(Error::OutsideSupport);
        }
        Ok(if u == S::ZERO {
            S::LN_ZERO
        } else if u == S::ONE {
            -S::LN_ZERO
        } else {
            self.variate(q(u))
        })
    }

    /// A variate `μ + β·v` from a standard one, clamped to the finite range (in `f32` only
    /// extreme parameters can overflow; the noise itself is always finite).
    #[inline]
    fn variate(&self, v: S) -> S {
        self.scaled(v).max(S::LOWEST).min(S::MAX)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parameters_are_validated() {
        for (location, scale, error) in [
            (f32::NAN, 1.0, Error::Nan { index: 0 }),
            (f32::INFINITY, 1.0, Error::NotFinite { index: 0 }),
            (0.0, f32::NAN, Error::Nan { index: 1 }),
            (0.0, f32::INFINITY, Error::NotFinite { index: 1 }),
            (0.0, 0.0, Error::InvalidParameter),
            (0.0, -1.0, Error::InvalidParameter),
            // A reciprocal that overflows: the density at the mode would be infinite.
            (0.0, 1e-40, Error::InvalidParameter),
            (0.0, f32::from_bits(1), Error::InvalidParameter),
        ] {
            assert_eq!(Gumbel::new(location, scale), Err(error));
            assert_eq!(Logistic::new(location, scale), Err(error));
        }
        let g = Gumbel::new(1.5f32, 0.25).unwrap();
        assert_eq!((g.location(), g.scale()), (1.5, 0.25));
        // The smallest scales accepted keep every function finite, at infinite points too, and a
        // quantile beyond the finite range is clamped to it.
        let tiny = Gumbel::new(1.0f32, 3e-39).unwrap();
        for x in [f32::NEG_INFINITY, 1.0, f32::INFINITY] {
            assert!(tiny.pdf(x).unwrap().is_finite() && tiny.log_cdf(x).unwrap() <= 0.0);
        }
        let wide = Logistic::new(0.0f32, f32::MAX).unwrap();
        assert_eq!(wide.quantile(1e-6).unwrap(), f32::MIN);
        assert_eq!(wide.quantile(1.0 - 1e-6).unwrap(), f32::MAX);
        assert_eq!(Gumbel::<f32>::standard(), Gumbel::new(0.0, 1.0).unwrap());
        assert_eq!(
            Logistic::<f32>::standard(),
            Logistic::new(0.0, 1.0).unwrap()
        );
    }
}
