//! Integer-only maths for [`Fixed`](super::Fixed): no floating-point operation anywhere, so a
//! Cortex-M0 links no soft-float routine through it (CI checks the symbol table).
//!
//! Everything is computed in 64-bit integers with 32 fractional bits ("Q32") and rounded to
//! I16F16 (16 fractional bits, one LSB = 2^-16) once, at the end. The error bounds below are in
//! LSB of the I16F16 result and are measured exhaustively by `tests/fixed_kernels.rs`
//! (`cargo test --features fixed --test fixed_kernels -- --nocapture` prints the maxima).
//!
//! # Logarithm
//! `ln` of a positive integer `x = 2^n · y`, `y ∈ [1, 2)` a 32-bit mantissa: `n·ln 2` (from a
//! 56-fractional-bit constant, so `n·ln 2` is exact to 2^-40), plus `ln y` from a 32-entry table
//! and a degree-5 polynomial: with `r_i ≈ 1/y` from the table, `y·r_i = 1 + d`, `|d| ≤ 1/64`,
//! and `ln y = -ln r_i + ln(1 + d)`, the series truncated after `d^5/5` (remainder `< 2^-38`).
//! Absolute error of the Q32 logarithm: below `2^-30`.
//!
//! # Exponential
//! `e^x = 2^k · e^r` with `k = ⌈x / ln 2⌉`, `r ∈ (-ln 2, 0]`; `e^r = e^(-j/32) · e^s` with a
//! 23-entry table and `s ∈ (-1/32, 0]`, the Taylor series of `e^s` truncated after `s^4/24`
//! (remainder `< 2^-32`).
//!
//! # Inputs with more than 22 significant bits
//! The kernels that take a whole I16F16 value or a random word keep only the 22 leading
//! significant bits of it (the rest replaced by the middle of the dropped range). That costs at
//! most `2^-23` relative on the argument (`2^-7` LSB on a logarithm) and bounds the number of
//! distinct inputs of each kernel by about 2^24.5, so the tests evaluate every one of them.

use super::division::div_to_u32_by_digits;

/// Fractional bits of the internal format.
const Q: u32 = 32;
/// One in Q32.
const ONE_Q32: i64 = 1 << Q;
/// `ln 2` with 56 fractional bits: `n·ln 2` is formed from it exactly to 2^-40 for `|n| < 2^16`.
const LN2_Q56: i64 = 49_946_518_145_322_874;
/// `ln 2` in Q32 (rounded), for range reduction of the exponential.
const LN2_Q32: i64 = 2_977_044_472;
/// `1 / ln 2` in Q13: the exponential's range reduction multiplies by it (a Cortex-M0 has no
/// divider, and a 64-bit division is a slow library call).
const INV_LN2_Q13: i32 = 11_819;
/// 1/3, 1/5 and 5/24 in Q32, for the same reason.
const THIRD_Q32: i64 = 1_431_655_765;
const FIFTH_Q32: i64 = 858_993_459;
const FIVE_TWENTY_FOURTHS_Q32: i64 = 894_784_853;

/// `r_i = round(2^32 / (1 + (i + 1/2)/32))`: approximate reciprocals of the mantissa intervals.
const RECIPROCAL: [u32; 32] = [
    0xfc0f_c0fc,
    0xf489_8d60,
    0xed73_03b6,
    0xe6c2_b448,
    0xe070_381c,
    0xda74_0da7,
    0xd4c7_7b03,
    0xcf64_74a9,
    0xca45_87e7,
    0xc565_c87b,
    0xc0c0_c0c1,
    0xbc52_640c,
    0xb817_02e0,
    0xb40b_40b4,
    0xb02c_0b03,
    0xac76_9184,
    0xa8e8_3f57,
    0xa57e_b503,
    0xa237_c32b,
    0x9f11_65e7,
    0x9c09_c09c,
    0x991f_1a51,
    0x964f_da6c,
    0x939a_85c4,
    0x90fd_bc09,
    0x8e78_356d,
    0x8c08_c08c,
    0x89ae_408a,
    0x8767_ab5f,
    0x8534_0853,
    0x8312_6e98,
    0x8102_0408,
];

/// `round(-ln(RECIPROCAL[i] / 2^32) · 2^32)`: the logarithm of the exact table entry, so the
/// rounding of the reciprocal costs nothing. Every entry is below `ln 2 · 2^32 < 2^32`.
const LN_RECIPROCAL: [u32; 32] = [
    66_589_974,
    196_750_459,
    323_082_134,
    445_803_834,
    565_116_154,
    681_203_418,
    794_235_397,
    904_368_796,
    1_011_748_572,
    1_116_509_066,
    1_218_775_023,
    1_318_662_485,
    1_416_279_581,
    1_511_727_226,
    1_605_099_758,
    1_696_485_489,
    1_785_967_211,
    1_873_622_646,
    1_959_524_856,
    2_043_742_600,
    2_126_340_670,
    2_207_380_193,
    2_286_918_897,
    2_365_011_363,
    2_441_709_246,
    2_517_061_482,
    2_591_114_477,
    2_663_912_275,
    2_735_496_721,
    2_805_907_598,
    2_875_182_765,
    2_943_358_281,
];

/// `round(e^(-j/32) · 2^31)`, `j = 0..=22` (Q31, so the product with a Q32 value fits a `u64`).
const EXP_NEG_THIRTY_SECONDS: [u32; 23] = [
    2_147_483_648,
    2_081_412_522,
    2_017_374_191,
    1_955_306_112,
    1_895_147_668,
    1_836_840_104,
    1_780_326_475,
    1_725_551_588,
    1_672_461_947,
    1_621_005_702,
    1_571_132_600,
    1_522_793_931,
    1_475_942_488,
    1_430_532_511,
    1_386_519_653,
    1_343_860_928,
    1_302_514_674,
    1_262_440_510,
    1_223_599_299,
    1_185_953_106,
    1_149_465_165,
    1_114_099_840,
    1_079_822_591,
];

/// Cores without a 32×32→64-bit multiply or a count-leading-zeros instruction: ARMv6-M
/// (Cortex-M0, M0+, M1), recognised by its lack of 32-bit atomics. There the compiler calls
/// `__aeabi_lmul` for every 64-bit product, `__clzsi2` for every leading-zero count and
/// `__aeabi_llsl` for every 64-bit shift by a variable amount; the kernels use the inline
/// equivalents below instead when optimised for speed ([`BY_PARTS`]), which give the same
/// bits (their unit tests compare them with the native operations on the host).
const ARMV6M: bool = cfg!(all(target_arch = "arm", not(target_has_atomic = "32")));

