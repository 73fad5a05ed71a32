//! `⌊n / d⌋` with a quotient below 2^32 from 32-bit divisions: for the cores with a 32-bit
//! hardware divider (ARMv7-M and ARMv8-M `udiv`), which otherwise call the compiler's 64-bit
//! division. That call is not slow, but its three nested frames take 88 bytes of stack on the
//! M4F, and the Concrete sampler makes it (once for λ, once for the sum of its exponentials)
//! from its deepest frame.

use core::num::NonZeroU32;

/// Half a word: the digit of the schoolbook division.
const DIGIT: u32 = 1 << 16;

/// `⌊n / d⌋` for `d > 0` and `n < d · 2^32` (so the quotient fits 32 bits; otherwise the
/// result is unspecified), exactly. A divisor below 2^32 is normalised (its top bit set) and
/// divides the numerator in two digits of 16 bits ([`div_normalised`]); a wider one divides
/// half the numerator by its top 32 bits, which gives the quotient or one more, settled by one
/// product (Warren, *Hacker's Delight*, 2nd ed., §9–5, `divDu`).
#[inline(always)]
pub(crate) fn div_to_u32_by_digits(n: u64, d: u64) -> u32 {
    if d >> 32 == 0 {
        let shift = (d as u32).leading_zeros();
        // n < d·2^32, so n·2^shift < 2^64 and its high word stays below the divisor.
        return div_normalised(n.wrapping_shl(shift), (d as u32).wrapping_shl(shift));
    }
    // d >= 2^32: shift < 32, and the top word of d normalised exceeds the high word of n/2.
    let shift = d.leading_zeros();
    let estimate = div_normalised(n >> 1, (d.wrapping_shl(shift) >> 32) as u32);
    // The estimate, scaled back, is the quotient or one more: one less is at most the quotient,
    // and one product says whether it is the quotient.
    let q = ((u64::from(estimate) << shift) >> 31).saturating_sub(1);
    let below = n.wrapping_sub(q.wrapping_mul(d)) < d;
    (q as u32).wrapping_add(u32::from(!below))
}

/// `⌊u / v⌋` for a normalised `v` (top bit set) and `u < v · 2^32`: Knuth's algorithm D in two
/// digits of 16 bits (Warren, §9–4, `divlu`).
#[inline(always)]
fn div_normalised(u: u64, v: u32) -> u32 {
    let (high, low) = ((u >> 32) as u32, u as u32);
    let top = digit(high, low >> 16, v);
    // The remainder of the first digit: below v, so the wrapping arithmetic is exact.
    let remainder = (high << 16 | low >> 16).wrapping_sub(top.wrapping_mul(v));
    (top << 16) | digit(remainder, low & (DIGIT - 1), v)
}

/// The next 16-bit digit of the quotient of `remainder · 2^16 + next` by a normalised `v`
/// (`remainder < v`, `next < 2^16`): estimated from the top digit of `v` by one 32-bit
/// division, which is at most two too large (Knuth's theorem, `v` normalised), and corrected
/// by the exact test of a two-digit divisor. Every intermediate fits 32 bits.
#[inline(always)]
fn digit(remainder: u32, next: u32, v: u32) -> u32 {
    let (v_top, v_low) = (v >> 16, v & (DIGIT - 1));
    let Some(divide) = NonZeroU32::new(v_top) else {
        // Not normalised: outside the contract.
        return 0;
    };
    let mut q = remainder / divide;
    let mut rest = remainder - q * v_top;
    for _ in 0..2 {
        // Once the remainder reaches a digit, q·v_top alone is below the dividend.
        if rest >= DIGIT || (q < DIGIT && q * v_low <= (rest << 16 | next)) {
            break;
        }
        q -= 1;
        rest += v_top;
    }
    q
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;

    /// Asserts that `divide` is the native division on the edges of its domain (`d > 0`,
    /// `n < d · 2^32`): every 4,099th normalised divisor of `kernels::divisor` with its
    /// numerator, the reciprocal's sums, and for divisors at a digit's, a word's and the 2^63
    /// carry's boundary the largest numerators and those around the divisor. Shared by every
    /// in-crate division (`div_to_u32_by_digits` here, `div_to_u32_by_shifts` in `kernels`).
    pub(in crate::scalar::fixed) fn assert_native_division(divide: fn(u64, u64) -> u32) {
        let check = |n: u64, d: u64| {
            assert!(d > 0 && n >> 32 < d);
            assert_eq!(u64::from(divide(n, d)), n / d, "{n} / {d}");
        };
        for d in (1u32 << 31..=u32::MAX)
            .step_by(4_099)
            .chain([1 << 31, u32::MAX])
        {
            check((u64::from(!d) << 32) | u64::from(u32::MAX), u64::from(d));
        }
        for s in (1u64..1 << 20).chain((1 << 20..1 << 44).step_by(16_777_259)) {
            let n = (1u64 << 48) + s / 2;
            if n >> 32 < s {
                check(n, s);
            }
        }
        let divisors = [
            1,
            2,
            3,
            7,
            0xffff,
            0x1_0000,
            0x1_0001,
            1 << 31,
            u64::from(u32::MAX),
            1 << 32,
            (1 << 32) + 1,
            (1 << 48) - 1,
            1 << 47,
            3 << 47,
            (1 << 63) - 1,
            1 << 63,
            (1 << 63) + 1,
            u64::MAX,
        ];
        for d in divisors {
            let top = if d >> 32 == 0 {
                (d << 32) - 1
            } else {
                u64::MAX
            };
            for n in [
                0,
                1,
                d - 1,
                d,
                d.wrapping_add(1),
                top,
                top - 1,
                top / 2,
                top / 3,
            ] {
                if n >> 32 < d {
                    check(n, d);
                }
            }
        }
    }

    #[test]
    fn division_by_digits_is_the_native_division() {
        assert_native_division(div_to_u32_by_digits);
    }

    proptest::proptest! {
        #[test]
        fn division_by_digits_is_the_native_division_anywhere(d in 1u64.., n: u64) {
            // The high word reduced below `d`: any numerator whose quotient fits 32 bits.
            let n = ((n >> 32) % d) << 32 | (n & u64::from(u32::MAX));
            proptest::prop_assert_eq!(u64::from(div_to_u32_by_digits(n, d)), n / d);
        }

        #[test]
        fn division_of_a_word_by_digits_is_the_native_division(d in 1u64..1 << 32, n: u64) {
            let n = ((n >> 32) % d) << 32 | (n & u64::from(u32::MAX));
            proptest::prop_assert_eq!(u64::from(div_to_u32_by_digits(n, d)), n / d);
        }
    }
}
