//! Property-based fuzzing of every public function (the distribution types included), in `f32`
//! and (feature `fixed`) in `Fixed`:
//! arbitrary lengths (0 to 7, mismatched buffers included) and hostile values (NaN, ±inf,
//! ±`f32::MAX`, ±1e30, subnormals, every bit pattern, λ from 1e-30 to 1e30; in fixed point the
//! extreme values, `LOWEST`, `MAX`, one LSB and every bit pattern). The property, for each call:
//! it returns `Err`, or `Ok` with every output finite and inside its documented range (simplex
//! sums within the documented bound, masked coordinates exactly 0, conditional noise reproducing
//! the outcome it was conditioned on); a refused call writes nothing and leaves the generator
//! (and the agent) unchanged, except where a function documents a refusal after its draw.
//!
//! Deterministic: a fixed seed and [`CASES`] cases per property (`GUMBEL_FUZZ_CASES` overrides
//! it). The test profile keeps overflow checks on, so an arithmetic overflow fails too.

use gumbel::distributions::{BinaryConcrete, Categorical, Concrete, Gumbel, Logistic};
use gumbel::estimators::control_variate::{
    AdaptiveEta, BinarySurrogate, SCRATCH_PER_ACTION, Surrogate, Terms,
};
use gumbel::estimators::schedule::Schedule;
use gumbel::estimators::score::Baseline;
use gumbel::estimators::{
    Buffers, Choice, Draw, gumbel_rao, rebar, relax, reparam, score, straight_through,
};
use gumbel::learner::{
    Agent, Config, Critic, Estimator, Hidden, Linear, Network, Optimiser, Policy,
};
use gumbel::{Error, Scalar, Temperature, binary, categorical, concrete, conditional, noise, topk};
use proptest::prelude::*;
use proptest::test_runner::TestRunner;
use proptest::test_runner::{Config as RunnerConfig, RngAlgorithm, TestCaseError, TestRng};
use rand_core::{Rng, SeedableRng};
use rand_xoshiro::Xoshiro128PlusPlus;

/// Cases per property and scalar: 17 properties × 2 scalars × 50,000 cases, 1.7 million cases
/// in all (each calling several functions), run in about 40 s on the 2-core build machine.
const CASES: u32 = 50_000;

type Outcome = Result<(), TestCaseError>;

/// A scalar with hostile values to draw from.
trait Hostile: Scalar + 'static {
    fn hostile() -> BoxedStrategy<Self>;
    /// Temperatures over the whole valid range and beyond it.
    fn lambda() -> BoxedStrategy<Self>;
    /// The documented bound on `|Σ x − 1|` for a Concrete sample `x` at `lambda`, if any.
    fn simplex_slack(x: &[Self], lambda: Self) -> Option<f64>;
}

impl Hostile for f32 {
    fn hostile() -> BoxedStrategy<Self> {
        let special = prop::sample::select(vec![
            f32::NAN,
            f32::INFINITY,
            f32::NEG_INFINITY,
            f32::MAX,
            -f32::MAX,
            3e38,
            -3e38,
            1.7e38,
            -1.7e38,
            1e30,
            -1e30,
            1e-30,
            0.0,
            -0.0,
            f32::MIN_POSITIVE,
            f32::from_bits(1),
            -f32::from_bits(1),
            1e-40,
        ]);
        let magnitude = (-38i32..=38, any::<bool>())
            .prop_map(|(e, negative)| if negative { -1.0 } else { 1.0 } * 10f32.powi(e));
        prop_oneof![
            4 => -60.0f32..60.0,
            2 => special,
            1 => magnitude,
            1 => any::<u32>().prop_map(f32::from_bits),
        ]
        .boxed()
    }
    fn lambda() -> BoxedStrategy<Self> {
        prop_oneof![
            4 => (-30i32..=30, 1.0f32..10.0).prop_map(|(e, m)| m * 10f32.powi(e)),
            1 => Self::hostile(),
        ]
        .boxed()
    }
    fn simplex_slack(x: &[Self], _: Self) -> Option<f64> {
        // concrete.rs: |Σ x − 1| ≤ (K + 3)·ε.
        Some((x.len() + 3) as f64 * f64::from(f32::EPSILON))
    }
}

#[cfg(feature = "fixed")]
impl Hostile for gumbel::Fixed {
    fn hostile() -> BoxedStrategy<Self> {
        use gumbel::Fixed;
        let special = prop::sample::select(vec![
            Fixed::LOWEST,
            Fixed::MAX,
            Fixed::ZERO,
            Fixed::EPSILON,
            -Fixed::EPSILON,
            Fixed::ONE,
            -Fixed::ONE,
            Fixed::from_i32(16_384),
            Fixed::from_i32(-16_384),
            Fixed::from_i32(-16_385),
        ]);
        prop_oneof![
            4 => (-60 * 65_536..60 * 65_536).prop_map(Fixed::from_bits),
            2 => special,
            1 => any::<i32>().prop_map(Fixed::from_bits),
        ]
        .boxed()
    }
    fn lambda() -> BoxedStrategy<Self> {
        use gumbel::Fixed;
        prop_oneof![
            4 => (0u32..31).prop_flat_map(|e| (1u32 << e)..(2u32 << e).min(i32::MAX as u32))
                .prop_map(|b| Fixed::from_bits(b as i32)),
            1 => Self::hostile(),
        ]
        .boxed()
    }
    fn simplex_slack(x: &[Self], lambda: Self) -> Option<f64> {
        // gumbel::Fixed, "Concrete accuracy": each coordinate within B(x, λ) LSB (plus second-order
        // terms below 0.01 LSB) for λ ≥ 0.1; no bound is documented below.
        let lambda = lambda.to_f64();
        (lambda >= 0.1).then(|| {
            let k = x.len() as f64;
            let lsb = 2f64.powi(-16);
            x.iter()
                .map(|v| {
                    let v = v.to_f64();
                    2.0 * v * (1.0 - v) * ((0.5 + 2f64.powi(-5)) / lambda + 0.5)
                        + (1.0 + v / 2.0) * (1.0 + 2f64.powi(-11))
                        + k * lsb
                        + 0.01
                })
                .sum::<f64>()
                * lsb
        })
    }
}

