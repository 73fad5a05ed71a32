//! Noise from raw random bits: uniform on the open interval (0, 1), Gumbel, logistic and
//! exponential variates.
//!
//! Every function draws exactly one 32-bit word (`Rng::next_u32`) per variate and hands it to the
//! scalar's kernel, so a stream of words maps to a stream of variates the same way on every
//! target. No word, including 0 and `u32::MAX`, gives 0, 1, ±inf or NaN.
//!
//! # `f32`: from a word to a variate
//! The top bit of the word picks a half of (0, 1) and the low 31 bits `m` give the distance
//! `t = (2m + 1)·2^-33` (rounded to `f32`) from the nearer end: `U = t` or `U = 1 − t`. The
//! logarithms are taken of `t` itself (`ln t`, or `ln_1p(−t)` for `ln(1 − t)`), so *both* tails
//! are resolved to 2^-33 — a plain 24-bit uniform stops at 2^-24, which cuts the Gumbel tail at
//! 16.6 instead of 22.9. The word 0 gives the smallest `U`, the word 2^31 the largest.
//!
//! | variate | range over all 2^32 words | error against the exact variate of the same `U` |
//! |---|---|---|
//! | [`uniform`] (23 bits: `((w >> 8) \| 1)·2^-24`) | `[2^-24, 1 − 2^-24]` | exact |
//! | [`exponential`] `−ln U` | `[2^-33, 33 ln 2 ≈ 22.87]` | `≤ 2^-23·E` |
//! | [`gumbel`] `−ln(−ln U)` | `[−3.13, 22.87]` | `≤ 2^-23·(1 + \|G\|)` |
//! | [`logistic`] `ln U − ln(1 − U)` | `[−22.87, 22.87]`, exactly symmetric | `≤ 2^-23·(\|ln t\| + \|ln(1−t)\|) + 2^-24·\|L\|` |
//!
//! The bounds follow from `libm`'s `logf`/`log1pf` being within 1 ulp; a unit test evaluates
//! every kernel at every value `t` can take, in both halves, against f64, and proves them.
//! The fixed-point type documents its own kernels.

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
