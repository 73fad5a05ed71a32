//! Bit-identity of the samplers with the implementation they replace (`tests/common/oracle.rs`,
//! with `libm`'s own `logf`/`log1pf`/`expf` for `f32`): the lazy bracketed Gumbel-max
//! (`categorical`, `topk`), the cheaper validation, the fused Concrete sampler and the fused
//! Concrete VJP must return the same index or the same bits, the same error, and draw the same
//! random words, for every input. Inputs are random and adversarial: ties of logits and of
//! words, `±inf`, NaN, masks, huge logits, `±f32::MAX` spreads, signed zeros, subnormals, the
//! words 0, `u32::MAX` and the bucket edges of the noise-bound tables, `K` from 1 to 300.

mod common;

use common::Scripted;
use common::oracle::{self, Oracle};
use gumbel::estimators::{reparam, straight_through};
use gumbel::{Error, Scalar, Temperature, categorical, concrete, topk};
use rand_core::{Rng, SeedableRng};
use rand_xoshiro::Xoshiro128PlusPlus;

/// A scalar type the generator can make hostile values of.
trait Hostile: Oracle {
    /// A value chosen from the hostile mix by `word`, or (for ties) from a few small values.
    fn hostile(word: u32, special: u32) -> Self;
}

impl Hostile for f32 {
    fn hostile(word: u32, special: u32) -> f32 {
        match special % 24 {
            0 => f32::NEG_INFINITY,
            1 => f32::INFINITY,
            2 => f32::MAX,
            3 => -f32::MAX,
            4 => 1e30,
            5 => -1e30,
            6 => 0.0,
            7 => -0.0,
            8 => f32::from_bits(word & 0x007F_FFFF), // subnormal
            9 => f32::NAN,
            10..=13 => (word % 4) as f32 * 0.25, // ties
            14 => f32::from_bits(word).clamp(-3e38, 3e38), // any value, NaN included
            15 => 3e38 - (word % 3) as f32 * 1e37,
            _ => (word as i32 as f32) * 2f32.powi(-28), // ordinary, within ±8
        }
    }
}

#[cfg(feature = "fixed")]
impl Hostile for gumbel::Fixed {
    fn hostile(word: u32, special: u32) -> Self {
        use gumbel::Fixed;
        match special % 16 {
            0 => Fixed::MAX,
            1 => Fixed::LOWEST,
            2 => Fixed::ZERO,
            3 => Fixed::from_bits(word as i32),
            4..=7 => Fixed::from_bits((word % 4) as i32 * (1 << 14)),
            8 => Fixed::from_bits(i32::MAX - (word % 8) as i32 * (1 << 16)),
            9 => Fixed::from_bits(i32::MIN + (word % 8) as i32 * (1 << 16)),
            _ => Fixed::from_bits((word as i32) >> 12),
        }
    }
}

/// A random input: logits, a mask (or none), a generator for the sampler's words, and
/// the test's own generator for everything else.
struct Case<S> {
    logits: Vec<S>,
    allowed: Option<Vec<bool>>,
    words: Words,
}

/// Where the sampler's words come from.
#[derive(Clone)]
enum Words {
    Random(Xoshiro128PlusPlus),
    Scripted(Scripted),
}

impl rand_core::TryRng for Words {
    type Error = core::convert::Infallible;
    fn try_next_u32(&mut self) -> Result<u32, Self::Error> {
        Ok(match self {
            Words::Random(r) => r.next_u32(),
            Words::Scripted(s) => s.next_u32(),
        })
    }
    fn try_next_u64(&mut self) -> Result<u64, Self::Error> {
        let lo = u64::from(self.try_next_u32()?);
        Ok(lo | (u64::from(self.try_next_u32()?) << 32))
    }
    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Self::Error> {
        for chunk in dst.chunks_mut(4) {
            let w = self.try_next_u32()?.to_le_bytes();
            chunk.copy_from_slice(&w[..chunk.len()]);
        }
        Ok(())
    }
}

/// Words that make the noise tie, sit at the ends of its range or at the edges of the buckets of
/// the noise-bound tables (the top bits change between `edge - 1` and `edge`).
fn awkward_word(r: u32, g: &mut Xoshiro128PlusPlus) -> u32 {
    let edge = g.next_u32() & 0xFF00_0000;
    match r % 8 {
        0 => 0,
        1 => u32::MAX,
        2 => 1 << 31,
        3 => (1 << 31) - 1,
        4 => edge,
        5 => edge.wrapping_sub(1),
        6 => edge | 0x00FF_FFFF,
        _ => g.next_u32(),
    }
}

