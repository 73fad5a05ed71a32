//! [`Scalar`] for `f32`: IEEE 754 arithmetic, transcendental functions from `libm` only.
//!
//! `libm` is pure Rust, and Rust never fuses or reorders floating-point operations, so every
//! target (x86-64, and Cortex-M with or without an FPU) computes the same bits.
//!
//! # Noise kernels
//! A word is read as the [`noise`](crate::noise) module documents (its table gives the ranges
//! and error bounds): the top bit picks `U = t` or `U = 1 - t`, the low 31 bits give
//! `t = (2m + 1) · 2^-33 ∈ [2^-33, 1/2]`, and the logarithms are taken of `t` itself. They only
//! ever see arguments in a narrow range: `ln t` and `ln(1 - t)` for `t ∈ [2^-33, 1/2]`, then
//! `ln E` for the exponential variate `E ∈ [2^-33, 22.87]`, all positive normal numbers. So
//! the kernels here are `libm`'s `logf` and `log1pf` (FreeBSD's `e_logf.c`, `s_log1pf.c`)
//! with the branches for zero, negative, subnormal, infinite, NaN and large arguments removed,
//! sharing one polynomial: the same operations in the same order, hence the same bits. [`exp`](Scalar::exp) does the same with `expf` for
//! `x <= 0` (the samplers' only use). The unit tests below prove the identity with `libm` at
//! every argument the noise kernels can see (every `t` and every `E` from every word) and at
//! every `x <= 0`.
//!
//! # Noise bounds
//! [`gumbel_bracket`](super::sealed::Sealed::gumbel_bracket) reads the least and greatest
//! Gumbel variate over all words that share a word's top
//! [`BRACKET_BITS`](super::BRACKET_BITS) bits from a table of bucket edges
//! (`float/gumbel_brackets.rs`), generated and proven by evaluating the kernel at every `t` of
//! every bucket.

use super::{
    SMALL_BRACKET_EDGES, Scalar, bracket_indices, coarser_edges, sealed::Sealed,
    small_bracket_indices,
};

mod gumbel_brackets;

/// The bracket table read when optimised for size ([`SMALL_BRACKET_BITS`](super::SMALL_BRACKET_BITS)).
const SMALL_EDGES: [f32; SMALL_BRACKET_EDGES] = coarser_edges(&gumbel_brackets::EDGES);

/// 2^-33, the spacing of the distance `t` from the nearer end of (0, 1).
const TWO_POW_NEG_33: f32 = f32::from_bits((127 - 33) << 23);
/// 2^-24, the spacing of the 23-bit uniform.
const TWO_POW_NEG_24: f32 = f32::from_bits((127 - 24) << 23);

/// Splits a random word into `(upper, t)`: `upper` says `U = 1 - t` rather than `U = t`, and
/// `t ∈ [2^-33, 1/2]` is the distance from the nearer end of the interval.
#[inline]
fn split_word(word: u32) -> (bool, f32) {
    let upper = word >> 31 == 1;
    let odd = ((word & 0x7FFF_FFFF) << 1) | 1;
    (upper, odd as f32 * TWO_POW_NEG_33)
}

// libm's constants (FreeBSD e_logf.c, s_log1pf.c, e_expf.c), bit for bit.
const LN2_HI: f32 = f32::from_bits(0x3f31_7180);
const LN2_LO: f32 = f32::from_bits(0x3717_f7d1);
const LG1: f32 = f32::from_bits(0x3f2a_aaaa);
const LG2: f32 = f32::from_bits(0x3ecc_ce13);
const LG3: f32 = f32::from_bits(0x3e91_e9ee);
const LG4: f32 = f32::from_bits(0x3e78_9e26);
/// `0x3f800000 - 0x3f3504f3`: moves the mantissa boundary from 1 to `√2/2`.
const SQRT_HALF_OFFSET: u32 = 0x3f80_0000 - 0x3f35_04f3;

