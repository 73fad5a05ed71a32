//! Host benchmark: this crate's Gumbel-max and Concrete samplers against `rand_distr` 0.6 and a
//! naive `libm::logf` Gumbel-max, for K = 4, 16, 64, 256, with the logits changing every draw
//! (cycling through a pool, so nothing can be hoisted out of the loop).
//!
//! `cargo bench --bench sampling` runs criterion, then prints a table of nanoseconds per draw and
//! the ratio of each sampler to the naive baseline measured in the same run, and the ratios the
//! crate's performance targets are stated in. With `--features fixed` the table gains the
//! integer-only `gumbel::Fixed` rows (same logits, rounded to I16F16).
//!
//! The peers: `rand_distr::Gumbel` (0.6) draws `-ln(-ln u)` through `num_traits::Float::ln`,
//! which in this build is the platform's `ln` (glibc's `logf` on Linux: `rand_distr`'s
//! `std_math` feature, set in `Cargo.toml`; with its default features it would be `libm`'s, as
//! slow as the naive baseline's) — faster than `libm`, but its bits differ between platforms and
//! it does not exist on a microcontroller. "`rand_distr`-based
//! Concrete" is that Gumbel noise put through a textbook softmax with the platform's `exp`.
//! The RNG floor is the K calls of `next_u32` alone that every sampler here makes, and
//! `noise::fill_gumbel` the K Gumbel variates alone (the same words and kernel as the Concrete
//! sampler's noise): the Concrete sampler cannot be faster than its noise.

use std::hint::black_box;
use std::path::PathBuf;

use criterion::{BenchmarkId, Criterion};
#[cfg(feature = "fixed")]
use gumbel::{Fixed, Scalar};
use gumbel::{Temperature, categorical, concrete, noise};
use rand_core::{Rng, SeedableRng};
use rand_distr::{Distribution, Gumbel};
use rand_xoshiro::Xoshiro128PlusPlus;

const SIZES: [usize; 4] = [4, 16, 64, 256];
const POOL: usize = 64;
const GROUP: &str = "sample";

/// `POOL` different logit vectors of length `k`, spread over about ±4.
fn logit_pool(k: usize) -> Vec<Vec<f32>> {
    let mut rng = Xoshiro128PlusPlus::seed_from_u64(k as u64);
    (0..POOL)
        .map(|_| {
            (0..k)
                .map(|_| (rng.next_u32() >> 8) as f32 / (1u32 << 24) as f32 * 8.0 - 4.0)
                .collect()
        })
        .collect()
}

fn argmax(values: impl Iterator<Item = f32>) -> usize {
    let mut best = (0, f32::NEG_INFINITY);
    for (k, v) in values.enumerate() {
        if v > best.1 {
            best = (k, v);
        }
    }
    best.0
}

/// The textbook Gumbel-max: a 24-bit uniform and `-ln(-ln u)` with `libm::logf`.
fn naive_gumbel_max(rng: &mut Xoshiro128PlusPlus, logits: &[f32]) -> usize {
    argmax(logits.iter().map(|&l| {
        let u = ((rng.next_u32() >> 8) | 1) as f32 * (1.0 / (1u32 << 24) as f32);
        l - libm::logf(-libm::logf(u))
    }))
}

/// The Concrete sample from `rand_distr` Gumbel noise: `softmax((l + G)/λ)` with the
/// platform's `exp`.
fn rand_distr_concrete(rng: &mut Xoshiro128PlusPlus, logits: &[f32], out: &mut [f32]) {
    let gumbel = Gumbel::new(0.0f32, 1.0).unwrap();
    let inv_lambda = 2.0;
    let mut max = f32::NEG_INFINITY;
    for (o, &l) in out.iter_mut().zip(logits) {
        *o = (l + gumbel.sample(rng)) * inv_lambda;
        max = max.max(*o);
    }
    let mut sum = 0.0;
    for o in out.iter_mut() {
        *o = (*o - max).exp();
        sum += *o;
    }
    for o in out.iter_mut() {
        *o /= sum;
    }
}

type SamplerOf<T> = fn(&mut Xoshiro128PlusPlus, &[T], &mut [T]) -> usize;
type Sampler = SamplerOf<f32>;

const NAIVE: &str = "naive_libm";
const FLOOR: &str = "rng_floor";
const RAND_DISTR: &str = "rand_distr";
const RAND_DISTR_CONCRETE: &str = "rand_distr_concrete";
const CATEGORICAL: &str = "categorical";
const CONCRETE: &str = "concrete";
const NOISE: &str = "noise";

/// (criterion id, label in the table, sampler); the first is the baseline.
const SAMPLERS: [(&str, &str, Sampler); 7] = [
    (NAIVE, "naive `libm::logf` Gumbel-max", |rng, logits, _| {
        naive_gumbel_max(rng, logits)
    }),
    (FLOOR, "RNG floor (K × `next_u32`)", |rng, logits, _| {
        let mut last = 0;
        for _ in logits {
            last = black_box(rng.next_u32());
        }
        last as usize
    }),
    (
        RAND_DISTR,
        "`rand_distr::Gumbel` + argmax",
        |rng, logits, _| {
            let gumbel = Gumbel::new(0.0f32, 1.0).unwrap();
            argmax(logits.iter().map(|&l| l + gumbel.sample(rng)))
        },
    ),
    (
        RAND_DISTR_CONCRETE,
        "`rand_distr`-based Concrete (λ = 0.5)",
        |rng, logits, out| {
            rand_distr_concrete(rng, logits, out);
            0
        },
    ),
    (
        CATEGORICAL,
        "`gumbel::categorical::sample`",
        |rng, logits, _| categorical::sample(rng, logits).unwrap(),
    ),
    (
        CONCRETE,
        "`gumbel::concrete::sample` (λ = 0.5)",
        |rng, logits, out| {
            let t = Temperature::new(0.5f32).unwrap();
            concrete::sample(rng, logits, None, t, out).unwrap();
            0
        },
    ),
    (
        NOISE,
        "`gumbel::noise::fill_gumbel` (the K variates alone)",
        |rng, _, out| {
            noise::fill_gumbel(rng, out);
            0
        },
    ),
];