/// Whether the products, leading-zero counts and shifts are expanded inline: on ARMv6-M when
/// optimised for speed. Optimised for size (`cfg(gumbel_small)`) the library calls win (1,168
/// bytes less for Gumbel-max and Concrete together on the M0): `__aeabi_lmul` and `__clzsi2`
/// are linked anyway, and each call is a few bytes.
const BY_PARTS: bool = ARMV6M && !cfg!(gumbel_small);

/// The low 64 bits of `a · b` (`wrapping_mul`): with [`BY_PARTS`] one 32×32→64 product and
/// two 32-bit ones, inline, instead of a call to `__aeabi_lmul`.
#[inline(always)]
fn mul64(a: i64, b: i64) -> i64 {
    if BY_PARTS {
        mul64_by_parts(a, b)
    } else {
        a.wrapping_mul(b)
    }
}

/// `a · b` for 32-bit operands, exact.
#[inline(always)]
fn wide(a: u32, b: u32) -> u64 {
    if BY_PARTS {
        wide_by_parts(a, b)
    } else {
        u64::from(a) * u64::from(b)
    }
}

/// [`wide`] from four 16×16→32 products (what `muls` gives on ARMv6-M).
#[inline(always)]
pub(crate) fn wide_by_parts(a: u32, b: u32) -> u64 {
    let (a_lo, a_hi) = (a & 0xffff, a >> 16);
    let (b_lo, b_hi) = (b & 0xffff, b >> 16);
    let low = a_lo * b_lo;
    let (cross_1, cross_2) = (a_lo * b_hi, a_hi * b_lo);
    // At most 3·(2^16 − 1): no overflow.
    let middle = (low >> 16) + (cross_1 & 0xffff) + (cross_2 & 0xffff);
    let high = a_hi * b_hi + (cross_1 >> 16) + (cross_2 >> 16) + (middle >> 16);
    (u64::from(high) << 32) | u64::from((middle << 16) | (low & 0xffff))
}

/// [`mul64`] from [`wide_by_parts`]: `a_lo·b_lo + 2^32 (a_hi·b_lo + a_lo·b_hi)` modulo 2^64.
#[inline(always)]
pub(crate) fn mul64_by_parts(a: i64, b: i64) -> i64 {
    let (a_lo, a_hi) = (a as u32, (a >> 32) as u32);
    let (b_lo, b_hi) = (b as u32, (b >> 32) as u32);
    let cross = a_hi
        .wrapping_mul(b_lo)
        .wrapping_add(a_lo.wrapping_mul(b_hi));
    wide_by_parts(a_lo, b_lo).wrapping_add(u64::from(cross) << 32) as i64
}

/// `x.leading_zeros()`, inline with [`BY_PARTS`] (ARMv6-M has no `clz`).
#[inline(always)]
fn leading_zeros(x: u64) -> u32 {
    if BY_PARTS {
        leading_zeros_by_halving(x)
    } else {
        x.leading_zeros()
    }
}

/// [`leading_zeros`] by halving the search interval.
#[inline(always)]
pub(crate) fn leading_zeros_by_halving(x: u64) -> u32 {
    if x == 0 {
        return 64;
    }
    let (mut word, mut n) = match (x >> 32) as u32 {
        0 => (x as u32, 32),
        high => (high, 0),
    };
    for bits in [16, 8, 4, 2, 1] {
        if word >> (32 - bits) == 0 {
            n += bits;
            word <<= bits;
        }
    }
    n
}

/// `x << s` for `s < 64`: with [`BY_PARTS`] in 32-bit halves, inline, instead of a call to
/// `__aeabi_llsl`, whose frame would lie below the kernel's (the deepest of the exact
/// Gumbel variate's chain).
#[inline(always)]
fn shl64(x: u64, s: u32) -> u64 {
    if BY_PARTS { shl_by_parts(x, s) } else { x << s }
}

/// [`shl64`] from 32-bit shifts: below 32 the high half takes the low half's top `s` bits
/// (shifted right in two steps, so that `s = 0` needs no shift by 32).
#[inline(always)]
pub(crate) fn shl_by_parts(x: u64, s: u32) -> u64 {
    let (high, low) = ((x >> 32) as u32, x as u32);
    let (high, low) = if s >= 32 {
        (low << (s & 31), 0)
    } else {
        ((high << s) | ((low >> 1) >> (31 - s)), low << s)
    };
    (u64::from(high) << 32) | u64::from(low)
}

/// `⌊n / d⌋` for a quotient below 2^32 (`d > 0`, `n < d · 2^32`): on ARMv6-M by
/// [`div_to_u32_by_shifts`] instead of a call to the compiler's 64-bit division (about 900
/// bytes of flash there), on the other Cortex-M cores by their 32-bit divider
/// ([`div_to_u32_by_digits`]: no call, so no frames below the caller's), elsewhere the native
/// division.
#[inline(always)]
fn div_to_u32(n: u64, d: u64) -> u32 {
    if ARMV6M {
        div_to_u32_by_shifts(n, d)
    } else if cfg!(target_arch = "arm") {
        div_to_u32_by_digits(n, d)
    } else {
        (n / d) as u32
    }
}

/// `⌊n / d⌋` for `d > 0` and `n < d · 2^32` (so the quotient fits 32 bits; otherwise the
/// result is unspecified), exactly: restoring binary long division, one quotient bit per step
/// from the high word `n >> 32` (below `d`) and the 32 bits of the low word. The remainder `r`
/// stays below `d`; `2r + 1` can exceed 64 bits only when `r >= 2^63`, and then it exceeds
/// `d`, so its carry out counts as "at least `d`" and the wrapping subtraction gives the true
/// `2r + bit − d < d`.
///
/// A divisor below 2^32 keeps the remainder in one 32-bit word (the carry out of its top bit
/// standing in for the 33rd), the same steps at half the cost on a 32-bit core. Optimised for
/// size (`cfg(gumbel_small)`) every divisor takes the 64-bit steps (56 bytes less on the M0,
/// a few instructions more per step for the temperature's reciprocal), and the two callers
/// share one copy.
#[cfg_attr(gumbel_small, inline(never))]
#[cfg_attr(not(gumbel_small), inline)]
pub(crate) fn div_to_u32_by_shifts(n: u64, d: u64) -> u32 {
    let mut low = n as u32;
    let mut q = 0u32;
    if !cfg!(gumbel_small) && d >> 32 == 0 {
        let (mut r, d) = ((n >> 32) as u32, d as u32);
        for _ in 0..32 {
            let carry = r >> 31 != 0;
            r = (r << 1) | (low >> 31);
            low <<= 1;
            q <<= 1;
            if carry || r >= d {
                r = r.wrapping_sub(d);
                q |= 1;
            }
        }
        return q;
    }
    let mut r = n >> 32;
    for _ in 0..32 {
        let carry = r >> 63 != 0;
        r = (r << 1) | u64::from(low >> 31);
        low <<= 1;
        q <<= 1;
        if carry || r >= d {
            r = r.wrapping_sub(d);
            q |= 1;
        }
    }
    q
}

