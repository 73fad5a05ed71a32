//! The learner's contracts: persistence for every network shape (exact round trip, every
//! corruption and every state no agent can be in refused, shapes never confused), bad input
//! refused before any random word is drawn and with the agent unchanged, the hostile-input
//! regressions of issue 10 (read-outs that overflow, a huge reward with clipping off, refusals
//! that drew, a decoded state that breaks its invariants), the optimisers' first steps, the
//! configuration checks and the gradient norm's error bound. Learning runs are in
//! `learner_tasks.rs`, the networks' passes in `learner_networks.rs`, the estimators'
//! gradients in `learner_gradients.rs`.

use gumbel::learner::{
    Agent, Config, Critic, Estimator, Hidden, Linear, Network, Optimiser, Policy, clip,
};
use gumbel::tasks::{Bandit, CartPole, CartPoleAgent, ContextualBandit, XorAgent, XorBandit};
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

/// A CartPole agent after a few episodes (every parameter and moment non-trivial).
fn trained_cartpole(estimator: Estimator, episodes: usize, seed: u64) -> CartPoleAgent<f32> {
    let mut agent = CartPoleAgent::new(CartPole::config(estimator).unwrap()).unwrap();
    let mut rng = Xoshiro128PlusPlus::seed_from_u64(seed);
    let mut env = CartPole::default();
    let mut decisions = heapless::Vec::new();
    for _ in 0..episodes {
        env.train_episode(&mut agent, &mut rng, &mut decisions)
            .unwrap();
    }
    agent
}

/// A blob whose CRC is recomputed after `edit`: only the decoded state's own checks stand
/// between it and the agent.
fn resealed(blob: &[u8], edit: impl FnOnce(&mut [u8])) -> Vec<u8> {
    let mut blob = blob.to_vec();
    edit(&mut blob);
    let n = blob.len() - 4;
    let crc = crc::Crc::<u32>::new(&crc::CRC_32_ISO_HDLC).checksum(&blob[..n]);
    blob[n..].copy_from_slice(&crc.to_le_bytes());
    blob
}

