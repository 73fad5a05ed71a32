//! [`Fixed`]: the I16F16 fixed-point scalar; its documentation (on the type, so that it
//! renders) holds the error table, the TV bound, the Concrete accuracy and the minimum
//! temperature.

mod division;
mod gumbel_brackets;
mod kernels;

use core::fmt;
use core::ops::{Add, AddAssign, Div, Mul, MulAssign, Neg, Sub, SubAssign};

use fixed::types::I16F16;

use super::{
    SMALL_BRACKET_EDGES, Scalar, bracket_indices, coarser_edges, sealed::Sealed,
    small_bracket_indices,
};

/// The bracket table read when optimised for size ([`SMALL_BRACKET_BITS`](super::SMALL_BRACKET_BITS)).
const SMALL_EDGES: [i32; SMALL_BRACKET_EDGES] = coarser_edges(&gumbel_brackets::EDGES);

/// A saturating I16F16 fixed-point number: the [`Scalar`] of the integer-only path (feature
/// `fixed`), with no floating-point operation anywhere.
///
/// Convert from and to [`fixed::types::I16F16`] with `From`/`Into`, or from raw bits (value ·
/// 2^16) with [`Fixed::from_bits`].
///
/// Range `[-32768, 32768 - 2^-16]`, resolution one LSB = 2^-16. Every operator saturates at the
/// ends of the range (the `fixed` crate's own operators panic on overflow in debug builds and
/// wrap in release; neither is acceptable on a device that must not fail). Division by zero
/// saturates by the sign of the dividend (0 / 0 is 0). Products and quotients are rounded to
/// nearest, not truncated.
///
/// The transcendental functions and the noise kernels are written in 64-bit
/// integer arithmetic with 32 fractional bits, rounded to I16F16 once. Their error bounds (in
/// LSB, measured over every distinct input by `tests/fixed_kernels.rs`):
///
/// | function | domain | max error |
/// |---|---|---|
/// | `ln` | `x > 0` | 0.5 + 2^-6 LSB (measured 0.5156) |
/// | `ln_1p` | `x > -1` | 0.5 + 2^-6 LSB (measured 0.5156) |
/// | `exp` | `x <= 0` | 0.5 + 2^-12 LSB (measured 0.50002) |
/// | `exp` | `0 < x <= 10.397` | 0.5 LSB + 2^-30 relative |
/// | `sqrt`, `*`, `/` | all | 0.5 LSB (correctly rounded) |
/// | `gumbel_from_word` | every word | 0.5 + 2^-5 LSB (measured 0.5180) |
/// | `exponential_from_word` | every word with `-ln U >= 2^-17` | 0.5 + 2^-5 LSB (measured 0.5156) |
/// | `logistic_from_word` | every word | 0.5 + 2^-5 LSB (measured 0.5207) |
///
/// # Noise from a random word
/// Read like the `f32` kernels: the top bit chooses `U = t` or `U = 1 - t`, and the low 31 bits
/// give the distance `t = (2m + 1) · 2^-33` from the nearer end, kept to 22 significant bits
/// (`f32` keeps 24). Ranges: Gumbel `[-3.13, 22.87]`, exponential `[2^-16, 22.87]` (`-ln U`
/// below half an LSB, for `U > 1 - 2^-17`, is raised to one LSB: no word gives 0), logistic
/// `[-22.87, 22.87]`, uniform `[2^-16, 1 - 2^-16]` with 2^15 values.
///
/// # How far fixed-point Gumbel-max is from the exact softmax
/// Total-variation distance between the law of [`categorical::sample`](crate::categorical::sample)
/// in `Fixed` and `softmax(logits)` (of the exact values of the fixed-point logits), for `K`
/// available actions and an ideal random generator:
///
/// | K | 2 | 6 | 16 | 64 | 256 |
/// |---|---|---|---|---|---|
/// | TV bound | 3.7e-5 | 7.8e-5 | 1.4e-4 | 2.6e-4 | 5.2e-4 |
///
/// Derivation. Couple each random word with a continuous `U ~ Uniform(0, 1)` lying in the
/// word's cell of width 2^-32, so that `G = -ln(-ln U)` is exact Gumbel noise and the exact
/// argmax of `logit_k + G_k` has law exactly `softmax`. Let `D = |G_fixed - G|` for one word.
/// The fixed-point argmax can differ from the exact one only if some `D_k > δ`, or if the gap
/// between the largest and second-largest `logit_k + G_k` is at most `2δ` (`logit - max` and
/// the sum with the noise are exact in I16F16, except for actions more than 32745 below the
/// maximum, which saturate and can never win). For Gumbel-max the gap law is known in closed
/// form: `P(gap < ε) = Σ_k p_k (1 - 1/(p_k + e^ε (1 - p_k))) <= (e^ε - 1)(1 - Σ_k p_k²)`.
/// Hence, for every δ,
///
/// `TV <= (e^(2δ) - 1)(1 - 1/K) + K · P(D > δ)`,
///
/// and `P(D > δ)` is counted exactly over all 2^32 words by `tests/fixed_kernels.rs` (the
/// deviation at the tails, where a cell of width 2^-32 spans a wide range of `G`, is what the
/// second term pays for: `P(D > 1 LSB) = 1.1e-5`, `P(D > 16 LSB) = 5.1e-7`). The table is the
/// minimum over the tested δ; `cargo test --features fixed --test fixed_kernels -- --nocapture`
/// prints it. A chi-square test of 10^6 draws against softmax (`tests/sampling_fixed.rs`)
/// checks it from the other side; no test of feasible size can resolve a TV of 10^-4.
///
/// # Concrete accuracy
/// Each coordinate of a [`concrete::sample`](crate::concrete::sample) in `Fixed` is within
///
/// `B(x, λ) = 2x(1 − x)·((0.5 + 2^-5)/λ + 0.5) + (1 + x/2)(1 + 2^-11) + K·2^-16` LSB
///
/// (plus second-order terms, below 0.01 LSB for λ >= 0.1) of `x = softmax((logits + G)/λ)`
/// computed in f64 from the exact noise of the same words, at every K. Derivation: the scaled
/// logits `(z_k − max)/λ` err by the noise's `0.5 + 2^-5` LSB divided by λ plus the division's
/// 0.5 LSB, and the softmax turns errors `δ_k` of its inputs into `x_k(δ_k − Σ_j x_j δ_j)`,
/// at most `2x(1 − x)·max|δ|`. The exponentials are summed in Q32 before rounding
/// ([`Scalar::ExpSum`]): `K` terms within `2^-31` relative plus `2^-32` each, so the sum `s >= 1`
/// is within `K·2^-32` relative, `K·2^-16` LSB on `x`. What remains are three roundings of
/// `x_k = round(round(e_k) · round(1/s))`: `(0.5 + 2^-12)/s + 0.5·e_k + 0.5` LSB, at most
/// `1 + x/2` LSB (`e_k <= 1`, and `s >= 1 + e_k` unless `e_k = 1`). `B` peaks at 4.17 LSB at
/// λ = 0.1 (x ≈ 0.52), where the worst case needs every noise rounding to line up; measured
/// over 20 000 draws per K and λ, the maximum is 2.93 LSB = 2^-14.45 for K from 2 to 256
/// (`cargo test --features fixed --test sampling_fixed -- --nocapture`, which checks every
/// coordinate against `B` and the maximum against 2^-14). Before the sum was widened each
/// `e_k` was rounded to I16F16 first and the error grew with K: 8.6 LSB at K = 64, 15.5 at 256.
///
/// # Minimum temperature
/// [`Scalar::MIN_TEMPERATURE`] is `2^-10`. λ is stored to 2^-16, so below that its own
/// relative error would exceed 2^-7; and `(logit + L) / λ`, the binary Concrete's logit-space
/// sample, stays unsaturated for every logistic draw (`|L| <= 22.87`) when `|logit| <= 9` only
/// down to `λ = 32 / 32768 = 2^-10`. Near the minimum the noise's rounding dominates the
/// Concrete error (the 1/λ term above).
///
/// # Example
/// ```
/// use fixed::types::I16F16;
/// use gumbel::{Fixed, Scalar};
/// let x = Fixed::from(I16F16::from_num(1.5));
/// assert_eq!(x * x, Fixed::from_bits(9 << 14)); // 2.25
/// assert_eq!(Fixed::MAX + Fixed::ONE, Fixed::MAX); // saturates
/// assert_eq!(Fixed::ONE / Fixed::ZERO, Fixed::MAX);
/// ```
#[derive(Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Fixed(I16F16);