/// Everything one call may need, all hostile.
#[derive(Debug, Clone)]
struct Case<S> {
    logits: Vec<S>,
    mask: Option<Vec<bool>>,
    /// Second and third slices (noise, upstream, points), usually of the logits' length.
    first: Vec<S>,
    second: Vec<S>,
    /// Output buffer lengths, usually the logits' length.
    out_len: usize,
    index: usize,
    scalars: [S; 4],
    lambda: S,
    flag: bool,
    count: usize,
    seed: u64,
}

fn length_near(k: usize) -> BoxedStrategy<usize> {
    prop_oneof![8 => Just(k), 1 => 0usize..8].boxed()
}

fn case<S: Hostile>() -> impl Strategy<Value = Case<S>> {
    (0usize..7).prop_flat_map(|k| {
        let values = move |n: BoxedStrategy<usize>| {
            n.prop_flat_map(|n| prop::collection::vec(S::hostile(), n))
        };
        let mask = prop_oneof![
            1 => Just(None),
            2 => length_near(k).prop_flat_map(|n| prop::collection::vec(
                prop::bool::weighted(0.7), n)).prop_map(Some),
        ];
        let index = prop_oneof![8 => 0..k.max(1), 1 => Just(k), 1 => Just(usize::MAX)];
        let count = prop_oneof![8 => 1usize..6, 1 => Just(0usize), 1 => Just(40_000usize)];
        (
            (
                values(Just(k).boxed()),
                mask,
                values(length_near(k)),
                values(length_near(k)),
            ),
            (
                length_near(k),
                index,
                prop::array::uniform4(S::hostile()),
                S::lambda(),
            ),
            (any::<bool>(), count, any::<u64>()),
        )
            .prop_map(
                |(
                    (logits, mask, first, second),
                    (out_len, index, scalars, lambda),
                    (flag, count, seed),
                )| {
                    Case {
                        logits,
                        mask,
                        first,
                        second,
                        out_len,
                        index,
                        scalars,
                        lambda,
                        flag,
                        count,
                        seed,
                    }
                },
            )
    })
}

/// Runs `property` on [`CASES`] cases for one scalar, from a fixed seed.
fn check<S: Hostile>(name: &str, property: impl Fn(&Case<S>) -> Outcome) {
    let cases = std::env::var("GUMBEL_FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(CASES);
    let config = RunnerConfig {
        cases,
        failure_persistence: None,
        ..RunnerConfig::default()
    };
    let mut runner =
        TestRunner::new_with_rng(config, TestRng::from_seed(RngAlgorithm::ChaCha, &[7; 32]));
    if let Err(e) = runner.run(&case::<S>(), |c| property(&c)) {
        panic!("{name} ({}): {e}", std::any::type_name::<S>());
    }
}

/// Runs a generic property for `f32` and, with the feature, for `Fixed`.
macro_rules! fuzz {
    ($test:ident, $property:ident) => {
        #[test]
        fn $test() {
            check::<f32>(stringify!($test), $property::<f32>);
            #[cfg(feature = "fixed")]
            check::<gumbel::Fixed>(stringify!($test), $property::<gumbel::Fixed>);
        }
    };
}

fn rng(c: &Case<impl Scalar>) -> Xoshiro128PlusPlus {
    Xoshiro128PlusPlus::seed_from_u64(c.seed)
}

fn all_finite<S: Scalar>(values: &[S]) -> bool {
    values.iter().all(|v| v.is_finite())
}

/// Bit for bit (NaN included).
fn same<S: Scalar>(a: &[S], b: &[S]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.to_bits() == y.to_bits())
}

fn sentinel<S: Scalar>(n: usize) -> Vec<S> {
    vec![S::from_i32(12_345); n]
}

fn temperature<S: Scalar>(c: &Case<S>) -> Option<Temperature<S>> {
    Temperature::new(c.lambda).ok()
}

fn allowed<S>(c: &Case<S>) -> Option<&[bool]> {
    c.mask.as_deref()
}

/// Whether action `k` can be drawn: in range, unmasked, not `-inf`, and `+inf` if any available
/// logit is.
fn available<S: Scalar>(c: &Case<S>, k: usize) -> bool {
    let open = |i: usize| {
        c.logits
            .get(i)
            .is_some_and(|l| !l.is_neg_infinity() && !l.is_nan())
            && c.mask
                .as_ref()
                .is_none_or(|m| m.get(i).copied().unwrap_or(false))
    };
    let any_pos_inf = (0..c.logits.len()).any(|i| open(i) && c.logits[i].is_pos_infinity());
    open(k) && (!any_pos_inf || c.logits[k].is_pos_infinity())
}

/// The generator `after` is the generator `before`: no word was drawn.
fn untouched(before: &Xoshiro128PlusPlus, after: &Xoshiro128PlusPlus) -> Outcome {
    prop_assert_eq!(before, after, "a refused call drew random words");
    Ok(())
}

/// Masked coordinates exactly 0 (or `masked` for log outputs).
fn masked_exactly<S: Scalar>(c: &Case<S>, out: &[S], masked: S) -> Outcome {
    for (k, v) in out.iter().enumerate() {
        if !available(c, k) {
            prop_assert!(*v == masked, "masked coordinate {} is {:?}", k, v);
        }
    }
    Ok(())
}

/// A relaxed one-hot: coordinates in [0, 1], masked ones 0, sum within the documented bound.
fn on_simplex<S: Hostile>(c: &Case<S>, x: &[S], lambda: S) -> Outcome {
    prop_assert!(x.iter().all(|v| *v >= S::ZERO && *v <= S::ONE), "{:?}", x);
    masked_exactly(c, x, S::ZERO)?;
    if let Some(slack) = S::simplex_slack(x, lambda) {
        let total: f64 = x.iter().map(|v| v.to_f64()).sum();
        prop_assert!((total - 1.0).abs() <= slack, "sum {} of {:?}", total, x);
    }
    Ok(())
}

// ---------------------------------------------------------------- noise and samplers