/// `(a · b) / 2^32`, rounded to nearest; `|a · b|` must stay below 2^63.
#[inline]
fn mul_q32(a: i64, b: i64) -> i64 {
    (mul64(a, b) + (1 << (Q - 1))) >> Q
}

/// `n · ln 2` in Q32.
#[inline]
fn n_ln2_q32(n: i64) -> i64 {
    (mul64(n, LN2_Q56) + (1 << 23)) >> 24
}

/// Keeps the 22 leading significant bits of `x`, replacing the dropped bits by the middle of
/// their range (the same value for every `x` with the same leading bits). Every input is a
/// 32-bit word (an I16F16 magnitude or a random word's distance), so the shifts are 32-bit.
#[inline]
pub(crate) fn keep_22_bits(x: u32) -> u32 {
    let bits = 64 - leading_zeros(u64::from(x));
    if bits <= 22 {
        x
    } else {
        let dropped = bits - 22;
        ((x >> dropped) << dropped) | (1 << (dropped - 1))
    }
}

/// `ln x` in Q32 for an integer `x >= 1` (`x = 0` gives `ln 1 = 0`; callers never pass it).
/// Absolute error below 2^-30.
pub(crate) fn ln_q32(x: u64) -> i64 {
    let x = x.max(1);
    let zeros = leading_zeros(x);
    let n = 63 - zeros;
    // 32-bit mantissa with its top bit set: y = mantissa / 2^31 ∈ [1, 2), the top word of x
    // normalised. Truncating the bits of x below the mantissa costs less than 2^-31 relative.
    let mantissa = (shl64(x, zeros) >> 32) as u32;
    n_ln2_q32(i64::from(n)) + ln_mantissa_q32(mantissa)
}

/// `ln(m / 2^31)` in Q32 for a mantissa `m ∈ [2^31, 2^32)`.
#[inline]
fn ln_mantissa_q32(mantissa: u32) -> i64 {
    let i = ((mantissa >> 26) & 31) as usize;
    // y·r_i in Q63, within 2^-6 of one (so it fits a u64), then d = y·r_i - 1 in Q32.
    let product = wide(mantissa, RECIPROCAL[i]);
    let d = (product.wrapping_sub(1 << 63) as i64 + (1 << 30)) >> 31;
    let series = if BY_PARTS {
        ln_1p_q32_by_words(d as i32)
    } else {
        ln_1p_q32(d)
    };
    i64::from(LN_RECIPROCAL[i]) + series
}

/// `ln(1 + d)` in Q32 for the `d` of [`ln_mantissa_q32`] (`|y·r_i − 1| ≤ 2^-6`, so
/// `|d| <= 2^26 + 1` in Q32 with its rounding): `d(1 - d(1/2 - d(1/3 - d(1/4 - d/5))))` by
/// Horner's rule, each step in Q32.
#[inline(always)]
fn ln_1p_q32(d: i64) -> i64 {
    let mut a = ONE_Q32 / 4 - mul_q32(d, FIFTH_Q32);
    a = THIRD_Q32 - mul_q32(d, a);
    a = ONE_Q32 / 2 - mul_q32(d, a);
    a = ONE_Q32 - mul_q32(d, a);
    mul_q32(d, a)
}

/// [`ln_1p_q32`] in 32-bit words, for [`BY_PARTS`]: the same integers at every step (a unit
/// test compares the two at every `d`). With `|d| <= 2^26 + 1` every step's product rounds
/// to below 2^27 in magnitude, so it is the high word of a 32×32 product; and every `a` but
/// the last is positive and below 2^32. The last, `2^32 − m`, is not a word: `d·(2^32 − m)`
/// rounds to `d + round(−d·m)`, `d·2^32` being a whole number of units. Half the registers
/// of the 64-bit steps: the frame of the logarithm, which lies below the lazy argmax's when
/// it computes an exact variate, is that much smaller.
#[inline(always)]
fn ln_1p_q32_by_words(d: i32) -> i64 {
    let mut a = (1u32 << 30).wrapping_sub(mul_q32_by_words(d, FIFTH_Q32 as u32) as u32);
    a = (THIRD_Q32 as u32).wrapping_sub(mul_q32_by_words(d, a) as u32);
    a = (1u32 << 31).wrapping_sub(mul_q32_by_words(d, a) as u32);
    let m = mul_q32_by_words(d, a);
    // −d·m with an unsigned factor: the signs moved onto `d` (|d|, |m| < 2^31).
    let last = if m > 0 {
        mul_q32_by_words(-d, m as u32)
    } else {
        mul_q32_by_words(d, m.unsigned_abs())
    };
    i64::from(d) + i64::from(last)
}

/// [`mul_q32`] of a signed and an unsigned word whose rounded product fits an `i32`: the high
/// word of the unsigned product of their bits, less `b` where `a`'s sign bit stood for
/// `−2^32`, plus the rounding carry (the low word's top bit).
#[inline(always)]
fn mul_q32_by_words(a: i32, b: u32) -> i32 {
    let product = wide_by_parts(a as u32, b);
    let high = ((product >> 32) as u32).wrapping_sub(if a < 0 { b } else { 0 });
    high.wrapping_add(product as u32 >> 31) as i32
}