#[cfg(feature = "fixed")]
type FixedSampler = SamplerOf<Fixed>;

/// The integer-only samplers, on the same logits rounded to I16F16.
#[cfg(feature = "fixed")]
const FIXED_SAMPLERS: [(&str, &str, FixedSampler); 2] = [
    (
        "categorical_fixed",
        "`gumbel::categorical::sample` (`Fixed`)",
        |rng, logits, _| categorical::sample(rng, logits).unwrap(),
    ),
    (
        "concrete_fixed",
        "`gumbel::concrete::sample` (`Fixed`, λ = 0.5)",
        |rng, logits, out| {
            let t = Temperature::new(Fixed::HALF).unwrap();
            concrete::sample(rng, logits, None, t, out).unwrap();
            0
        },
    ),
];

/// Every row of the table: (criterion id, label).
fn rows() -> Vec<(&'static str, &'static str)> {
    let rows = SAMPLERS.iter().map(|&(id, label, _)| (id, label));
    #[cfg(feature = "fixed")]
    let rows = rows.chain(FIXED_SAMPLERS.iter().map(|&(id, label, _)| (id, label)));
    rows.collect()
}

/// Benchmarks each sampler on the pool of logit vectors (one element type).
fn bench_samplers<T: Copy + Default>(
    group: &mut criterion::BenchmarkGroup<'_, criterion::measurement::WallTime>,
    k: usize,
    pool: &[Vec<T>],
    samplers: &[(&str, &str, SamplerOf<T>)],
) {
    for &(id, _, sampler) in samplers {
        group.bench_with_input(BenchmarkId::new(id, k), pool, |b, pool| {
            let mut rng = Xoshiro128PlusPlus::seed_from_u64(1);
            let mut out = vec![T::default(); k];
            let mut i = 0;
            b.iter(|| {
                i = (i + 1) % POOL;
                black_box(sampler(&mut rng, black_box(&pool[i]), &mut out))
            });
        });
    }
}

fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group(GROUP);
    for &k in &SIZES {
        let pool = logit_pool(k);
        bench_samplers(&mut group, k, &pool, &SAMPLERS);
        #[cfg(feature = "fixed")]
        {
            let fixed_pool: Vec<Vec<Fixed>> = pool
                .iter()
                .map(|v| v.iter().map(|&l| Fixed::from_f64(f64::from(l))).collect())
                .collect();
            bench_samplers(&mut group, k, &fixed_pool, &FIXED_SAMPLERS);
        }
    }
    group.finish();
}

/// Criterion's point estimate of the mean, in ns, from its JSON output.
fn mean_ns(id: &str, k: usize) -> Option<f64> {
    let target = std::env::var_os("CARGO_TARGET_DIR").map_or_else(
        || PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target"),
        PathBuf::from,
    );
    let path = target
        .join("criterion")
        .join(GROUP)
        .join(id)
        .join(k.to_string())
        .join("new/estimates.json");
    let text = std::fs::read_to_string(path).ok()?;
    let json: serde_json::Value = serde_json::from_str(&text).ok()?;
    json["mean"]["point_estimate"].as_f64()
}

fn print_ratio_table() {
    println!("\nns per draw (ratio to the naive libm Gumbel-max of the same run)\n");
    print!("| sampler |");
    for k in SIZES {
        print!(" K = {k} |");
    }
    println!("\n|---|{}", "---|".repeat(SIZES.len()));
    for (id, label) in rows() {
        print!("| {label} |");
        for k in SIZES {
            match (mean_ns(id, k), mean_ns(NAIVE, k)) {
                (Some(t), Some(base)) => print!(" {t:.0} ({:.2}×) |", t / base),
                _ => print!(" n/a |"),
            }
        }
        println!();
    }
    println!("\nThe ratios of the targets, from the same run\n");
    print!("| ratio |");
    for k in SIZES {
        print!(" K = {k} |");
    }
    println!("\n|---|{}", "---|".repeat(SIZES.len()));
    let ratios = [
        (
            "`rand_distr` Gumbel + argmax ÷ `categorical::sample` (speed-up)",
            RAND_DISTR,
            CATEGORICAL,
        ),
        ("`categorical::sample` ÷ RNG floor", CATEGORICAL, FLOOR),
        (
            "`rand_distr`-based Concrete ÷ `concrete::sample` (speed-up)",
            RAND_DISTR_CONCRETE,
            CONCRETE,
        ),
        (
            "`rand_distr`-based Concrete ÷ `noise::fill_gumbel` (the most a Concrete sampler with this noise could gain)",
            RAND_DISTR_CONCRETE,
            NOISE,
        ),
    ];
    for (label, numerator, denominator) in ratios {
        print!("| {label} |");
        for k in SIZES {
            match (mean_ns(numerator, k), mean_ns(denominator, k)) {
                (Some(a), Some(b)) => print!(" {:.2}× |", a / b),
                _ => print!(" n/a |"),
            }
        }
        println!();
    }
}

fn main() {
    let mut criterion = Criterion::default().configure_from_args();
    bench(&mut criterion);
    criterion.final_summary();
    print_ratio_table();
}