fn noise_variates<S: Hostile>(c: &Case<S>) -> Outcome {
    let mut r = rng(c);
    let u: S = noise::uniform(&mut r);
    prop_assert!(u > S::ZERO && u < S::ONE);
    let e: S = noise::exponential(&mut r);
    prop_assert!(e > S::ZERO || S::EPSILON == S::from_bits(1));
    for v in [noise::gumbel::<S, _>(&mut r), noise::logistic(&mut r), e] {
        prop_assert!(v.is_finite() && v.abs() <= S::from_i32(24));
    }
    let mut out = sentinel::<S>(c.out_len);
    noise::fill_gumbel(&mut r, &mut out);
    prop_assert!(out.iter().all(|g| g.abs() <= S::from_i32(24)));
    Ok(())
}
fuzz!(noise_variates_are_finite_and_bounded, noise_variates);

fn categorical_samplers<S: Hostile>(c: &Case<S>) -> Outcome {
    let before = rng(c);
    let plain = Case {
        mask: None,
        ..c.clone()
    };
    let mut r = before.clone();
    match categorical::sample(&mut r, &c.logits) {
        Ok(k) => prop_assert!(available(&plain, k), "drew {}", k),
        Err(_) => untouched(&before, &r)?,
    }
    if let Some(mask) = allowed(c) {
        let mut r = before.clone();
        match categorical::sample_masked(&mut r, &c.logits, mask) {
            Ok(k) => prop_assert!(available(c, k), "drew {}", k),
            Err(_) => untouched(&before, &r)?,
        }
    }
    let mut r = before.clone();
    let mut noise = sentinel::<S>(c.out_len);
    match categorical::sample_with_noise(&mut r, &c.logits, allowed(c), &mut noise) {
        Ok(k) => {
            prop_assert!(available(c, k), "drew {}", k);
            prop_assert!(all_finite(&noise));
            prop_assert_eq!(
                categorical::argmax_perturbed(&c.logits, allowed(c), &noise),
                Ok(k)
            );
        }
        Err(_) => {
            untouched(&before, &r)?;
            prop_assert!(noise == sentinel::<S>(c.out_len));
        }
    }
    if let Ok(logits) = <[S; 4]>::try_from(c.logits.as_slice()) {
        let mut r = before.clone();
        match categorical::sample_with_noise_array(&mut r, &logits) {
            Ok((k, noise)) => {
                prop_assert!(available(&plain, k));
                prop_assert!(all_finite(&noise));
            }
            Err(_) => untouched(&before, &r)?,
        }
    }
    Ok(())
}
fuzz!(
    categorical_samplers_draw_available_actions,
    categorical_samplers
);

/// `argmax_perturbed` with finite noise. Infinite noise is issue 10 item 9 (samplers branch),
/// in [`argmax_perturbed_refuses_infinite_noise`].
fn argmax_finite_noise<S: Hostile>(c: &Case<S>) -> Outcome {
    let noise: Vec<S> = c
        .first
        .iter()
        .map(|g| if g.is_finite() { *g } else { S::ZERO })
        .collect();
    if let Ok(k) = categorical::argmax_perturbed(&c.logits, allowed(c), &noise) {
        prop_assert!(available(c, k), "chose {}", k);
    }
    Ok(())
}
fuzz!(
    argmax_perturbed_chooses_available_actions,
    argmax_finite_noise
);

fn argmax_any_noise<S: Hostile>(c: &Case<S>) -> Outcome {
    if let Ok(k) = categorical::argmax_perturbed(&c.logits, allowed(c), &c.first) {
        prop_assert!(available(c, k), "chose {}", k);
        prop_assert!(
            all_finite(&c.first),
            "accepted non-finite noise {:?}",
            c.first
        );
    }
    Ok(())
}
#[test]
fn argmax_perturbed_refuses_infinite_noise() {
    check::<f32>(
        "argmax_perturbed_refuses_infinite_noise",
        argmax_any_noise::<f32>,
    );
}

fn top_k<S: Hostile>(c: &Case<S>) -> Outcome {
    let before = rng(c);
    let mut r = before.clone();
    let mut indices = vec![usize::MAX; c.out_len.min(c.count)];
    let mut keys = sentinel::<S>(c.out_len);
    match topk::top_k(&mut r, &c.logits, allowed(c), &mut indices, &mut keys) {
        Ok(()) => {
            for (p, &i) in indices.iter().enumerate() {
                prop_assert!(
                    available(c, i) || {
                        // +inf logits rank first; with any of them, finite ones come after.
                        c.logits.get(i).is_some_and(|l| !l.is_neg_infinity())
                            && c.mask.as_ref().is_none_or(|m| m[i])
                    },
                    "index {} at {}",
                    i,
                    p
                );
                prop_assert!(!indices[..p].contains(&i), "repeated {}", i);
            }
            for pair in keys.windows(2) {
                prop_assert!(pair[0] >= pair[1], "keys not decreasing: {:?}", keys);
            }
            prop_assert!(keys.iter().all(|key| !key.is_nan()));
        }
        Err(_) => {
            untouched(&before, &r)?;
            prop_assert!(keys == sentinel::<S>(c.out_len));
        }
    }
    let mut r = before.clone();
    match topk::top_k_vec::<S, _, 4>(&mut r, &c.logits, allowed(c), c.count) {
        Ok(v) => prop_assert_eq!(v.len(), c.count),
        Err(_) => untouched(&before, &r)?,
    }
    Ok(())
}
fuzz!(top_k_draws_distinct_actions_in_order, top_k);

fn top_k_keys<S: Hostile>(c: &Case<S>) -> Outcome {
    let mut indices = vec![0; c.out_len.min(c.count)];
    let mut keys = vec![S::ZERO; indices.len()];
    if topk::top_k(&mut rng(c), &c.logits, allowed(c), &mut indices, &mut keys).is_ok() {
        for (&i, key) in indices.iter().zip(&keys) {
            prop_assert!(
                key.is_finite() || c.logits[i].is_pos_infinity(),
                "{:?}",
                keys
            );
        }
    }
    Ok(())
}
#[test]
fn top_k_keys_are_finite() {
    check::<f32>("top_k_keys_are_finite", top_k_keys::<f32>);
}

