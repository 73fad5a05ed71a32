//! Exhaustive error bounds of the integer-only kernels of `gumbel::Fixed`, against f64.
//!
//! Run with `cargo test --features fixed --test fixed_kernels -- --nocapture` to see the
//! measured maxima. Errors are in LSB of I16F16 (2^-16).
//!
//! # Why "every distinct input" is fewer than 2^32
//! The logarithm and noise kernels keep only the 22 leading significant bits of their integer
//! argument (the raw value, `1 + x`, or the odd `j` of `t = j · 2^-33` read from a random word),
//! so every input in a *bucket* (same leading 22 bits) gives the same output. The tests walk
//! every bucket, evaluate the kernel at both ends of it (and check the two agree, which
//! confirms the bucket), and compare that one output with the exact value at both ends: the
//! exact functions are monotone, so the largest error over the bucket is at one of its ends.
//! That covers every input, the 2^32 random words included, with about 2^24 evaluations each.
#![cfg(feature = "fixed")]

use gumbel::{Fixed, Scalar};

const LSB: f64 = 1.0 / 65536.0;

/// Every bucket `(low, high)` of the integers in `[start, end)` that share their 22 leading
/// significant bits, restricted to `odd` integers if asked, in increasing order.
fn buckets(start: u64, end: u64, odd: bool, mut visit: impl FnMut(u64, u64)) {
    let step = if odd { 2 } else { 1 };
    let mut low = if odd { start | 1 } else { start };
    while low < end {
        let bits = 64 - low.leading_zeros();
        let dropped = bits.saturating_sub(22);
        let block_end = ((low >> dropped) + 1) << dropped;
        let last = block_end.min(end) - 1;
        let high = if odd && last % 2 == 0 { last - 1 } else { last };
        visit(low, high);
        low = high + step;
    }
}

/// Runs `work` on two threads (the machine has two cores) and combines their results.
fn in_parallel<T: Send>(work: impl Fn(usize) -> T + Sync) -> Vec<T> {
    let work = &work;
    std::thread::scope(|scope| {
        let handles: Vec<_> = (0..2).map(|i| scope.spawn(move || work(i))).collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    })
}

fn error_lsb(found: Fixed, exact: f64) -> f64 {
    (found.to_f64() - exact).abs() / LSB
}

/// The word whose low 31 bits give `j = 2m + 1` and whose top bit is `upper`.
fn word(upper: bool, j: u64) -> u32 {
    ((j - 1) / 2) as u32 | (u32::from(upper) << 31)
}

/// Deviation thresholds (in LSB) at which the sampling-distribution bound is evaluated.
const THRESHOLDS: [f64; 12] = [
    0.6, 0.75, 1.0, 1.5, 2.0, 4.0, 8.0, 16.0, 64.0, 256.0, 1024.0, 4096.0,
];

/// The TV bound of the module documentation of `gumbel::scalar::Fixed` for `k` actions:
/// `min over δ of (e^(2δ) - 1)(1 - 1/k) + k·P(D > δ)`.
fn tv_bound(k: f64, exceed: &[u64; THRESHOLDS.len()]) -> (f64, f64) {
    THRESHOLDS
        .iter()
        .zip(exceed)
        .map(|(&delta, &n)| {
            let p = n as f64 / 2f64.powi(32);
            (
                (2.0 * delta * LSB).exp_m1() * (1.0 - 1.0 / k) + k * p,
                delta,
            )
        })
        .fold((f64::INFINITY, 0.0), |a, b| if b.0 < a.0 { b } else { a })
}

/// The exact noise values at `t = j · 2^-33` in half `upper`: (Gumbel, exponential, logistic).
fn exact_noise(upper: bool, j: u64) -> [f64; 3] {
    let t = j as f64 * 2f64.powi(-33);
    let (ln_t, ln_1m_t) = (t.ln(), (-t).ln_1p());
    let (ln_u, ln_1m_u) = if upper {
        (ln_1m_t, ln_t)
    } else {
        (ln_t, ln_1m_t)
    };
    [-(-ln_u).ln(), -ln_u, ln_u - ln_1m_u]
}