/// The polynomial both `logf` and `log1pf` end with, before the terms of the reduction:
/// `(s·(hfsq + R(s²)), hfsq)` with `s = f/(2 + f)` and `hfsq = f²/2`, for `1 + f ∈ [√2/2, √2]`.
/// `f·f` is halved after the product, not `f` before it (exact either way: `f` is 0 or at
/// least 2^-33 in magnitude, so nothing underflows), so no `-1/2` (of `1/2·(-t)`) is held in a
/// register through the loops that inline the kernel.
#[inline(always)]
fn log_poly(f: f32) -> (f32, f32) {
    let s = f / (2.0 + f);
    let z = s * s;
    let w = z * z;
    // The two halves in either order (the same operations on the same values): on ARMv7-M
    // without an FPU (the M3) `t2` first, which took the Concrete sampler's peak stack (its
    // frame inlines this kernel) from 224 to 216 bytes at K = 16, for 0.02% more
    // instructions; elsewhere `t1` first (on the M0 the other order made the size-optimised
    // build 8 bytes larger, and changed nothing else for the better).
    let (t1, t2) = if cfg!(all(
        target_arch = "arm",
        not(target_abi = "eabihf"),
        target_has_atomic = "32"
    )) {
        let t2 = z * (LG1 + w * LG3);
        (w * (LG2 + w * LG4), t2)
    } else {
        let t1 = w * (LG2 + w * LG4);
        (t1, z * (LG1 + w * LG3))
    };
    let r = t2 + t1;
    let hfsq = 0.5 * (f * f);
    (s * (hfsq + r), hfsq)
}

/// `log1pf`'s tail: `k ln 2 + ln(1 + f)` plus its correction `c`, with the operations and
/// their order `libm`'s.
#[inline(always)]
fn log_tail(k: i32, f: f32, c: f32) -> f32 {
    let (poly, hfsq) = log_poly(f);
    let dk = k as f32;
    poly + (dk * LN2_LO + c) - hfsq + f + dk * LN2_HI
}

/// `logf`'s tail: [`log_tail`] without the correction, which `libm` adds as a zero
/// (`k·LN2_LO + 0` is `k·LN2_LO`, never `-0`): no `+0` held in a register.
#[inline(always)]
fn log_tail_logf(k: i32, f: f32) -> f32 {
    let (poly, hfsq) = log_poly(f);
    let dk = k as f32;
    poly + dk * LN2_LO - hfsq + f + dk * LN2_HI
}

/// `log1pf`'s tail for an unreduced argument (`k = 0`, no correction): [`log_tail`] without
/// the terms `libm` adds as zeros. The same values: no sum or product here is ever `-0`, and
/// the unit tests prove every kernel at every argument against `libm`. (With the other
/// changes of its commit, the Concrete sampler's peak stack on the M4F went 208 to 192 bytes:
/// each constant dropped was a floating-point register pair held through its loops. Three
/// functions rather than one with the reduction as an `enum`, which made the host's
/// vectorised noise loop 9% longer.)
#[inline(always)]
fn log_tail_unreduced(f: f32) -> f32 {
    let (poly, hfsq) = log_poly(f);
    poly - hfsq + f
}

/// `libm::logf(x)` for a positive normal `x`, without the special cases.
#[inline(always)]
fn ln_normal(x: f32) -> f32 {
    let (k, f) = reduce(x);
    log_tail_logf(k, f)
}

/// `logf`'s reduction of a positive normal `x` to `2^k (1 + f)`, `1 + f ∈ [√2/2, √2)`.
///
/// `libm` forms `1 + f` as `(ix & 0x7fffff) + 0x3f3504f3` with `ix = bits + SQRT_HALF_OFFSET`;
/// that is `bits − (k << 23)` (`ix`'s exponent field is `k + 0x7f`, and the two offsets sum to
/// `0x3f800000`): `x / 2^k`, the same bits from one constant instead of three, which no longer
/// live in registers across the calls of a kernel without an FPU.
#[inline(always)]
fn reduce(x: f32) -> (i32, f32) {
    let bits = x.to_bits();
    let k = (bits.wrapping_add(SQRT_HALF_OFFSET) >> 23) as i32 - 0x7f;
    (k, f32::from_bits(bits.wrapping_sub((k as u32) << 23)) - 1.0)
}

