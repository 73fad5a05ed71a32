//! The one numeric abstraction every sampler, estimator and learner is written over.
//!
//! [`Scalar`] is sealed: it is implemented for `f32` (all transcendental maths through `libm`,
//! so the host and every Cortex-M core compute the same bits) and, behind the `fixed` feature,
//! for the crate's fixed-point type. Algorithms above this layer use only what the trait offers,
//! so an algorithm is written once and runs in both.
//!
//! Arithmetic through the operators never panics: `f32` follows IEEE 754, the fixed-point type
//! saturates.

use core::fmt::Debug;
use core::ops::{Add, AddAssign, Div, Mul, MulAssign, Neg, Sub, SubAssign};

#[cfg(feature = "fixed")]
mod fixed;
mod float;

#[cfg(feature = "fixed")]
pub use fixed::Fixed;

/// The lazy Gumbel-max decides most logits from a bracket of the Gumbel noise: the least and
/// greatest variate over the words that share a word's top `BRACKET_BITS` bits (a bucket).
/// Chosen by measurement (see the README, "Performance"): each bit halves the exact
/// evaluations and doubles the table.
pub(crate) const BRACKET_BITS: u32 = 7;

/// Entries of a bracket table. The Gumbel variate is monotone in `U`, and each scalar's kernel
/// is monotone across bucket boundaries (its unit test checks it), so consecutive buckets
/// share an edge: for the lower half of the words (`U < 1/2`) the least variate of each bucket
/// and then the greatest of the last (the variate grows with the bucket), for the upper half
/// the greatest of each bucket and then the least of the last (it falls).
pub(crate) const BRACKET_EDGES: usize = (1 << BRACKET_BITS) + 2;

/// The table indices of the least and the greatest variate of `word`'s bucket `b`: `b` and
/// `b + 1` in the lower half, `b + 2` and `b + 1` in the upper one. The greatest, which the
/// lazy argmax reads first, is at `b + 1` in both.
#[inline(always)]
pub(crate) fn bracket_indices(word: u32) -> (usize, usize) {
    bracket_indices_of(BRACKET_BITS, word)
}

/// Optimised for size (`build.rs`), the lazy Gumbel-max reads a table of half as many buckets:
/// the top `BRACKET_BITS - 1` bits (256 bytes less per scalar, at the cost of more exact
/// evaluations), derived from the full table at compile time by [`coarser_edges`]; the full
/// table is then not linked.
pub(crate) const SMALL_BRACKET_BITS: u32 = BRACKET_BITS - 1;

/// Entries of a table of [`SMALL_BRACKET_BITS`] buckets.
pub(crate) const SMALL_BRACKET_EDGES: usize = (1 << SMALL_BRACKET_BITS) + 2;

/// [`bracket_indices`] in a table of [`SMALL_BRACKET_BITS`] buckets.
#[inline(always)]
pub(crate) fn small_bracket_indices(word: u32) -> (usize, usize) {
    bracket_indices_of(SMALL_BRACKET_BITS, word)
}

#[inline(always)]
fn bracket_indices_of(bits: u32, word: u32) -> (usize, usize) {
    let bucket = (word >> (32 - bits)) as usize;
    let upper = bucket >> (bits - 1);
    (bucket + 2 * upper, bucket + 1)
}

/// The edges of the [`SMALL_BRACKET_BITS`] table from the full one. Its bucket `c` is the full
/// buckets `2c` and `2c + 1`: in the lower half (the variate grows with the bucket) its least
/// variate is bucket `2c`'s (full edge `2c`) and its greatest bucket `2c + 1`'s (full edge
/// `2c + 2`); in the upper half (it falls) its greatest is bucket `2c`'s (full edge `2c + 1`)
/// and its least bucket `2c + 1`'s (full edge `2c + 3`). In the order of
/// [`small_bracket_indices`], edge `i` is therefore the full edge `2i` up to the middle and
/// `2i - 1` after it (proven against the exhaustive walk by each scalar's unit test).
pub(crate) const fn coarser_edges<T: Copy>(edges: &[T; BRACKET_EDGES]) -> [T; SMALL_BRACKET_EDGES] {
    let half = 1 << (SMALL_BRACKET_BITS - 1);
    let mut small = [edges[0]; SMALL_BRACKET_EDGES];
    let mut i = 0;
    while i < SMALL_BRACKET_EDGES {
        small[i] = if i <= half {
            edges[2 * i]
        } else {
            edges[2 * i - 1]
        };
        i += 1;
    }
    small
}