fn concrete_samples<S: Hostile>(c: &Case<S>) -> Outcome {
    let Some(t) = temperature(c) else {
        return Ok(());
    };
    let before = rng(c);
    for log_space in [false, true] {
        let mut r = before.clone();
        let mut out = sentinel::<S>(c.out_len);
        let result = if log_space {
            concrete::sample_log(&mut r, &c.logits, allowed(c), t, &mut out)
        } else {
            concrete::sample(&mut r, &c.logits, allowed(c), t, &mut out)
        };
        match result {
            Ok(()) if log_space => {
                masked_exactly(c, &out, S::LN_ZERO)?;
                for (k, y) in out.iter().enumerate() {
                    if available(c, k) {
                        prop_assert!(
                            y.is_finite() && *y <= S::ZERO && *y > S::LN_ZERO,
                            "{:?}",
                            out
                        );
                    }
                }
            }
            Ok(()) => on_simplex(c, &out, t.get())?,
            Err(_) => {
                untouched(&before, &r)?;
                prop_assert!(out == sentinel::<S>(c.out_len));
            }
        }
    }
    for log_space in [false, true] {
        let mut out = sentinel::<S>(c.out_len);
        let result = if log_space {
            concrete::log_from_noise(&c.logits, allowed(c), &c.first, t, &mut out)
        } else {
            concrete::from_noise(&c.logits, allowed(c), &c.first, t, &mut out)
        };
        match result {
            Ok(k) => {
                prop_assert!(available(c, k));
                prop_assert!(all_finite(&c.first));
                if log_space {
                    masked_exactly(c, &out, S::LN_ZERO)?;
                } else {
                    on_simplex(c, &out, t.get())?;
                }
            }
            Err(_) => prop_assert!(out == sentinel::<S>(c.out_len)),
        }
    }
    Ok(())
}
fuzz!(concrete_samples_lie_on_the_simplex, concrete_samples);

fn concrete_densities<S: Hostile>(c: &Case<S>) -> Outcome {
    let Some(t) = temperature(c) else {
        return Ok(());
    };
    if let Ok(v) = concrete::log_density(&c.logits, allowed(c), t, &c.first) {
        prop_assert!(v.is_finite());
    }
    if let Ok(v) = concrete::exp_log_density(&c.logits, allowed(c), t, &c.first) {
        prop_assert!(v.is_finite());
    }
    // At a sample of their own, too.
    let mut x = vec![S::ZERO; c.logits.len()];
    if concrete::sample(&mut rng(c), &c.logits, allowed(c), t, &mut x).is_ok()
        && let Ok(v) = concrete::log_density(&c.logits, allowed(c), t, &x)
    {
        prop_assert!(v.is_finite());
    }
    Ok(())
}
fuzz!(concrete_densities_are_finite, concrete_densities);

fn binary_concrete<S: Hostile>(c: &Case<S>) -> Outcome {
    let Some(t) = temperature(c) else {
        return Ok(());
    };
    let [logit, noise, y, x] = c.scalars;
    let before = rng(c);
    let mut r = before.clone();
    match binary::sample_logit(&mut r, logit, t) {
        Ok(v) => prop_assert!(v.is_finite()),
        Err(_) => untouched(&before, &r)?,
    }
    let mut r = before.clone();
    match binary::sample(&mut r, logit, t) {
        Ok(v) => prop_assert!(v >= S::ZERO && v <= S::ONE),
        Err(_) => untouched(&before, &r)?,
    }
    let mut r = before.clone();
    match straight_through::sample_binary(&mut r, logit, t) {
        Ok((hard, soft)) => {
            prop_assert!(soft >= S::ZERO && soft <= S::ONE);
            let consistent = if hard {
                soft >= S::HALF
            } else {
                soft <= S::HALF
            };
            prop_assert!(consistent, "hard {} with soft {:?}", hard, soft);
        }
        Err(_) => untouched(&before, &r)?,
    }
    if let Ok(v) = binary::logit_from_noise(logit, noise, t) {
        prop_assert!(v.is_finite());
        prop_assert_eq!(v > S::ZERO, logit + noise > S::ZERO, "sign of {:?}", v);
    }
    if let Ok(v) = binary::log_density_logit(logit, t, y) {
        prop_assert!(v.is_finite());
        // At most ln λ − 2 ln 2 (plus rounding).
        let top = t.get().to_f64().ln() - 2.0 * 2f64.ln();
        prop_assert!(
            v.to_f64() <= top + 1e-3 * (1.0 + top.abs()),
            "{:?} above {}",
            v,
            top
        );
    }
    if let Ok(v) = binary::log_density(logit, t, x) {
        prop_assert!(v.is_finite());
    }
    if let Ok(v) = binary::cdf(logit, t, x) {
        prop_assert!(v >= S::ZERO && v <= S::ONE);
    }
    Ok(())
}
fuzz!(
    binary_concrete_outputs_are_finite_and_in_range,
    binary_concrete
);

/// Every function of a location-scale family at `x` and `u`: `Err`, or finite and in range.
macro_rules! location_scale_outputs {
    ($d:expr, $x:expr, $u:expr, $c:expr) => {{
        let (d, x, u, c) = ($d, $x, $u, $c);
        for p in [d.cdf(x), d.sf(x)].into_iter().flatten() {
            prop_assert!(p >= S::ZERO && p <= S::ONE, "{:?}", p);
        }
        // The densest point of either family is below 1/scale.
        if let Ok(p) = d.pdf(x) {
            prop_assert!(p >= S::ZERO && p.is_finite() && p <= S::ONE.max(S::ONE / d.scale()));
        }
        // Infinite only where documented: see `distribution_quantiles_are_finite_inside...`.
        if let Ok(v) = d.quantile(u) {
            prop_assert!(!v.is_nan(), "quantile {:?} at {:?}", v, u);
        }
        // The log functions document `LN_ZERO` (`-inf` in f32) where the value underflows.
        for v in [d.log_pdf(x), d.log_cdf(x), d.log_sf(x)]
            .into_iter()
            .flatten()
        {
            prop_assert!(v.is_finite() || v == S::LN_ZERO, "{:?}", v);
        }
        for v in [d.log_cdf(x), d.log_sf(x)].into_iter().flatten() {
            prop_assert!(v <= S::ZERO);
        }
        prop_assert!(d.sample(&mut rng(c)).is_finite());
    }};
}