/// `e^x` for an I16F16 `x` in `[-23, 11]`, as Q32 (`u64`, at most `2^48`). Relative error
/// below 2^-31 (plus the 2^-32 absolute rounding of the result).
fn exp_q32(raw: i32) -> u64 {
    let x = i64::from(raw) << 16;
    // k = ⌈x / ln 2⌉ and r = x - k·ln 2 ∈ (-ln 2, 0]: estimated with the reciprocal in 32
    // bits (x in Q12 times 1/ln 2 in Q13, below 2^31 in magnitude for |x| <= 23; the estimate
    // is within 2^-9 of x / ln 2), then corrected by at most one step either way.
    let mut k = -((raw.wrapping_neg() >> 4).wrapping_mul(INV_LN2_Q13) >> 25);
    let mut r = x - mul64(i64::from(k), LN2_Q32);
    if r > 0 {
        k += 1;
        r -= LN2_Q32;
    } else if r <= -LN2_Q32 {
        k -= 1;
        r += LN2_Q32;
    }
    // j = ⌊-32 r⌋ ∈ [0, 22], s = r + j/32 ∈ (-1/32, 0].
    let j = ((-r) >> (Q - 5)) as usize;
    let s = r + ((j as i64) << (Q - 5));
    // e^s = 1 + s(1 + s/2(1 + s/3(1 + s/4))).
    let mut p = ONE_Q32 + s / 4;
    p = ONE_Q32 + mul_q32(mul_q32(s, p), THIRD_Q32);
    p = ONE_Q32 + mul_q32(s, p) / 2;
    p = ONE_Q32 + mul_q32(s, p);
    let table = EXP_NEG_THIRTY_SECONDS[j.min(22)];
    // Q31 · Q32 = Q63 < 2^63, back to Q32: at most 2^32 (the table is at most 2^31 and p at
    // most 2^32, since s <= 0 makes every step of the polynomial at most 1).
    let e_r = (mul64(i64::from(table), p) as u64 + (1 << 30)) >> 31;
    if k >= 0 {
        // k <= 16 for x <= 11.
        shl64(e_r, k as u32)
    } else if k >= -32 {
        // e_r / 2^-k rounded, (e_r + 2^(-k-1)) >> -k, as the top word of e_r · 2^(32+k) + 2^31
        // (below 2^64 as e_r <= 2^32): no 64-bit right shift by a variable amount, which
        // ARMv6-M would call a library routine for.
        (shl64(e_r, (32 + k) as u32) + (1 << 31)) >> 32
    } else if k == -33 {
        (e_r + (1 << 32)) >> 33
    } else {
        // e_r < 2^(-k-1): it rounds to 0 (x >= -23 never gets here).
        0
    }
}

/// A Q32 value rounded to the nearest I16F16 (ties upwards), saturated.
#[inline]
pub(crate) fn round_q32_to_q16(x: i64) -> i32 {
    let rounded = (x >> 15).saturating_add(1) >> 1;
    rounded.clamp(i64::from(i32::MIN), i64::from(i32::MAX)) as i32
}

/// `ln x` for an I16F16 `x` (raw bits), `x > 0`. Error at most `0.5 + 2^-6` LSB (rounding,
/// plus the 22-bit input and the Q32 logarithm). `x <= 0` gives the lowest value (the
/// logarithm of 0 is `-inf`).
pub(crate) fn ln(raw: i32) -> i32 {
    if raw <= 0 {
        return i32::MIN;
    }
    ln_of_raw(raw as u32)
}

/// `ln(1 + x)` for an I16F16 `x > -1`. `1 + x` is formed exactly (in 64 bits), so the error
/// near 0 is absolute, the same as [`ln`]'s: at most `0.5 + 2^-6` LSB. `x <= -1` gives the
/// lowest value.
pub(crate) fn ln_1p(raw: i32) -> i32 {
    let one_plus = i64::from(raw) + (1 << 16);
    if one_plus <= 0 {
        return i32::MIN;
    }
    // Below 2^31 + 2^16.
    ln_of_raw(one_plus as u32)
}

/// `ln(raw / 2^16)` rounded to I16F16, for `raw >= 1`.
#[inline]
fn ln_of_raw(raw: u32) -> i32 {
    round_q32_to_q16(ln_q32(u64::from(keep_22_bits(raw))) - n_ln2_q32(16))
}

/// `e^x` for an I16F16 `x`: error at most `0.5 + 2^-12` LSB for `x <= 0` (where the result is
/// in `[0, 1]`); for `x > 0` at most `0.5` LSB plus `2^-30` relative. Results beyond the range
/// (`x > 10.3972`) saturate to the largest value; below `-11.8` they round to 0.
pub(crate) fn exp(raw: i32) -> i32 {
    // e^x < 2^-17 (half an LSB) below -12: return 0 without the range reduction; above
    // 15 ln 2 ≈ 10.397 the result exceeds the range.
    if raw < -12 << 16 {
        return 0;
    }
    if raw > 11 << 16 {
        return i32::MAX;
    }
    let e = exp_q32(raw);
    round_q32_to_q16(e as i64)
}

/// Below this I16F16 input `e^x < 2^-33`, under half a Q32 unit: [`exp_wide`] adds nothing.
const EXP_WIDE_FLOOR: i32 = -23 << 16;

/// `e^x` for an I16F16 `x` in Q32, for sums of exponentials accumulated wider than I16F16
/// (for `x <= 0` relative error below `2^-31` plus `2^-32` absolute, `2^-29` relative above;
/// 0 below `x = -23`, where `e^x < 2^-33`): [`round_q32_to_q16`] of it is [`exp`]'s result
/// (above the range it is the saturated result's Q32 value). Only the Q32 value is returned:
/// two words come back in registers, where a pair with the rounded value would come back
/// through a slot in the caller's frame.
pub(crate) fn exp_wide(raw: i32) -> u64 {
    if raw < EXP_WIDE_FLOOR {
        return 0;
    }
    if raw > 11 << 16 {
        return (i32::MAX as u64) << 16;
    }
    // For x in [-23, -12) the Q32 value is below 2^15 and rounds to 0, as `exp` returns.
    exp_q32(raw)
}

/// `ln s` rounded to I16F16 for a Q32 value `s` (`s = 0` gives `i32::MIN`): within
/// `0.5 + 2^-14` LSB (the Q32 logarithm's 2^-30).
pub(crate) fn ln_of_q32(s: u64) -> i32 {
    if s == 0 {
        return i32::MIN;
    }
    round_q32_to_q16(ln_q32(s) - n_ln2_q32(i64::from(Q)))
}

/// `1/s` rounded to nearest I16F16 for a Q32 value `s`, saturated (`s = 0` gives `i32::MAX`).
/// Inlined when optimised for speed: its frame would add to the caller's (the Concrete
/// sampler's, the deepest).
#[cfg_attr(not(gumbel_small), inline(always))]
pub(crate) fn recip_of_q32(s: u64) -> i32 {
    if s == 0 {
        return i32::MAX;
    }
    // 1/s in I16F16 is 2^48 / s; a quotient of 2^32 or more (n >= s·2^32) saturates.
    let n = (1u64 << 48) + s / 2;
    if n >> 32 >= s {
        return i32::MAX;
    }
    div_to_u32(n, s).min(i32::MAX as u32) as i32
}