/// All three noise kernels over every word: the error of each against the exact value at the
/// word's own `U`; and, for the bound on the sampling distribution, the coupled deviation `D`
/// of the Gumbel noise of each word: the largest `|G_fixed - (-ln(-ln U))|` over the continuous
/// `U` of the word's cell (width 2^-32), counted against the thresholds.
#[test]
fn noise_error_over_every_word() {
    let results = in_parallel(|half| {
        let upper = half == 1;
        let mut worst = [0f64; 3];
        let mut worst_raised = 0f64;
        let mut exceed = [0u64; THRESHOLDS.len()];
        // The exact Gumbel value at the lower edge of the current bucket's cells (t = 0 is
        // U = 0 or 1, where it is infinite).
        let mut gumbel_at_lower_edge = f64::INFINITY;
        buckets(1, 1 << 32, true, |low, high| {
            let kernels = |j: u64| {
                let w = word(upper, j);
                [
                    Fixed::gumbel_from_word(w),
                    Fixed::exponential_from_word(w),
                    Fixed::logistic_from_word(w),
                ]
            };
            let found = kernels(low);
            // The bucket is real: its last word gives the same noise (all three kernels read
            // the word through the same `split_word`, so checking one suffices).
            assert_eq!(
                found[0],
                Fixed::gumbel_from_word(word(upper, high)),
                "bucket {low}..={high}"
            );
            for j in [low, high] {
                let exact = exact_noise(upper, j);
                for i in [0, 2] {
                    worst[i] = worst[i].max(error_lsb(found[i], exact[i]));
                }
                // Exponential noise below half an LSB is raised to one LSB (never 0): its error
                // there is up to 1 LSB by design, measured apart.
                if exact[1] < 0.5 * LSB {
                    assert_eq!(found[1], Fixed::EPSILON, "exponential at {j}");
                    worst_raised = worst_raised.max(error_lsb(found[1], exact[1]));
                } else {
                    worst[1] = worst[1].max(error_lsb(found[1], exact[1]));
                }
            }
            // The cells of the bucket's words cover t in [low - 1, high + 1] · 2^-33.
            let gumbel_at_upper_edge = exact_noise(upper, high + 1)[0];
            let deviation = if low == 1 {
                f64::INFINITY
            } else {
                error_lsb(found[0], gumbel_at_lower_edge)
                    .max(error_lsb(found[0], gumbel_at_upper_edge))
            };
            gumbel_at_lower_edge = gumbel_at_upper_edge;
            let words = (high - low) / 2 + 1;
            for (count, &delta) in exceed.iter_mut().zip(&THRESHOLDS) {
                if deviation > delta {
                    *count += words;
                }
            }
        });
        (worst, exceed, worst_raised)
    });
    let mut worst = [0f64; 3];
    let mut exceed = [0u64; THRESHOLDS.len()];
    let worst_raised = results.iter().map(|r| r.2).fold(0.0, f64::max);
    for (w, e, _) in &results {
        for (total, v) in worst.iter_mut().zip(w) {
            *total = total.max(*v);
        }
        for (total, n) in exceed.iter_mut().zip(e) {
            *total += n;
        }
    }
    for (name, w) in ["gumbel", "exponential", "logistic"].iter().zip(worst) {
        eprintln!("{name}_from_word: max error {w:.6} LSB over all 2^32 words");
    }
    eprintln!(
        "  (exponential values below half an LSB, raised to 1 LSB: max error {worst_raised:.6} LSB)"
    );
    for (delta, n) in THRESHOLDS.iter().zip(&exceed) {
        eprintln!(
            "  P(D > {delta} LSB) = {n} / 2^32 = {:.3e}",
            *n as f64 / 2f64.powi(32)
        );
    }
    for k in [2.0, 6.0, 16.0, 64.0, 256.0] {
        let (bound, delta) = tv_bound(k, &exceed);
        eprintln!(
            "  K = {k}: TV(fixed Gumbel-max, softmax) <= {bound:.3e} (at delta = {delta} LSB)"
        );
    }
    // The bounds stated in the kernels' documentation.
    assert!(worst[0] <= 0.5 + 1.0 / 32.0, "gumbel {}", worst[0]);
    assert!(worst[1] <= 0.5 + 1.0 / 32.0, "exponential {}", worst[1]);
    assert!(worst[2] <= 0.5 + 1.0 / 32.0, "logistic {}", worst[2]);
    assert!(worst_raised <= 1.0, "{worst_raised}");
    // The bounds stated in the documentation of `gumbel::Fixed`.
    assert!(tv_bound(2.0, &exceed).0 <= 4e-5);
    assert!(tv_bound(16.0, &exceed).0 <= 1.5e-4);
    assert!(tv_bound(256.0, &exceed).0 <= 6e-4);
}