/// The edge table of a kernel from the least and greatest variate of each bucket (in bucket
/// order), checking that the kernel is monotone across every boundary.
#[cfg(test)]
pub(crate) fn bracket_edges<T: PartialOrd + Copy + Debug>(brackets: &[[T; 2]]) -> Vec<T> {
    let half = 1 << (BRACKET_BITS - 1);
    assert_eq!(brackets.len(), 2 * half);
    let (lower, upper) = brackets.split_at(half);
    let mut edges: Vec<T> = lower.iter().map(|b| b[0]).collect();
    edges.push(lower[half - 1][1]);
    edges.extend(upper.iter().map(|b| b[1]));
    edges.push(upper[half - 1][0]);
    assert_eq!(edges.len(), BRACKET_EDGES);
    for (b, bracket) in brackets.iter().enumerate() {
        let word = (b as u32) << (32 - BRACKET_BITS);
        let (least, greatest) = bracket_indices(word);
        assert_eq!(
            (least, greatest),
            bracket_indices(word | (u32::MAX >> BRACKET_BITS))
        );
        // The neighbouring bucket's edge bounds this one: the kernel is monotone there.
        assert!(
            edges[least] <= bracket[0] && edges[greatest] >= bracket[1],
            "bucket {b}: not monotone"
        );
    }
    edges
}

/// Checks a table of [`SMALL_BRACKET_BITS`] buckets against the least and greatest variate of
/// each full bucket (in bucket order, from the exhaustive walk): each of its brackets is
/// exactly the extremes of its two full buckets, for every word of the bucket.
#[cfg(test)]
pub(crate) fn check_small_edges<T: PartialOrd + Copy + Debug>(brackets: &[[T; 2]], small: &[T]) {
    assert_eq!(brackets.len(), 2 << SMALL_BRACKET_BITS);
    assert_eq!(small.len(), SMALL_BRACKET_EDGES);
    for (c, pair) in brackets.chunks_exact(2).enumerate() {
        let least = if pair[1][0] < pair[0][0] {
            pair[1][0]
        } else {
            pair[0][0]
        };
        let greatest = if pair[1][1] > pair[0][1] {
            pair[1][1]
        } else {
            pair[0][1]
        };
        let word = (c as u32) << (32 - SMALL_BRACKET_BITS);
        let (l, g) = small_bracket_indices(word);
        assert_eq!(
            (l, g),
            small_bracket_indices(word | (u32::MAX >> SMALL_BRACKET_BITS))
        );
        assert!(
            small[l] == least && small[g] == greatest,
            "coarse bucket {c}: {:?} against {least:?} {greatest:?}",
            (small[l], small[g])
        );
    }
}