/// `log1pf`'s threshold: `1 - t >= √2/2` (`t <= 1 - √2/2`) keeps `f = -t` unreduced.
const NEAR_LIMIT: u32 = 0x3e95_f619;
/// `log1pf` returns its argument below 2^-24.
const TINY_LIMIT: u32 = 0x3380_0000;

/// `log1pf`'s reduction of `1 - t` for `t > 1 - √2/2`: `(k, f, c)` with the correction `c`.
#[inline(always)]
fn reduce_1m(t: f32) -> (i32, f32, f32) {
    let x = -t;
    let u = 1.0 + x;
    let (k, f) = reduce(u);
    // libm's `k < 2` correction, divided by u.
    (k, f, (x - (u - 1.0)) / u)
}

/// `libm::log1pf(-t)` for `t ∈ [2^-33, 1/2]`, without the special cases: `libm`'s three
/// remaining cases (`t < 2^-24`: `-t` itself; `1 - t >= √2/2`: the polynomial at `f = -t`;
/// otherwise `1 - t` reduced, with a correction term), by branches.
#[inline(always)]
fn ln_1m(t: f32) -> f32 {
    if t.to_bits() < TINY_LIMIT {
        return -t;
    }
    if t.to_bits() <= NEAR_LIMIT {
        return log_tail_unreduced(-t);
    }
    let (k, f, c) = reduce_1m(t);
    log_tail(k, f, c)
}

/// [`ln_1m`] by selects: every case's reduction is computed and the one that applies chosen,
/// so no branch depends on the random word.
#[inline(always)]
fn ln_1m_branch_free(t: f32) -> f32 {
    let (k, f, c) = select_1m(t);
    let tail = log_tail(k, f, c);
    if t.to_bits() < TINY_LIMIT { -t } else { tail }
}

/// `log1pf(-t)`'s `(k, f, c)` for the polynomial (the tiny case aside), by selects.
#[inline(always)]
fn select_1m(t: f32) -> (i32, f32, f32) {
    let far = reduce_1m(t);
    if t.to_bits() > NEAR_LIMIT {
        far
    } else {
        (0, -t, 0.0)
    }
}

/// `ln U` for the `U` that `(upper, t)` stands for, branch-free: the reduction of `logf(t)`
/// or of `log1pf(-t)` chosen by selects, then the shared polynomial once.
#[inline(always)]
fn ln_u_branch_free(upper: bool, t: f32) -> f32 {
    let (k_lower, f_lower) = reduce(t);
    let upper_case = select_1m(t);
    let (k, f, c) = if upper {
        upper_case
    } else {
        (k_lower, f_lower, 0.0)
    };
    let tail = log_tail(k, f, c);
    if upper && t.to_bits() < TINY_LIMIT {
        -t
    } else {
        tail
    }
}

/// `ln U` for the `U` that `(upper, t)` stands for, by a branch on the half.
#[inline(always)]
fn ln_u_branching(upper: bool, t: f32) -> f32 {
    if upper { ln_1m(t) } else { ln_normal(t) }
}

/// `ln U`, the kernel's first logarithm, in the form that is cheaper on the target (the same
/// bits either way; the unit tests check both against `libm`): a branch on the random word's
/// top bit costs a misprediction half the time on a core that speculates, but is one cheap
/// instruction on a Cortex-M, where computing both cases would cost a second reduction (and,
/// without an FPU, a software division).
#[inline(always)]
fn ln_u(upper: bool, t: f32) -> f32 {
    if cfg!(target_arch = "arm") {
        ln_u_branching(upper, t)
    } else {
        ln_u_branch_free(upper, t)
    }
}

/// `-ln U` for the `U` that `(upper, t)` stands for.
#[inline(always)]
fn exponential_from_parts(upper: bool, t: f32) -> f32 {
    -ln_u(upper, t)
}

/// The Gumbel kernel, `-ln(-ln U)`.
#[inline(always)]
fn gumbel(word: u32) -> f32 {
    let (upper, t) = split_word(word);
    -ln_normal(exponential_from_parts(upper, t))
}