fn case<S: Hostile>(g: &mut Xoshiro128PlusPlus) -> Case<S> {
    let k = match g.next_u32() % 16 {
        0 => 1,
        1 => 256 + (g.next_u32() % 45) as usize,
        _ => 1 + (g.next_u32() % 40) as usize,
    };
    // How hostile: from none of the special values to all of them.
    let mode = g.next_u32() % 4;
    let logits = (0..k)
        .map(|_| {
            let word = g.next_u32();
            let special = match mode {
                0 => 16 + g.next_u32() % 8,                     // ordinary values only
                1 => 10 + g.next_u32() % 4,                     // ties only
                2 => g.next_u32() % 24,                         // anything
                _ => [2, 3, 15, 16][g.next_u32() as usize % 4], // huge spreads
            };
            S::hostile(word, special)
        })
        .collect();
    let allowed = match g.next_u32() % 4 {
        0 => Some((0..k).map(|_| !g.next_u32().is_multiple_of(3)).collect()),
        1 => Some((0..k).map(|_| g.next_u32().is_multiple_of(8)).collect()),
        _ => None,
    };
    let words = match g.next_u32() % 4 {
        0 => {
            // Few distinct words: ties of the noise.
            let pool: Vec<u32> = (0..1 + g.next_u32() % 3)
                .map(|_| awkward_word(g.next_u32(), g))
                .collect();
            Words::Scripted(Scripted::new(&pool))
        }
        1 => {
            let script: Vec<u32> = (0..k + 7).map(|_| awkward_word(g.next_u32(), g)).collect();
            Words::Scripted(Scripted::new(&script))
        }
        _ => Words::Random(Xoshiro128PlusPlus::seed_from_u64(u64::from(g.next_u32()))),
    };
    Case {
        logits,
        allowed,
        words,
    }
}

fn same_bits<S: Scalar>(a: &[S], b: &[S]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.to_bits() == y.to_bits())
}

/// After both calls, the two generators must be in the same state (same words drawn).
fn same_words_drawn(mut a: Words, mut b: Words, what: &str) {
    let (x, y): (Vec<u32>, Vec<u32>) = (0..4).map(|_| (a.next_u32(), b.next_u32())).unzip();
    assert_eq!(x, y, "{what}: a different number of words was drawn");
}

fn temperature<S: Scalar>(g: &mut Xoshiro128PlusPlus) -> Temperature<S> {
    let lambda = match g.next_u32() % 6 {
        0 => 1e-6,
        1 => 0.1,
        2 => 0.5,
        3 => 1.0,
        4 => 7.0,
        _ => 1e6,
    };
    Temperature::new(S::from_f64(lambda).max(S::MIN_TEMPERATURE)).unwrap()
}

fn categorical_matches<S: Hostile>(seed: u64, cases: usize) {
    let mut g = Xoshiro128PlusPlus::seed_from_u64(seed);
    let mut outcomes = [0usize; 2];
    for _ in 0..cases {
        let c = case::<S>(&mut g);
        let allowed = c.allowed.as_deref();
        let (mut mine, mut theirs) = (c.words.clone(), c.words.clone());
        let (found, expected) = match allowed {
            None => (
                categorical::sample(&mut mine, &c.logits),
                oracle::categorical(&mut theirs, &c.logits, None, None),
            ),
            Some(mask) => (
                categorical::sample_masked(&mut mine, &c.logits, mask),
                oracle::categorical(&mut theirs, &c.logits, Some(mask), None),
            ),
        };
        assert_eq!(found, expected, "{:?} {:?}", c.logits, allowed);
        outcomes[usize::from(found.is_ok())] += 1;
        same_words_drawn(mine, theirs, "categorical::sample");

        let (mut mine, mut theirs) = (c.words.clone(), c.words.clone());
        let mut noise = vec![S::ZERO; c.logits.len()];
        let mut expected_noise = noise.clone();
        let found = categorical::sample_with_noise(&mut mine, &c.logits, allowed, &mut noise);
        let expected =
            oracle::categorical(&mut theirs, &c.logits, allowed, Some(&mut expected_noise));
        assert_eq!(found, expected);
        assert!(same_bits(&noise, &expected_noise));
        same_words_drawn(mine, theirs, "categorical::sample_with_noise");

        // Given finite noise, the decision is the old one.
        if found.is_ok() {
            assert_eq!(
                categorical::argmax_perturbed(&c.logits, allowed, &noise),
                oracle::argmax_perturbed(&c.logits, allowed, &noise)
            );
        }
    }
    // The mix exercises both outcomes.
    assert!(outcomes.iter().all(|&n| n > cases / 20), "{outcomes:?}");
}

