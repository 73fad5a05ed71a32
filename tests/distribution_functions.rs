//! The distribution functions of `gumbel::distributions::{Gumbel, Logistic}` against f64
//! references from independent closed forms, with the error bounds their documentation states.
//!
//! `f32`, standard parameters (where `z = x` exactly, so the bound is the evaluation's alone):
//! every 1024th bit pattern of the whole line (2^22 arguments: each binade at 2^13 points),
//! every 64th where the functions change fastest (`|x|` in `[2^-8, 128]`: 2^17 points per
//! binade), and every single `f32` within 2^15 ulps of each branch point, overflow and
//! underflow threshold of the formulas. Quantiles: every 64th `f32` in (0, 1) and every `f32`
//! within 2^16 ulps of each of their branch points and ends. Fixed point: every argument where
//! the functions are not constant (`z` in `[−16, 32]`, 3.1 million values), a stride of 2^12
//! through the other 2^32, and all 65 535 uniforms of the quantiles. Other parameters: a grid
//! of locations and scales, with the documented extra term `|f'(z)|·|Δz|` for forming `z`.
//!
//! `cargo test --all-features --test distribution_functions -- --nocapture` prints the worst
//! error of each function as a fraction of its bound.

mod common;

use gumbel::distributions::{Gumbel, Logistic};
use gumbel::{Error, Scalar};

/// Half an ulp of 1 in `f32`, the unit of the documented `f32` bounds.
const U: f64 = f32::EPSILON as f64 / 2.0;
/// Two subnormal ulps: the absolute accuracy left where a result is subnormal.
const SUBNORMAL_FLOOR: f64 = 2.0 * 1.401_298_464_324_817e-45;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Function {
    LogPdf,
    Pdf,
    Cdf,
    LogCdf,
    Sf,
    LogSf,
}