/// `√x` for an I16F16 `x >= 0`, correctly rounded (error at most 0.5 LSB); `x < 0` gives 0.
pub(crate) fn sqrt(raw: i32) -> i32 {
    if raw <= 0 {
        return 0;
    }
    // √(raw / 2^16) · 2^16 = √(raw · 2^16): the integer square root, then round to nearest.
    let n = (raw as u64) << 16;
    let mut root = 0u64;
    let mut bit = 1u64 << 46;
    let mut rest = n;
    while bit > rest {
        bit >>= 2;
    }
    while bit != 0 {
        if rest >= root + bit {
            rest -= root + bit;
            root = (root >> 1) + bit;
        } else {
            root >>= 1;
        }
        bit >>= 2;
    }
    // Now root = ⌊√n⌋ and rest = n - root²; round up when n > root² + root (never a tie).
    if rest > root {
        root += 1;
    }
    root as i32
}

/// `a · b` for I16F16 `a`, `b`, rounded to nearest (ties upwards), saturated.
#[inline]
pub(crate) fn mul(a: i32, b: i32) -> i32 {
    let product = mul64(i64::from(a), i64::from(b));
    let rounded = (product + (1 << 15)) >> 16;
    rounded.clamp(i64::from(i32::MIN), i64::from(i32::MAX)) as i32
}

/// `a / b` for I16F16 `a`, `b`, rounded to nearest (ties away from zero), saturated. Division
/// by zero saturates by the sign of `a` (0 / 0 is 0).
#[inline]
pub(crate) fn div(a: i32, b: i32) -> i32 {
    div_rounded(a, b, |n, d| n / d)
}

/// [`div`], bit for bit, without the compiler's 64-bit division where that is a chain of
/// library calls ([`BY_PARTS`]: on the M0 `__aeabi_uldivmod` and the three frames below it
/// take 160 bytes of stack, below the caller's): there by [`div_to_u32_by_digits`], whose
/// 32-bit divisions are one shallow library call each. For the divisions in the binary
/// Concrete sampler's deepest frame (by λ, and the sigmoid's reciprocal), not for [`div`]
/// itself, which the learner runs many times and which is faster by the library (measured on
/// the M0: 9% more instructions per step of the bandit learner by digits).
#[inline]
pub(crate) fn div_shallow(a: i32, b: i32) -> i32 {
    if BY_PARTS {
        div_rounded(a, b, saturating_quotient_by_digits)
    } else {
        div(a, b)
    }
}

/// `⌊n / d⌋` for `0 < d <= 2^31`, or `u32::MAX` where the quotient is larger (every quotient
/// from 2^31 on saturates [`div`] alike), by [`div_to_u32_by_digits`].
#[inline(always)]
fn saturating_quotient_by_digits(n: u64, d: u64) -> u64 {
    if n >> 32 >= d {
        u64::from(u32::MAX)
    } else {
        u64::from(div_to_u32_by_digits(n, d))
    }
}

/// The body of [`div`], with the quotient `⌊n / d⌋` of the rounded numerator and the
/// divisor's magnitude given by `quotient` (exact below 2^31; at least 2^31 above).
#[inline(always)]
fn div_rounded(a: i32, b: i32, quotient: impl FnOnce(u64, u64) -> u64) -> i32 {
    if b == 0 {
        return match a {
            0 => 0,
            a if a > 0 => i32::MAX,
            _ => i32::MIN,
        };
    }
    let negative = (a < 0) != (b < 0);
    let numerator = u64::from(a.unsigned_abs()) << 16;
    let denominator = u64::from(b.unsigned_abs());
    let magnitude = quotient(numerator + denominator / 2, denominator);
    let signed = if negative {
        -(magnitude as i64)
    } else {
        magnitude as i64
    };
    signed.clamp(i64::from(i32::MIN), i64::from(i32::MAX)) as i32
}

/// A divisor prepared once for [`div_by`]: the magnitude normalised (top bit set) and its
/// reciprocal, so a division costs two multiplications instead of a 64-bit division (a
/// library call on every Cortex-M, and a slow one without a divider).
#[derive(Debug, Clone, Copy)]
pub struct Divisor {
    raw: i32,
    magnitude: u32,
    shift: u32,
    reciprocal: u32,
}

/// Prepares `b` for [`div_by`] (one 64-bit division, here). Inlined when optimised for speed:
/// returned from a call, the divisor would come back through a slot in the caller's frame,
/// and the call's frame would add to the caller's (the Concrete sampler's, the deepest).
#[cfg_attr(not(gumbel_small), inline(always))]
pub(crate) fn divisor(b: i32) -> Divisor {
    let magnitude = b.unsigned_abs();
    let shift = leading_zeros(u64::from(magnitude)).saturating_sub(32) & 31;
    let normalised = magnitude << shift;
    // Möller and Granlund's reciprocal: ⌊(2^64 − 1)/d⌋ − 2^32 for the normalised d, which is
    // ⌊(2^64 − 1 − 2^32·d)/d⌋ = ⌊((2^32 − 1 − d)·2^32 + 2^32 − 1)/d⌋, a quotient below 2^32
    // (d >= 2^31, so 2^32 − 1 − d < d).
    let reciprocal = if normalised == 0 {
        0
    } else {
        div_to_u32(
            (u64::from(!normalised) << 32) | u64::from(u32::MAX),
            u64::from(normalised),
        )
    };
    Divisor {
        raw: b,
        magnitude,
        shift,
        reciprocal,
    }
}

/// [`div`] by a prepared divisor, bit for bit: the same quotient (exact integer division of
/// the rounded numerator), by Möller and Granlund's division of a two-word number by a
/// normalised one-word divisor with its precomputed reciprocal ("Improved division by
/// invariant integers", IEEE Trans. Computers 60(2), 2011, algorithm 4).
#[inline]
pub(crate) fn div_by(a: i32, d: Divisor) -> i32 {
    if d.raw == 0 {
        return div(a, 0);
    }
    let negative = (a < 0) != (d.raw < 0);
    // The numerator of `div`, rounding included: below 2^47 + 2^30.
    let n = (u64::from(a.unsigned_abs()) << 16) + u64::from(d.magnitude / 2);
    // A quotient of 2^31 or more saturates either way (to MAX, or to MIN = −2^31).
    if n >> 31 >= u64::from(d.magnitude) {
        return if negative { i32::MIN } else { i32::MAX };
    }
    // n < d·2^31, so after normalising the high word is below the divisor.
    let u = n << d.shift;
    let (u1, u0) = ((u >> 32) as u32, u as u32);
    let divisor = d.magnitude << d.shift;
    let q = wide(d.reciprocal, u1).wrapping_add(u);
    let (mut q1, q0) = (((q >> 32) as u32).wrapping_add(1), q as u32);
    let mut r = u0.wrapping_sub(q1.wrapping_mul(divisor));
    if r > q0 {
        q1 = q1.wrapping_sub(1);
        r = r.wrapping_add(divisor);
    }
    if r >= divisor {
        q1 = q1.wrapping_add(1);
    }
    // q1 < 2^31.
    if negative {
        (q1 as i32).wrapping_neg()
    } else {
        q1 as i32
    }
}

