//! Calls every fixed-point entry point (noise, samplers, densities, conditional noise and every
//! estimator) on inputs the optimiser cannot see through (`black_box`), so the linked binary
//! contains exactly the code a firmware using the `fixed` path would. `check` then fails if any
//! floating-point routine made it in.
#![no_std]
#![no_main]

use core::hint::black_box;

use gumbel::estimators::control_variate::{
    AdaptiveEta, BinarySurrogate, SCRATCH_PER_ACTION, Surrogate,
};
use gumbel::estimators::{
    Buffers, Choice, Draw, gumbel_rao, rebar, relax, reparam, schedule::Schedule, score,
    straight_through,
};
use gumbel::{
    Error, Fixed, Scalar, Temperature, binary, categorical, concrete, conditional, noise, topk,
    vectors,
};
use rand_core::SeedableRng;
use rand_xoshiro::Xoshiro128PlusPlus;

const K: usize = 8;

#[panic_handler]
fn panic(_: &core::panic::PanicInfo) -> ! {
    loop {}
}

/// `c(x) = Σ w_k x_k`: the simplest surrogate, so the estimators' own code is what gets linked.
struct Linear([Fixed; K]);

impl Surrogate<Fixed> for Linear {
    fn evaluate(&mut self, relaxed: &[Fixed], gradient: &mut [Fixed]) -> Result<Fixed, Error> {
        let mut value = Fixed::ZERO;
        for ((x, w), g) in relaxed.iter().zip(&self.0).zip(gradient) {
            value += *x * *w;
            *g = *w;
        }
        Ok(value)
    }
}

impl BinarySurrogate<Fixed> for Linear {
    fn evaluate(&mut self, relaxed: Fixed) -> Result<(Fixed, Fixed), Error> {
        Ok((relaxed * self.0[0], self.0[0]))
    }
}

/// Every estimator once, on the noise of a Gumbel-max draw.
fn exercise_estimators(
    rng: &mut Xoshiro128PlusPlus,
    logits: &[Fixed; K],
    lambda: Temperature<Fixed>,
) -> Result<(), Error> {
    let mut g = [Fixed::ZERO; K];
    let action = categorical::sample_with_noise(rng, logits, None, &mut g)?;
    let logit = logits[1];
    let b = black_box(true);
    let v = Fixed::from_bits(black_box(1 << 14));
    let mut upstream = [v; K];
    black_box(reparam::concrete(logits, None, &g, lambda, &mut upstream)?);
    black_box(reparam::binary(logit, g[0], lambda, v)?);
    let mut upstream = [v; K];
    straight_through::backward(logits, None, &g, lambda, &mut upstream)?;
    black_box((
        upstream,
        straight_through::backward_binary(logit, g[0], lambda, v)?,
    ));
    let mut scratch = [Fixed::ZERO; K];
    let mut gradient = [Fixed::ZERO; K];
    let upstream = [v; K];
    gumbel_rao::categorical(
        rng,
        Choice {
            logits,
            allowed: None,
            action,
        },
        lambda,
        4,
        &upstream,
        Buffers {
            gradient: &mut gradient,
            scratch: &mut scratch,
        },
    )?;
    black_box((gradient, gumbel_rao::binary(rng, logit, b, lambda, 4, v)?));
    let mut out = [Fixed::ZERO; K];
    score::categorical(logits, None, action, &mut out)?;
    score::reinforce_categorical(logits, None, action, v, Fixed::HALF, &mut out)?;
    black_box(score::bernoulli(logit, b)?);
    black_box(score::reinforce_bernoulli(logit, b, v, Fixed::HALF)?);
    let mut baseline = score::Baseline::new(Fixed::HALF)?;
    baseline.update(v)?;
    black_box(baseline.value());
    let mut surrogate = Linear(*logits);
    let mut scratch = [Fixed::ZERO; SCRATCH_PER_ACTION * K];
    let terms = rebar::categorical(
        rng,
        Draw {
            logits,
            allowed: None,
            noise: &g,
        },
        lambda,
        Fixed::ONE,
        &mut surrogate,
        Buffers {
            gradient: &mut gradient,
            scratch: &mut scratch,
        },
    )?;
    black_box(rebar::binary(
        rng,
        logit,
        g[0],
        lambda,
        Fixed::ONE,
        &mut surrogate,
    )?);
    black_box(relax::categorical(
        rng,
        Draw {
            logits,
            allowed: None,
            noise: &g,
        },
        lambda,
        v,
        &mut surrogate,
        Buffers {
            gradient: &mut gradient,
            scratch: &mut scratch,
        },
    )?);
    black_box(relax::binary(rng, logit, g[0], lambda, v, &mut surrogate)?);
    let mut eta = AdaptiveEta::new(Fixed::ONE, Fixed::HALF)?;
    eta.update(&terms)?;
    black_box(eta.value());
    let schedule = Schedule::exponential_decay(Fixed::ONE, Fixed::HALF, Fixed::MIN_TEMPERATURE)?;
    black_box(schedule.at(black_box(3)));
    // Conditional noise and its backward pass.
    let mut noise = [Fixed::ZERO; K];
    conditional::categorical(rng, logits, None, action, &mut noise)?;
    conditional::categorical_from_gumbel(logits, None, action, &g, &mut noise)?;
    let mut upstream = [v; K];
    conditional::categorical_backward(logits, None, action, &noise, &mut upstream)?;
    let n = conditional::binary(rng, logit, b)?;
    black_box(conditional::binary_from_logistic(logit, b, g[0])?);
    black_box(conditional::binary_derivative(logit, b, n).ok());
    Ok(())
}