const FUNCTIONS: [Function; 6] = [
    Function::LogPdf,
    Function::Pdf,
    Function::Cdf,
    Function::LogCdf,
    Function::Sf,
    Function::LogSf,
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Family {
    Gumbel,
    Logistic,
}

/// The exact value at `z` (standard parameters) and its derivative, in f64.
fn exact(family: Family, f: Function, z: f64) -> (f64, f64) {
    match family {
        Family::Gumbel => {
            let t = (-z).exp();
            // sf = 1 − e^{−t} and its logarithm, from expm1 (and −z − t/2 once t underflows).
            let sf = -(-t).exp_m1();
            let log_sf = if t < 1e-12 {
                -z - t / 2.0
            } else if t < core::f64::consts::LN_2 {
                sf.ln()
            } else {
                (-(-t).exp()).ln_1p()
            };
            let (log_pdf, pdf) = if t.is_infinite() {
                (f64::NEG_INFINITY, 0.0)
            } else {
                (-z - t, (-z - t).exp())
            };
            let pdf_slope = if pdf == 0.0 { 0.0 } else { pdf * (t - 1.0) };
            match f {
                Function::LogPdf => (log_pdf, t - 1.0),
                Function::Pdf => (pdf, pdf_slope),
                Function::Cdf => ((-t).exp(), pdf),
                Function::LogCdf => (-t, t),
                Function::Sf => (sf, -pdf),
                Function::LogSf => (log_sf, if sf > 0.0 { -pdf / sf } else { -1.0 }),
            }
        }
        Family::Logistic => {
            let a = z.abs();
            let e = (-a).exp();
            let softplus = |v: f64| v.max(0.0) + (-v.abs()).exp().ln_1p();
            // σ(z) and σ(−z) without cancellation.
            let (upper, lower) = (1.0 / (1.0 + e), e / (1.0 + e));
            let (cdf, sf) = if z >= 0.0 {
                (upper, lower)
            } else {
                (lower, upper)
            };
            let pdf = e / ((1.0 + e) * (1.0 + e));
            let tanh = (z / 2.0).tanh();
            match f {
                Function::LogPdf => (-a - 2.0 * e.ln_1p(), -tanh),
                Function::Pdf => (pdf, -pdf * tanh),
                Function::Cdf => (cdf, pdf),
                Function::LogCdf => (-softplus(-z), sf),
                Function::Sf => (sf, -pdf),
                Function::LogSf => (-softplus(z), -cdf),
            }
        }
    }
}

/// The documented `f32` bound at `z`, relative, in units of `U`.
fn f32_bound(family: Family, f: Function, z: f64) -> f64 {
    let t = (-z).exp();
    match (family, f) {
        (Family::Gumbel, Function::LogPdf) => 5.0,
        (Family::Gumbel, Function::Pdf) => 5.0 + 3.0 * t,
        (Family::Gumbel, Function::Cdf) => 2.0 + 2.0 * t,
        (Family::Gumbel, Function::LogCdf) => 2.0,
        (Family::Gumbel, Function::Sf) => 6.0,
        (Family::Gumbel, Function::LogSf) => {
            if t <= 0.5 {
                2.0
            } else {
                2.0 * (1.0 + (1.0 + t) / -(-t).exp_m1())
            }
        }
        (Family::Logistic, Function::LogPdf) => 5.0,
        (Family::Logistic, Function::Pdf) => 8.0,
        (Family::Logistic, Function::Cdf | Function::Sf) => 6.0,
        (Family::Logistic, Function::LogCdf | Function::LogSf) => 5.0,
    }
}

fn call<S: Scalar>(family: Family, f: Function, location: S, scale: S, x: S) -> Result<S, Error> {
    /// The same six methods of either type.
    macro_rules! evaluate {
        ($d:expr) => {{
            let d = $d;
            match f {
                Function::LogPdf => d.log_pdf(x),
                Function::Pdf => d.pdf(x),
                Function::Cdf => d.cdf(x),
                Function::LogCdf => d.log_cdf(x),
                Function::Sf => d.sf(x),
                Function::LogSf => d.log_sf(x),
            }
        }};
    }
    match family {
        Family::Gumbel => evaluate!(Gumbel::new(location, scale)?),
        Family::Logistic => evaluate!(Logistic::new(location, scale)?),
    }
}

/// The worst error seen, as a fraction of the allowed error, and where.
#[derive(Debug, Clone, Copy, Default)]
struct Worst {
    ratio: f64,
    at: f64,
    got: f64,
    exact: f64,
}

impl Worst {
    fn record(&mut self, ratio: f64, at: f64, got: f64, exact: f64) {
        if ratio > self.ratio || ratio.is_nan() {
            *self = Self {
                ratio,
                at,
                got,
                exact,
            };
        }
    }
    fn merge(&mut self, other: Worst) {
        self.record(other.ratio, other.at, other.got, other.exact);
    }
}

/// `got` against `exact` with `allowed` absolute error; an exact value beyond the `f32` range
/// must come back as that infinity (or the largest finite value of its sign).
fn f32_ratio(got: f32, exact: f64, allowed: f64) -> f64 {
    assert!(!got.is_nan(), "NaN for exact value {exact}");
    if exact.abs() > f64::from(f32::MAX) {
        return if got.abs() >= f32::MAX && (got > 0.0) == (exact > 0.0) {
            0.0
        } else {
            f64::INFINITY
        };
    }
    let got = f64::from(got);
    if got == exact {
        return 0.0;
    }
    (got - exact).abs() / allowed
}

/// Every `f32` argument set of the sweep for one family: strided patterns of the whole line
/// and of the fast-changing range, and dense windows around `points`.
fn f32_arguments(points: &[f32]) -> Vec<f32> {
    let mut xs: Vec<f32> = (0..1u32 << 22).map(|i| f32::from_bits(i << 10)).collect();
    let (lo, hi) = (2f32.powi(-8).to_bits(), 128f32.to_bits());
    for bits in (lo..hi).step_by(64) {
        xs.push(f32::from_bits(bits));
        xs.push(-f32::from_bits(bits));
    }
    for &p in points {
        let centre = p.to_bits() as i64;
        for offset in -(1i64 << 15)..=(1 << 15) {
            let bits = centre + offset;
            if (0..=u32::MAX as i64).contains(&bits) {
                xs.push(f32::from_bits(bits as u32));
            }
        }
    }
    xs.retain(|x| !x.is_nan());
    xs
}

/// Runs `work` over `items` on two threads and merges the per-function worst errors.
fn on_two_threads<T: Sync, const N: usize>(
    items: &[T],
    work: impl Fn(&[T]) -> [Worst; N] + Sync,
) -> [Worst; N] {
    let (a, b) = items.split_at(items.len() / 2);
    let [mut left, right] = std::thread::scope(|s| {
        let a = s.spawn(|| work(a));
        let b = s.spawn(|| work(b));
        [a.join().unwrap(), b.join().unwrap()]
    });
    for (l, r) in left.iter_mut().zip(right) {
        l.merge(r);
    }
    left
}

fn report(label: &str, names: &[String], worst: &[Worst]) {
    for (name, w) in names.iter().zip(worst) {
        eprintln!(
            "{label} {name:<8}: worst {:.3} of the bound at x = {:e} (got {:e}, exact {:e})",
            w.ratio, w.at, w.got, w.exact
        );
    }
    for (name, w) in names.iter().zip(worst) {
        assert!(w.ratio <= 1.0, "{label} {name}: {w:?}");
    }
}

fn names() -> Vec<String> {
    FUNCTIONS.iter().map(|f| format!("{f:?}")).collect()
}

fn f32_sweep(family: Family, points: &[f32]) {
    let xs = f32_arguments(points);
    let worst = on_two_threads(&xs, |xs| {
        let mut worst = [Worst::default(); 6];
        for &x in xs {
            let z = f64::from(x);
            for (w, f) in worst.iter_mut().zip(FUNCTIONS) {
                let got = call(family, f, 0.0f32, 1.0, x).unwrap();
                let (value, _) = exact(family, f, z);
                let allowed = f32_bound(family, f, z) * U * value.abs() + SUBNORMAL_FLOOR;
                w.record(f32_ratio(got, value, allowed), z, f64::from(got), value);
            }
        }
        worst
    });
    report(&format!("{family:?} f32"), &names(), &worst);
}

#[test]
fn gumbel_f32_functions_are_within_their_bounds() {
    // Branch points (t = 1/2, t = 1), where e^{−z} overflows (−88.72), goes subnormal (87.34)
    // and underflows (103.97), where the CDF goes subnormal (t = 87.34), and 0.
    let points = [
        core::f32::consts::LN_2,
        0.0,
        -88.72,
        87.34,
        103.97,
        -4.47,
        -1.0,
        1.0,
        50.0,
    ];
    f32_sweep(Family::Gumbel, &points);
}

#[test]
fn logistic_f32_functions_are_within_their_bounds() {
    let points = [0.0, 87.34, -87.34, 103.97, -103.97, 1.0, -1.0];
    f32_sweep(Family::Logistic, &points);
}

/// The exact standard quantile in f64.
fn exact_quantile(family: Family, u: f64) -> f64 {
    match family {
        Family::Gumbel => -(-u.ln()).ln(),
        Family::Logistic => u.ln() - (-u).ln_1p(),
    }
}

fn quantile<S: Scalar>(family: Family, location: S, scale: S, u: S) -> Result<S, Error> {
    match family {
        Family::Gumbel => Gumbel::new(location, scale)?.quantile(u),
        Family::Logistic => Logistic::new(location, scale)?.quantile(u),
    }
}

/// The documented `f32` quantile bound, absolute, at the exact quantile `q`.
fn f32_quantile_bound(family: Family, q: f64) -> f64 {
    match family {
        Family::Gumbel => U * (2.0 + 3.0 * q.abs()),
        Family::Logistic => 5.0 * U * q.abs(),
    }
}

fn f32_quantile_sweep(family: Family) {
    let one = 1.0f32.to_bits();
    let mut us: Vec<f32> = (1..one).step_by(64).map(f32::from_bits).collect();
    let windows = [0.25f32, 0.5, 0.75, 0.875, (-1.0f32).exp()];
    for p in windows {
        let c = p.to_bits();
        us.extend((c - (1 << 16)..=c + (1 << 16)).map(f32::from_bits));
    }
    // The ends: the first 2^16 subnormals and the last 2^16 values below 1.
    us.extend((1..1 << 16).map(f32::from_bits));
    us.extend((one - (1 << 16)..one).map(f32::from_bits));
    let [worst] = on_two_threads(&us, |us| {
        let mut worst = Worst::default();
        for &u in us {
            let got = quantile(family, 0.0f32, 1.0, u).unwrap();
            let q = exact_quantile(family, f64::from(u));
            let allowed = f32_quantile_bound(family, q);
            worst.record(f32_ratio(got, q, allowed), f64::from(u), f64::from(got), q);
        }
        [worst]
    });
    report(&format!("{family:?} f32"), &["quantile".into()], &[worst]);
    assert_eq!(
        quantile(family, 0.0f32, 1.0, 0.0),
        Ok(f32::NEG_INFINITY),
        "u = 0"
    );
    assert_eq!(
        quantile(family, 0.0f32, 1.0, 1.0),
        Ok(f32::INFINITY),
        "u = 1"
    );
}

#[test]
fn gumbel_f32_quantile_is_within_its_bound() {
    f32_quantile_sweep(Family::Gumbel);
}

#[test]
fn logistic_f32_quantile_is_within_its_bound() {
    f32_quantile_sweep(Family::Logistic);
}

/// The limits at `x = ±inf`, and NaN refused.
#[test]
fn f32_infinite_arguments_give_the_limits_and_nan_is_refused() {
    for family in [Family::Gumbel, Family::Logistic] {
        for f in FUNCTIONS {
            for (x, z) in [(f32::INFINITY, f64::INFINITY), (f32::NEG_INFINITY, -1e300)] {
                let got = call(family, f, 0.5f32, 2.0, x).unwrap();
                let limit = match (f, z > 0.0) {
                    (Function::LogPdf, _) => f32::NEG_INFINITY,
                    (Function::Pdf, _) => 0.0,
                    (Function::Cdf, up) | (Function::Sf, up) => {
                        if up == (f == Function::Cdf) {
                            1.0
                        } else {
                            0.0
                        }
                    }
                    (Function::LogCdf, up) | (Function::LogSf, up) => {
                        if up == (f == Function::LogCdf) {
                            0.0
                        } else {
                            f32::NEG_INFINITY
                        }
                    }
                };
                assert_eq!(got, limit, "{family:?} {f:?} at {x}");
            }
            assert_eq!(
                call(family, f, 0.0f32, 1.0, f32::NAN),
                Err(Error::Nan { index: 0 })
            );
        }
        for u in [-0.1f32, 1.5, f32::INFINITY] {
            assert_eq!(quantile(family, 0.0f32, 1.0, u), Err(Error::OutsideSupport));
        }
        assert_eq!(
            quantile(family, 0.0f32, 1.0, f32::NAN),
            Err(Error::Nan { index: 0 })
        );
    }
}

/// The tails other libraries lose: Gumbel `log_cdf` at 50 (−1.93e-22, where `ln(cdf)` is 0),
/// the Gumbel survival function at 30 (`≈ e^{−30}`, where `1 − cdf` is 0), and the logistic
/// log-survival function at −60.
#[test]
fn tails_keep_their_relative_accuracy() {
    let g = Gumbel::standard();
    let relative = |got: f32, exact: f64| (f64::from(got) - exact).abs() / exact.abs();
    assert!(relative(g.log_cdf(50.0f32).unwrap(), -(-50f64).exp()) <= 2.0 * U);
    assert_eq!((g.cdf(50.0f32).unwrap()).ln(), 0.0, "ln(cdf) has lost it");
    assert!(relative(g.sf(30.0f32).unwrap(), -(-(-30f64).exp()).exp_m1()) <= 6.0 * U);
    // The lower tail of the log-survival function, −e^{−t} with t = e^3: 44u by its bound.
    let t = 3f64.exp();
    let bound = 2.0 * U * (1.0 + (1.0 + t) / -(-t).exp_m1());
    assert!(relative(g.log_sf(-3.0f32).unwrap(), (-(-t).exp()).ln_1p()) <= bound);
    let l = Logistic::standard();
    assert!(relative(l.log_sf(-60.0f32).unwrap(), -(-60f64).exp()) <= 5.0 * U);
    assert!(relative(l.cdf(-60.0f32).unwrap(), (-60f64).exp()) <= 6.0 * U);
}

/// Other locations and scales: the evaluation's bound plus the documented cost of forming
/// `z` (`|Δz| ≤ 2u·|z|`, moving the result by `|f'(z)|·|Δz|`), of subtracting `ln β`
/// (`2u·|ln β| + u·|result|`) and of dividing by β (`u` relative).
#[test]
fn f32_other_parameters_add_only_the_documented_terms() {
    let mut rng = common::rng(11);
    use rand_core::Rng;
    for family in [Family::Gumbel, Family::Logistic] {
        let mut worst = [Worst::default(); 6];
        for (location, scale) in [(0.0f32, 0.5f32), (3.25, 2.0), (-100.0, 0.01), (1e6, 1e3)] {
            let ln_scale = f64::from(scale).ln();
            for _ in 0..200_000 {
                let z_target = (f64::from(rng.next_u32()) / 2f64.powi(32) - 0.3) * 60.0;
                let x = (f64::from(location) + f64::from(scale) * z_target) as f32;
                let z = (f64::from(x) - f64::from(location)) / f64::from(scale);
                for (w, f) in worst.iter_mut().zip(FUNCTIONS) {
                    let got = call(family, f, location, scale, x).unwrap();
                    let (mut value, derivative) = exact(family, f, z);
                    let mut allowed = f32_bound(family, f, z) * U * value.abs()
                        + derivative.abs() * 2.0 * U * z.abs()
                        + SUBNORMAL_FLOOR;
                    match f {
                        Function::LogPdf => {
                            value -= ln_scale;
                            allowed += 2.0 * U * ln_scale.abs() + U * value.abs();
                        }
                        Function::Pdf => {
                            // The standard density's error scaled by 1/β, the division's own
                            // rounding, and the subnormal floor of the final result.
                            value /= f64::from(scale);
                            allowed =
                                allowed / f64::from(scale) + U * value.abs() + SUBNORMAL_FLOOR;
                        }
                        _ => {}
                    }
                    w.record(f32_ratio(got, value, allowed), z, f64::from(got), value);
                }
            }
        }
        report(&format!("{family:?} f32 (μ, β)"), &names(), &worst);
    }
}

#[cfg(feature = "fixed")]
mod fixed {
    use super::*;
    use gumbel::Fixed;

    const LSB: f64 = 1.0 / 65536.0;

    /// The documented fixed-point bound, in LSB.
    fn fixed_bound(family: Family, f: Function, z: f64) -> f64 {
        match (family, f) {
            // The exponential's 0.5 + 2^-12 LSB plus 2^-30 relative of e^{−z}.
            (Family::Gumbel, Function::LogPdf | Function::LogCdf) => {
                0.5 + 2f64.powi(-12) + (-z).exp() * 2f64.powi(-14)
            }
            (Family::Gumbel, Function::Pdf | Function::Cdf) => 1.0,
            (Family::Gumbel, Function::Sf) => 2.0,
            (Family::Gumbel, Function::LogSf) => 3.0,
            (Family::Logistic, Function::Pdf | Function::Cdf | Function::Sf) => 1.0,
            (Family::Logistic, Function::LogPdf) => 2.05,
            (Family::Logistic, Function::LogCdf | Function::LogSf) => 1.05,
        }
    }

    /// The ideal fixed-point result: the exact value, saturated to the range.
    fn saturated(v: f64) -> f64 {
        v.clamp(-32768.0, 32768.0 - LSB)
    }

    fn fixed_sweep(family: Family) -> [Worst; 6] {
        // Every argument in [−16, 32] (the functions are constant or saturated beyond), and a
        // stride of 2^12 over all 2^32 bit patterns.
        let mut raws: Vec<i32> = ((-16 << 16)..=(32 << 16)).collect();
        raws.extend((i32::MIN..=i32::MAX).step_by(1 << 12));
        raws.extend([i32::MIN, i32::MIN + 1, i32::MAX - 1, i32::MAX]);
        on_two_threads(&raws, |raws| {
            let mut worst = [Worst::default(); 6];
            for &raw in raws {
                let x = Fixed::from_bits(raw);
                let z = x.to_f64();
                for (w, f) in worst.iter_mut().zip(FUNCTIONS) {
                    let got = call(family, f, Fixed::ZERO, Fixed::ONE, x)
                        .unwrap()
                        .to_f64();
                    // At the ends of the range z stands for everything beyond (module docs).
                    let z_meant = match raw {
                        i32::MAX => f64::INFINITY,
                        i32::MIN => -1e300,
                        _ => z,
                    };
                    let ideal = saturated(exact(family, f, z_meant).0);
                    let error = (got - ideal).abs() / LSB;
                    let bound = if family == Family::Gumbel
                        && f == Function::LogPdf
                        && (-z).exp() >= 32768.0
                    {
                        // Saturated with e^{−z}: LOWEST, at most 22 below the exact value.
                        if got == -32768.0 && ideal <= -32768.0 + 22.0 {
                            0.0
                        } else {
                            f64::INFINITY
                        }
                    } else {
                        error / fixed_bound(family, f, z)
                    };
                    w.record(bound, z, got, ideal);
                }
            }
            worst
        })
    }

    #[test]
    fn gumbel_fixed_functions_are_within_their_bounds() {
        let worst = fixed_sweep(Family::Gumbel);
        report("Gumbel fixed", &names(), &worst);
    }

    #[test]
    fn logistic_fixed_functions_are_within_their_bounds() {
        let worst = fixed_sweep(Family::Logistic);
        report("Logistic fixed", &names(), &worst);
    }

    fn fixed_quantile_bound(family: Family) -> f64 {
        match family {
            Family::Gumbel => 4.4,
            Family::Logistic => 1.05,
        }
    }

    #[test]
    fn fixed_quantiles_are_within_their_bounds_at_every_uniform() {
        for family in [Family::Gumbel, Family::Logistic] {
            let mut worst = Worst::default();
            for raw in 1..1 << 16 {
                let u = Fixed::from_bits(raw);
                let got = quantile(family, Fixed::ZERO, Fixed::ONE, u)
                    .unwrap()
                    .to_f64();
                let q = exact_quantile(family, u.to_f64());
                let error = (got - saturated(q)).abs() / LSB;
                worst.record(error / fixed_quantile_bound(family), u.to_f64(), got, q);
            }
            report(&format!("{family:?} fixed"), &["quantile".into()], &[worst]);
            assert_eq!(
                quantile(family, Fixed::ZERO, Fixed::ONE, Fixed::ZERO),
                Ok(Fixed::LOWEST)
            );
            assert_eq!(
                quantile(family, Fixed::ZERO, Fixed::ONE, Fixed::ONE),
                Ok(Fixed::MAX)
            );
            assert_eq!(
                quantile(family, Fixed::ZERO, Fixed::ONE, -Fixed::EPSILON),
                Err(Error::OutsideSupport)
            );
        }
    }

    /// Other parameters in fixed point: forming `z` costs at most 1 LSB of `z` (and `x − μ`
    /// beyond the range is taken apart as `x/β − μ/β`), `ln β` and `1/β` one rounding each.
    #[test]
    fn fixed_other_parameters_add_only_the_documented_terms() {
        let q = Fixed::from_f64;
        assert_eq!(
            Gumbel::new(Fixed::ZERO, Fixed::ZERO),
            Err(Error::InvalidParameter)
        );
        for family in [Family::Gumbel, Family::Logistic] {
            let mut worst = [Worst::default(); 6];
            for (location, scale) in [(0.0, 0.5), (3.25, 2.0), (-100.0, 0.125), (30000.0, 4.0)] {
                let (location, scale) = (q(location), q(scale));
                let (m, b) = (location.to_f64(), scale.to_f64());
                for raw in (i32::MIN..=i32::MAX).step_by(1 << 14) {
                    let x = Fixed::from_bits(raw);
                    let z = (x.to_f64() - m) / b;
                    if z.abs() > 32000.0 {
                        continue;
                    }
                    for (w, f) in worst.iter_mut().zip(FUNCTIONS) {
                        let got = call(family, f, location, scale, x).unwrap().to_f64();
                        let (mut value, derivative) = exact(family, f, z);
                        let mut allowed = fixed_bound(family, f, z) * LSB + derivative.abs() * LSB;
                        match f {
                            Function::LogPdf => {
                                value -= b.ln();
                                allowed += 0.52 * LSB + 0.5 * LSB;
                            }
                            Function::Pdf => {
                                value /= b;
                                allowed = allowed / b + 0.5 * LSB;
                            }
                            _ => {}
                        }
                        let ideal = saturated(value);
                        let saturated_log_pdf = family == Family::Gumbel
                            && f == Function::LogPdf
                            && (-z).exp() >= 32768.0 * 0.999;
                        if !saturated_log_pdf {
                            w.record((got - ideal).abs() / allowed, z, got, ideal);
                        }
                    }
                }
            }
            report(&format!("{family:?} fixed (μ, β)"), &names(), &worst);
        }
    }
}