/// `ln U - ln(1 - U)` for the `U` that `(upper, t)` stands for.
#[inline(always)]
fn logistic_from_parts(upper: bool, t: f32) -> f32 {
    let ln_1m = if cfg!(target_arch = "arm") {
        ln_1m(t)
    } else {
        ln_1m_branch_free(t)
    };
    let magnitude = ln_1m - ln_normal(t);
    if upper { magnitude } else { -magnitude }
}

// libm's expf constants.
const EXP_LN2_HI: f32 = f32::from_bits(0x3f31_7200);
const EXP_LN2_LO: f32 = f32::from_bits(0x35bf_be8e);
const INV_LN2: f32 = f32::from_bits(0x3fb8_aa3b);
const P1: f32 = f32::from_bits(0x3e2a_aa8f);
const P2: f32 = f32::from_bits(0xbb35_5215);
/// 2^-64: the second half of the scaling by `2^k` (see [`exp_nonpositive`]).
const TWO_POW_NEG_64: f32 = f32::from_bits((127 - 64) << 23);

/// `libm::expf(x)` for `x <= 0` (`-0` and `-inf` included), without the special cases:
/// `libm`'s cases (`|x| <= 2^-14`: `1 + x`; `x <= -103.97`: 0; otherwise the reduction to
/// `2^k e^r`), by branches. `libm` scales by `2^k` with `scalbnf`, which for the subnormal
/// results multiplies by `2^-102` (exact) and then rounds once; multiplying by `2^(k+64)`
/// (exact: the result stays normal) and then by `2^-64` rounds the same value once.
#[inline(always)]
fn exp_nonpositive_branching(x: f32) -> f32 {
    let hx = x.to_bits() & 0x7fff_ffff;
    if hx <= EXP_TINY {
        return 1.0 + x;
    }
    if hx >= EXP_UNDERFLOW {
        return 0.0;
    }
    exp_reduced(x, hx, |y| y as i32)
}

/// [`exp_nonpositive_branching`] by selects: the reduction is computed whatever the case and
/// the case's result chosen, so no branch depends on the argument and a loop of them
/// vectorises.
#[inline(always)]
fn exp_nonpositive_branch_free(x: f32) -> f32 {
    let hx = x.to_bits() & 0x7fff_ffff;
    let reduced = exp_reduced(x, hx, exp_k_branch_free);
    if hx <= EXP_TINY {
        1.0 + x
    } else if hx >= EXP_UNDERFLOW {
        0.0
    } else {
        reduced
    }
}

/// `y as i32` for `y` in `(−2^22, 0]` by selects, for the vectorised exponential: `as i32`
/// saturates, which SSE2 cannot do on four lanes at once, so the compiler would convert the
/// lanes one by one. Adding `1.5·2^23` rounds `y` to the nearest integer `r`, whose value the
/// sum's low bits hold; `y` is negative, so truncation is `r`, or `r + 1` when `r` rounded
/// down. Outside that range (an `x` of `−inf`, whose result is selected away) the value is of
/// no use. The exponential's exhaustive test proves the whole kernel bit for bit.
#[inline(always)]
fn exp_k_branch_free(y: f32) -> i32 {
    const ROUND: f32 = 12_582_912.0;
    let sum = y + ROUND;
    let nearest = sum - ROUND;
    let k = (sum.to_bits() as i32).wrapping_sub(ROUND.to_bits() as i32);
    k + i32::from(nearest < y)
}

/// `expf` returns `1 + x` at and below this `|x|` (2^-14).
const EXP_TINY: u32 = 0x3900_0000;
/// `expf` of a negative `x` is 0 at and beyond this `|x|` (103.97).
const EXP_UNDERFLOW: u32 = 0x42cf_f1b5;

