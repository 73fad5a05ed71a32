//! Calls every fixed-point entry point on inputs the optimiser cannot see through
//! (`black_box`), so the linked binary contains exactly the code a firmware using the `fixed`
//! path would. `check` then fails if any floating-point routine made it in.
#![no_std]
#![no_main]

use core::hint::black_box;

use gumbel::{
    Fixed, Scalar, Temperature, binary, categorical, concrete, noise, straight_through, topk,
    vectors,
};
use rand_core::SeedableRng;
use rand_xoshiro::Xoshiro128PlusPlus;

const K: usize = 8;

#[panic_handler]
fn panic(_: &core::panic::PanicInfo) -> ! {
    loop {}
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
    black_box(concrete::relax(&logits, None, &g, lambda, &mut x)?);
    black_box(concrete::relax_log(&logits, None, &g, lambda, &mut y)?);
    // Binary Concrete and its densities.
    let logit = logits[1];
    let b = binary::sample_logit(&mut rng, logit, lambda)?;
    black_box(binary::sample(&mut rng, logit, lambda)?);
    black_box(binary::relax_logit(logit, b, lambda)?);
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
    // Every pinned fixed-point vector: all samplers and densities once more.
    black_box(vectors::check_fixed().is_ok());
    Ok(())
}

#[unsafe(no_mangle)]
pub extern "C" fn _start() -> ! {
    let _ = black_box(exercise());
    loop {}
}