impl Fixed {
    /// The value `bits · 2^-16`.
    #[inline]
    pub const fn from_bits(bits: i32) -> Self {
        Self(I16F16::from_bits(bits))
    }

    /// The raw representation, value · 2^16.
    #[inline]
    pub const fn bits(self) -> i32 {
        self.0.to_bits()
    }
}

impl From<I16F16> for Fixed {
    #[inline]
    fn from(x: I16F16) -> Self {
        Self(x)
    }
}

impl From<Fixed> for I16F16 {
    #[inline]
    fn from(x: Fixed) -> Self {
        x.0
    }
}

impl fmt::Debug for Fixed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.0, f)
    }
}

impl fmt::Display for Fixed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

impl Add for Fixed {
    type Output = Self;
    #[inline]
    fn add(self, rhs: Self) -> Self {
        Self::from_bits(self.bits().saturating_add(rhs.bits()))
    }
}

impl Sub for Fixed {
    type Output = Self;
    #[inline]
    fn sub(self, rhs: Self) -> Self {
        Self::from_bits(self.bits().saturating_sub(rhs.bits()))
    }
}

impl Mul for Fixed {
    type Output = Self;
    /// Rounded to nearest, saturating.
    #[inline]
    fn mul(self, rhs: Self) -> Self {
        Self::from_bits(kernels::mul(self.bits(), rhs.bits()))
    }
}