fn distributions<S: Hostile>(c: &Case<S>) -> Outcome {
    let [location, scale, x, u] = c.scalars;
    // Infinite points and extreme scales: see `distribution_functions_at_extreme_arguments`.
    let x = if x.is_finite() { x } else { S::ZERO };
    let (small, large) = (S::ONE / S::from_i32(1024), S::from_i32(1024));
    if scale.abs() >= small && scale.abs() <= large {
        location_scale(c, location, scale, x, u)?;
    }
    if let Ok(d) = Categorical::new(&c.logits, allowed(c)) {
        prop_assert!(available(c, d.sample(&mut rng(c))));
    }
    if let (Ok(logits), Some(t)) = (<[S; 3]>::try_from(c.logits.as_slice()), temperature(c)) {
        let mask = c
            .mask
            .as_deref()
            .and_then(|m| <&[bool; 3]>::try_from(m).ok());
        let masked = Case {
            mask: mask.map(|m| m.to_vec()),
            ..c.clone()
        };
        if let Ok(d) = Concrete::new(&logits, mask, t) {
            on_simplex(&masked, &d.sample(&mut rng(c)), t.get())?;
        }
    }
    if let Some(t) = temperature(c)
        && let Ok(d) = BinaryConcrete::new(location, t)
    {
        let x = d.sample(&mut rng(c));
        prop_assert!(x >= S::ZERO && x <= S::ONE);
        prop_assert!(d.sample_logit(&mut rng(c)).is_finite());
    }
    Ok(())
}
fuzz!(distribution_types_are_finite_and_in_range, distributions);

fn location_scale<S: Hostile>(c: &Case<S>, location: S, scale: S, x: S, u: S) -> Outcome {
    if let Ok(d) = Gumbel::new(location, scale) {
        location_scale_outputs!(d, x, u, c);
    }
    if let Ok(d) = Logistic::new(location, scale) {
        location_scale_outputs!(d, x, u, c);
    }
    Ok(())
}

fn extreme_arguments<S: Hostile>(c: &Case<S>) -> Outcome {
    let [location, scale, x, u] = c.scalars;
    location_scale(c, location, scale, x, u)
}
#[test]
fn distribution_functions_at_extreme_arguments() {
    check::<f32>(
        "distribution_functions_at_extreme_arguments",
        extreme_arguments::<f32>,
    );
}

/// Documented: the quantile at u = 0 and 1 is `-inf` and `+inf` (`LOWEST`, `MAX`); elsewhere
/// it should be finite.
fn quantiles<S: Hostile>(c: &Case<S>) -> Outcome {
    let [location, scale, _, u] = c.scalars;
    let end = u == S::ZERO || u == S::ONE;
    if let Ok(d) = Gumbel::new(location, scale)
        && let Ok(v) = d.quantile(u)
    {
        prop_assert!(v.is_finite() || end, "Gumbel quantile {:?} at {:?}", v, u);
    }
    if let Ok(d) = Logistic::new(location, scale)
        && let Ok(v) = d.quantile(u)
    {
        prop_assert!(v.is_finite() || end, "logistic quantile {:?} at {:?}", v, u);
    }
    Ok(())
}
#[test]
fn distribution_quantiles_are_finite_inside_the_unit_interval() {
    check::<f32>("distribution_quantiles", quantiles::<f32>);
}

// ---------------------------------------------------------------- conditional noise

fn conditional_categorical<S: Hostile>(c: &Case<S>) -> Outcome {
    let before = rng(c);
    let mut r = before.clone();
    let mut noise = sentinel::<S>(c.out_len);
    match conditional::categorical(&mut r, &c.logits, allowed(c), c.index, &mut noise) {
        Ok(()) => {
            prop_assert!(available(c, c.index));
            prop_assert!(all_finite(&noise), "{:?}", noise);
            prop_assert_eq!(
                categorical::argmax_perturbed(&c.logits, allowed(c), &noise),
                Ok(c.index)
            );
            let mut upstream = vec![S::ONE; noise.len()];
            prop_assert_eq!(
                conditional::categorical_backward(
                    &c.logits,
                    allowed(c),
                    c.index,
                    &noise,
                    &mut upstream
                ),
                Ok(())
            );
            prop_assert!(all_finite(&upstream));
            masked_exactly(c, &upstream, S::ZERO)?;
        }
        Err(_) => {
            untouched(&before, &r)?;
            prop_assert!(noise == sentinel::<S>(c.out_len));
        }
    }
    let mut noise = sentinel::<S>(c.out_len);
    match conditional::categorical_from_gumbel(&c.logits, allowed(c), c.index, &c.first, &mut noise)
    {
        Ok(()) => {
            prop_assert!(all_finite(&noise), "{:?}", noise);
            prop_assert_eq!(
                categorical::argmax_perturbed(&c.logits, allowed(c), &noise),
                Ok(c.index)
            );
        }
        Err(_) => prop_assert!(noise == sentinel::<S>(c.out_len)),
    }
    let mut upstream = c.second.clone();
    match conditional::categorical_backward(&c.logits, allowed(c), c.index, &c.first, &mut upstream)
    {
        Ok(()) => {
            prop_assert!(all_finite(&upstream));
            masked_exactly(c, &upstream, S::ZERO)?;
        }
        Err(_) => prop_assert!(same(&upstream, &c.second)),
    }
    Ok(())
}
fuzz!(
    conditional_noise_reproduces_the_action,
    conditional_categorical
);

fn conditional_binary<S: Hostile>(c: &Case<S>) -> Outcome {
    let [logit, standard, noise, _] = c.scalars;
    let b = c.flag;
    let before = rng(c);
    let mut r = before.clone();
    match conditional::binary(&mut r, logit, b) {
        Ok(l) => {
            prop_assert!(l.is_finite());
            prop_assert_eq!(logit + l > S::ZERO, b, "{:?} + {:?}", logit, l);
            let d = conditional::binary_derivative(logit, b, l);
            prop_assert!(d.is_ok_and(|d| d >= S::ZERO && d <= S::ONE), "{:?}", d);
        }
        Err(_) => untouched(&before, &r)?,
    }
    if let Ok(l) = conditional::binary_from_logistic(logit, b, standard) {
        prop_assert!(l.is_finite());
        prop_assert_eq!(logit + l > S::ZERO, b, "{:?} + {:?}", logit, l);
    }
    if let Ok(d) = conditional::binary_derivative(logit, b, noise) {
        prop_assert!(d >= S::ZERO && d <= S::ONE);
    }
    Ok(())
}
fuzz!(
    conditional_binary_noise_reproduces_the_outcome,
    conditional_binary
);

// ---------------------------------------------------------------- estimators