/// `expf`'s reduction to `2^k e^r` and its polynomial, for `x < 0` with `|x|`'s bits `hx`
/// between [`EXP_TINY`] and [`EXP_UNDERFLOW`] (elsewhere a value of no use, computed without
/// fault).
///
/// `truncate` converts `INV_LN2·x − 1/2` to the integer `k` (towards zero, as `as i32` does);
/// only its value on `(−151, −2)`, where `x` is in range, matters.
#[inline(always)]
fn exp_reduced(x: f32, hx: u32, truncate: impl Fn(f32) -> i32) -> f32 {
    let k = if hx > 0x3f85_1592 {
        truncate(INV_LN2 * x - 0.5)
    } else if hx > 0x3eb1_7218 {
        -1
    } else {
        0
    };
    let kf = k as f32;
    let hi = x - kf * EXP_LN2_HI;
    let lo = kf * EXP_LN2_LO;
    let r = hi - lo;
    let rr = r * r;
    let c = r - rr * (P1 + rr * P2);
    let y = 1.0 + (r * c / (2.0 - c) - lo + hi);
    // k >= -150 in range, so the exponent field is too.
    let scale = f32::from_bits((k.wrapping_add(0x7f + 64) as u32 & 0xff) << 23);
    y * scale * TWO_POW_NEG_64
}

/// `libm::expf(x)` for `x <= 0`, in the form that is cheaper on the target (the same bits
/// either way; the unit tests check both against `libm`), as for [`ln_u`].
#[inline(always)]
fn exp_nonpositive(x: f32) -> f32 {
    if cfg!(target_arch = "arm") {
        exp_nonpositive_branching(x)
    } else {
        exp_nonpositive_branch_free(x)
    }
}

/// `(max(x, f32::MIN), exp_nonpositive(x))` for `x <= 0` not NaN, by branches, the clamp only
/// where the exponential underflows (`-inf` is the one value it changes): the common path has
/// none.
#[inline(always)]
fn clamp_exp_branching(x: f32) -> (f32, f32) {
    let hx = x.to_bits() & 0x7fff_ffff;
    if hx <= EXP_TINY {
        (x, 1.0 + x)
    } else if hx < EXP_UNDERFLOW {
        (x, exp_reduced(x, hx, |y| y as i32))
    } else {
        (if x < f32::MIN { f32::MIN } else { x }, 0.0)
    }
}

/// [`clamp_exp_branching`] by selects.
#[inline(always)]
fn clamp_exp_branch_free(x: f32) -> (f32, f32) {
    let clamped = if x < f32::MIN { f32::MIN } else { x };
    (clamped, exp_nonpositive_branch_free(x))
}

// The item-level condition `build.rs` sets is the constant's.
const _: () = assert!(<f32 as Sealed>::SOFT_FLOAT_SPEED == cfg!(gumbel_soft_float_speed));

impl Sealed for f32 {
    // The 64-bit hosts with vector units, whose moves keep every bit of a value (an x87
    // register would quiet a signalling NaN, which a word parked in an `f32` slot can be).
    const VECTORISED_NOISE: bool = cfg!(any(target_arch = "x86_64", target_arch = "aarch64"));
    const SATURATES: bool = false;
    const GENERAL_LOOPS_WHEN_SMALL: bool = true;
    const SHARED_GUMBEL_KERNEL: bool = cfg!(gumbel_small);
    const FUSED_NOISE: bool = Self::SOFT_FLOAT && cfg!(gumbel_small);
    const CONCRETE_IN_PASSES: bool = false;
    const SOFT_FLOAT: bool = cfg!(all(target_arch = "arm", not(target_abi = "eabihf")));
    // Every Cortex-M, optimised for speed.
    const EXACT_SAMPLE_TAIL_CALLED: bool = cfg!(all(target_arch = "arm", not(gumbel_small)));
    const MASK_SCAN_OUT_OF_LINE: bool = false;
    const OVERLAP_OUT_OF_LINE: bool = cfg!(all(
        target_arch = "arm",
        target_abi = "eabihf",
        not(gumbel_small)
    ));

    #[inline(always)]
    fn gumbel_bracket(word: u32) -> (f32, f32) {
        if cfg!(gumbel_small) {
            let (least, greatest) = small_bracket_indices(word);
            return (SMALL_EDGES[least], SMALL_EDGES[greatest]);
        }
        let (least, greatest) = bracket_indices(word);
        (
            gumbel_brackets::EDGES[least],
            gumbel_brackets::EDGES[greatest],
        )
    }

    #[inline(always)]
    fn gumbel_inline(word: u32) -> f32 {
        gumbel(word)
    }