/// A random word read the way every noise kernel reads it: the top bit says `U = 1 - t`
/// (`true`) or `U = t`, and `t = j · 2^-33` with `j` odd, from the low 31 bits, kept to 22
/// significant bits.
#[inline]
pub(crate) fn split_word(word: u32) -> (bool, u64) {
    let upper = word >> 31 == 1;
    let odd = (word << 1) | 1;
    (upper, u64::from(keep_22_bits(odd)))
}

/// `ln t` in Q32 for `t = j · 2^-33`.
#[inline]
fn ln_t_q32(j: u64) -> i64 {
    ln_q32(j) - n_ln2_q32(33)
}

/// `-ln(1 - t)` in Q32 for `t = j · 2^-33` (`1 - t = (2^33 - j) · 2^-33` exactly).
#[inline]
fn neg_ln_1m_t_q32(j: u64) -> i64 {
    n_ln2_q32(33) - ln_q32((1 << 33) - j)
}

/// Below this `j` (`t < 2^-8`), `ln(-ln(1 - t))` comes from a series in `t` rather than from
/// the logarithm of `-ln(1 - t)`, which would have lost relative accuracy.
const SERIES_LIMIT: u64 = 1 << 25;

/// `-ln U` in Q32 for the `U` that `(upper, j)` stands for.
#[inline]
fn exponential_q32(upper: bool, j: u64) -> i64 {
    if upper {
        neg_ln_1m_t_q32(j)
    } else {
        -ln_t_q32(j)
    }
}

/// Standard exponential noise `-ln U`, in `[2^-16, 22.87]`. Error at most `0.5 + 2^-5` LSB
/// against the exact `-ln U` of the word's own `U`, except that the values below half an LSB
/// (`U > 1 - 2^-17`, probability 2^-17) are raised to one LSB rather than rounded to 0, which
/// no noise kernel may return.
pub(crate) fn exponential_from_word(word: u32) -> i32 {
    let (upper, j) = split_word(word);
    round_q32_to_q16(exponential_q32(upper, j)).max(1)
}

/// Standard Gumbel noise `-ln(-ln U)`, in `[-3.13, 22.87]`. Error at most `0.5 + 2^-5` LSB
/// against the exact value of the word's own `U`.
///
/// For `U = 1 - t` near 1, `-ln U` is as small as 2^-33 and a Q32 value would have no
/// relative accuracy left, so `ln(-ln(1 - t))` is taken as `ln t + ln(-ln(1-t)/t)` with the
/// series `ln(-ln(1-t)/t) = t/2 + 5t²/24 + t³/8 + O(t⁴)` for `t < 2^-8` (remainder below
/// 2^-35); elsewhere `-ln U >= 2^-8` and its logarithm loses at most 8 bits of the Q32's 30.
///
/// Inlined into its one out-of-line caller (`noise::GumbelWord::value`).
#[inline(always)]
pub(crate) fn gumbel_from_word(word: u32) -> i32 {
    let (upper, j) = split_word(word);
    let ln_e = if upper && j < SERIES_LIMIT {
        let series = if BY_PARTS {
            ln_e_over_t_q32_by_words(j as u32)
        } else {
            ln_e_over_t_q32(j)
        };
        ln_t_q32(j) + series
    } else {
        // -ln U >= 2^-8 here (and <= 22.87): its logarithm from the Q32 value.
        let e = exponential_q32(upper, j).max(1) as u64;
        ln_q32(e) - n_ln2_q32(i64::from(Q))
    };
    round_q32_to_q16(-ln_e)
}

/// `ln(-ln(1 - t)/t)` in Q32 for `t = j · 2^-33`, `j <` [`SERIES_LIMIT`]: the series
/// `t/2 + 5t²/24 + t³/8` of [`gumbel_from_word`], in Q40 and rounded to Q32.
#[inline(always)]
fn ln_e_over_t_q32(j: u64) -> i64 {
    // t in Q40 (< 2^32, so its square fits a u64).
    let t = (j << 7) as i64;
    let t2 = (wide(t as u32, t as u32) >> 40) as i64;
    let t3 = (wide(t2 as u32, t as u32) >> 40) as i64;
    let series_q40 = t / 2 + mul_q32(t2, FIVE_TWENTY_FOURTHS_Q32) + t3 / 8;
    (series_q40 + (1 << 7)) >> 8
}

/// [`ln_e_over_t_q32`] in 32-bit words, for [`BY_PARTS`]: the same integers (a unit test
/// compares the two at every `j`). `t < 2^32`, `t² < 2^24` and `t³ < 2^16` in Q40, and the
/// sum is below `2^31 + 2^23`: every value is a word. Out of line, a leaf beside the
/// logarithm rather than above it: inlined, its spills set the frame of the Gumbel kernel
/// (`noise::GumbelWord::value`, 40 bytes on the M0, 24 without them), which lies below the
/// lazy argmax's and above the logarithm's.
#[inline(never)]
fn ln_e_over_t_q32_by_words(j: u32) -> i64 {
    let t = j << 7;
    let t2 = (wide(t, t) >> 40) as u32;
    let t3 = (wide(t2, t) >> 40) as u32;
    let product = mul_q32_by_words(t2 as i32, FIVE_TWENTY_FOURTHS_Q32 as u32) as u32;
    let series_q40 = t / 2 + product + t3 / 8;
    i64::from((series_q40 + (1 << 7)) >> 8)
}

/// Standard logistic noise `ln U - ln(1 - U)`, in `[-22.87, 22.87]`, exactly symmetric under
/// flipping the top bit. Error at most `0.5 + 2^-5` LSB.
pub(crate) fn logistic_from_word(word: u32) -> i32 {
    let (upper, j) = split_word(word);
    let magnitude = round_q32_to_q16(-ln_t_q32(j) - neg_ln_1m_t_q32(j));
    if upper { magnitude } else { -magnitude }
}

