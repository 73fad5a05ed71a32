//! The learner's contracts: persistence (exact round trip, every corruption detected), bad input
//! refused with the state unchanged, the optimisers and the clipping, and short learning runs
//! that must reach the bandit criterion.

use gumbel::learner::{Agent, Config, Critic, Estimator, Linear, Optimiser, Policy, clip};
use gumbel::tasks::{Bandit, CartPole, MovingSum};
use gumbel::{Error, Scalar};
use rand_core::SeedableRng;
use rand_xoshiro::Xoshiro128PlusPlus;

type BanditAgent = Agent<f32, 4, 4>;

fn adam_config(estimator: Estimator) -> Config<f32> {
    Config {
        policy_optimiser: Optimiser::Adam {
            learning_rate: 0.01,
            beta1: 0.9,
            beta2: 0.999,
            epsilon: 1e-3,
        },
        ..Bandit::config(estimator).unwrap()
    }
}

/// An agent that has learned for a while, so every part of its state is non-trivial.
fn trained(config: Config<f32>, steps: usize, seed: u64) -> (BanditAgent, Xoshiro128PlusPlus) {
    let mut agent = BanditAgent::new(config).unwrap();
    let mut rng = Xoshiro128PlusPlus::seed_from_u64(seed);
    let mut bandit = Bandit::new();
    for _ in 0..steps {
        bandit.train_step(&mut agent, &mut rng).unwrap();
    }
    (agent, rng)
}

#[test]
fn blob_len_is_the_documented_size() {
    assert_eq!(BanditAgent::BLOB_LEN, 530);
    assert_eq!(gumbel::learner::blob_len(4, 4), 530);
}

#[test]
fn save_then_load_is_exact_and_training_continues_identically() {
    for config in [
        adam_config(Estimator::Relax),
        Bandit::config(Estimator::GumbelRao { samples: 3 }).unwrap(),
    ] {
        let (agent, rng) = trained(config, 500, 5);
        let mut blob = [0u8; BanditAgent::BLOB_LEN];
        assert_eq!(agent.save(&mut blob), Ok(BanditAgent::BLOB_LEN));
        let mut restored = BanditAgent::new(config).unwrap();
        restored.load(&blob).unwrap();
        assert_eq!(restored, agent);
        // A larger buffer (a whole flash page) works too.
        let mut page = [0xFFu8; 1024];
        agent.save(&mut page).unwrap();
        let mut from_page = BanditAgent::new(config).unwrap();
        from_page.load(&page).unwrap();
        assert_eq!(from_page, agent);
        // Both go on to learn exactly the same.
        let (mut a, mut b) = (agent.clone(), restored);
        let (mut rng_a, mut rng_b) = (rng.clone(), rng);
        let (mut bandit_a, mut bandit_b) = (Bandit::new(), Bandit::new());
        for _ in 0..200 {
            bandit_a.train_step(&mut a, &mut rng_a).unwrap();
            bandit_b.train_step(&mut b, &mut rng_b).unwrap();
        }
        assert_eq!(a, b);
        assert_ne!(a, agent);
    }
}

#[test]
fn every_single_bit_flip_and_every_truncation_is_detected() {
    let config = adam_config(Estimator::Reinforce);
    let (agent, _) = trained(config, 300, 6);
    let mut blob = [0u8; BanditAgent::BLOB_LEN];
    agent.save(&mut blob).unwrap();
    let (target, _) = trained(config, 50, 7);
    let mut loader = target.clone();
    for bit in 0..blob.len() * 8 {
        let mut corrupted = blob;
        corrupted[bit / 8] ^= 1 << (bit % 8);
        assert_eq!(
            loader.load(&corrupted),
            Err(Error::CorruptedState),
            "bit {bit}"
        );
        assert_eq!(loader, target, "bit {bit} changed the agent");
    }
    for len in 0..blob.len() {
        assert_eq!(
            loader.load(&blob[..len]),
            Err(Error::CorruptedState),
            "length {len}"
        );
        assert_eq!(loader, target);
    }
    loader.load(&blob).unwrap();
    assert_eq!(loader, agent);
}

