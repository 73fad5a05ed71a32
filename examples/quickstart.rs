//! A tour of the samplers: `cargo run --example quickstart`.
//!
//! Draws each kind of sample from the same logits and prints it next to what it should look
//! like, so a newcomer sees what each function returns.

use gumbel::estimators::straight_through;
use gumbel::{Error, Temperature, binary, categorical, concrete, noise, topk};
use rand_core::SeedableRng;
use rand_xoshiro::Xoshiro128PlusPlus;

fn main() -> Result<(), Error> {
    // Any rand_core 0.10 generator works; xoshiro128++ is small and fast on 32-bit cores.
    let mut rng = Xoshiro128PlusPlus::seed_from_u64(2017);
    // Unnormalised log-probabilities of five actions; the last one is masked with -inf.
    let logits = [1.0f32, 2.0, 0.5, -1.0, f32::NEG_INFINITY];
    let softmax = softmax(&logits);
    println!("logits  {logits:?}");
    println!("softmax {}", fmt(&softmax));

    // 1. Exact categorical samples (Gumbel-max): frequencies match the softmax.
    let draws = 100_000;
    let mut counts = [0u32; 5];
    for _ in 0..draws {
        counts[categorical::sample(&mut rng, &logits)?] += 1;
    }
    let freq: Vec<f32> = counts.iter().map(|&c| c as f32 / draws as f32).collect();
    println!(
        "\n1. categorical::sample, {draws} draws\n   frequencies {}",
        fmt(&freq)
    );

    // The same, with an explicit mask instead of -inf (the way to mask in fixed point).
    let finite = [1.0f32, 2.0, 0.5, -1.0, 0.0];
    let allowed = [true, false, true, true, false];
    let k = categorical::sample_masked(&mut rng, &finite, &allowed)?;
    println!("   sample_masked with actions 1 and 4 disallowed -> {k}");

    // 2. Top-k without replacement, in Plackett–Luce order.
    let top: heapless::Vec<usize, 3> = topk::top_k_vec(&mut rng, &logits, None, 3)?;
    println!("\n2. topk::top_k_vec, k = 3 -> {top:?} (distinct, most likely first on average)");

    // 3. Relaxed one-hot (Concrete / Gumbel-Softmax) samples at three temperatures.
    println!("\n3. concrete::sample (points on the simplex; masked action exactly 0)");
    for lambda in [0.1f32, 1.0, 5.0] {
        let mut x = [0f32; 5];
        concrete::sample(&mut rng, &logits, None, Temperature::new(lambda)?, &mut x)?;
        let log_p = concrete::log_density(&logits, None, Temperature::new(lambda)?, &x);
        println!(
            "   λ = {lambda:<4} x = {}  sum = {:.7}  log p(x) = {log_p:?}",
            fmt(&x),
            x.iter().sum::<f32>()
        );
    }

    // 4. ExpConcrete: the log of a relaxed sample, whose density stays finite at small λ.
    let t = Temperature::new(0.05f32)?;
    let mut y = [0f32; 5];
    concrete::sample_log(&mut rng, &logits, None, t, &mut y)?;
    println!(
        "\n4. concrete::sample_log, λ = 0.05\n   y = log x = {}\n   log p(y) = {:.3}",
        fmt(&y),
        concrete::exp_log_density(&logits, None, t, &y)?
    );

    // 5. Straight-through: the hard one-hot and the soft sample from the same noise.
    let mut soft = [0f32; 5];
    let hard =
        straight_through::sample(&mut rng, &logits, None, Temperature::new(0.5)?, &mut soft)?;
    let mut one_hot = [0f32; 5];
    straight_through::one_hot(hard, &mut one_hot)?;
    println!(
        "\n5. straight_through::sample, λ = 0.5\n   hard {}\n   soft {}",
        fmt(&one_hot),
        fmt(&soft)
    );

    // 6. Binary Concrete: a relaxed coin with P(1) = σ(0.8) ≈ 0.69.
    let t = Temperature::new(2.0f32 / 3.0)?;
    let xs: Vec<f32> = (0..6)
        .map(|_| binary::sample(&mut rng, 0.8, t))
        .collect::<Result<_, _>>()?;
    println!("\n6. binary::sample, logit 0.8, λ = 2/3\n   {}", fmt(&xs));

    // 7. Raw noise.
    let g: f32 = noise::gumbel(&mut rng);
    let l: f32 = noise::logistic(&mut rng);
    println!("\n7. noise::gumbel -> {g:.4}, noise::logistic -> {l:.4}");

    // 8. Bad input is an Error, never a panic or a NaN.
    println!("\n8. errors");
    println!(
        "   all masked:        {:?}",
        categorical::sample(&mut rng, &[f32::NEG_INFINITY; 3])
    );
    println!(
        "   NaN logit:         {:?}",
        categorical::sample(&mut rng, &[0.0, f32::NAN])
    );
    println!("   temperature 0:     {:?}", Temperature::new(0.0f32));
    Ok(())
}

fn softmax(logits: &[f32]) -> Vec<f32> {
    let max = logits.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    let e: Vec<f32> = logits.iter().map(|&l| (l - max).exp()).collect();
    let sum: f32 = e.iter().sum();
    e.iter().map(|v| v / sum).collect()
}

fn fmt(values: &[f32]) -> String {
    let parts: Vec<String> = values.iter().map(|v| format!("{v:7.4}")).collect();
    format!("[{}]", parts.join(", "))
}