/// Uniform noise on (0, 1): `((word >> 16) | 1) · 2^-16`, the 2^15 odd multiples of 2^-16 in
/// `[2^-16, 1 - 2^-16]`, each equally likely. Exact.
pub(crate) fn uniform_from_word(word: u32) -> i32 {
    ((word >> 16) | 1) as i32
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Edge values and a deterministic pseudo-random sweep of 32-bit words.
    fn words() -> impl Iterator<Item = u32> {
        let edges = [
            0,
            1,
            2,
            3,
            0x7fff,
            0x8000,
            0xffff,
            0x1_0000,
            0x7fff_ffff,
            0x8000_0000,
        ];
        let edges = edges
            .into_iter()
            .flat_map(|e: u32| [e, e.wrapping_neg(), !e]);
        let mut state = 0x9e37_79b9_7f4a_7c15u64;
        let sweep = (0..200_000).map(move |_| {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1);
            (state >> 32) as u32 >> (state % 32)
        });
        edges.chain(sweep)
    }

    /// The inline ARMv6-M products, leading-zero count and shift are the native operations.
    #[test]
    fn armv6m_replacements_are_exact() {
        let all: Vec<u32> = words().collect();
        for (i, &a) in all.iter().enumerate() {
            for &b in all.iter().skip(i % 97).step_by(997).take(300) {
                assert_eq!(wide_by_parts(a, b), u64::from(a) * u64::from(b), "{a} {b}");
                for (x, y) in [
                    (i64::from(a as i32), i64::from(b as i32)),
                    ((u64::from(a) << 32 | u64::from(b)) as i64, i64::from(b)),
                    (
                        (u64::from(b) << 32 | u64::from(a)) as i64,
                        (u64::from(a) << 17) as i64,
                    ),
                ] {
                    assert_eq!(mul64_by_parts(x, y), x.wrapping_mul(y), "{x} {y}");
                }
            }
            let x = u64::from(a) << (a % 33) | u64::from(a >> 7);
            assert_eq!(leading_zeros_by_halving(x), x.leading_zeros(), "{x}");
            for s in 0..64 {
                assert_eq!(shl_by_parts(x, s), x << s, "{x} {s}");
            }
        }
        for shift in 0..64 {
            let x = 1u64 << shift;
            assert_eq!(leading_zeros_by_halving(x), x.leading_zeros());
            assert_eq!(leading_zeros_by_halving(x - 1), (x - 1).leading_zeros());
        }
    }

    /// [`div_shallow`]'s quotient saturates exactly where the native one reaches 2^31, and
    /// the two divisions agree.
    #[test]
    fn saturating_quotient_is_the_native_one_below_2_pow_31() {
        let all: Vec<u32> = words().collect();
        for (i, &b) in all.iter().enumerate() {
            let d = u64::from((b >> (1 + i % 2)).max(1));
            for &a in all.iter().skip(i % 89).step_by(499).take(500) {
                let n = (u64::from(a >> 1) << 16) + d / 2;
                let native = n / d;
                let digits = saturating_quotient_by_digits(n, d);
                if native < 1 << 31 {
                    assert_eq!(digits, native, "{n} / {d}");
                } else {
                    assert!(digits >= 1 << 31, "{n} / {d}");
                }
                let (a, b) = (a as i32, b as i32);
                assert_eq!(div_rounded(a, b, saturating_quotient_by_digits), div(a, b));
            }
        }
    }

    /// The Gumbel kernel's series in 32-bit words is the 64-bit one at every `j` it is used at.
    #[test]
    fn series_by_words_is_the_64_bit_series() {
        for j in 0..SERIES_LIMIT as u32 {
            assert_eq!(
                ln_e_over_t_q32_by_words(j),
                ln_e_over_t_q32(u64::from(j)),
                "{j}"
            );
        }
    }

    /// The largest `|d|` [`ln_mantissa_q32`] passes to [`ln_1p_q32`].
    const LN_1P_D_MAX: i32 = (1 << 26) + 1;

    /// The logarithm's series in 32-bit words is the 64-bit one at every `d` it can be given.
    #[test]
    fn ln_1p_by_words_is_the_64_bit_series() {
        for d in -LN_1P_D_MAX..=LN_1P_D_MAX {
            assert_eq!(ln_1p_q32_by_words(d), ln_1p_q32(i64::from(d)), "{d}");
        }
    }

    /// Every mantissa gives a `d` within [`LN_1P_D_MAX`]: `d` is monotone in the mantissa
    /// within each of the table's intervals, so its extremes are at their ends.
    #[test]
    fn ln_1p_d_stays_within_its_bound() {
        for i in 0..32u32 {
            let first = (1 << 31) | (i << 26);
            for mantissa in [
                first,
                first + 1,
                first | ((1 << 26) - 2),
                first | ((1 << 26) - 1),
            ] {
                let product = wide(mantissa, RECIPROCAL[i as usize]);
                let d = (product.wrapping_sub(1 << 63) as i64 + (1 << 30)) >> 31;
                assert!(d.abs() <= i64::from(LN_1P_D_MAX), "{mantissa} {d}");
            }
        }
    }

    /// The long division is the native one on the edges of its domain (the checks every
    /// in-crate division shares).
    #[test]
    fn long_division_is_the_native_division() {
        super::super::division::tests::assert_native_division(div_to_u32_by_shifts);
    }

    /// The reciprocal of a sum of exponentials is the native division's, saturation included:
    /// every sum below 2^20, and swept ones up to well beyond the largest `K`'s.
    #[test]
    fn the_reciprocal_of_a_sum_is_the_native_one() {
        let sums = (1u64..1 << 20).chain((1 << 20..1 << 44).step_by(16_777_259));
        for s in sums.chain([1 << 32, (1 << 32) + 1, 1 << 48, u64::MAX]) {
            let native = (((1u64 << 48) + s / 2) / s).min(i32::MAX as u64) as i32;
            assert_eq!(recip_of_q32(s), native, "{s}");
        }
    }

    proptest::proptest! {
        #[test]
        fn long_division_is_the_native_division_anywhere(d in 1u64.., n: u64) {
            // The high word reduced below `d`: any numerator whose quotient fits 32 bits.
            let n = ((n >> 32) % d) << 32 | (n & u64::from(u32::MAX));
            proptest::prop_assert_eq!(u64::from(div_to_u32_by_shifts(n, d)), n / d);
        }

        #[test]
        fn long_division_by_a_word_is_the_native_division(d in 1u64..1 << 32, n: u64) {
            let n = ((n >> 32) % d) << 32 | (n & u64::from(u32::MAX));
            proptest::prop_assert_eq!(u64::from(div_to_u32_by_shifts(n, d)), n / d);
        }

        #[test]
        fn the_reciprocal_of_any_sum_is_the_native_one(s in 1u64..) {
            let native = (((1u64 << 48) + s / 2) / s).min(i32::MAX as u64) as i32;
            proptest::prop_assert_eq!(recip_of_q32(s), native);
        }
    }

    /// Division by a prepared divisor is `div`, bit for bit: every pair of edge and swept
    /// values, in every sign combination.
    #[test]
    fn division_by_a_prepared_divisor_is_div() {
        let all: Vec<i32> = words().map(|w| w as i32).collect();
        for (i, &b) in all.iter().enumerate() {
            let d = divisor(b);
            for &a in all
                .iter()
                .skip(i % 89)
                .step_by(499)
                .take(500)
                .chain(&all[..30])
            {
                assert_eq!(div_by(a, d), div(a, b), "{a} / {b}");
            }
        }
        // The temperatures the samplers divide by, against every numerator near saturation.
        for b in [64, 65, 1 << 15, 1 << 16, 3 << 15, 12_345_678] {
            let d = divisor(b);
            for a in (-(1 << 20)..(1 << 20))
                .step_by(7)
                .chain([i32::MIN, i32::MAX])
            {
                assert_eq!(div_by(a, d), div(a, b), "{a} / {b}");
                let large = a.wrapping_mul(2048);
                assert_eq!(div_by(large, d), div(large, b), "{large} / {b}");
            }
        }
    }

    /// Every table entry against its definition, in f64 (whose 53 bits exceed the tables' 32).
    #[test]
    fn tables_match_their_definitions() {
        for (i, (&r, &ln_r)) in RECIPROCAL.iter().zip(&LN_RECIPROCAL).enumerate() {
            let ideal = 2f64.powi(32) / (1.0 + (i as f64 + 0.5) / 32.0);
            assert_eq!(u64::from(r), ideal.round() as u64, "reciprocal {i}");
            let ln = -(f64::from(r) / 2f64.powi(32)).ln() * 2f64.powi(32);
            assert!(
                (f64::from(ln_r) - ln).abs() <= 0.5 + 1e-6,
                "ln reciprocal {i}"
            );
        }
        for (j, &e) in EXP_NEG_THIRTY_SECONDS.iter().enumerate() {
            let ideal = (-(j as f64) / 32.0).exp() * 2f64.powi(31);
            assert!((f64::from(e) - ideal).abs() <= 0.5 + 1e-6, "exp table {j}");
        }
        assert!((LN2_Q56 as f64 / 2f64.powi(56) - core::f64::consts::LN_2).abs() < 1e-16);
        assert_eq!(
            LN2_Q32,
            (core::f64::consts::LN_2 * 2f64.powi(32)).round() as i64
        );
    }

    /// `exp_wide` rounds to `exp`'s result at every I16F16 input in `[-24, 12]` and at the ends
    /// of the range, and its Q32 value is within `2^-31` relative plus `2^-32` of `e^x` for
    /// `x <= 0` (`2^-29` relative above).
    #[test]
    fn exp_wide_matches_exp_and_its_q32_value_is_within_bound() {
        let (mut worst, mut worst_positive) = (0f64, 0f64);
        for raw in (-24 << 16)..=(12 << 16) {
            let wide = exp_wide(raw);
            assert_eq!(round_q32_to_q16(wide as i64), exp(raw), "{raw}");
            if (EXP_WIDE_FLOOR..=11 << 16).contains(&raw) {
                let exact = (f64::from(raw) / 65536.0).exp() * 2f64.powi(32);
                let error = (wide as f64 - exact).abs();
                if raw <= 0 {
                    worst = worst.max(error - exact * 2f64.powi(-31));
                } else {
                    worst_positive = worst_positive.max(error / exact);
                }
            } else if raw < EXP_WIDE_FLOOR {
                assert_eq!(wide, 0);
            }
        }
        for raw in [i32::MIN, i32::MIN + 1, i32::MAX] {
            assert_eq!(round_q32_to_q16(exp_wide(raw) as i64), exp(raw));
        }
        eprintln!(
            "exp_wide: max error beyond 2^-31 relative {worst:.4} units of 2^-32 for x <= 0; \
             2^{:.3} relative for x > 0",
            worst_positive.log2()
        );
        assert!(worst <= 1.0, "{worst}");
        assert!(worst_positive <= 2f64.powi(-29), "{worst_positive}");
    }

    /// `ln_of_q32` and `recip_of_q32` against f64 on sums from 1 to 2^15: the logarithm within
    /// `0.5 + 2^-14` LSB, the reciprocal correctly rounded.
    #[test]
    fn ln_and_recip_of_a_q32_sum_are_within_bound() {
        let mut worst_ln = 0f64;
        let mut s = 1u64 << 32;
        while s < 1 << 47 {
            let (ln, recip) = (ln_of_q32(s), recip_of_q32(s));
            let value = s as f64 / 2f64.powi(32);
            worst_ln = worst_ln.max((f64::from(ln) - value.ln() * 65536.0).abs());
            let exact_recip = 65536.0 / value;
            assert!((f64::from(recip) - exact_recip).abs() <= 0.5, "{s}");
            s += s / 997 + 12_345;
        }
        eprintln!("ln of a Q32 sum: max error {worst_ln:.5} LSB");
        assert!(worst_ln <= 0.5 + 2f64.powi(-14), "{worst_ln}");
        assert_eq!((ln_of_q32(0), recip_of_q32(0)), (i32::MIN, i32::MAX));
        assert_eq!((ln_of_q32(1 << 32), recip_of_q32(1 << 32)), (0, 1 << 16));
    }

    /// The Q32 logarithm at every 24-bit mantissa (2^23 of them) and at the ends of the 32-bit
    /// ones, against f64.
    #[test]
    fn ln_q32_error_is_below_2_pow_minus_30() {
        let mut worst = 0f64;
        let mut check = |x: u64| {
            let exact = (x as f64).ln() * 2f64.powi(32);
            worst = worst.max((ln_q32(x) as f64 - exact).abs());
        };
        for m in (1u64 << 23)..(1 << 24) {
            check(m);
        }
        for x in [
            1,
            2,
            3,
            u64::from(u32::MAX),
            1 << 33,
            (1 << 33) - 1,
            u64::MAX,
        ] {
            check(x);
        }
        eprintln!("ln_q32: max error {:.4} units of 2^-32", worst);
        assert!(worst < 4.0);
    }
}