#[test]
fn a_blob_of_another_shape_or_scalar_is_refused() {
    let (agent, _) = trained(Bandit::config(Estimator::Reinforce).unwrap(), 10, 8);
    let mut blob = [0u8; BanditAgent::BLOB_LEN];
    agent.save(&mut blob).unwrap();
    // Same byte count, other shape: D = 5, K = 3 has 6·(15 + 3) = 108 words vs 6·20 = 120.
    let mut other = Agent::<f32, 4, 3>::new(Bandit::config(Estimator::Reinforce).unwrap()).unwrap();
    let before = other.clone();
    assert_eq!(other.load(&blob), Err(Error::CorruptedState));
    assert_eq!(other, before);
    let mut small = [0u8; BanditAgent::BLOB_LEN - 1];
    assert_eq!(
        agent.save(&mut small),
        Err(Error::BufferTooSmall {
            needed: BanditAgent::BLOB_LEN,
            found: BanditAgent::BLOB_LEN - 1
        })
    );
}

#[test]
fn bad_input_is_an_error_and_changes_nothing() {
    for estimator in Estimator::ALL {
        let (mut agent, mut rng) = trained(Bandit::config(estimator).unwrap(), 100, 9);
        let decision = agent.act(&mut rng, &[0.1, 0.2, 0.3, 0.4]).unwrap();
        agent.observe(&mut rng, &decision, 0.5).unwrap();
        let before = agent.clone();
        let rng_before = rng.clone();
        assert_eq!(
            agent.act(&mut rng, &[0.1, 0.2, 0.3]).unwrap_err(),
            Error::LengthMismatch {
                expected: 4,
                found: 3
            }
        );
        assert_eq!(
            agent.act(&mut rng, &[0.1, 0.2, 0.3, 0.4, 0.5]).unwrap_err(),
            Error::LengthMismatch {
                expected: 4,
                found: 5
            }
        );
        assert_eq!(
            agent.act(&mut rng, &[0.1, f32::NAN, 0.3, 0.4]).unwrap_err(),
            Error::Nan { index: 1 }
        );
        assert_eq!(
            agent
                .act(&mut rng, &[0.1, 0.2, f32::INFINITY, 0.4])
                .unwrap_err(),
            Error::NotFinite { index: 2 }
        );
        assert_eq!(
            agent.observe(&mut rng, &decision, f32::NAN),
            Err(Error::Nan { index: 0 })
        );
        assert_eq!(
            agent.observe(&mut rng, &decision, f32::NEG_INFINITY),
            Err(Error::NotFinite { index: 0 })
        );
        assert_eq!(
            agent.learn(&mut rng, &decision, f32::NAN),
            Err(Error::Nan { index: 0 })
        );
        assert_eq!(
            agent.policy().logits(&[1.0; 3]).unwrap_err(),
            Error::LengthMismatch {
                expected: 4,
                found: 3
            }
        );
        assert_eq!(
            agent.critic().value(&[1.0; 4], &[0.5; 3]).unwrap_err(),
            Error::LengthMismatch {
                expected: 4,
                found: 3
            }
        );
        assert_eq!(
            agent
                .critic()
                .value(&[1.0; 4], &[0.5, f32::NAN, 0.0, 0.0])
                .unwrap_err(),
            Error::Nan { index: 1 }
        );
        assert_eq!(agent, before, "{}", estimator.name());
        assert_eq!(rng, rng_before, "an error drew random words");
    }
}

#[test]
fn an_update_that_would_overflow_is_refused_and_changes_nothing() {
    let config = Config {
        policy_optimiser: Optimiser::Sgd {
            learning_rate: 1e30,
            momentum: 0.0,
        },
        max_gradient_norm: 0.0,
        ..Bandit::config(Estimator::Reinforce).unwrap()
    };
    let mut agent = BanditAgent::new(config).unwrap();
    let mut rng = Xoshiro128PlusPlus::seed_from_u64(10);
    let decision = agent.act(&mut rng, &[1.0, 0.0, 0.0, 0.0]).unwrap();
    let before = agent.clone();
    // The step α g ≈ 1e30 · 1e30 overflows: learn refuses it and restores everything.
    assert_eq!(
        agent.learn(&mut rng, &decision, 1e30),
        Err(Error::NonFiniteUpdate)
    );
    assert_eq!(agent, before);
    // observe alone is accepted (the gradient is finite); update refuses, keeping it pending.
    agent.observe(&mut rng, &decision, 1e30).unwrap();
    let pending = agent.clone();
    assert_eq!(agent.update(), Err(Error::NonFiniteUpdate));
    assert_eq!(agent, pending);
    // A gradient that itself overflows (feature 1e10 times 1e30) is refused by observe.
    let large = agent.act(&mut rng, &[1e10, 0.0, 0.0, 0.0]).unwrap();
    assert_eq!(
        agent.observe(&mut rng, &large, 1e30),
        Err(Error::NonFiniteUpdate)
    );
    assert_eq!(agent, pending);
}