    #[inline(always)]
    fn exp_nonpositive(x: f32) -> f32 {
        exp_nonpositive(x)
    }
    #[inline(always)]
    fn exp_nonpositive_and_accumulate(x: f32, acc: &mut f32) -> f32 {
        let e = exp_nonpositive(x);
        *acc += e;
        e
    }
    #[inline(always)]
    fn clamp_exp_and_accumulate(x: f32, acc: &mut f32) -> (f32, f32) {
        let (x, e) = if cfg!(target_arch = "arm") {
            clamp_exp_branching(x)
        } else {
            clamp_exp_branch_free(x)
        };
        *acc += e;
        (x, e)
    }
    #[inline(always)]
    fn exp_nonpositive_in_place(xs: &mut [f32], acc: &mut f32) {
        // The exponentials side by side (vectorised on a host), then their sum in order.
        for x in xs.iter_mut() {
            *x = exp_nonpositive(*x);
        }
        for &e in xs.iter() {
            *acc += e;
        }
    }

    /// On the magnitudes' bits: for values without a sign bit the order of the bits is the
    /// order of the values (and equal values have equal bits), and the bits of every NaN's and
    /// infinity's magnitude lie above every finite value's. One integer maximum per value.
    #[inline(always)]
    fn largest_magnitude(values: &[f32]) -> Option<f32> {
        let bits = values
            .iter()
            .fold(0, |largest: u32, v| largest.max(v.to_bits() & 0x7fff_ffff));
        (bits < f32::INFINITY.to_bits()).then(|| f32::from_bits(bits))
    }

