//! [`Scalar`] for `f32`: IEEE 754 arithmetic, transcendental functions from `libm` only.
//!
//! `libm` is pure Rust, and Rust never fuses or reorders floating-point operations, so every
//! target (x86-64, and Cortex-M with or without an FPU) computes the same bits.
//!
//! # Noise from a random word
//!
//! All four noise kernels read one 32-bit word `w` the same way: the top bit picks a half of
//! (0, 1) and the low 31 bits `m` give the distance `t = (2m + 1) · 2^-33` (rounded to `f32`)
//! from the nearer end, so `t ∈ [2^-33, 1/2]`. The variate is then `U = t` (top bit clear) or
//! `U = 1 - t` (top bit set), and the logarithms are taken of `t` directly (`ln t`, or
//! `ln_1p(-t)` for `ln(1 - t)`), so both tails keep 2^-33 resolution instead of the 2^-24 of a
//! plain 24-bit uniform. No word gives 0, 1, ±inf or NaN; the ranges are:
//!
//! | kernel | range |
//! |---|---|
//! | [`uniform_from_word`](Scalar::uniform_from_word) | `[2^-24, 1 - 2^-24]` (23 bits) |
//! | [`exponential_from_word`](Scalar::exponential_from_word) | `[2^-33, 33 ln 2 ≈ 22.87]` |
//! | [`gumbel_from_word`](Scalar::gumbel_from_word) | `[-ln(33 ln 2) ≈ -3.13, 33 ln 2 ≈ 22.87]` |
//! | [`logistic_from_word`](Scalar::logistic_from_word) | `[-22.87, 22.87]`, exactly symmetric |
//!
//! The exhaustive test in `tests/noise.rs` evaluates every kernel at every value `t` can take.

use super::{Scalar, sealed::Sealed};

/// 2^-33, the spacing of the distance `t` from the nearer end of (0, 1).
const TWO_POW_NEG_33: f32 = f32::from_bits((127 - 33) << 23);
/// 2^-24, the spacing of the 23-bit uniform.
const TWO_POW_NEG_24: f32 = f32::from_bits((127 - 24) << 23);

/// Splits a random word into `(upper, t)`: `upper` says `U = 1 - t` rather than `U = t`, and
/// `t ∈ [2^-33, 1/2]` is the distance from the nearer end of the interval.
#[inline]
pub(crate) fn split_word(word: u32) -> (bool, f32) {
    let upper = word >> 31 == 1;
    let odd = ((word & 0x7FFF_FFFF) << 1) | 1;
    (upper, odd as f32 * TWO_POW_NEG_33)
}

/// `-ln U` for the `U` that `(upper, t)` stands for.
#[inline]
pub(crate) fn exponential_from_parts(upper: bool, t: f32) -> f32 {
    if upper {
        -libm::log1pf(-t)
    } else {
        -libm::logf(t)
    }
}

/// `ln U - ln(1 - U)` for the `U` that `(upper, t)` stands for.
#[inline]
pub(crate) fn logistic_from_parts(upper: bool, t: f32) -> f32 {
    let magnitude = libm::log1pf(-t) - libm::logf(t);
    if upper { magnitude } else { -magnitude }
}

impl Sealed for f32 {}

impl Scalar for f32 {
    const ZERO: Self = 0.0;
    const ONE: Self = 1.0;
    const HALF: Self = 0.5;
    const LN_2: Self = core::f32::consts::LN_2;
    const MAX: Self = f32::MAX;
    const LOWEST: Self = f32::MIN;
    const NEG_LOG_ZERO: Self = f32::NEG_INFINITY;
    const EPSILON: Self = f32::EPSILON;
    const MIN_TEMPERATURE: Self = f32::from_bits(1);

    #[inline]
    fn from_i32(n: i32) -> Self {
        n as f32
    }
    #[inline]
    fn from_f64(x: f64) -> Self {
        x as f32
    }
    #[inline]
    fn to_f64(self) -> f64 {
        f64::from(self)
    }
    #[inline]
    fn to_bits(self) -> u32 {
        f32::to_bits(self)
    }
    #[inline]
    fn from_bits(bits: u32) -> Self {
        f32::from_bits(bits)
    }

    #[inline]
    fn is_nan(self) -> bool {
        f32::is_nan(self)
    }
    #[inline]
    fn is_finite(self) -> bool {
        f32::is_finite(self)
    }
    #[inline]
    fn is_neg_infinity(self) -> bool {
        self == f32::NEG_INFINITY
    }
    #[inline]
    fn is_pos_infinity(self) -> bool {
        self == f32::INFINITY
    }

    #[inline]
    fn max(self, other: Self) -> Self {
        if self.is_nan() || other > self {
            other
        } else {
            self
        }
    }
    #[inline]
    fn min(self, other: Self) -> Self {
        if self.is_nan() || other < self {
            other
        } else {
            self
        }
    }
    #[inline]
    fn abs(self) -> Self {
        libm::fabsf(self)
    }

    /// `libm::expf`: within 1 ulp of `e^x` (musl's bound).
    #[inline]
    fn exp(self) -> Self {
        libm::expf(self)
    }
    /// `libm::logf`: within 1 ulp of `ln x`.
    #[inline]
    fn ln(self) -> Self {
        libm::logf(self)
    }
    /// `libm::log1pf`: within 1 ulp of `ln(1 + x)`.
    #[inline]
    fn ln_1p(self) -> Self {
        libm::log1pf(self)
    }
    /// `libm::sqrtf`: correctly rounded.
    #[inline]
    fn sqrt(self) -> Self {
        libm::sqrtf(self)
    }

    /// `((word >> 8) | 1) · 2^-24`: the odd multiples of 2^-24, each of the 2^23 values equally
    /// likely, all exactly representable, in `[2^-24, 1 - 2^-24]`.
    #[inline]
    fn uniform_from_word(word: u32) -> Self {
        ((word >> 8) | 1) as f32 * TWO_POW_NEG_24
    }
    #[inline]
    fn exponential_from_word(word: u32) -> Self {
        let (upper, t) = split_word(word);
        exponential_from_parts(upper, t)
    }
    #[inline]
    fn gumbel_from_word(word: u32) -> Self {
        let (upper, t) = split_word(word);
        -libm::logf(exponential_from_parts(upper, t))
    }
    #[inline]
    fn logistic_from_word(word: u32) -> Self {
        let (upper, t) = split_word(word);
        logistic_from_parts(upper, t)
    }
}
