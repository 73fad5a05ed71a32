//! Pinned test vectors (feature `vectors`): the first outputs of every sampler and density for a
//! fixed seed, as raw bits, kept in one place that the host tests and the firmware in `boards/`
//! both replay, so a change in any result on any target fails loudly.
//!
//! Each [`Case`] starts a fresh `Xoshiro128PlusPlus` from [`SEED`] plus its position, runs one
//! sampler on fixed inputs built from integers (so no float arithmetic is needed to set them up
//! in fixed point) and records every output with [`Scalar::to_bits`]; indices are recorded as
//! they are. [`check_f32`] compares with the pinned [`EXPECTED_F32`], and `check_fixed` (feature
//! `fixed`) with `EXPECTED_FIXED`.
//!
//! To re-pin after a deliberate change: `GUMBEL_BLESS=1 cargo test --features vectors,fixed --test
//! vectors`, which rewrites `src/vectors/expected_f32.rs` and
//! `src/vectors/expected_fixed.rs`; review the diff before committing.

use rand_core::SeedableRng;
use rand_xoshiro::Xoshiro128PlusPlus;

use crate::estimators::{reparam, straight_through};
use crate::{Error, Scalar, Temperature, binary, categorical, concrete, noise, topk};

/// The base seed (ASCII "gumbel").
pub const SEED: u64 = 0x6775_6d62_656c;

/// Number of logits in the categorical cases.
pub const K: usize = 6;

/// The most outputs one case records.
pub const MAX_OUTPUTS: usize = 64;

/// The recorded outputs of one case.
pub type Outputs = heapless::Vec<u32, MAX_OUTPUTS>;

/// The logits of the categorical cases, in quarters: `[-2, 0, 0.75, 1.75, 0.5, -0.25]`.
pub const LOGIT_QUARTERS: [i32; K] = [-8, 0, 3, 7, 2, -1];

/// The mask of the masked cases (actions 1 and 3 are masked).
pub const ALLOWED: [bool; K] = [true, false, true, false, true, true];

/// The cases, in the order of the pinned tables.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Case {
    /// 8 uniform variates.
    Uniform,
    /// 8 Gumbel variates.
    Gumbel,
    /// 8 logistic variates.
    Logistic,
    /// 8 exponential variates.
    Exponential,
    /// 16 Gumbel-max indices.
    Categorical,
    /// 16 Gumbel-max indices under [`ALLOWED`].
    CategoricalMasked,
    /// 4 draws of Gumbel-top-3: indices then keys.
    TopK,
    /// 2 Concrete samples at λ = 1/2, then the log-density of each.
    Concrete,
    /// 2 ExpConcrete samples at λ = 1/2 under [`ALLOWED`], then the log-density of each.
    ExpConcrete,
    /// 8 binary Concrete samples at λ = 2/3, logit 1/4, then the log-density of each.
    BinaryConcrete,
    /// 3 straight-through draws at λ = 1/2: the hard index, then the soft sample.
    StraightThrough,
    /// 2 Concrete VJPs at λ = 1/2 (upstream [`UPSTREAM`]; the noise from
    /// `categorical::sample_with_noise`): the gradient for the logits, then for λ; then 4 binary
    /// Concrete VJPs at λ = 2/3, logit 1/4, upstream 1: the gradient for the logit, then for λ.
    RelaxedVjp,
    /// 16 Gumbel-max indices of `categorical::sample` over logits that validation's cheap pass
    /// does not settle, which take its exact path (on some cores a separate function): 8 with
    /// actions 1 and 3 at `LN_ZERO` (`-inf` in `f32`: masked), 4 with actions 2 and 4 at
    /// `-LN_ZERO` (`+inf` in `f32`), 4 with actions 0 and 3 at `MAX` (an `f32` sum that
    /// overflows). In fixed point, which has no infinity, the same calls on saturated values.
    /// Last in the tables, so that adding it moved no other case's seed.
    CategoricalNonFinite,
}

/// The upstream gradient of the [`Case::RelaxedVjp`] Concrete VJPs.
pub const UPSTREAM: [i32; K] = [1, -1, 2, 0, -2, 1];