pub(crate) mod sealed {
    /// Keeps [`Scalar`](super::Scalar) closed: the samplers' guarantees rest on the exact
    /// behaviour of each implementation. Also carries the kernels only the samplers use.
    pub trait Sealed: Sized {
        /// `true` when arithmetic saturates instead of overflowing to a non-finite value (fixed
        /// point): then no result is ever infinite or NaN.
        const SATURATES: bool;
        /// `true` when the compiler vectorises the noise and exponential kernels (the `f32`
        /// kernels on a 64-bit host): [`fill_gumbel`](crate::noise::fill_gumbel) then draws
        /// every word before computing the variates, and the Concrete sampler runs each of its
        /// passes as one loop of independent operations.
        const VECTORISED_NOISE: bool;
        /// `true` when, optimised for size (`opt-level = "s"` or `"z"`, see `build.rs`), the
        /// samplers are smaller without their tight loops for plain supports (every action
        /// available, nothing infinite), which give the same values and decisions as the
        /// general loops: `f32` (measured on the M0 and M4F; fixed point grows instead).
        const GENERAL_LOOPS_WHEN_SMALL: bool;
        /// `true` when [`gumbel_from_word`](super::Scalar::gumbel_from_word) calls the one
        /// out-of-line copy of the kernel (fixed point; `f32` optimised for size), `false` when
        /// it is the kernel itself: then a loop that fills a buffer with noise inlines it.
        const SHARED_GUMBEL_KERNEL: bool;
        /// `true` when the Concrete sampler adds each Gumbel variate to its logit as its word
        /// is drawn (one loop) rather than filling its buffer with noise first: where the
        /// kernel is a call (fixed point; `f32` without an FPU optimised for size). Then the
        /// logits are read in that loop, not kept in the frame from validation across the
        /// noise loop. With an FPU (measured on the M4F) the one loop needs more registers
        /// than that saves when the kernel is inlined, and 76 bytes more flash when it is
        /// shared (optimised for size). `f32` without an FPU optimised for speed fused it too
        /// until its validation compared by bits (nothing from validation lives on into the
        /// noise loop now) and its noise was drawn words first
        /// ([`fill_gumbel`](crate::noise::fill_gumbel)): unfused, the Concrete sampler's peak
        /// stack at K = 16 went from 216 to 192 bytes on the M3 and from 300 to 292 on the M0.
        const FUSED_NOISE: bool;
        /// `true` when the Concrete sampler, every action available, runs the softmax after
        /// its fused noise loop ([`FUSED_NOISE`](Self::FUSED_NOISE)) in steps out of line
        /// (the maximum, the division by λ, the normalisation), keeping only the noise loop
        /// and the exponentials' loop in its own frame: fixed point on ARMv6-M optimised for
        /// speed. There the frame that holds the sample (the caller's, which inlines the
        /// sampler) lies above the Gumbel kernel's two frames (76 bytes), and the division's
        /// and normalisation's spills had made it 60 bytes deeper than the noise loop needs:
        /// peak stack of `concrete::sample` at K = 16, measured with the sample's array in the
        /// caller, 228 to 188 bytes, for 1.1% more instructions (20,377 to 20,597) and 824
        /// bytes more flash (4,752 to 5,576: the steps' own copies of the division and the
        /// reciprocal, which the masked path keeps).
        const CONCRETE_IN_PASSES: bool;
        /// `true` when the lazy Gumbel-max decides an overlap of brackets out of line, in a
        /// function with both exact kernels inlined (`f32` with an FPU, optimised for speed).
        /// Otherwise the loop calls the kernel itself, and the leader's bounds, effective logit
        /// and the challenger's live across that call: with an FPU each takes a callee-saved
        /// register, which the sampler's frame saves. Out of line, only the shift does. Peak
        /// stack of `categorical::sample` (measured on `f32`): 224 to 184 bytes on the M4F and
        /// M33 alone, 152 to 104 (M4F) and 120 (M33) with
        /// [`EXACT_SAMPLE_TAIL_CALLED`](Self::EXACT_SAMPLE_TAIL_CALLED); the general loop (a
        /// mask, `-inf` logits) gains as much by the frames in the disassembly (the harness
        /// does not time it). It costs a few instructions per call and 1.3 KB of
        /// flash (the second copy of the kernel). Without an FPU (the M3) the kernels' library
        /// calls give the function a frame as deep as the loop's: 32 bytes more there.
        const OVERLAP_OUT_OF_LINE: bool;
        /// `true` when `categorical::sample` hands logits that validation's cheap pass does
        /// not settle (a non-finite logit) to a separate function by a tail call, instead of
        /// receiving the exact support from `validate::exact_support` in its own frame and
        /// running the general loop there: its frame then holds the cheap pass and the plain
        /// lazy loop alone. Peak stack of `categorical::sample` (measured on `f32`, with
        /// [`OVERLAP_OUT_OF_LINE`](Self::OVERLAP_OUT_OF_LINE) where it applies): 184 to 104
        /// bytes on the M4F, 184 to 120 on the M33, 232 to 192 on the M3, 292 to 252 on the
        /// M0 (8,619 to 8,604 instructions at K = 16), in a few instructions fewer per call.
        /// Not measured in fixed point, and not optimised for size (where validation is one
        /// shared function). On ARMv6-M (the M0) LLVM makes the call a `bl` followed by the
        /// epilogue, not a tail call, so the non-finite path stacks both frames (four `-inf`
        /// logits of 16: 332 bytes painted); the common path still gains.
        const EXACT_SAMPLE_TAIL_CALLED: bool;
        /// `true` when validation's cheap pass over logits and a mask runs in a frame of its
        /// own. Inlined where the number of logits is a compile-time constant, its unrolled
        /// loop leaves the logits it loaded in the caller's frame for the sampling loop after
        /// it. Fixed point on a Cortex-M (not optimised for size): peak stack of
        /// `categorical::sample_masked` at K = 16 (4 masked) from 204 to 172 bytes on the M0,
        /// 188 to 156 on the M3, 212 to 164 on the M4F, and 124 to 156 on the M33 (where the
        /// inlined loop happened to fit); 56 to 234 instructions more per call. Not in `f32`,
        /// where it deepened the stack on every core (152 to 184 bytes on the M4F).
        const MASK_SCAN_OUT_OF_LINE: bool;
        /// `true` when every arithmetic operation is a library call: `f32` on a core without
        /// an FPU (the M0 and M3 here).
        const SOFT_FLOAT: bool;
        /// [`SOFT_FLOAT`](Self::SOFT_FLOAT), optimised for speed (not `cfg(gumbel_small)`):
        /// where the samplers keep the generator's state and the kernel's frame out of their
        /// loops (for every scalar the target's condition is `cfg(gumbel_soft_float_speed)`,
        /// set by `build.rs`).
        const SOFT_FLOAT_SPEED: bool = Self::SOFT_FLOAT && !cfg!(gumbel_small);