#[test]
fn invalid_configurations_are_refused() {
    let good = Bandit::config::<f32>(Estimator::Reinforce).unwrap();
    let bad = [
        Config {
            baseline_decay: 1.0,
            ..good
        },
        Config {
            baseline_decay: f32::NAN,
            ..good
        },
        Config {
            max_gradient_norm: -1.0,
            ..good
        },
        Config {
            max_gradient_norm: f32::INFINITY,
            ..good
        },
        Config {
            policy_optimiser: Optimiser::Sgd {
                learning_rate: 0.0,
                momentum: 0.0,
            },
            ..good
        },
        Config {
            policy_optimiser: Optimiser::Sgd {
                learning_rate: 0.1,
                momentum: 1.0,
            },
            ..good
        },
        Config {
            critic_optimiser: Optimiser::Adam {
                learning_rate: 0.1,
                beta1: 0.9,
                beta2: 0.999,
                epsilon: 0.0,
            },
            ..good
        },
        Config {
            estimator: Estimator::GumbelRao { samples: 0 },
            ..good
        },
    ];
    for config in bad {
        assert_eq!(
            BanditAgent::new(config).unwrap_err(),
            Error::InvalidParameter,
            "{config:?}"
        );
    }
    let nan_policy = Policy::new(Linear::new([[f32::NAN; 4]; 4], [0.0; 4]));
    assert_eq!(
        BanditAgent::with_networks(good, nan_policy, Critic::ZERO).unwrap_err(),
        Error::NotFinite { index: 0 }
    );
}

#[test]
fn clipping_scales_long_gradients_to_the_limit_and_keeps_short_ones() {
    let mut g = Linear::<f32, 2, 2>::new([[3.0, 0.0], [0.0, 0.0]], [4.0, 0.0]);
    assert_eq!(clip::clip(&mut g, 1.0), 5.0);
    assert_eq!(g.weights()[0][0], 0.6);
    assert_eq!(g.bias()[0], 0.8);
    let mut short = Linear::<f32, 2, 2>::new([[0.3, 0.0], [0.0, 0.0]], [0.4, 0.0]);
    let copy = short;
    clip::clip(&mut short, 1.0);
    assert_eq!(short, copy);
    // No overflow or underflow in the norm.
    let huge = Linear::<f32, 1, 2>::new([[3e30], [4e30]], [0.0; 2]);
    assert!((clip::norm(&huge) / 5e30 - 1.0).abs() < 4.0 * f32::EPSILON);
    let tiny = Linear::<f32, 1, 2>::new([[3e-30], [4e-30]], [0.0; 2]);
    assert!((clip::norm(&tiny) / 5e-30 - 1.0).abs() < 4.0 * f32::EPSILON);
}

#[test]
fn adam_first_step_moves_each_parameter_by_the_learning_rate() {
    // After one step with bias correction, m̂ = g and v̂ = g², so the step is α g / (|g| + ε).
    let config = Config {
        policy_optimiser: Optimiser::Adam {
            learning_rate: 0.01,
            beta1: 0.9,
            beta2: 0.999,
            epsilon: 1e-8,
        },
        max_gradient_norm: 0.0,
        ..Bandit::config(Estimator::Reinforce).unwrap()
    };
    let mut agent = BanditAgent::new(config).unwrap();
    let mut rng = Xoshiro128PlusPlus::seed_from_u64(12);
    let features = [1.0, -0.5, 0.25, 2.0];
    let decision = agent.act(&mut rng, &features).unwrap();
    agent.learn(&mut rng, &decision, 1.0).unwrap();
    let p = agent.policy().parameters();
    for k in 0..4 {
        let expected_sign = if k == decision.action() { 1.0 } else { -1.0 };
        for (d, &s) in features.iter().enumerate() {
            let step = p.weights()[k][d];
            assert!(
                (step - expected_sign * 0.01 * s.signum()).abs() < 1e-6,
                "{k} {d}: {step}"
            );
        }
        assert!((p.bias()[k] - expected_sign * 0.01).abs() < 1e-6);
    }
}