impl Case {
    /// Every case, in table order.
    pub const ALL: [Case; 13] = [
        Case::Uniform,
        Case::Gumbel,
        Case::Logistic,
        Case::Exponential,
        Case::Categorical,
        Case::CategoricalMasked,
        Case::TopK,
        Case::Concrete,
        Case::ExpConcrete,
        Case::BinaryConcrete,
        Case::StraightThrough,
        Case::RelaxedVjp,
        Case::CategoricalNonFinite,
    ];

    /// The case's name, as in the tables.
    pub fn name(self) -> &'static str {
        match self {
            Case::Uniform => "uniform",
            Case::Gumbel => "gumbel",
            Case::Logistic => "logistic",
            Case::Exponential => "exponential",
            Case::Categorical => "categorical",
            Case::CategoricalMasked => "categorical_masked",
            Case::CategoricalNonFinite => "categorical_non_finite",
            Case::TopK => "top_k",
            Case::Concrete => "concrete",
            Case::ExpConcrete => "exp_concrete",
            Case::BinaryConcrete => "binary_concrete",
            Case::StraightThrough => "straight_through",
            Case::RelaxedVjp => "relaxed_vjp",
        }
    }
}

/// The first difference between a replay and the pinned table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Mismatch {
    /// The case that differed.
    pub case: Case,
    /// The position of the first differing output (the shorter length if the lengths differ).
    pub position: usize,
    /// The pinned value (`u32::MAX` if the replay produced more outputs than pinned).
    pub expected: u32,
    /// The replayed value (`u32::MAX` if the replay produced fewer outputs than pinned).
    pub found: u32,
}

/// Runs one case in scalar type `S` and returns its outputs.
pub fn outputs<S: Scalar>(case: Case) -> Result<Outputs, Error> {
    let position = Case::ALL.iter().position(|&c| c == case).unwrap_or(0) as u64;
    let mut rng = Xoshiro128PlusPlus::seed_from_u64(SEED + position);
    let quarter = S::ONE / S::from_i32(4);
    let logits: [S; K] = LOGIT_QUARTERS.map(|q| S::from_i32(q) * quarter);
    let half = Temperature::new(S::HALF)?;
    let mut out = Outputs::new();
    let mut push = |bits: u32| {
        out.push(bits).map_err(|_| Error::BufferTooSmall {
            needed: MAX_OUTPUTS + 1,
            found: MAX_OUTPUTS,
        })
    };
    match case {
        Case::Uniform | Case::Gumbel | Case::Logistic | Case::Exponential => {
            for _ in 0..8 {
                let v: S = match case {
                    Case::Uniform => noise::uniform(&mut rng),
                    Case::Gumbel => noise::gumbel(&mut rng),
                    Case::Logistic => noise::logistic(&mut rng),
                    _ => noise::exponential(&mut rng),
                };
                push(v.to_bits())?;
            }
        }
        Case::Categorical | Case::CategoricalMasked => {
            for _ in 0..16 {
                let k = if case == Case::Categorical {
                    categorical::sample(&mut rng, &logits)?
                } else {
                    categorical::sample_masked(&mut rng, &logits, &ALLOWED)?
                };
                push(k as u32)?;
            }
        }
        Case::CategoricalNonFinite => {
            let with = |value: S, at: [usize; 2]| {
                let mut with = logits;
                for k in at {
                    if let Some(slot) = with.get_mut(k) {
                        *slot = value;
                    }
                }
                with
            };
            let masked = with(S::LN_ZERO, [1, 3]);
            let infinite = with(-S::LN_ZERO, [2, 4]);
            let huge = with(S::MAX, [0, 3]);
            for draw in 0..16 {
                let logits = match draw {
                    0..8 => &masked,
                    8..12 => &infinite,
                    _ => &huge,
                };
                push(categorical::sample(&mut rng, logits)? as u32)?;
            }
        }
        Case::TopK => {
            for _ in 0..4 {
                let mut indices = [0usize; 3];
                let mut keys = [S::ZERO; 3];
                topk::top_k(&mut rng, &logits, None, &mut indices, &mut keys)?;
                for i in indices {
                    push(i as u32)?;
                }
                for key in keys {
                    push(key.to_bits())?;
                }
            }
        }
        Case::Concrete | Case::ExpConcrete => {
            let allowed = (case == Case::ExpConcrete).then_some(&ALLOWED[..]);
            let mut densities = [S::ZERO; 2];
            for density in &mut densities {
                let mut x = [S::ZERO; K];
                if case == Case::Concrete {
                    concrete::sample(&mut rng, &logits, allowed, half, &mut x)?;
                    *density = concrete::log_density(&logits, allowed, half, &x)?;
                } else {
                    concrete::sample_log(&mut rng, &logits, allowed, half, &mut x)?;
                    *density = concrete::exp_log_density(&logits, allowed, half, &x)?;
                }
                for v in x {
                    push(v.to_bits())?;
                }
            }
            for d in densities {
                push(d.to_bits())?;
            }
        }
        Case::BinaryConcrete => {
            let lambda = Temperature::new(S::from_i32(2) / S::from_i32(3))?;
            let mut densities = [S::ZERO; 8];
            for density in &mut densities {
                let y = binary::sample_logit(&mut rng, quarter, lambda)?;
                push(y.to_bits())?;
                *density = binary::log_density_logit(quarter, lambda, y)?;
            }
            for d in densities {
                push(d.to_bits())?;
            }
        }
        Case::StraightThrough => {
            for _ in 0..3 {
                let mut soft = [S::ZERO; K];
                let hard = straight_through::sample(&mut rng, &logits, None, half, &mut soft)?;
                push(hard as u32)?;
                for v in soft {
                    push(v.to_bits())?;
                }
            }
        }
        Case::RelaxedVjp => {
            for _ in 0..2 {
                let mut noise = [S::ZERO; K];
                categorical::sample_with_noise(&mut rng, &logits, None, &mut noise)?;
                let mut gradient = UPSTREAM.map(S::from_i32);
                let d_lambda = reparam::concrete(&logits, None, &noise, half, &mut gradient)?;
                for g in gradient {
                    push(g.to_bits())?;
                }
                push(d_lambda.to_bits())?;
            }
            let lambda = Temperature::new(S::from_i32(2) / S::from_i32(3))?;
            for _ in 0..4 {
                let noise = noise::logistic(&mut rng);
                let (d_logit, d_lambda) = reparam::binary(quarter, noise, lambda, S::ONE)?;
                push(d_logit.to_bits())?;
                push(d_lambda.to_bits())?;
            }
        }
    }
    Ok(out)
}