fn top_k_matches<S: Hostile>(seed: u64, cases: usize) {
    let mut g = Xoshiro128PlusPlus::seed_from_u64(seed);
    for _ in 0..cases {
        let c = case::<S>(&mut g);
        let allowed = c.allowed.as_deref();
        let k = (g.next_u32() as usize % (c.logits.len() + 2)).min(c.logits.len() + 1);
        let (mut mine, mut theirs) = (c.words.clone(), c.words.clone());
        let (mut indices, mut keys) = (vec![0; k], vec![S::ZERO; k]);
        let (mut expected_indices, mut expected_keys) = (vec![0; k], vec![S::ZERO; k]);
        let found = topk::top_k(&mut mine, &c.logits, allowed, &mut indices, &mut keys);
        let expected = oracle::top_k(
            &mut theirs,
            &c.logits,
            allowed,
            &mut expected_indices,
            &mut expected_keys,
        );
        assert_eq!(found, expected);
        if found.is_ok() {
            // The one deliberate change: a key of -inf (a finite logit whose distance to the
            // largest overflows) is now reported as LOWEST.
            for (&i, key) in expected_indices.iter().zip(expected_keys.iter_mut()) {
                if key.is_neg_infinity() && !c.logits[i].is_neg_infinity() {
                    *key = S::LOWEST;
                }
            }
            assert_eq!(indices, expected_indices, "{:?} {allowed:?}", c.logits);
            assert!(same_bits(&keys, &expected_keys));
        }
        same_words_drawn(mine, theirs, "topk::top_k");
    }
}

fn concrete_matches<S: Hostile>(seed: u64, cases: usize) {
    let mut g = Xoshiro128PlusPlus::seed_from_u64(seed);
    for _ in 0..cases {
        let c = case::<S>(&mut g);
        let allowed = c.allowed.as_deref();
        let t = temperature::<S>(&mut g);
        let n = c.logits.len();
        // `sample`, `sample_log` (no index returned) and the straight-through forward pass.
        for (log_space, with_index) in [(false, false), (true, false), (false, true)] {
            let (mut mine, mut theirs) = (c.words.clone(), c.words.clone());
            let (mut out, mut expected_out) = (vec![S::ZERO; n], vec![S::ZERO; n]);
            let found = match (log_space, with_index) {
                (true, _) => {
                    concrete::sample_log(&mut mine, &c.logits, allowed, t, &mut out).map(|()| 0)
                }
                (false, false) => {
                    concrete::sample(&mut mine, &c.logits, allowed, t, &mut out).map(|()| 0)
                }
                (false, true) => {
                    straight_through::sample(&mut mine, &c.logits, allowed, t, &mut out)
                }
            };
            let expected = oracle::concrete(
                &mut theirs,
                &c.logits,
                allowed,
                t,
                &mut expected_out,
                log_space,
            );
            if !with_index {
                assert_eq!(found.is_ok(), expected.is_ok());
                assert_eq!(found.err(), expected.err());
            } else {
                assert_eq!(found, expected);
            }
            assert!(
                found.is_err() || same_bits(&out, &expected_out),
                "λ = {:?}, log {log_space}: {:?} vs {:?}",
                t.get(),
                out,
                expected_out
            );
            same_words_drawn(mine, theirs, "concrete::sample");
        }
        // The same from given noise, then the VJP of that sample.
        let mut words = c.words.clone();
        let noise: Vec<S> = (0..n)
            .map(|_| S::gumbel_from_word(words.next_u32()))
            .collect();
        for log_space in [false, true] {
            let (mut out, mut expected_out) = (vec![S::ZERO; n], vec![S::ZERO; n]);
            let found = if log_space {
                concrete::log_from_noise(&c.logits, allowed, &noise, t, &mut out)
            } else {
                concrete::from_noise(&c.logits, allowed, &noise, t, &mut out)
            };
            let expected = oracle::concrete_from_noise(
                &c.logits,
                allowed,
                &noise,
                t,
                &mut expected_out,
                log_space,
            );
            assert_eq!(found, expected);
            assert!(found.is_err() || same_bits(&out, &expected_out));
        }
        let upstream: Vec<S> = (0..n)
            .map(|_| S::hostile(g.next_u32(), 16 + g.next_u32() % 12))
            .collect();
        for with_lambda in [false, true] {
            let (mut v, mut expected_v) = (upstream.clone(), upstream.clone());
            let found = if with_lambda {
                reparam::concrete(&c.logits, allowed, &noise, t, &mut v)
            } else {
                straight_through::backward(&c.logits, allowed, &noise, t, &mut v).map(|()| S::ZERO)
            };
            let expected =
                oracle::concrete_vjp(&c.logits, allowed, &noise, t, &mut expected_v, with_lambda);
            assert_eq!(
                found.map(Scalar::to_bits),
                expected.map(Scalar::to_bits),
                "{:?} {allowed:?} {noise:?} {upstream:?} λ {:?}",
                c.logits,
                t.get()
            );
            assert!(same_bits(&v, &expected_v), "λ = {:?}", t.get());
        }
    }
}