#[test]
fn sgd_first_step_is_the_learning_rate_times_the_gradient() {
    let config = Config {
        policy_optimiser: Optimiser::Sgd {
            learning_rate: 0.5,
            momentum: 0.5,
        },
        max_gradient_norm: 0.0,
        baseline_decay: 0.0,
        ..Bandit::config(Estimator::Reinforce).unwrap()
    };
    let mut agent = Agent::<f32, 1, 2>::new(config).unwrap();
    let mut rng = Xoshiro128PlusPlus::seed_from_u64(13);
    let decision = agent.act(&mut rng, &[0.0]).unwrap();
    agent.learn(&mut rng, &decision, 1.0).unwrap(); // baseline 0: loss gradient −(e_a − 1/2)
    let first = agent.policy().parameters().bias()[decision.action()];
    assert_eq!(first, 0.25);
}

/// A reduced benchmark: every estimator, from seeds 1 and 2, must reach ≥ 95% optimal actions
/// over a 1,000-step window within 6,000 steps (the full benchmark allows 20,000; the median
/// run needs 2,400-2,900).
fn every_estimator_learns_the_bandit<S: Scalar>() {
    for estimator in Estimator::ALL {
        for seed in [1, 2] {
            let mut agent = Agent::<S, 4, 4>::new(Bandit::config(estimator).unwrap()).unwrap();
            let mut rng = Xoshiro128PlusPlus::seed_from_u64(seed);
            let mut bandit = Bandit::new();
            let mut window = MovingSum::<1000>::new();
            let solved = (1..=6000).find(|_| {
                window.push(u8::from(bandit.train_step(&mut agent, &mut rng).unwrap()));
                window.is_full() && window.sum() >= Bandit::SUCCESS
            });
            assert!(
                solved.is_some(),
                "{} seed {seed}: {} / 1000",
                estimator.name(),
                window.sum()
            );
        }
    }
}

#[test]
fn every_estimator_learns_the_bandit_in_f32() {
    every_estimator_learns_the_bandit::<f32>();
}

/// Two seeds of CartPole-v0 with each unbiased estimator: solved (mean return ≥ 195 over 100
/// episodes) within 800 episodes (the 10-seed benchmark's slowest run needs 457).
#[test]
fn reinforce_and_relax_solve_cartpole() {
    for estimator in [Estimator::Reinforce, Estimator::Relax] {
        for seed in [1, 2] {
            let mut agent = Agent::<f32, 4, 2>::new(CartPole::config(estimator).unwrap()).unwrap();
            let mut rng = Xoshiro128PlusPlus::seed_from_u64(seed);
            let mut env = CartPole::default();
            let mut decisions = heapless::Vec::new();
            let mut window = MovingSum::<100>::new();
            let solved = (1..=800).find(|_| {
                let steps = env
                    .train_episode(&mut agent, &mut rng, &mut decisions)
                    .unwrap();
                window.push(steps as u8);
                window.is_full() && window.sum() >= 195 * 100
            });
            assert!(
                solved.is_some(),
                "{} seed {seed}: {}",
                estimator.name(),
                window.sum()
            );
        }
    }
}

#[test]
fn cartpole_ends_episodes_at_the_limits_and_refuses_to_step_past_the_end() {
    let mut rng = Xoshiro128PlusPlus::seed_from_u64(16);
    let mut env = CartPole::default();
    env.reset(&mut rng);
    for s in env.state() {
        assert!(s.abs() < 0.05);
    }
    // Always pushing right tips the pole over (or runs the cart off) within a few dozen steps.
    let mut steps = 0;
    while !env.is_done() {
        env.step(1).unwrap();
        steps += 1;
    }
    assert!((5..40).contains(&steps), "{steps}");
    let [_, _, theta, _] = env.state();
    assert!(theta.abs() > 12.0f32.to_radians() || env.state()[0].abs() > 2.4);
    assert_eq!(env.step(0), Err(Error::EpisodeOver));
    env.reset(&mut rng);
    assert_eq!(env.step(2), Err(Error::UnavailableAction { index: 2 }));
}