fn vjps<S: Hostile>(c: &Case<S>) -> Outcome {
    let Some(t) = temperature(c) else {
        return Ok(());
    };
    for straight in [false, true] {
        let mut upstream = c.second.clone();
        let result = if straight {
            straight_through::backward(&c.logits, allowed(c), &c.first, t, &mut upstream)
                .map(|()| S::ZERO)
        } else {
            reparam::concrete(&c.logits, allowed(c), &c.first, t, &mut upstream)
        };
        match result {
            Ok(d_lambda) => {
                prop_assert!(d_lambda.is_finite() && all_finite(&upstream));
                masked_exactly(c, &upstream, S::ZERO)?;
            }
            Err(_) => prop_assert!(same(&upstream, &c.second)),
        }
    }
    let [logit, noise, v, _] = c.scalars;
    if let Ok((d_logit, d_lambda)) = reparam::binary(logit, noise, t, v) {
        prop_assert!(d_logit.is_finite() && d_lambda.is_finite());
    }
    if let Ok(d) = straight_through::backward_binary(logit, noise, t, v) {
        prop_assert!(d.is_finite());
    }
    let mut soft = sentinel::<S>(c.out_len);
    let before = rng(c);
    let mut r = before.clone();
    match straight_through::sample(&mut r, &c.logits, allowed(c), t, &mut soft) {
        Ok(k) => {
            prop_assert!(available(c, k));
            on_simplex(c, &soft, t.get())?;
        }
        Err(_) => untouched(&before, &r)?,
    }
    let mut one_hot = sentinel::<S>(c.out_len);
    match straight_through::one_hot(c.index, &mut one_hot) {
        Ok(()) => {
            let expected = |k: usize| if k == c.index { S::ONE } else { S::ZERO };
            let exact = one_hot.iter().enumerate().all(|(k, v)| *v == expected(k));
            prop_assert!(exact, "{:?}", one_hot);
        }
        Err(_) => prop_assert!(one_hot == sentinel::<S>(c.out_len)),
    }
    Ok(())
}
fuzz!(vjps_and_straight_through_are_finite, vjps);

fn scores<S: Hostile>(c: &Case<S>) -> Outcome {
    let mut out = sentinel::<S>(c.out_len);
    match score::categorical(&c.logits, allowed(c), c.index, &mut out) {
        Ok(()) => {
            prop_assert!(out.iter().all(|v| *v >= -S::ONE && *v <= S::ONE));
            masked_exactly(c, &out, S::ZERO)?;
        }
        Err(_) => prop_assert!(out == sentinel::<S>(c.out_len)),
    }
    let [reward, baseline, logit, _] = c.scalars;
    let mut out = sentinel::<S>(c.out_len);
    match score::reinforce_categorical(&c.logits, allowed(c), c.index, reward, baseline, &mut out) {
        Ok(()) => {
            prop_assert!(all_finite(&out));
            masked_exactly(c, &out, S::ZERO)?;
        }
        Err(_) => prop_assert!(out == sentinel::<S>(c.out_len)),
    }
    if let Ok(s) = score::bernoulli(logit, c.flag) {
        prop_assert!(s >= -S::ONE && s <= S::ONE);
    }
    if let Ok(s) = score::reinforce_bernoulli(logit, c.flag, reward, baseline) {
        prop_assert!(s.is_finite());
    }
    match Baseline::new(c.lambda) {
        Ok(mut b) => {
            for &r in c.first.iter() {
                let before = b;
                match b.update(r) {
                    Ok(()) => prop_assert!(b.value().is_finite()),
                    Err(_) => prop_assert_eq!(b, before),
                }
            }
        }
        Err(e) => prop_assert_eq!(e, Error::InvalidParameter),
    }
    if let Ok(b) = Baseline::resume(c.lambda, reward, c.count as u32) {
        prop_assert!(b.value().is_finite());
    }
    Ok(())
}
fuzz!(scores_and_baselines_are_finite, scores);

fn gumbel_rao_estimates<S: Hostile>(c: &Case<S>) -> Outcome {
    let Some(t) = temperature(c) else {
        return Ok(());
    };
    let before = rng(c);
    let mut r = before.clone();
    let mut gradient = sentinel::<S>(c.out_len);
    let mut scratch = vec![S::ZERO; c.logits.len()];
    let choice = Choice {
        logits: &c.logits,
        allowed: allowed(c),
        action: c.index,
    };
    let out = Buffers {
        gradient: &mut gradient,
        scratch: &mut scratch,
    };
    match gumbel_rao::categorical(&mut r, choice, t, c.count, &c.second, out) {
        Ok(()) => {
            prop_assert!(all_finite(&gradient));
            masked_exactly(c, &gradient, S::ZERO)?;
        }
        Err(_) => {
            untouched(&before, &r)?;
            prop_assert!(gradient == sentinel::<S>(c.out_len));
        }
    }
    let [logit, v, _, _] = c.scalars;
    let mut r = before.clone();
    match gumbel_rao::binary(&mut r, logit, c.flag, t, c.count, v) {
        Ok(g) => prop_assert!(g.is_finite()),
        Err(_) => untouched(&before, &r)?,
    }
    Ok(())
}
fuzz!(gumbel_rao_estimates_are_finite, gumbel_rao_estimates);

/// `c(x) = Σ w_k x_k` with hostile weights (the estimators must survive any finite surrogate).
struct Weights<S>(Vec<S>);

impl<S: Scalar> Surrogate<S> for Weights<S> {
    fn evaluate(&mut self, relaxed: &[S], gradient: &mut [S]) -> Result<S, Error> {
        let mut total = S::ZERO;
        for (k, (g, x)) in gradient.iter_mut().zip(relaxed).enumerate() {
            let w = self.0.get(k).copied().unwrap_or(S::ONE);
            *g = w;
            total += w * *x;
        }
        Ok(total)
    }
}

impl<S: Scalar> BinarySurrogate<S> for Weights<S> {
    fn evaluate(&mut self, relaxed: S) -> Result<(S, S), Error> {
        let w = self.0.first().copied().unwrap_or(S::ONE);
        Ok((w * relaxed, w))
    }
}