    type Divisor = f32;
    #[inline(always)]
    fn divisor(d: f32) -> f32 {
        d
    }
    #[inline(always)]
    fn div_by(self, d: f32) -> f32 {
        self / d
    }
    #[inline(always)]
    fn div_shallow(self, d: f32) -> f32 {
        self / d
    }
}

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

    /// `libm::expf`, bit for bit: within 1 ulp of `e^x` (musl's bound). For `x <= 0` (where
    /// the samplers use it) through a branch-free copy of its algorithm, proven identical at
    /// every such `x`.
    #[inline]
    fn exp(self) -> Self {
        if self <= 0.0 {
            exp_nonpositive(self)
        } else {
            libm::expf(self)
        }
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
        if Self::SHARED_GUMBEL_KERNEL {
            // Optimised for size: the one out-of-line copy of the kernel.
            crate::noise::shared_gumbel(word)
        } else {
            gumbel(word)
        }
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
    //! halves: bit-identical to `libm`, within the documented bounds of an f64 evaluation of the
    //! same exact variate, and inside the bracket table. And `exp` against `libm::expf` at every
    //! `x <= 0`.

    use super::*;
    use crate::scalar::BRACKET_BITS;

    /// The words of bucket `p` of a half (all words whose bits below the top one start with the
    /// `BRACKET_BITS - 1` bits of `p`) give `t · 2^33 = (2m + 1)` for a range of `m`; every value
    /// that takes as an `f32`, in increasing order (above 2^24 a superset: every `f32` between
    /// the ends).
    fn scaled_distances_in_bucket(p: u32) -> impl Iterator<Item = f32> {
        let shift = 32 - BRACKET_BITS;
        let m_low = p << shift;
        let m_high = m_low + ((1 << shift) - 1);
        let (n_low, n_high) = (2 * m_low + 1, 2 * m_high + 1);
        let exact_end = 1u32 << 24;
        let small = (n_low..n_high.min(exact_end - 1) + 1)
            .step_by(2)
            .map(|n| n as f32);
        let large_from = (n_low as f32).max(exact_end as f32).to_bits();
        let large_to = (n_high as f32).to_bits();
        let large = (large_from..=large_to).map(f32::from_bits);
        small.chain(large)
    }

    const ULP: f64 = 1.0 / (1u64 << 23) as f64;

    /// What one half of the words gives: the (min, max) of Gumbel, exponential and logistic
    /// values, and the least and greatest Gumbel value of each of its buckets.
    struct Half {
        ranges: [(f64, f64); 3],
        brackets: Vec<[f32; 2]>,
    }

    fn check_half(upper: bool) -> Half {
        let mut ranges = [(f64::INFINITY, f64::NEG_INFINITY); 3];
        let mut brackets = Vec::new();
        for p in 0..1u32 << (BRACKET_BITS - 1) {
            let mut bracket = [f32::INFINITY, f32::NEG_INFINITY];
            for scaled in scaled_distances_in_bucket(p) {
                let t = scaled * TWO_POW_NEG_33;
                let e = exponential_from_parts(upper, t);
                let g = -ln_normal(e);
                let l = logistic_from_parts(upper, t);
                // The same bits as libm.
                let libm_e = if upper {
                    -libm::log1pf(-t)
                } else {
                    -libm::logf(t)
                };
                let libm_l = libm::log1pf(-t) - libm::logf(t);
                let libm_l = if upper { libm_l } else { -libm_l };
                assert_eq!(e.to_bits(), libm_e.to_bits(), "E at t = {t:e}, {upper}");
                // Both forms of the first logarithm (the target picks one).
                for ln_u in [ln_u_branching(upper, t), ln_u_branch_free(upper, t)] {
                    assert_eq!(
                        (-ln_u).to_bits(),
                        libm_e.to_bits(),
                        "ln U at {t:e}, {upper}"
                    );
                }
                assert_eq!(ln_1m(t).to_bits(), ln_1m_branch_free(t).to_bits(), "{t:e}");
                assert_eq!(g.to_bits(), (-libm::logf(libm_e)).to_bits(), "G at {t:e}");
                assert_eq!(l.to_bits(), libm_l.to_bits(), "L at t = {t:e}, {upper}");
                bracket = [bracket[0].min(g), bracket[1].max(g)];

                let t64 = f64::from(t);
                let exact_e = if upper { -(-t64).ln_1p() } else { -t64.ln() };
                let exact_g = -exact_e.ln();
                let exact_l = t64.ln() - (-t64).ln_1p();
                let exact_l = if upper { -exact_l } else { exact_l };
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
                let l_bound =
                    ULP * (t64.ln().abs() + (-t64).ln_1p().abs()) + ULP / 2.0 * exact_l.abs();
                assert!(
                    (l64 - exact_l).abs() <= l_bound,
                    "L at t = {t:e}: {l} vs {exact_l}"
                );
                for (range, v) in ranges.iter_mut().zip([g64, e64, l64]) {
                    range.0 = range.0.min(v);
                    range.1 = range.1.max(v);
                }
            }
            brackets.push(bracket);
        }
        Half { ranges, brackets }
    }

    #[test]
    fn noise_kernels_are_libm_bit_for_bit_finite_accurate_and_bracketed_for_every_word() {
        let [lower, upper] = std::thread::scope(|s| {
            let lower = s.spawn(|| check_half(false));
            let upper = s.spawn(|| check_half(true));
            [lower.join().unwrap(), upper.join().unwrap()]
        });
        let span = |i: usize| {
            let (a, b) = (lower.ranges[i], upper.ranges[i]);
            (a.0.min(b.0), a.1.max(b.1))
        };
        let (gumbel, exponential, logistic) = (span(0), span(1), span(2));
        eprintln!("Gumbel range {gumbel:?}, exponential {exponential:?}, logistic {logistic:?}");
        // The ranges documented in the module docs of `noise`.
        let top = 33.0 * core::f64::consts::LN_2;
        assert!(gumbel.0 >= -(top.ln()) - 1e-6 && gumbel.1 <= top + 1e-5);
        assert!(exponential.0 >= 2f64.powi(-33) && exponential.1 <= top + 1e-5);
        assert!(logistic.0 == -logistic.1 && logistic.1 <= top + 1e-5);
        // The ends are reached by the words 0 (U = 2^-33) and 2^31 (U = 1 - 2^-33).
        assert_eq!(f64::from(f32::gumbel_from_word(0)), gumbel.0);
        assert_eq!(f64::from(f32::gumbel_from_word(1 << 31)), gumbel.1);
        assert_eq!(f64::from(f32::logistic_from_word(0)), logistic.0);
        assert_eq!(f64::from(f32::logistic_from_word(1 << 31)), logistic.1);

        // The edge table is exactly the least and greatest value of each bucket.
        let brackets: Vec<[f32; 2]> = lower.brackets.into_iter().chain(upper.brackets).collect();
        let edges = crate::scalar::bracket_edges(&brackets);
        crate::scalar::check_small_edges(&brackets, &SMALL_EDGES);
        if std::env::var_os("GUMBEL_BLESS").is_some() {
            bless(&edges);
        }
        assert_eq!(
            edges.iter().map(|e| e.to_bits()).collect::<Vec<_>>(),
            gumbel_brackets::EDGES.map(f32::to_bits),
            "regenerate with GUMBEL_BLESS=1 cargo test --lib"
        );
        let mut tight = 0;
        for (b, bracket) in brackets.iter().enumerate() {
            let word = (b as u32) << (32 - crate::scalar::BRACKET_BITS);
            // The table the samplers read (the coarser one when optimised for size, which
            // `check_small_edges` proves on its own) bounds the bucket.
            let (least, greatest) = f32::gumbel_bracket(word);
            assert!(least <= bracket[0] && greatest >= bracket[1], "bucket {b}");
            let (l, g) = crate::scalar::bracket_indices(word);
            let full = (gumbel_brackets::EDGES[l], gumbel_brackets::EDGES[g]);
            tight += usize::from(full.0 == bracket[0] && full.1 == bracket[1]);
        }
        // Neighbouring buckets share their boundary value, so every bracket of the full table
        // is exactly its bucket's least and greatest variate.
        assert_eq!(tight, brackets.len());
    }

    /// Rewrites `float/gumbel_brackets.rs` from the exhaustive walk.
    fn bless(edges: &[f32]) {
        let mut text = String::from(
            "//! Generated by `GUMBEL_BLESS=1 cargo test --lib -- float::tests`; do not edit.\n\n\
             use crate::scalar::BRACKET_EDGES;\n\n\
             /// The bucket edges of `f32::gumbel_from_word`, in the order of `scalar::bracket_indices`.\n",
        );
        text += "pub(super) const EDGES: [f32; BRACKET_EDGES] = [\n";
        for e in edges {
            text += &format!("    f32::from_bits({:#010x}), // {e:.6}\n", e.to_bits());
        }
        text += "];\n";
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/src/scalar/float/gumbel_brackets.rs"
        );
        std::fs::write(path, text).unwrap();
    }

    /// `exp` is `libm::expf` at every `x <= 0`: `+0`, and every `f32` from `-0` to `-inf`.
    #[test]
    fn exp_is_libm_bit_for_bit_at_every_nonpositive_argument() {
        let one = 1.0f32.to_bits();
        assert_eq!(Scalar::exp(0.0f32).to_bits(), one);
        assert_eq!(exp_nonpositive_branching(0.0).to_bits(), one);
        assert_eq!(exp_nonpositive_branch_free(0.0).to_bits(), one);
        let last = f32::NEG_INFINITY.to_bits();
        let first = (-0.0f32).to_bits();
        let middle = first + (last - first) / 2;
        std::thread::scope(|s| {
            for (from, to) in [(first, middle), (middle + 1, last)] {
                s.spawn(move || {
                    for bits in from..=to {
                        let x = f32::from_bits(bits);
                        let expected = libm::expf(x).to_bits();
                        assert_eq!(Scalar::exp(x).to_bits(), expected, "exp({x:e})");
                        // Both forms (the target picks one).
                        assert_eq!(exp_nonpositive_branching(x).to_bits(), expected, "{x:e}");
                        assert_eq!(exp_nonpositive_branch_free(x).to_bits(), expected, "{x:e}");
                        // And beside the clamp of the VJP's scaled logits.
                        let clamped = if x < f32::MIN { f32::MIN } else { x };
                        for (c, e) in [clamp_exp_branching(x), clamp_exp_branch_free(x)] {
                            assert_eq!((c.to_bits(), e.to_bits()), (clamped.to_bits(), expected));
                        }
                    }
                });
            }
        });
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