/// Flipping the top bit of the word negates the logistic variate, exactly (a spread of words).
#[test]
fn logistic_noise_is_exactly_symmetric() {
    for low_bits in (0..=0x7FFF_FFFFu32).step_by(4099) {
        let (lower, upper) = (low_bits, low_bits | 1 << 31);
        assert_eq!(
            -Fixed::logistic_from_word(lower),
            Fixed::logistic_from_word(upper)
        );
    }
}

#[test]
fn uniform_noise_is_exact_and_open() {
    for high in 0..=u16::MAX {
        let word = u32::from(high) << 16;
        let u = Fixed::uniform_from_word(word);
        assert_eq!(u, Fixed::uniform_from_word(word | 0xFFFF));
        assert_eq!(u.to_f64(), f64::from(high | 1) * LSB);
        assert!(u > Fixed::ZERO && u < Fixed::ONE);
    }
}

/// `ln` over every positive I16F16 value, `ln_1p` over every value above -1.
#[test]
fn ln_and_ln_1p_error_over_every_input() {
    let results = in_parallel(|which| {
        let mut worst = 0f64;
        if which == 0 {
            buckets(1, 1 << 31, false, |low, high| {
                let v = Fixed::from_bits(low as i32).ln();
                assert_eq!(v, Fixed::from_bits(high as i32).ln());
                for raw in [low, high] {
                    worst = worst.max(error_lsb(v, (raw as f64 * LSB).ln()));
                }
            });
        } else {
            // Buckets of 1 + x (raw), the integer the kernel reads.
            buckets(1, (1 << 31) + (1 << 16), false, |low, high| {
                let x = |one_plus: u64| Fixed::from_bits((one_plus as i64 - (1 << 16)) as i32);
                let v = x(low).ln_1p();
                assert_eq!(v, x(high).ln_1p());
                for one_plus in [low, high] {
                    worst = worst.max(error_lsb(v, x(one_plus).to_f64().ln_1p()));
                }
            });
        }
        worst
    });
    eprintln!("ln: max error {:.6} LSB over every x > 0", results[0]);
    eprintln!("ln_1p: max error {:.6} LSB over every x > -1", results[1]);
    assert!(results[0] <= 0.5 + 1.0 / 64.0, "{}", results[0]);
    assert!(results[1] <= 0.5 + 1.0 / 64.0, "{}", results[1]);
    assert_eq!(Fixed::ZERO.ln(), Fixed::LOWEST);
    assert_eq!((-Fixed::ONE).ln_1p(), Fixed::LOWEST);
    assert_eq!(Fixed::LOWEST.ln(), Fixed::LOWEST);
}

/// `exp` over every I16F16 value: evaluated at each one from -12 (below which the kernel returns
/// 0 without computing, and `e^x < e^-12 ≈ 0.40 LSB`) up to 11 (above which it saturates).
#[test]
fn exp_error_over_every_input() {
    let mut worst_nonpositive = 0f64;
    let mut worst_relative = 0f64;
    for raw in (-12 << 16)..=(11 << 16) {
        let x = Fixed::from_bits(raw);
        let exact = x.to_f64().exp();
        let e = x.exp();
        if raw <= 0 {
            worst_nonpositive = worst_nonpositive.max(error_lsb(e, exact));
        } else if exact < 32768.0 {
            // Beyond the rounding (0.5 LSB), the error is relative.
            let beyond_rounding = (error_lsb(e, exact) - 0.5).max(0.0) * LSB;
            worst_relative = worst_relative.max(beyond_rounding / exact);
        } else {
            assert_eq!(e, Fixed::MAX);
        }
    }
    for raw in [i32::MIN, i32::MIN + 1, -(1 << 30), (-12 << 16) - 1] {
        assert_eq!(Fixed::from_bits(raw).exp(), Fixed::ZERO);
    }
    for raw in [(11 << 16) + 1, i32::MAX] {
        assert_eq!(Fixed::from_bits(raw).exp(), Fixed::MAX);
    }
    worst_nonpositive = worst_nonpositive.max((-12f64).exp() / LSB);
    eprintln!("exp: max error {worst_nonpositive:.6} LSB over every x <= 0");
    eprintln!("exp: max error 0.5 LSB + {worst_relative:.3e} relative over 0 < x <= 10.397");
    assert!(
        worst_nonpositive <= 0.5 + 1.0 / 4096.0,
        "{worst_nonpositive}"
    );
    assert!(worst_relative <= 2f64.powi(-30), "{worst_relative}");
}