impl Div for Fixed {
    type Output = Self;
    /// Rounded to nearest, saturating; division by zero saturates by the sign of `self`.
    #[inline]
    fn div(self, rhs: Self) -> Self {
        Self::from_bits(kernels::div(self.bits(), rhs.bits()))
    }
}

impl Neg for Fixed {
    type Output = Self;
    /// Saturating: `-LOWEST` is `MAX`.
    #[inline]
    fn neg(self) -> Self {
        Self::from_bits(self.bits().saturating_neg())
    }
}

impl AddAssign for Fixed {
    #[inline]
    fn add_assign(&mut self, rhs: Self) {
        *self = *self + rhs;
    }
}

impl SubAssign for Fixed {
    #[inline]
    fn sub_assign(&mut self, rhs: Self) {
        *self = *self - rhs;
    }
}

impl MulAssign for Fixed {
    #[inline]
    fn mul_assign(&mut self, rhs: Self) {
        *self = *self * rhs;
    }
}

impl Sealed for Fixed {
    const VECTORISED_NOISE: bool = false;
    const SATURATES: bool = true;
    const GENERAL_LOOPS_WHEN_SMALL: bool = false;
    const SHARED_GUMBEL_KERNEL: bool = true;
    const FUSED_NOISE: bool = true;
    const CONCRETE_IN_PASSES: bool = cfg!(all(
        target_arch = "arm",
        not(target_has_atomic = "32"),
        not(gumbel_small)
    ));
    const SOFT_FLOAT: bool = false;
    const OVERLAP_OUT_OF_LINE: bool = false;
    const EXACT_SAMPLE_TAIL_CALLED: bool = false;
    const MASK_SCAN_OUT_OF_LINE: bool = cfg!(all(target_arch = "arm", not(gumbel_small)));

    #[inline(always)]
    fn gumbel_bracket(word: u32) -> (Self, Self) {
        if cfg!(gumbel_small) {
            let (least, greatest) = small_bracket_indices(word);
            return (
                Self::from_bits(SMALL_EDGES[least]),
                Self::from_bits(SMALL_EDGES[greatest]),
            );
        }
        let (least, greatest) = bracket_indices(word);
        let edges = &gumbel_brackets::EDGES;
        (
            Self::from_bits(edges[least]),
            Self::from_bits(edges[greatest]),
        )
    }

    #[inline(always)]
    fn gumbel_inline(word: u32) -> Self {
        Self::from_bits(kernels::gumbel_from_word(word))
    }

    #[inline(always)]
    fn exp_nonpositive(x: Self) -> Self {
        Scalar::exp(x)
    }
    #[inline(always)]
    fn exp_nonpositive_and_accumulate(x: Self, acc: &mut u64) -> Self {
        Self::exp_and_accumulate(x, acc)
    }
    #[inline(always)]
    fn exp_nonpositive_in_place(xs: &mut [Self], acc: &mut u64) {
        for x in xs {
            *x = Self::exp_and_accumulate(*x, acc);
        }
    }

    type Divisor = kernels::Divisor;
    #[inline(always)]
    fn divisor(d: Self) -> kernels::Divisor {
        kernels::divisor(d.bits())
    }
    #[inline(always)]
    fn div_by(self, d: kernels::Divisor) -> Self {
        Self::from_bits(kernels::div_by(self.bits(), d))
    }
    #[inline(always)]
    fn div_shallow(self, d: Self) -> Self {
        Self::from_bits(kernels::div_shallow(self.bits(), d.bits()))
    }
}