        /// `(least, greatest)` of [`gumbel_from_word`](super::Scalar::gumbel_from_word) over
        /// every word that shares the top [`BRACKET_BITS`](super::BRACKET_BITS) bits of `word`,
        /// from a table proven by an exhaustive unit test.
        fn gumbel_bracket(word: u32) -> (Self, Self);

        /// [`gumbel_from_word`](super::Scalar::gumbel_from_word), inlined: for the loops that
        /// fill a buffer with noise.
        fn gumbel_inline(word: u32) -> Self;

        /// `e^x` for `x <= 0`, exactly what [`exp`](super::Scalar::exp) returns there
        /// (unspecified above 0).
        fn exp_nonpositive(x: Self) -> Self;
        /// [`exp_and_accumulate`](super::Scalar::exp_and_accumulate) for `x <= 0` (unspecified
        /// above 0).
        fn exp_nonpositive_and_accumulate(
            x: Self,
            acc: &mut <Self as super::Scalar>::ExpSum,
        ) -> Self
        where
            Self: super::Scalar;
        /// `x` clamped to at least [`LOWEST`](super::Scalar::LOWEST) (for `x` not NaN) and
        /// its [`exp_nonpositive_and_accumulate`](Self::exp_nonpositive_and_accumulate), which is
        /// the same for either (both underflow to 0 below `LOWEST`): the scaled logit the VJP
        /// keeps and its exponential, in one step.
        #[inline(always)]
        fn clamp_exp_and_accumulate(
            x: Self,
            acc: &mut <Self as super::Scalar>::ExpSum,
        ) -> (Self, Self)
        where
            Self: super::Scalar,
        {
            let lowest = <Self as super::Scalar>::LOWEST;
            let x = if x < lowest { lowest } else { x };
            (x, Self::exp_nonpositive_and_accumulate(x, acc))
        }
        /// Replaces each `x <= 0` of `xs` by [`exp_nonpositive`](Self::exp_nonpositive) and
        /// adds them to `acc` in index order: [`exp_nonpositive_and_accumulate`](Self::exp_nonpositive_and_accumulate)
        /// (Self::exp_nonpositive_and_accumulate) one by one, bit for bit, in a form a host
        /// vectorises (for chunks of a few values).
        fn exp_nonpositive_in_place(xs: &mut [Self], acc: &mut <Self as super::Scalar>::ExpSum)
        where
            Self: super::Scalar;

        /// The largest magnitude `max |v_i|` of `values` (0 if empty), if every value is finite;
        /// `None` otherwise. Exactly the value of a running maximum of `abs` by `>` from 0.
        fn largest_magnitude(values: &[Self]) -> Option<Self>
        where
            Self: super::Scalar,
        {
            let mut largest = <Self as super::Scalar>::ZERO;
            for &value in values {
                if !value.is_finite() {
                    return None;
                }
                let magnitude = value.abs();
                if magnitude > largest {
                    largest = magnitude;
                }
            }
            Some(largest)
        }