/// Refused before the draw, or (documented) after the `words` of the conditional noise.
fn drew_nothing_or_after(
    error: Error,
    before: &Xoshiro128PlusPlus,
    after: &Xoshiro128PlusPlus,
    words: usize,
) -> Outcome {
    let mut advanced = before.clone();
    for _ in 0..words {
        advanced.next_u32();
    }
    let post_draw = matches!(
        error,
        Error::NonFiniteUpdate | Error::Nan { .. } | Error::NotFinite { .. }
    );
    prop_assert!(
        after == before || (post_draw && *after == advanced),
        "{:?} after drawing an unexpected number of words",
        error
    );
    Ok(())
}

fn terms_finite<S: Scalar>(terms: &Terms<S>) -> bool {
    terms.surrogate.is_finite()
        && terms.conditional_surrogate.is_finite()
        && terms.eta_variance_gradient.is_finite()
}

fn control_variates<S: Hostile>(c: &Case<S>) -> Outcome {
    let Some(t) = temperature(c) else {
        return Ok(());
    };
    let [objective, eta, logit, noise] = c.scalars;
    let k = c.logits.len();
    for rebar_estimator in [false, true] {
        let before = rng(c);
        let mut r = before.clone();
        let mut gradient = sentinel::<S>(c.out_len);
        let scratch_len = if c.flag {
            SCRATCH_PER_ACTION * k
        } else {
            c.count
        };
        let mut scratch = vec![S::ZERO; scratch_len];
        let draw = Draw {
            logits: &c.logits,
            allowed: allowed(c),
            noise: &c.first,
        };
        let out = Buffers {
            gradient: &mut gradient,
            scratch: &mut scratch,
        };
        let mut surrogate = Weights(c.second.clone());
        let result = if rebar_estimator {
            rebar::categorical(&mut r, draw, t, eta, &mut surrogate, out)
        } else {
            relax::categorical(&mut r, draw, t, objective, &mut surrogate, out)
        };
        match result {
            Ok(terms) => {
                prop_assert!(terms_finite(&terms));
                prop_assert!(all_finite(&gradient));
                masked_exactly(c, &gradient, S::ZERO)?;
            }
            Err(e) => {
                drew_nothing_or_after(e, &before, &r, k)?;
                prop_assert!(gradient == sentinel::<S>(c.out_len));
            }
        }
        let before = rng(c);
        let mut r = before.clone();
        let mut surrogate = Weights(c.second.clone());
        let result = if rebar_estimator {
            rebar::binary(&mut r, logit, noise, t, eta, &mut surrogate)
        } else {
            relax::binary(&mut r, logit, noise, t, objective, &mut surrogate)
        };
        match result {
            Ok((g, terms)) => prop_assert!(g.is_finite() && terms_finite(&terms)),
            Err(e) => drew_nothing_or_after(e, &before, &r, 1)?,
        }
    }
    match AdaptiveEta::new(eta, c.lambda) {
        Ok(mut adaptive) => {
            for &d in c.first.iter() {
                let before = adaptive;
                let terms = Terms {
                    action: 0,
                    surrogate: d,
                    conditional_surrogate: d,
                    eta_variance_gradient: d,
                };
                match adaptive.update(&terms) {
                    Ok(()) => prop_assert!(adaptive.value().is_finite()),
                    Err(_) => prop_assert_eq!(adaptive, before),
                }
            }
        }
        Err(e) => prop_assert_eq!(e, Error::InvalidParameter),
    }
    Ok(())
}
fuzz!(control_variate_estimates_are_finite, control_variates);

fn temperatures<S: Hostile>(c: &Case<S>) -> Outcome {
    match Temperature::new(c.lambda) {
        Ok(t) => prop_assert!(t.get().is_finite() && t.get() >= S::MIN_TEMPERATURE),
        Err(e) => {
            prop_assert_eq!(e, Error::InvalidTemperature);
            prop_assert!(
                !c.lambda.is_finite() || c.lambda.is_nan() || c.lambda < S::MIN_TEMPERATURE
            );
        }
    }
    let [initial, rate, floor, _] = c.scalars;
    if let Ok(schedule) = Schedule::exponential_decay(initial, rate, floor) {
        for step in [0u32, 1, c.seed as u32, u32::MAX] {
            let t = schedule.at(step).get();
            prop_assert!(t.is_finite() && t >= S::MIN_TEMPERATURE);
            prop_assert!(t >= floor && (t <= initial || t == floor), "{:?}", t);
        }
    }
    if let Ok(mut schedule) = Schedule::constant(initial) {
        let before = schedule;
        if schedule.set(rate).is_err() {
            prop_assert_eq!(schedule, before);
        }
    }
    Ok(())
}
fuzz!(temperatures_and_schedules_are_valid, temperatures);

// ---------------------------------------------------------------- learner

const D: usize = 2;
const K: usize = 3;

fn config<S: Hostile>(c: &Case<S>) -> Config<S> {
    let [rate, beta, clip, decay] = c.scalars;
    let estimator = Estimator::ALL[c.seed as usize % 4];
    let estimator = match estimator {
        Estimator::GumbelRao { .. } => Estimator::GumbelRao {
            samples: c.count as u16,
        },
        other => other,
    };
    let optimiser = if c.flag {
        Optimiser::Adam {
            learning_rate: rate,
            beta1: beta,
            beta2: beta,
            epsilon: S::EPSILON,
        }
    } else {
        Optimiser::Sgd {
            learning_rate: rate,
            momentum: beta,
        }
    };
    Config {
        estimator,
        temperature: temperature(c).unwrap_or_else(|| Temperature::new(S::ONE).unwrap()),
        policy_optimiser: optimiser,
        critic_optimiser: optimiser,
        max_gradient_norm: clip,
        baseline_decay: decay,
    }
}

/// What an agent has learned, as its saved bytes (networks, optimisers, baseline, updates).
fn learned<S: Hostile, P: Network<S, D, K>, C: Network<S, D, K>>(
    agent: &Agent<S, D, K, P, C>,
) -> Vec<u8> {
    let mut blob = vec![0u8; Agent::<S, D, K, P, C>::BLOB_LEN];
    let _ = agent.save(&mut blob);
    blob
}

fn agents<S: Hostile>(c: &Case<S>) -> Outcome {
    agents_of::<S, Linear<S, D, K>, Linear<S, D, K>>(c)?;
    agents_of::<S, Hidden<S, D, 4, K>, Hidden<S, D, 4, K>>(c)
}