impl Scalar for Fixed {
    const ZERO: Self = Self::from_bits(0);
    const ONE: Self = Self::from_bits(1 << 16);
    const HALF: Self = Self::from_bits(1 << 15);
    const MAX: Self = Self::from_bits(i32::MAX);
    const LOWEST: Self = Self::from_bits(i32::MIN);
    const LN_ZERO: Self = Self::LOWEST;
    const EPSILON: Self = Self::from_bits(1);
    /// `2^-10`: see "Minimum temperature" in the documentation of [`Fixed`].
    const MIN_TEMPERATURE: Self = Self::from_bits(1 << 6);

    #[inline]
    fn from_i32(n: i32) -> Self {
        Self::from_bits(n.saturating_mul(1 << 16))
    }
    fn from_f64(x: f64) -> Self {
        // `as` saturates, and sends NaN to 0.
        Self::from_bits(libm::round(x * 65536.0) as i32)
    }
    fn to_f64(self) -> f64 {
        f64::from(self.bits()) / 65536.0
    }
    #[inline]
    fn to_bits(self) -> u32 {
        self.bits() as u32
    }
    #[inline]
    fn from_bits(bits: u32) -> Self {
        Self(I16F16::from_bits(bits as i32))
    }

    #[inline]
    fn is_nan(self) -> bool {
        false
    }
    #[inline]
    fn is_finite(self) -> bool {
        true
    }
    #[inline]
    fn is_neg_infinity(self) -> bool {
        false
    }
    #[inline]
    fn is_pos_infinity(self) -> bool {
        false
    }

    #[inline]
    fn max(self, other: Self) -> Self {
        Ord::max(self, other)
    }
    #[inline]
    fn min(self, other: Self) -> Self {
        Ord::min(self, other)
    }
    /// Saturating: `|LOWEST|` is `MAX`.
    #[inline]
    fn abs(self) -> Self {
        Self::from_bits(self.bits().saturating_abs())
    }

    /// Integer-only; error at most `0.5 + 2^-12` LSB for `x <= 0`.
    #[inline]
    fn exp(self) -> Self {
        Self::from_bits(kernels::exp(self.bits()))
    }
    /// The sum of the exponentials in Q32 (32 fractional bits, saturating), before they are
    /// rounded to I16F16.
    type ExpSum = u64;

    #[inline]
    fn exp_sum_new() -> u64 {
        0
    }
    /// Integer-only; returns what [`exp`](Scalar::exp) returns, and adds `e^x` to `acc` to
    /// `2^-31` relative plus `2^-32` for `x <= 0` (terms below `e^-23 < 2^-33` add nothing).
    #[inline]
    fn exp_and_accumulate(x: Self, acc: &mut u64) -> Self {
        let wide = kernels::exp_wide(x.bits());
        *acc = acc.saturating_add(wide);
        // At most 2^47 (the saturated value's), so the conversion is exact.
        Self::from_bits(kernels::round_q32_to_q16(wide as i64))
    }
    /// Integer-only; for `s >= 1` within `0.5 + 2^-14` LSB of `ln s` (of the Q32 sum). An
    /// empty sum gives `LOWEST`.
    #[inline]
    fn exp_sum_ln(acc: u64) -> Self {
        Self::from_bits(kernels::ln_of_q32(acc))
    }
    /// Integer-only; `1/s` of the Q32 sum correctly rounded, saturated. An empty sum gives
    /// `MAX`.
    #[inline(always)]
    fn exp_sum_recip(acc: u64) -> Self {
        Self::from_bits(kernels::recip_of_q32(acc))
    }

    /// Integer-only; error at most `0.5 + 2^-6` LSB. `ln 0` (and below) is `LOWEST`.
    #[inline]
    fn ln(self) -> Self {
        Self::from_bits(kernels::ln(self.bits()))
    }
    /// Integer-only; error at most `0.5 + 2^-6` LSB (absolute, also near 0).
    #[inline]
    fn ln_1p(self) -> Self {
        Self::from_bits(kernels::ln_1p(self.bits()))
    }
    /// Correctly rounded; negative input gives 0.
    #[inline]
    fn sqrt(self) -> Self {
        Self::from_bits(kernels::sqrt(self.bits()))
    }