        /// A divisor prepared once for many divisions ([`div_by`](Self::div_by)).
        type Divisor: Copy;
        /// Prepares `d` as a divisor.
        fn divisor(d: Self) -> Self::Divisor;
        /// `self / d`, bit for bit, for `d` prepared by [`divisor`](Self::divisor): the
        /// Concrete sampler and its VJP divide by the same temperature `K` times.
        fn div_by(self, d: Self::Divisor) -> Self;
        /// `self / d`, bit for bit, by the division that takes the least stack below the
        /// caller's frame (fixed point on ARMv6-M: no 64-bit library division).
        fn div_shallow(self, d: Self) -> Self;
    }
}

/// A real number type the samplers can compute with: `f32`, or fixed point behind `fixed`.
///
/// The transcendental functions are only required on the domain the samplers use them on; each
/// implementation documents its error bound there. Outside that domain they still return a value
/// (never panic), but the value is unspecified.
pub trait Scalar:
    sealed::Sealed
    + Copy
    + Default
    + PartialOrd
    + Debug
    + Add<Output = Self>
    + Sub<Output = Self>
    + Mul<Output = Self>
    + Div<Output = Self>
    + Neg<Output = Self>
    + AddAssign
    + SubAssign
    + MulAssign
{
    /// Zero.
    const ZERO: Self;
    /// One.
    const ONE: Self;
    /// One half.
    const HALF: Self;
    /// The largest finite value.
    const MAX: Self;
    /// The most negative finite value.
    const LOWEST: Self;
    /// `ln 0`, what the samplers write as the log-probability of a masked action: `-inf` for
    /// `f32`, [`LOWEST`](Self::LOWEST) in fixed point.
    const LN_ZERO: Self;
    /// The spacing of values near one (`f32::EPSILON`, or one LSB in fixed point); the
    /// samplers' tolerances are stated in multiples of it.
    const EPSILON: Self;
    /// The smallest temperature [`Temperature::new`](crate::Temperature::new) accepts: any
    /// positive `f32`; in fixed point 2^-10, the smallest λ at which the samplers stay accurate
    /// and unsaturated (the fixed-point type's documentation says why).
    const MIN_TEMPERATURE: Self;

    /// The integer `n`, saturated to the representable range.
    fn from_i32(n: i32) -> Self;
    /// The nearest representable value to `x` (saturating in fixed point). For host-side
    /// set-up, tests and reports: the samplers never call it, so fixed-point firmware links no
    /// floating-point code through it.
    fn from_f64(x: f64) -> Self;
    /// The exact value as `f64`. For tests and reports; the samplers never call it.
    fn to_f64(self) -> f64;
    /// The raw representation (`f32::to_bits`, or the fixed-point integer reinterpreted), for
    /// bit-exact comparison of host and target results.
    fn to_bits(self) -> u32;
    /// The value whose [`to_bits`](Self::to_bits) is `bits` (`f32::from_bits`, or the
    /// fixed-point integer). The learner's persistence reads saved parameters back with it.
    fn from_bits(bits: u32) -> Self;

    /// `true` for NaN (`f32` only; fixed point has none).
    fn is_nan(self) -> bool;
    /// `true` unless the value is NaN or infinite (always `true` in fixed point).
    fn is_finite(self) -> bool;
    /// `true` for `-inf`, the `f32` spelling of a masked logit (always `false` in fixed point).
    fn is_neg_infinity(self) -> bool;
    /// `true` for `+inf` (always `false` in fixed point).
    fn is_pos_infinity(self) -> bool;

    /// The larger of two values (`other` if `self` is NaN).
    fn max(self, other: Self) -> Self;
    /// The smaller of two values (`other` if `self` is NaN).
    fn min(self, other: Self) -> Self;
    /// Absolute value.
    fn abs(self) -> Self;

    /// `e^x`. Used by the samplers on `x <= 0` (after subtracting a maximum), where it lies in
    /// `[0, 1]`.
    fn exp(self) -> Self;
    /// `ln x` for `x > 0`.
    fn ln(self) -> Self;
    /// `ln(1 + x)` for `x > -1`, accurate near `x = 0`.
    fn ln_1p(self) -> Self;
    /// Square root of `x >= 0`.
    fn sqrt(self) -> Self;

    /// The accumulator of a sum of exponentials `Σ e^{x_k}` that feeds a normalisation (the
    /// Concrete sampler's softmax): `f32` itself for `f32` (the same arithmetic as summing the
    /// rounded exponentials), a 32-fractional-bit integer in fixed point, so the sum does not
    /// collect one rounding of the scalar per term.
    type ExpSum: Copy + Debug;
    /// An empty sum (zero).
    fn exp_sum_new() -> Self::ExpSum;
    /// `e^x` rounded to `Self` (exactly what [`exp`](Self::exp) returns), after adding `e^x`
    /// at the accumulator's own precision to `acc`.
    fn exp_and_accumulate(x: Self, acc: &mut Self::ExpSum) -> Self;
    /// `ln s` of the accumulated sum `s`, rounded to `Self` once. Used on sums `s >= 1` (one
    /// term is `e^0`).
    fn exp_sum_ln(acc: Self::ExpSum) -> Self;
    /// `1/s` of the accumulated sum `s`, rounded to `Self` once. Used on sums `s >= 1`.
    fn exp_sum_recip(acc: Self::ExpSum) -> Self;

    /// A uniform variate on the open interval (0, 1) from one 32-bit random word.
    fn uniform_from_word(word: u32) -> Self;
    /// A standard exponential variate `-ln U` from one 32-bit random word.
    fn exponential_from_word(word: u32) -> Self;
    /// A standard Gumbel variate `-ln(-ln U)` from one 32-bit random word.
    fn gumbel_from_word(word: u32) -> Self;
    /// A standard logistic variate `ln U - ln(1 - U)` from one 32-bit random word.
    fn logistic_from_word(word: u32) -> Self;
}