/// Compares a replay of every case in `S` against `expected` (one table per case, in
/// [`Case::ALL`] order). Returns the number of values compared, or the first mismatch.
pub fn check<S: Scalar>(expected: &[&[u32]]) -> Result<usize, Mismatch> {
    let mut compared = 0;
    for (i, &case) in Case::ALL.iter().enumerate() {
        let pinned = expected.get(i).copied().unwrap_or(&[]);
        let found = outputs::<S>(case).map_err(|_| Mismatch {
            case,
            position: 0,
            expected: pinned.first().copied().unwrap_or(u32::MAX),
            found: u32::MAX,
        })?;
        let common = pinned.len().min(found.len());
        let first_difference = (0..common)
            .find(|&p| pinned[p] != found[p])
            .or((pinned.len() != found.len()).then_some(common));
        if let Some(position) = first_difference {
            return Err(Mismatch {
                case,
                position,
                expected: pinned.get(position).copied().unwrap_or(u32::MAX),
                found: found.get(position).copied().unwrap_or(u32::MAX),
            });
        }
        compared += found.len();
    }
    Ok(compared)
}

/// [`check`] for `f32` against [`EXPECTED_F32`].
pub fn check_f32() -> Result<usize, Mismatch> {
    check::<f32>(&EXPECTED_F32)
}

/// [`check`] for [`Fixed`](crate::Fixed) against [`EXPECTED_FIXED`].
#[cfg(feature = "fixed")]
pub fn check_fixed() -> Result<usize, Mismatch> {
    check::<crate::Fixed>(&EXPECTED_FIXED)
}

mod expected_f32;
pub use expected_f32::EXPECTED_F32;
#[cfg(feature = "fixed")]
mod expected_fixed;
#[cfg(feature = "fixed")]
pub use expected_fixed::EXPECTED_FIXED;