#[test]
fn categorical_is_bit_identical_to_the_oracle_f32() {
    categorical_matches::<f32>(1, 200_000);
}

#[test]
fn top_k_is_bit_identical_to_the_oracle_f32() {
    top_k_matches::<f32>(2, 100_000);
}

#[test]
fn concrete_and_its_vjp_are_bit_identical_to_the_oracle_f32() {
    concrete_matches::<f32>(3, 50_000);
}

#[cfg(feature = "fixed")]
#[test]
fn categorical_is_bit_identical_to_the_oracle_fixed() {
    categorical_matches::<gumbel::Fixed>(4, 100_000);
}

#[cfg(feature = "fixed")]
#[test]
fn top_k_is_bit_identical_to_the_oracle_fixed() {
    top_k_matches::<gumbel::Fixed>(5, 50_000);
}

#[cfg(feature = "fixed")]
#[test]
fn concrete_and_its_vjp_are_bit_identical_to_the_oracle_fixed() {
    concrete_matches::<gumbel::Fixed>(6, 30_000);
}
/// Issue 10, item 9: `argmax_perturbed` took `±inf` noise, and its fast path could return a
/// masked action: logits `[-inf, -1e20]` and noise `[-48.6, -inf]` gave 0 (masked), while
/// the same call with an all-true mask gave 1.
#[test]
fn argmax_perturbed_refuses_infinite_noise() {
    let logits = [f32::NEG_INFINITY, -1e20];
    let noise = [-48.6, f32::NEG_INFINITY];
    assert_eq!(
        categorical::argmax_perturbed(&logits, None, &noise),
        Err(Error::NotFinite { index: 1 })
    );
    assert_eq!(
        categorical::argmax_perturbed(&logits, Some(&[true, true]), &noise),
        Err(Error::NotFinite { index: 1 })
    );
    assert_eq!(
        categorical::argmax_perturbed(&[0.0f32, 1.0], None, &[f32::INFINITY, 0.0]),
        Err(Error::NotFinite { index: 0 })
    );
    assert_eq!(
        categorical::argmax_perturbed(&[0.0f32, 1.0], None, &[0.0, f32::NAN]),
        Err(Error::Nan { index: 1 })
    );
}

/// The VJP sums its λ-gradient in the same pass as its writes only when an a-priori bound says
/// the result is finite; where the bound cannot say so it takes a pass of its own and refuses
/// before writing. Both sides of that decision, at `K = 4096` with upstream values near
/// `f32::MAX / 4` (half the mass on one action, half spread over the others `ln 4095` below):
/// `|Σ| ≈ 4.15 max|v|`.
#[test]
fn vjp_lambda_gradient_near_overflow_matches_the_oracle() {
    let k = 4096;
    let a = (k as f32 - 1.0).ln();
    let logits: Vec<f32> = (0..k).map(|i| if i == 0 { 0.0 } else { -a }).collect();
    let noise = vec![0.0f32; k];
    let t = Temperature::new(1.0f32).unwrap();
    for (divisor, overflows) in [(4.1f32, true), (5.0, false), (1e6, false)] {
        let largest = f32::MAX / divisor;
        let upstream: Vec<f32> = (0..k)
            .map(|i| if i == 0 { largest } else { -largest })
            .collect();
        let (mut v, mut expected_v) = (upstream.clone(), upstream.clone());
        let found = reparam::concrete(&logits, None, &noise, t, &mut v);
        let expected = oracle::concrete_vjp(&logits, None, &noise, t, &mut expected_v, true);
        assert_eq!(found.map(f32::to_bits), expected.map(f32::to_bits));
        assert_eq!(found.is_err(), overflows, "{divisor}: {found:?}");
        assert!(same_bits(&v, &expected_v));
        if overflows {
            assert!(same_bits(&v, &upstream), "a refused call wrote its output");
        }
    }
}