/// Runs every entry point once; the results go to `black_box` so none is optimised away.
fn exercise() -> Result<(), gumbel::Error> {
    let mut rng = Xoshiro128PlusPlus::seed_from_u64(black_box(1));
    let mut logits = [Fixed::ZERO; K];
    for (k, l) in logits.iter_mut().enumerate() {
        *l = Fixed::from_bits(black_box(k as i32 * 12_345));
    }
    let allowed = black_box([true, false, true, true, true, true, false, true]);
    let lambda = Temperature::new(Fixed::from_bits(black_box(1 << 15)))?;

    // Noise.
    black_box(noise::uniform::<Fixed, _>(&mut rng));
    black_box(noise::gumbel::<Fixed, _>(&mut rng));
    black_box(noise::logistic::<Fixed, _>(&mut rng));
    black_box(noise::exponential::<Fixed, _>(&mut rng));
    // Gumbel-max, masked and with its noise.
    black_box(categorical::sample(&mut rng, &logits)?);
    black_box(categorical::sample_masked(&mut rng, &logits, &allowed)?);
    let mut g = [Fixed::ZERO; K];
    black_box(categorical::sample_with_noise(
        &mut rng, &logits, None, &mut g,
    )?);
    black_box(categorical::argmax_perturbed(&logits, Some(&allowed), &g)?);
    // Top-k.
    let mut indices = [0usize; 3];
    let mut keys = [Fixed::ZERO; 3];
    topk::top_k(&mut rng, &logits, Some(&allowed), &mut indices, &mut keys)?;
    black_box((indices, keys));
    black_box(topk::top_k_vec::<Fixed, _, 4>(&mut rng, &logits, None, 2)?);
    // Concrete, ExpConcrete and their densities.
    let mut x = [Fixed::ZERO; K];
    concrete::sample(&mut rng, &logits, None, lambda, &mut x)?;
    black_box(concrete::log_density(&logits, None, lambda, &x).ok());
    let mut y = [Fixed::ZERO; K];
    concrete::sample_log(&mut rng, &logits, Some(&allowed), lambda, &mut y)?;
    black_box(concrete::exp_log_density(&logits, Some(&allowed), lambda, &y).ok());
    black_box(concrete::from_noise(&logits, None, &g, lambda, &mut x)?);
    black_box(concrete::log_from_noise(&logits, None, &g, lambda, &mut y)?);
    // Binary Concrete and its densities.
    let logit = logits[1];
    let b = binary::sample_logit(&mut rng, logit, lambda)?;
    black_box(binary::sample(&mut rng, logit, lambda)?);
    black_box(binary::logit_from_noise(logit, b, lambda)?);
    black_box(binary::log_density_logit(logit, lambda, b).ok());
    black_box(binary::log_density(logit, lambda, Fixed::HALF).ok());
    black_box(binary::cdf(logit, lambda, Fixed::HALF)?);
    // Straight-through.
    black_box(straight_through::sample(
        &mut rng, &logits, None, lambda, &mut x,
    )?);
    straight_through::one_hot(black_box(2), &mut x)?;
    black_box(straight_through::sample_binary(&mut rng, logit, lambda)?);
    // The remaining scalar maths.
    let v = black_box(Fixed::from_bits(3 << 16));
    black_box((
        v.sqrt(),
        v.ln(),
        v.ln_1p(),
        (-v).exp(),
        v / logit,
        v * logit,
    ));
    let _ = black_box(exercise_estimators(&mut rng, &logits, lambda));
    // Every pinned fixed-point vector: all samplers and densities once more.
    black_box(vectors::check_fixed().is_ok());
    Ok(())
}

#[unsafe(no_mangle)]
pub extern "C" fn _start() -> ! {
    let _ = black_box(exercise());
    loop {}
}