/// Independent running maxima a host keeps side by side (two SSE registers of `f32`): one
/// vector comparison per row instead of a chain of `K` dependent ones. Used by validation and
/// by the Concrete sampler on a host ([`VECTORISED_NOISE`](sealed::Sealed::VECTORISED_NOISE)).
pub(crate) const LANES: usize = 8;

/// The larger of `a` and `b` (`a` when they compare equal): a host's vector maximum.
#[inline(always)]
pub(crate) fn larger<S: Scalar>(a: S, b: S) -> S {
    if b > a { b } else { a }
}

/// `a > b` for values that are not NaN: where each comparison is a library call
/// ([`SOFT_FLOAT`](sealed::Sealed::SOFT_FLOAT)), by [`ordered_bits`], with no call (so
/// nothing the caller holds need live across one), otherwise by `>` itself. The same answer
/// either way.
#[inline(always)]
pub(crate) fn greater_not_nan<S: Scalar>(a: S, b: S) -> bool {
    if S::SOFT_FLOAT {
        ordered_bits(a) > ordered_bits(b)
    } else {
        a > b
    }
}

/// An `f32`'s bits as an integer that orders as the value does, for every value but NaN:
/// the magnitude's bits, negated for a negative sign (so `-0` and `+0` are both 0, equal as
/// the values are, and `a > b` exactly when `ordered_bits(a) > ordered_bits(b)`). Only for
/// `f32` ([`greater_not_nan`] asks for it where
/// [`SOFT_FLOAT`](sealed::Sealed::SOFT_FLOAT) holds).
#[inline(always)]
fn ordered_bits<S: Scalar>(value: S) -> i32 {
    let bits = value.to_bits();
    // At most `i32::MAX`: no overflow, and its negation is no `i32::MIN`.
    let magnitude = (bits & 0x7FFF_FFFF) as i32;
    if bits >> 31 == 0 {
        magnitude
    } else {
        -magnitude
    }
}

/// The maximum of the [`LANES`] running maxima, as a tree. For values that are never NaN it
/// is the value a serial scan finds, except that of several zeros it may be either sign: the
/// callers then look for the first zero.
#[inline(always)]
pub(crate) fn max_of_lanes<S: Scalar>(lanes: [S; LANES]) -> S {
    let [a, b, c, d, e, f, g, h] = lanes;
    larger(
        larger(larger(a, e), larger(b, f)),
        larger(larger(c, g), larger(d, h)),
    )
}