/// Every learning entry point on hostile inputs, for an agent with networks `P` and `C`.
fn agents_of<S: Hostile, P: Network<S, D, K>, C: Network<S, D, K>>(c: &Case<S>) -> Outcome {
    let config = config(c);
    let Ok(mut agent) = Agent::<S, D, K, P, C>::new(config) else {
        prop_assert!(config.validate().is_err());
        return Ok(());
    };
    let mut r = rng(c);
    let features: Vec<&[S]> = vec![&c.first, &c.second];
    for (step, f) in features.iter().cycle().take(6).enumerate() {
        let before = r.clone();
        let decision = match agent.act(&mut r, f) {
            Ok(d) => {
                prop_assert!(d.action() < K && all_finite(d.logits()) && all_finite(d.noise()));
                d
            }
            Err(_) => {
                untouched(&before, &r)?;
                continue;
            }
        };
        let reward = c.scalars[step % 4];
        if let Ok(value) = agent.value(f) {
            prop_assert!(value.is_finite());
        }
        let (agent_before, rng_before) = (agent.clone(), r.clone());
        let result = match step % 3 {
            0 => agent.observe(&mut r, &decision, reward),
            1 => agent.observe_with_target(&mut r, &decision, reward, c.scalars[(step + 1) % 4]),
            _ => agent.learn(&mut r, &decision, reward),
        };
        if let Err(e) = result {
            // Refused by `observe`: the agent is unchanged and nothing was drawn. Refused by the
            // `update` inside `learn`: the learned state is unchanged and the batch discarded
            // (documented at `Agent::update`).
            if agent != agent_before {
                prop_assert_eq!(e, Error::NonFiniteUpdate);
                prop_assert_eq!(learned(&agent), learned(&agent_before));
                prop_assert_eq!(agent.pending(), 0);
            }
            prop_assert!(
                r == rng_before || e == Error::NonFiniteUpdate,
                "{:?} drew words",
                e
            );
        }
        let agent_before = agent.clone();
        if agent.update().is_err() {
            // The learned state is unchanged; the batch that could not be applied is dropped.
            prop_assert_eq!(learned(&agent), learned(&agent_before));
            prop_assert_eq!(agent.pending(), 0);
        }
        let finite = |runs: [&[S]; 4]| runs.iter().all(|run| all_finite(run));
        prop_assert!(finite(agent.policy().parameters().slices()));
        prop_assert!(finite(agent.critic().parameters().slices()));
        prop_assert!(agent.baseline().is_finite());
    }
    let len = Agent::<S, D, K, P, C>::BLOB_LEN;
    let mut blob = vec![0u8; len + 1];
    prop_assert_eq!(agent.save(&mut blob), Ok(len));
    // A bit flipped anywhere, or random bytes: refused, agent unchanged; the intact blob loads.
    let mut corrupted = blob.clone();
    corrupted[(c.seed as usize) % len] ^= 1 << (c.count % 8);
    let before = agent.clone();
    prop_assert!(agent.load(&corrupted).is_err());
    prop_assert_eq!(&agent, &before);
    let noise_bytes: Vec<u8> = c
        .first
        .iter()
        .flat_map(|v| v.to_bits().to_le_bytes())
        .collect();
    if agent.load(&noise_bytes).is_err() {
        prop_assert_eq!(&agent, &before);
    }
    prop_assert_eq!(agent.load(&blob), Ok(()));
    Ok(())
}
fuzz!(agents_refuse_without_changing_state, agents);

fn linear<S: Hostile>(values: &[S], bound: Option<S>) -> Linear<S, D, K> {
    let at = |i: usize| {
        let v = values
            .get(i % values.len().max(1))
            .copied()
            .unwrap_or(S::ONE);
        match bound {
            Some(b) if v.is_nan() || v.abs() > b => S::ONE,
            _ => v,
        }
    };
    Linear::new(
        core::array::from_fn(|k| core::array::from_fn(|d| at(k * D + d))),
        core::array::from_fn(|k| at(K * D + k)),
    )
}

/// Read-outs of a policy and critic, for parameters (`bound`), features and relaxed actions.
fn readouts<S: Hostile>(c: &Case<S>, bound: Option<S>) -> Outcome {
    let policy = Policy::new(linear(&c.second, bound));
    let critic = Critic::new(linear(&c.second, bound));
    if let Ok(logits) = policy.logits(&c.first) {
        prop_assert!(all_finite(&logits), "{:?}", logits);
    }
    if let Ok(p) = policy.probabilities(&c.first) {
        prop_assert!(p.iter().all(|v| *v >= S::ZERO && *v <= S::ONE));
        let total: f64 = p.iter().map(|v| v.to_f64()).sum();
        prop_assert!((total - 1.0).abs() <= 1e-3, "{:?}", p);
    }
    if let Ok(k) = policy.greedy(&c.first) {
        prop_assert!(k < K);
    }
    if let Ok(q) = critic.action_values(&c.first) {
        prop_assert!(all_finite(&q));
    }
    if let Ok(v) = critic.value(&c.first, &c.logits) {
        prop_assert!(v.is_finite());
    }
    let before = rng(c);
    let mut r = before.clone();
    match policy.act(&mut r, &c.first) {
        Ok(d) => prop_assert!(d.action() < K && all_finite(d.noise())),
        Err(_) => untouched(&before, &r)?,
    }
    Ok(())
}
fn moderate_readouts<S: Hostile>(c: &Case<S>) -> Outcome {
    let moderate = |v: &[S]| v.iter().all(|f| f.abs() <= S::from_i32(1000));
    if !(moderate(&c.first) && moderate(&c.logits)) {
        return Ok(());
    }
    readouts(c, Some(S::from_i32(1000)))
}
fuzz!(policy_and_critic_readouts_are_finite, moderate_readouts);

fn hostile_readouts<S: Hostile>(c: &Case<S>) -> Outcome {
    readouts(c, None)
}
#[test]
fn policy_and_critic_readouts_with_hostile_parameters() {
    check::<f32>(
        "policy_and_critic_readouts_with_hostile_parameters",
        hostile_readouts::<f32>,
    );
    #[cfg(feature = "fixed")]
    check::<gumbel::Fixed>(
        "policy_and_critic_readouts_with_hostile_parameters",
        hostile_readouts::<gumbel::Fixed>,
    );
}