/// Where word `i` of the body (after the 26-byte header) starts.
fn word(i: usize) -> usize {
    26 + 4 * i
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
fn hidden_layer_agents_round_trip_exactly() {
    let agent = trained_cartpole(Estimator::Relax, 20, 3);
    let mut blob = vec![0u8; CartPoleAgent::<f32>::BLOB_LEN];
    assert_eq!(agent.save(&mut blob), Ok(blob.len()));
    let mut restored = CartPoleAgent::new(*agent.config()).unwrap();
    restored.load(&blob).unwrap();
    assert_eq!(restored, agent);

    let config = XorBandit::config(Estimator::StraightThrough).unwrap();
    let mut xor = XorAgent::<f32>::new(config).unwrap();
    let mut rng = Xoshiro128PlusPlus::seed_from_u64(4);
    let mut bandit = XorBandit::new();
    for _ in 0..300 {
        bandit.train_step(&mut xor, &mut rng).unwrap();
    }
    let mut blob = vec![0u8; XorAgent::<f32>::BLOB_LEN];
    xor.save(&mut blob).unwrap();
    let mut restored = XorAgent::new(config).unwrap();
    restored.load(&blob).unwrap();
    assert_eq!(restored, xor);
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
fn every_single_bit_flip_of_a_hidden_layer_agent_is_detected() {
    let agent = trained_cartpole(Estimator::StraightThrough, 10, 8);
    let mut blob = vec![0u8; CartPoleAgent::<f32>::BLOB_LEN];
    agent.save(&mut blob).unwrap();
    let mut loader = CartPoleAgent::new(*agent.config()).unwrap();
    let before = loader.clone();
    for bit in 0..blob.len() * 8 {
        let mut corrupted = blob.clone();
        corrupted[bit / 8] ^= 1 << (bit % 8);
        assert_eq!(
            loader.load(&corrupted),
            Err(Error::CorruptedState),
            "bit {bit}"
        );
    }
    assert_eq!(loader, before);
}

#[test]
fn a_blob_of_another_shape_or_scalar_is_refused() {
    let (agent, _) = trained(Bandit::config(Estimator::Reinforce).unwrap(), 10, 8);
    let mut blob = [0u8; BanditAgent::BLOB_LEN];
    agent.save(&mut blob).unwrap();
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

/// Two agents whose blobs have exactly the same length — a hidden-layer policy with a linear
/// critic, and the reverse — and a hidden width that differs only in the header: the shape
/// words refuse each.
#[test]
fn hidden_widths_are_part_of_the_shape() {
    type PolicyHidden = Agent<f32, 4, 2, Hidden<f32, 4, 16, 2>, Linear<f32, 4, 2>>;
    let config = CartPole::config::<f32>(Estimator::Relax).unwrap();
    assert_eq!(PolicyHidden::BLOB_LEN, CartPoleAgent::<f32>::BLOB_LEN);
    let agent = trained_cartpole(Estimator::Relax, 5, 9);
    let mut blob = vec![0u8; CartPoleAgent::<f32>::BLOB_LEN];
    agent.save(&mut blob).unwrap();
    let mut swapped = PolicyHidden::new(config).unwrap();
    let before = swapped.clone();
    assert_eq!(swapped.load(&blob), Err(Error::CorruptedState));
    assert_eq!(swapped, before);
    // Rewrite the policy's hidden width (header bytes 14..18) or the critic's (18..22) with a
    // valid CRC: still refused, by the shape.
    for (at, width) in [(14, 16u32), (18, 15)] {
        let edited = resealed(&blob, |b| {
            b[at..at + 4].copy_from_slice(&width.to_le_bytes())
        });
        let mut loader = CartPoleAgent::new(config).unwrap();
        assert_eq!(loader.load(&edited), Err(Error::CorruptedState));
    }
    // The unchanged blob loads.
    let mut loader = CartPoleAgent::new(config).unwrap();
    loader.load(&blob).unwrap();
    assert_eq!(loader, agent);
}

#[test]
fn a_version_1_blob_is_refused() {
    let (agent, _) = trained(Bandit::config(Estimator::Reinforce).unwrap(), 10, 8);
    let mut blob = [0u8; BanditAgent::BLOB_LEN];
    agent.save(&mut blob).unwrap();
    let old = resealed(&blob, |b| b[4..6].copy_from_slice(&1u16.to_le_bytes()));
    let mut loader = agent.clone();
    assert_eq!(loader.load(&old), Err(Error::CorruptedState));
    assert_eq!(loader, agent);
}

/// Issue 10, item 9: a blob with a correct CRC that decodes to a state no agent can be in —
/// a negative Adam second moment, a β power above 1 or below 0 — was loaded and then refused
/// every update. `load` now checks the decoded state's invariants. A β power of exactly 0 is
/// a state agents reach (`0.9ᵗ` underflows) and loads.
#[test]
fn a_blob_with_a_correct_crc_but_a_broken_invariant_is_refused() {
    let (agent, _) = trained(adam_config(Estimator::Relax), 200, 10);
    let mut blob = [0u8; BanditAgent::BLOB_LEN];
    agent.save(&mut blob).unwrap();
    // Words: policy 0..20, critic 20..40, policy moments 40..60 (first) and 60..80 (second),
    // critic moments 80..100 and 100..120, then β₁ᵗ, β₂ᵗ of the policy (120, 121) and of the
    // critic (122, 123).
    let set = |i: usize, value: f32| {
        resealed(&blob, |b| {
            b[word(i)..word(i) + 4].copy_from_slice(&value.to_bits().to_le_bytes())
        })
    };
    for (i, value) in [
        (60, -1e-6),
        (119, -0.5),
        (120, 1.5),
        (121, -0.25),
        (122, 2.0),
        (123, f32::INFINITY),
    ] {
        let mut loader = agent.clone();
        assert_eq!(
            loader.load(&set(i, value)),
            Err(Error::CorruptedState),
            "word {i} = {value}"
        );
        assert_eq!(loader, agent);
    }
    let mut loader = agent.clone();
    loader.load(&set(121, 0.0)).unwrap();
    assert_eq!(loader.update(), Ok(()));
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
            agent.observe_with_target(&mut rng, &decision, 0.5, f32::NAN),
            Err(Error::Nan { index: 1 })
        );
        assert_eq!(
            agent.learn(&mut rng, &decision, f32::NAN),
            Err(Error::Nan { index: 0 })
        );
        assert_eq!(
            agent.value(&[1.0; 3]).unwrap_err(),
            Error::LengthMismatch {
                expected: 4,
                found: 3
            }
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

/// REINFORCE needs no noise: its agent draws actions with `categorical::sample`, the same words
/// and the same action as drawing with the noise kept. An agent whose estimator needs the noise
/// refuses such a decision, before drawing anything.
#[test]
fn reinforce_decisions_carry_no_noise_and_the_relaxed_estimators_refuse_them() {
    let reinforce = BanditAgent::new(Bandit::config(Estimator::Reinforce).unwrap()).unwrap();
    let mut relax = BanditAgent::new(Bandit::config(Estimator::Relax).unwrap()).unwrap();
    let mut rng = Xoshiro128PlusPlus::seed_from_u64(3);
    for _ in 0..1000 {
        let features = [0.3, -0.2, 0.9, 0.1];
        let mut twin = rng.clone();
        let without = reinforce.act(&mut rng, &features).unwrap();
        let with = relax.act(&mut twin, &features).unwrap();
        assert_eq!(rng, twin);
        assert_eq!(without.action(), with.action());
        assert!(!without.has_noise() && with.has_noise());
        assert_eq!(without.noise(), &[0.0; 4]);
        let (before, rng_before) = (relax.clone(), rng.clone());
        assert_eq!(
            relax.observe(&mut rng, &without, 1.0),
            Err(Error::NoiseMismatch)
        );
        assert_eq!((&relax, &rng), (&before, &rng_before));
    }
    // Gumbel-Rao draws its own conditional noise: it takes such a decision.
    let mut rao =
        BanditAgent::new(Bandit::config(Estimator::GumbelRao { samples: 2 }).unwrap()).unwrap();
    let decision = reinforce.act(&mut rng, &[0.0; 4]).unwrap();
    rao.observe(&mut rng, &decision, 1.0).unwrap();
}

/// Issue 10, item 5: with finite weights and features whose product overflows, the read-outs
/// returned `Ok([NaN, 0])`, `Ok([0, 0])` (the softmax's error swallowed) and `Ok(NaN)`.
#[test]
fn read_outs_that_overflow_are_errors_not_nan() {
    let big = Linear::<f32, 2, 2>::new([[3e38, 3e38], [1.0, 0.0]], [0.0, 0.0]);
    let policy = Policy::new(big);
    let features = [3e38f32, 3e38];
    assert!(policy.logits(&features).is_err());
    assert!(policy.probabilities(&features).is_err());
    assert!(policy.greedy(&features).is_err());
    let mut rng = Xoshiro128PlusPlus::seed_from_u64(1);
    let rng_before = rng.clone();
    assert!(policy.act(&mut rng, &features).is_err());
    assert_eq!(rng, rng_before);
    let critic = Critic::new(big);
    assert!(critic.action_values(&features).is_err());
    assert!(critic.value(&features, &[0.5, 0.5]).is_err());
    // Overflow in the sum only, each product finite: 3e38 + 3e38.
    let sum = Critic::new(Linear::<f32, 2, 2>::new(
        [[1.0, 1.0], [0.0, 0.0]],
        [0.0, 0.0],
    ));
    assert_eq!(
        sum.value(&[3e38, 3e38], &[1.0, 0.0]),
        Err(Error::NotFinite { index: 0 })
    );
    let agent = Agent::<f32, 2, 2>::with_networks(
        Bandit::config(Estimator::Relax).unwrap(),
        Policy::new(Linear::ZERO),
        sum,
    )
    .unwrap();
    assert!(agent.value(&[3e38, 3e38]).is_err());
    // Fine values still read out.
    assert_eq!(sum.value(&[1.0, 2.0], &[1.0, 0.0]), Ok(3.0));
    assert_eq!(Policy::new(big).greedy(&[0.0, 1.0]), Ok(0));
}

/// Issue 10, item 7: Adam with clipping off accepted one reward of 1e30 at `observe`; every
/// `update` after was refused and the pending batch could never be dropped (10,001 pending
/// after 10,000 steps). `observe` now refuses an estimate that could overflow an update
/// (before drawing); `update`, if a step still overflows, discards the batch.
#[test]
fn one_huge_reward_cannot_wedge_the_agent() {
    for estimator in Estimator::ALL {
        let config = Config {
            max_gradient_norm: 0.0,
            ..adam_config(estimator)
        };
        let (mut agent, mut rng) = trained(config, 50, 11);
        let mut bandit = Bandit::new();
        let features = bandit.next_context::<f32, _>(&mut rng);
        let decision = agent.act(&mut rng, &features).unwrap();
        let (before, rng_before) = (agent.clone(), rng.clone());
        assert_eq!(
            agent.observe(&mut rng, &decision, 1e30),
            Err(Error::NonFiniteUpdate),
            "{}",
            estimator.name()
        );
        assert_eq!(agent, before);
        assert_eq!(rng, rng_before, "{}: the refusal drew", estimator.name());
        assert_eq!(
            agent.learn(&mut rng, &decision, 1e30),
            Err(Error::NonFiniteUpdate)
        );
        assert_eq!(agent, before);
        // It goes on learning.
        for _ in 0..10_000 {
            bandit.train_step(&mut agent, &mut rng).unwrap();
        }
        assert_eq!(agent.pending(), 0);
        assert_eq!(agent.updates(), before.updates() + 10_000);
    }
}

/// A step that overflows by its hyperparameters alone (learning rate 1e30) is refused by
/// `update` with the learned state bit for bit unchanged and the batch discarded, and the
/// agent updates normally afterwards.
#[test]
fn an_update_that_would_overflow_is_refused_and_its_batch_discarded() {
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
    // The gradient, about 1e10, is accepted; the step α g ≈ 1e40 overflows.
    agent.observe(&mut rng, &decision, 1e10).unwrap();
    assert_eq!(agent.pending(), 1);
    assert_eq!(agent.update(), Err(Error::NonFiniteUpdate));
    assert_eq!(agent.pending(), 0);
    assert_eq!(agent, before, "the learned state changed");
    // A small reward's step, α g ≈ 1e29, is finite and applied.
    let decision = agent.act(&mut rng, &[1.0, 0.0, 0.0, 0.0]).unwrap();
    agent.learn(&mut rng, &decision, 0.1).unwrap();
    assert_eq!(agent.updates(), 1);
}

/// Issue 10, item 8: `observe` with RELAX drew its `K` words for the conditional noise and
/// then refused an estimate that overflowed. Every refusal now comes before the first word,
/// for every estimator: huge critic values (the critic's weights near the largest `f32`), a
/// temperature so small that `q/λ` overflows, a reward that does.
#[test]
fn a_refused_observe_draws_no_random_word() {
    let huge = Linear::<f32, 4, 4>::new([[1e37; 4]; 4], [0.0; 4]);
    for estimator in Estimator::ALL {
        let config = Bandit::config(estimator).unwrap();
        let tiny = Config {
            temperature: gumbel::Temperature::new(1e-30).unwrap(),
            ..config
        };
        let cases = [
            (
                BanditAgent::with_networks(config, Policy::UNIFORM, Critic::new(huge)).unwrap(),
                1.0,
            ),
            (
                BanditAgent::with_networks(
                    tiny,
                    Policy::UNIFORM,
                    Critic::new(Linear::new([[1e10; 4]; 4], [0.0; 4])),
                )
                .unwrap(),
                1.0,
            ),
            (BanditAgent::new(config).unwrap(), 3e38),
        ];
        for (i, (mut agent, reward)) in cases.into_iter().enumerate() {
            let mut rng = Xoshiro128PlusPlus::seed_from_u64(12);
            let decision = agent.act(&mut rng, &[0.5, 1.0, -1.0, 0.25]).unwrap();
            let (before, rng_before) = (agent.clone(), rng.clone());
            let result = agent.observe(&mut rng, &decision, reward);
            if estimator == Estimator::Reinforce && i < 2 {
                // REINFORCE has no critic: nothing overflows.
                assert_eq!(result, Ok(()));
                continue;
            }
            assert_eq!(
                result,
                Err(Error::NonFiniteUpdate),
                "{} case {i}",
                estimator.name()
            );
            assert_eq!(agent, before);
            assert_eq!(rng, rng_before, "{} case {i} drew", estimator.name());
        }
    }
}

/// `value` is the baseline plus the critic's values averaged by the policy.
#[test]
fn value_is_the_baseline_plus_the_policy_averaged_critic() {
    let (agent, _) = trained(Bandit::config(Estimator::Relax).unwrap(), 300, 13);
    let features = [0.9, 0.1, -0.1, 0.05];
    let p = agent.policy().probabilities(&features).unwrap();
    let q = agent.critic().action_values(&features).unwrap();
    let expected: f64 = agent.baseline() as f64
        + p.iter()
            .zip(&q)
            .map(|(&p, &q)| p as f64 * q as f64)
            .sum::<f64>();
    let got = agent.value(&features).unwrap() as f64;
    // Four products and five sums of values below 2: a few ε.
    assert!(
        (got - expected).abs() < 16.0 * f32::EPSILON as f64,
        "{got} vs {expected}"
    );
    assert_ne!(agent.critic().action_values(&features).unwrap(), [0.0; 4]);
}

#[test]
fn observe_with_target_fits_the_critic_to_the_target() {
    let config = Bandit::config(Estimator::StraightThrough).unwrap();
    let mut by_reward = BanditAgent::new(config).unwrap();
    let mut by_target = by_reward.clone();
    let mut rng = Xoshiro128PlusPlus::seed_from_u64(14);
    let decision = by_reward.act(&mut rng, &[1.0, 0.0, 0.0, 0.0]).unwrap();
    by_reward.observe(&mut rng.clone(), &decision, 0.5).unwrap();
    by_target
        .observe_with_target(&mut rng, &decision, 0.5, 2.0)
        .unwrap();
    // Zero critic and baseline: the critic's gradient is q_a − t = −t at the action taken.
    let a = decision.action();
    assert_eq!(by_reward.pending_gradients().1.bias()[a], -0.5);
    assert_eq!(by_target.pending_gradients().1.bias()[a], -2.0);
    // The policy's estimate does not depend on the critic's target.
    assert_eq!(
        by_reward.pending_gradients().0,
        by_target.pending_gradients().0
    );
}

/// After one step with bias correction Adam's `m̂ = g` and `v̂ = g²`, AdaMax's `m̂ = g` and
/// `u = |g|`: both step by `α g / (|g| + ε)`, the learning rate times the gradient's sign.
#[test]
fn adam_and_adamax_first_steps_move_each_parameter_by_the_learning_rate() {
    let (learning_rate, beta1, epsilon) = (0.01, 0.9, 1e-8);
    for optimiser in [
        Optimiser::Adam {
            learning_rate,
            beta1,
            beta2: 0.999,
            epsilon,
        },
        Optimiser::AdaMax {
            learning_rate,
            beta1,
            beta2: 0.95,
            epsilon,
        },
    ] {
        let config = Config {
            policy_optimiser: optimiser,
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
                    (step - expected_sign * learning_rate * s.signum()).abs() < 1e-6,
                    "{optimiser:?} {k} {d}: {step}"
                );
            }
            assert!((p.bias()[k] - expected_sign * learning_rate).abs() < 1e-6);
        }
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

/// `update` clips the mean gradient (a screen in `f32` skips the exact norm for short ones):
/// with SGD at learning rate 1 and no momentum, the step is exactly the clipped mean, which
/// `clip::clip` computes independently, for gradients from far below the limit to far above.
fn update_clips_like_clip<S: Scalar>() {
    use rand_core::Rng;
    let mut rng = Xoshiro128PlusPlus::seed_from_u64(18);
    let (mut clipped, mut kept) = (0, 0);
    for limit in [0.5, 1.0, 2.0, 5.0, 20.0] {
        for reward in [0.05, 0.3, 1.0, 3.0, 10.0] {
            let config = Config {
                policy_optimiser: Optimiser::Sgd {
                    learning_rate: S::ONE,
                    momentum: S::ZERO,
                },
                max_gradient_norm: S::from_f64(limit),
                ..Bandit::config::<S>(Estimator::Reinforce).unwrap()
            };
            let mut agent = Agent::<S, 4, 4>::new(config).unwrap();
            let count = 1 + rng.next_u32() % 3;
            for _ in 0..count {
                let features: [S; 4] =
                    core::array::from_fn(|_| S::from_f64(rng.next_u32() as f64 / 2e9 - 1.0));
                let decision = agent.act(&mut rng, &features).unwrap();
                agent
                    .observe(&mut rng, &decision, S::from_f64(reward))
                    .unwrap();
            }
            let mut expected = *agent.pending_gradients().0;
            let inverse = S::ONE / S::from_i32(count as i32);
            for run in expected.slices_mut() {
                for v in run.iter_mut() {
                    *v *= inverse;
                }
            }
            let before = clip::clip(&mut expected, S::from_f64(limit));
            if before.to_f64() > limit {
                clipped += 1;
            } else {
                kept += 1;
            }
            agent.update().unwrap();
            let step = agent.policy().parameters();
            for (got, want) in step
                .weights()
                .iter()
                .flatten()
                .zip(expected.weights().iter().flatten())
            {
                // θ = 0 − g: the same value, up to the rounding of scaling before or after
                // the norm (two roundings of a value below the limit).
                let tolerance = 4.0 * S::EPSILON.to_f64() * (limit + 1.0);
                assert!(
                    (got.to_f64() + want.to_f64()).abs() <= tolerance,
                    "limit {limit} reward {reward}: {got:?} vs {want:?}"
                );
            }
        }
    }
    assert!(clipped >= 5 && kept >= 5, "{clipped} clipped, {kept} kept");
}

#[test]
fn update_clips_the_mean_gradient_like_clip_in_f32() {
    update_clips_like_clip::<f32>();
}

#[cfg(feature = "fixed")]
#[test]
fn update_clips_the_mean_gradient_like_clip_in_fixed_point() {
    update_clips_like_clip::<gumbel::Fixed>();
}

#[test]
fn a_decision_prints_its_action_and_whether_it_kept_its_noise() {
    let agent = BanditAgent::new(Bandit::config(Estimator::Reinforce).unwrap()).unwrap();
    let mut rng = Xoshiro128PlusPlus::seed_from_u64(19);
    let decision = agent.act(&mut rng, &[0.0; 4]).unwrap();
    let printed = format!("{decision:?}");
    assert!(
        printed.contains(&format!("action: {}", decision.action())),
        "{printed}"
    );
    assert!(printed.contains("has_noise: false"), "{printed}");
}
