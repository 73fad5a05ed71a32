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
//! The word 0 gives the smallest `U` (2^-33) and the word 2^31 the largest (1 − 2^-33); the
//! word `u32::MAX` gives `U = 1/2`.
//!
//! # Error bounds
//! Against the exact variate of the same `U` (`t` is exact by definition), with `libm`'s `logf`
//! and `log1pf` within 1 ulp: exponential `|ΔE| ≤ 2^-23·E`; Gumbel `|ΔG| ≤ 2^-23·(1 + |G|)`;
//! logistic `|ΔL| ≤ 2^-23·(|ln t| + |ln(1−t)|) + 2^-24·|L|`. The unit tests below evaluate every
//! kernel at every value `t` can take, in both halves, and prove these bounds and the ranges.

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
    const MAX: Self = f32::MAX;
    const LOWEST: Self = f32::MIN;
    const LN_ZERO: Self = f32::NEG_INFINITY;
    const EPSILON: Self = f32::EPSILON;
    const MIN_TEMPERATURE: Self = f32::from_bits(1);

    /// The sum in `f32`: the same bits as summing [`exp`](Scalar::exp) term by term.
    type ExpSum = f32;

    #[inline]
    fn exp_sum_new() -> f32 {
        0.0
    }
    #[inline]
    fn exp_and_accumulate(x: Self, acc: &mut f32) -> Self {
        // Through the trait (libm): the inherent `f32::exp` would be std's.
        let e = Scalar::exp(x);
        *acc += e;
        e
    }
    #[inline]
    fn exp_sum_ln(acc: f32) -> Self {
        Scalar::ln(acc)
    }
    #[inline]
    fn exp_sum_recip(acc: f32) -> Self {
        1.0 / acc
    }

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

#[cfg(test)]
mod tests {
    //! Exhaustive checks of the noise kernels: every distance `t` a word can produce (a superset:
    //! every odd integer below 2^24 and every `f32` in `[2^24, 2^32]`, times 2^-33), in both
    //! halves, against an f64 evaluation of the same exact variate.

    use super::*;

    /// Every value of `(2m + 1) as f32` (and a few more), i.e. every `t · 2^33`.
    fn every_scaled_distance() -> impl Iterator<Item = f32> {
        let small = (1u32..1 << 24).step_by(2).map(|n| n as f32);
        let first = (1u32 << 24) as f32;
        let last = 4_294_967_296.0f32;
        let large = (first.to_bits()..=last.to_bits()).map(f32::from_bits);
        small.chain(large)
    }

    const ULP: f64 = 1.0 / (1u64 << 23) as f64;

    /// Checks one half; returns (min, max) of Gumbel, exponential and logistic values.
    fn check_half(upper: bool) -> [(f64, f64); 3] {
        let mut ranges = [(f64::INFINITY, f64::NEG_INFINITY); 3];
        for scaled in every_scaled_distance() {
            let t = scaled * TWO_POW_NEG_33;
            let t64 = f64::from(t);
            let u64_ = if upper { 1.0 - t64 } else { t64 };
            let exact_e = if upper { -(-t64).ln_1p() } else { -t64.ln() };
            let exact_g = -exact_e.ln();
            let exact_l = t64.ln() - (-t64).ln_1p();
            let exact_l = if upper { -exact_l } else { exact_l };
            assert!(u64_ > 0.0 && u64_ < 1.0);

            let e = exponential_from_parts(upper, t);
            let g = -libm::logf(e);
            let l = logistic_from_parts(upper, t);
            for v in [e, g, l] {
                assert!(v.is_finite(), "t = {t:e}, upper = {upper}: {v}");
            }
            assert!(e > 0.0);
            // Bounds derived in the module docs of `noise`: libm's log/log1p are within 1 ulp.
            let (e64, g64, l64) = (f64::from(e), f64::from(g), f64::from(l));
            assert!(
                (e64 - exact_e).abs() <= ULP * exact_e,
                "E at t = {t:e}: {e} vs {exact_e}"
            );
            assert!(
                (g64 - exact_g).abs() <= ULP * (1.0 + exact_g.abs()),
                "G at t = {t:e}: {g} vs {exact_g}"
            );
            let l_bound = ULP * (t64.ln().abs() + (-t64).ln_1p().abs()) + ULP / 2.0 * exact_l.abs();
            assert!(
                (l64 - exact_l).abs() <= l_bound,
                "L at t = {t:e}: {l} vs {exact_l}"
            );
            for (range, v) in ranges.iter_mut().zip([g64, e64, l64]) {
                range.0 = range.0.min(v);
                range.1 = range.1.max(v);
            }
        }
        ranges
    }

    #[test]
    fn noise_kernels_are_finite_and_accurate_for_every_word() {
        let [lower, upper] = std::thread::scope(|s| {
            let lower = s.spawn(|| check_half(false));
            let upper = s.spawn(|| check_half(true));
            [lower.join().unwrap(), upper.join().unwrap()]
        });
        let span = |i: usize| (lower[i].0.min(upper[i].0), lower[i].1.max(upper[i].1));
        let (gumbel, exponential, logistic) = (span(0), span(1), span(2));
        eprintln!("Gumbel range {gumbel:?}, exponential {exponential:?}, logistic {logistic:?}");
        // The ranges documented in the module docs.
        let top = 33.0 * core::f64::consts::LN_2;
        assert!(gumbel.0 >= -(top.ln()) - 1e-6 && gumbel.1 <= top + 1e-5);
        assert!(exponential.0 >= 2f64.powi(-33) && exponential.1 <= top + 1e-5);
        assert!(logistic.0 == -logistic.1 && logistic.1 <= top + 1e-5);
        // The ends are reached by the words 0 (U = 2^-33) and 2^31 (U = 1 - 2^-33).
        assert_eq!(f64::from(f32::gumbel_from_word(0)), gumbel.0);
        assert_eq!(f64::from(f32::gumbel_from_word(1 << 31)), gumbel.1);
        assert_eq!(f64::from(f32::logistic_from_word(0)), logistic.0);
        assert_eq!(f64::from(f32::logistic_from_word(1 << 31)), logistic.1);
    }

    #[test]
    fn uniform_is_open_for_every_word() {
        for high in 0..1u32 << 24 {
            let u = f32::uniform_from_word(high << 8);
            assert!(u > 0.0 && u < 1.0, "word {:#x}: {u}", high << 8);
        }
        assert_eq!(f32::uniform_from_word(0), TWO_POW_NEG_24);
        assert_eq!(f32::uniform_from_word(u32::MAX), 1.0 - TWO_POW_NEG_24);
    }
}
