//! Noise from raw random bits: uniform on the open interval (0, 1), Gumbel, logistic and
//! exponential variates.
//!
//! Every function draws exactly one 32-bit word (`Rng::next_u32`) per variate and hands it to the
//! scalar's kernel, so a stream of words maps to a stream of variates the same way on every
//! target. No word, including 0 and `u32::MAX`, gives 0, 1, ±inf or NaN; the exact ranges for
//! `f32` are tabulated in [`Scalar`]'s `f32` implementation notes (the crate's
//! `scalar/float.rs`): Gumbel noise lies in `[-3.13, 22.87]`, logistic in `[-22.87, 22.87]`,
//! exponential in `[2^-33, 22.87]`, uniform in `[2^-24, 1 - 2^-24]`.

use rand_core::Rng;

use crate::Scalar;

/// A uniform variate on the open interval (0, 1).
#[inline]
pub fn uniform<S: Scalar, R: Rng + ?Sized>(rng: &mut R) -> S {
    S::uniform_from_word(rng.next_u32())
}

/// A standard Gumbel variate, `-ln(-ln U)`: location 0, scale 1, CDF `exp(-exp(-g))`.
#[inline]
pub fn gumbel<S: Scalar, R: Rng + ?Sized>(rng: &mut R) -> S {
    S::gumbel_from_word(rng.next_u32())
}

/// A standard logistic variate, `ln U - ln(1 - U)`: CDF `1 / (1 + e^-l)`.
#[inline]
pub fn logistic<S: Scalar, R: Rng + ?Sized>(rng: &mut R) -> S {
    S::logistic_from_word(rng.next_u32())
}

/// A standard exponential variate, `-ln U`: CDF `1 - e^-x`.
#[inline]
pub fn exponential<S: Scalar, R: Rng + ?Sized>(rng: &mut R) -> S {
    S::exponential_from_word(rng.next_u32())
}

/// Fills `out` with independent standard Gumbel variates, one word each, in order.
#[inline]
pub fn fill_gumbel<S: Scalar, R: Rng + ?Sized>(rng: &mut R, out: &mut [S]) {
    for g in out {
        *g = gumbel(rng);
    }
}