/// `sqrt`: correctly rounded. Integer-exact check (`|s² - n| <= s` in integers) over every
/// value below 2^24 and the ends of every power-of-two range, and a spread of 2^22 others.
#[test]
fn sqrt_is_correctly_rounded() {
    let check = |raw: i32| {
        if raw == 0 {
            assert_eq!(Fixed::ZERO.sqrt(), Fixed::ZERO);
            return;
        }
        let s = i128::from(Fixed::from_bits(raw).sqrt().bits());
        let n = i128::from(raw) << 16;
        // s = round(√n) exactly when (s - 1/2)² < n < (s + 1/2)² (no ties for integers).
        assert!(
            4 * n > (2 * s - 1) * (2 * s - 1) && 4 * n < (2 * s + 1) * (2 * s + 1),
            "{raw}"
        );
    };
    (0..1 << 24).for_each(check);
    for b in 24..31 {
        check(1 << b);
        check((1 << b) - 1);
    }
    check(i32::MAX);
    let mut x = 0x1234_5678u32;
    for _ in 0..1 << 22 {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        check((x >> 1) as i32);
    }
    assert_eq!(Fixed::from_bits(-5).sqrt(), Fixed::ZERO);
    eprintln!("sqrt: correctly rounded (max error 0.5 LSB)");
}

/// `*` and `/`: rounded to nearest and saturating, checked in exact integer arithmetic on the
/// extremes and 2^22 pseudo-random pairs.
#[test]
fn multiplication_and_division_round_to_nearest_and_saturate() {
    let check = |a: i32, b: i32| {
        let (fa, fb) = (Fixed::from_bits(a), Fixed::from_bits(b));
        let (a, b) = (i128::from(a), i128::from(b));
        let p = i128::from((fa * fb).bits());
        let exact = a * b; // times 2^32
        if p == i128::from(i32::MAX) {
            assert!(2 * exact >= (2 * p - 1) << 16);
        } else if p == i128::from(i32::MIN) {
            assert!(2 * exact <= (2 * p + 1) << 16);
        } else {
            assert!(((p << 16) - exact).abs() <= 1 << 15, "{a} * {b}");
        }
        let q = i128::from((fa / fb).bits());
        if b == 0 {
            assert_eq!(
                q,
                a.signum()
                    * if a < 0 {
                        -i128::from(i32::MIN)
                    } else {
                        i128::from(i32::MAX)
                    }
            );
        } else if q == i128::from(i32::MAX) || q == i128::from(i32::MIN) {
            assert!(
                (2 * (a << 16) - (2 * q - q.signum()) * b).signum() == (q * b).signum()
                    || (q * b - (a << 16)).abs() * 2 <= b.abs()
            );
        } else {
            // |q - a/b · 2^16| <= 1/2  <=>  |2(q·b - a·2^16)| <= |b|.
            assert!((2 * (q * b - (a << 16))).abs() <= b.abs(), "{a} / {b}");
        }
    };
    let extremes = [
        i32::MIN,
        i32::MIN + 1,
        -65536,
        -1,
        0,
        1,
        65536,
        3,
        i32::MAX - 1,
        i32::MAX,
    ];
    for &a in &extremes {
        for &b in &extremes {
            check(a, b);
        }
    }
    let mut x = 0x9e37_79b9u32;
    let mut next = || {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        // Spread over magnitudes: shift right by a pseudo-random amount.
        (x as i32) >> (x % 31)
    };
    for _ in 0..1 << 22 {
        let (a, b) = (next(), next());
        check(a, b);
    }
}