    #[inline]
    fn uniform_from_word(word: u32) -> Self {
        Self::from_bits(kernels::uniform_from_word(word))
    }
    #[inline]
    fn exponential_from_word(word: u32) -> Self {
        Self::from_bits(kernels::exponential_from_word(word))
    }
    #[inline]
    fn gumbel_from_word(word: u32) -> Self {
        // The one out-of-line copy of the kernel.
        crate::noise::shared_gumbel(word)
    }
    #[inline]
    fn logistic_from_word(word: u32) -> Self {
        Self::from_bits(kernels::logistic_from_word(word))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The least and greatest Gumbel variate of every bucket of the top `BRACKET_BITS` bits,
    /// over all 2^32 words: the kernel keeps 22 significant bits of the odd `j` the word gives
    /// (`t = j · 2^-33`), so one evaluation per group of `j` sharing them covers every word.
    fn brackets_of_half(upper: bool) -> Vec<[i32; 2]> {
        use crate::scalar::BRACKET_BITS;
        let shift = 32 - BRACKET_BITS;
        (0..1u64 << (BRACKET_BITS - 1))
            .map(|p| {
                let (j_low, j_high) = ((p << shift) * 2 + 1, (((p + 1) << shift) - 1) * 2 + 1);
                let mut bracket = [i32::MAX, i32::MIN];
                let mut j = j_low;
                while j <= j_high {
                    let dropped = (64 - j.leading_zeros()).saturating_sub(22);
                    let word = ((j - 1) / 2) as u32 | (u32::from(upper) << 31);
                    let g = kernels::gumbel_from_word(word);
                    // Every word of the group gives the same value.
                    let group_end = ((j >> dropped) + 1) << dropped;
                    let last =
                        ((group_end.min(j_high + 1) - 2) / 2) as u32 | (u32::from(upper) << 31);
                    assert_eq!(kernels::gumbel_from_word(last), g, "j = {j}");
                    bracket = [bracket[0].min(g), bracket[1].max(g)];
                    j = group_end | 1;
                }
                bracket
            })
            .collect()
    }

    /// The edge table is exactly the least and greatest value of each bucket.
    #[test]
    fn gumbel_brackets_are_the_extremes_over_every_word() {
        let [lower, upper] = std::thread::scope(|s| {
            let lower = s.spawn(|| brackets_of_half(false));
            let upper = s.spawn(|| brackets_of_half(true));
            [lower.join().unwrap(), upper.join().unwrap()]
        });
        let brackets: Vec<[i32; 2]> = lower.into_iter().chain(upper).collect();
        let edges = crate::scalar::bracket_edges(&brackets);
        crate::scalar::check_small_edges(&brackets, &SMALL_EDGES);
        if std::env::var_os("GUMBEL_BLESS").is_some() {
            let mut text = String::from(
                "//! Generated by `GUMBEL_BLESS=1 cargo test --lib --features fixed -- fixed::tests`; do not\n\
                 //! edit.\n\n\
                 use crate::scalar::BRACKET_EDGES;\n\n\
                 /// The bucket edges of `Fixed::gumbel_from_word` (raw I16F16 bits), in the order of\n\
                 /// `scalar::bracket_index`.\n",
            );
            text += "pub(super) const EDGES: [i32; BRACKET_EDGES] = [\n";
            for e in &edges {
                text += &format!("    {e},\n");
            }
            text += "];\n";
            let path = concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/src/scalar/fixed/gumbel_brackets.rs"
            );
            std::fs::write(path, text).unwrap();
        }
        assert_eq!(
            edges,
            gumbel_brackets::EDGES,
            "regenerate with GUMBEL_BLESS=1"
        );
        let mut tight = 0;
        for (b, &[lo, hi]) in brackets.iter().enumerate() {
            let word = (b as u32) << (32 - crate::scalar::BRACKET_BITS);
            // The table the samplers read (the coarser one when optimised for size, which
            // `check_small_edges` proves on its own) bounds the bucket.
            let (least, greatest) = Fixed::gumbel_bracket(word);
            assert!(least.bits() <= lo && greatest.bits() >= hi, "bucket {b}");
            let (l, g) = crate::scalar::bracket_indices(word);
            tight +=
                usize::from(gumbel_brackets::EDGES[l] == lo && gumbel_brackets::EDGES[g] == hi);
        }
        // Neighbouring buckets share their boundary value, so every bracket of the full table
        // is exactly its bucket's least and greatest variate.
        assert_eq!(tight, brackets.len());
    }
}