/// `ln(1 + e^x)`, the softplus, without overflow for large `x` or loss for very negative `x`.
pub(crate) fn softplus<S: Scalar>(x: S) -> S {
    let positive_part = x.max(S::ZERO);
    positive_part + (-x.abs()).exp().ln_1p()
}

/// The logistic sigmoid `1 / (1 + e^-x)`, computed from `e^-|x|` so it never overflows.
pub(crate) fn sigmoid<S: Scalar>(x: S) -> S {
    let e = (-x.abs()).exp();
    // In the binary Concrete sampler's deepest frame: the division that adds the least below it.
    let r = S::ONE.div_shallow(S::ONE + e);
    if x >= S::ZERO { r } else { e * r }
}

/// A one-pass, overflow-free `ln Σ e^{a_i}`: keeps the running maximum `m` and `Σ e^{a_i - m}`,
/// rescaling when a larger term arrives, so every exponential is of a non-positive number.
#[derive(Debug, Clone, Copy)]
pub(crate) struct LogSumExp<S> {
    max: S,
    scaled_sum: S,
    empty: bool,
}

impl<S: Scalar> LogSumExp<S> {
    pub(crate) fn new() -> Self {
        Self {
            max: S::LN_ZERO,
            scaled_sum: S::ZERO,
            empty: true,
        }
    }

    pub(crate) fn push(&mut self, a: S) {
        if a.is_neg_infinity() {
            // e^-inf = 0 adds nothing (and -inf - -inf would be NaN).
            return;
        }
        if self.empty {
            self.max = a;
            self.scaled_sum = S::ONE;
            self.empty = false;
        } else if a > self.max {
            self.scaled_sum = self.scaled_sum * (self.max - a).exp() + S::ONE;
            self.max = a;
        } else {
            self.scaled_sum += (a - self.max).exp();
        }
    }

    /// The log-sum-exp of everything pushed ([`Scalar::LN_ZERO`] if nothing was).
    pub(crate) fn value(&self) -> S {
        if self.empty {
            S::LN_ZERO
        } else {
            self.max + self.scaled_sum.ln()
        }
    }
}

/// `n` as a scalar, saturating (counts of actions are far below `i32::MAX` in practice).
pub(crate) fn from_count<S: Scalar>(n: usize) -> S {
    S::from_i32(i32::try_from(n).unwrap_or(i32::MAX))
}

/// `ln((n - 1)!)`, the normalising constant of the Concrete densities over `n` categories.
pub(crate) fn ln_factorial_of_predecessor<S: Scalar>(n: usize) -> S {
    let mut total = S::ZERO;
    for i in 2..n {
        total += from_count::<S>(i).ln();
    }
    total
}

/// `ln(e^a + e^b)` without overflow: the larger argument plus `ln(1 + e^-|a-b|)`. One argument
/// may be `-inf` (the other is returned); both `-inf` gives `-inf`.
pub(crate) fn log_add_exp<S: Scalar>(a: S, b: S) -> S {
    if a.is_neg_infinity() {
        return b;
    }
    if b.is_neg_infinity() {
        return a;
    }
    a.max(b) + (-(a - b).abs()).exp().ln_1p()
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    /// `f32`s from everywhere (any bits but a NaN's), with the edges of each range and both
    /// zeros often.
    fn value() -> impl Strategy<Value = f32> {
        prop_oneof![
            4 => any::<u32>().prop_map(f32::from_bits).prop_filter("not NaN", |v| !v.is_nan()),
            2 => -4.0f32..4.0,
            1 => prop::sample::select(vec![
                0.0,
                -0.0,
                f32::MIN_POSITIVE,
                -f32::MIN_POSITIVE,
                f32::from_bits(1),
                -f32::from_bits(1),
                f32::MAX,
                f32::MIN,
                f32::INFINITY,
                f32::NEG_INFINITY,
            ]),
        ]
    }

    proptest! {
        /// [`ordered_bits`] orders every pair of values that are not NaN as `>` and `==` do
        /// (`-0 == +0` included): [`greater_not_nan`] by bits (on a core without an FPU) is
        /// `>` itself.
        #[test]
        fn ordered_bits_order_as_the_values(a in value(), b in value()) {
            prop_assert_eq!(ordered_bits(a) > ordered_bits(b), a > b);
            prop_assert_eq!(ordered_bits(a) == ordered_bits(b), a == b);
        }
    }
}