#[cfg(feature = "fixed")]
mod fixed_point {
    use super::*;
    use gumbel::Fixed;

    type FixedAgent = Agent<Fixed, 4, 4>;

    /// The same reduced benchmark in I16F16, with the same integer-only configuration.
    #[test]
    fn every_estimator_learns_the_bandit_in_fixed_point() {
        every_estimator_learns_the_bandit::<Fixed>();
    }

    #[test]
    fn fixed_point_state_round_trips_and_is_not_confused_with_f32() {
        let config = Bandit::config::<Fixed>(Estimator::Relax).unwrap();
        let mut agent = FixedAgent::new(config).unwrap();
        let mut rng = Xoshiro128PlusPlus::seed_from_u64(14);
        let mut bandit = Bandit::new();
        for _ in 0..300 {
            bandit.train_step(&mut agent, &mut rng).unwrap();
        }
        let mut blob = [0u8; FixedAgent::BLOB_LEN];
        agent.save(&mut blob).unwrap();
        let mut restored = FixedAgent::new(config).unwrap();
        restored.load(&blob).unwrap();
        assert_eq!(restored, agent);
        for bit in 0..blob.len() * 8 {
            let mut corrupted = blob;
            corrupted[bit / 8] ^= 1 << (bit % 8);
            assert_eq!(
                restored.load(&corrupted),
                Err(Error::CorruptedState),
                "bit {bit}"
            );
        }
        assert_eq!(restored, agent);
        // An f32 blob of the same shape and size is refused by the scalar fingerprint.
        let (float_agent, _) = trained(Bandit::config(Estimator::Relax).unwrap(), 10, 15);
        let mut float_blob = [0u8; BanditAgent::BLOB_LEN];
        float_agent.save(&mut float_blob).unwrap();
        assert_eq!(restored.load(&float_blob), Err(Error::CorruptedState));
        assert_eq!(restored, agent);
    }
}

/// The norm's documented error bound on random gradients spanning six orders of magnitude:
/// `(P + 2)·ε` relative in `f32`, `(3P/2 + 1)·ε·max|g| + ε` absolute in fixed point
/// (`P = D·K + K` parameters).
fn norm_within_its_bound<S: Scalar>(relative: bool) {
    use rand_core::Rng;
    let mut rng = Xoshiro128PlusPlus::seed_from_u64(17);
    let parameters = 4.0 * 4.0 + 4.0;
    for _ in 0..10_000 {
        let scale = [1e-2, 1.0, 1e2, 1e4][(rng.next_u32() % 4) as usize];
        let mut value = || {
            let u = rng.next_u32() as f64 / u32::MAX as f64 - 0.5;
            S::from_f64(u * scale)
        };
        let g = Linear::<S, 4, 4>::new(
            core::array::from_fn(|_| core::array::from_fn(|_| value())),
            core::array::from_fn(|_| value()),
        );
        let values: Vec<f64> = g
            .weights()
            .iter()
            .flatten()
            .chain(g.bias())
            .map(|v| v.to_f64())
            .collect();
        let exact = values.iter().map(|v| v * v).sum::<f64>().sqrt();
        let largest = values.iter().fold(0.0f64, |m, v| m.max(v.abs()));
        let eps = S::EPSILON.to_f64();
        let bound = if relative {
            (parameters + 2.0) * eps * exact
        } else {
            (1.5 * parameters + 1.0) * eps * largest + eps
        };
        let got = clip::norm(&g).to_f64();
        assert!(
            (got - exact).abs() <= bound,
            "{got} vs {exact} (bound {bound})"
        );
    }
}

#[test]
fn the_norm_is_within_its_error_bound_in_f32() {
    norm_within_its_bound::<f32>(true);
}

#[cfg(feature = "fixed")]
#[test]
fn the_norm_is_within_its_error_bound_in_fixed_point() {
    norm_within_its_bound::<gumbel::Fixed>(false);
}
