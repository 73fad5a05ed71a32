//! The C interface on the host, called as C would call it: the same results as the library, and
//! every bad call an error code. (On the chips, `qemu/main.c` replays the pinned vectors and
//! trains the bandit through the same functions.)

use core::ffi::c_void;
use core::ptr::{null, null_mut};

use gumbel::estimators::reparam;
use gumbel::learner::{Agent, Estimator};
use gumbel::tasks::{Bandit, ContextualBandit};
use gumbel::{Fixed, Scalar, Temperature, categorical, concrete, topk};
use gumbel_capi::*;
use rand_core::{Rng, SeedableRng};
use rand_xoshiro::Xoshiro128PlusPlus;

use gumbel_status::*;

fn seeded(seed: u64) -> gumbel_rng {
    let mut rng = gumbel_rng { s: [0; 4] };
    // SAFETY: a valid, exclusive pointer.
    assert_eq!(unsafe { gumbel_rng_seed(&mut rng, seed) }, GUMBEL_OK);
    rng
}

/// Memory aligned as GUMBEL_AGENT_ALIGN asks.
#[repr(C, align(8))]
struct Aligned<const N: usize>([u8; N]);

impl<const N: usize> Aligned<N> {
    fn new() -> Self {
        Self([0; N])
    }
    fn ptr(&mut self) -> *mut c_void {
        self.0.as_mut_ptr().cast()
    }
}

#[test]
fn the_generator_is_xoshiro128plusplus_seeded_as_in_rust() {
    for seed in [0, 1, 2017, u64::MAX] {
        let mut c = seeded(seed);
        let mut rust = Xoshiro128PlusPlus::seed_from_u64(seed);
        for _ in 0..1000 {
            let mut word = 0;
            // SAFETY: valid, exclusive pointers.
            assert_eq!(unsafe { gumbel_rng_next_u32(&mut c, &mut word) }, GUMBEL_OK);
            assert_eq!(word, rust.next_u32());
        }
    }
    // An all-zero state is replaced, as rand_xoshiro does, so it never sticks at zero.
    let mut zero = gumbel_rng { s: [0; 4] };
    let mut word = 0;
    // SAFETY: valid, exclusive pointers.
    let status = unsafe { gumbel_rng_next_u32(&mut zero, &mut word) };
    assert_eq!(status, GUMBEL_OK);
    assert_ne!(zero.s, [0; 4]);
}

#[test]
fn samplers_give_the_library_results_in_both_scalars() {
    fn check<C: Copy + PartialEq + core::fmt::Debug, S: Scalar>(
        logits: [C; 5],
        lambda: C,
        from: fn(C) -> S,
        to: fn(S) -> C,
        sample: unsafe extern "C" fn(
            *mut gumbel_rng,
            *const C,
            usize,
            *const bool,
            C,
            *mut C,
        ) -> gumbel_status,
        top_k: unsafe extern "C" fn(
            *mut gumbel_rng,
            *const C,
            usize,
            *const bool,
            *mut usize,
            *mut C,
            usize,
        ) -> gumbel_status,
    ) {
        let allowed = [true, false, true, true, true];
        let rust_logits = logits.map(from);
        let t = Temperature::new(from(lambda)).unwrap();
        let mut c_rng = seeded(5);
        let mut rust_rng = Xoshiro128PlusPlus::seed_from_u64(5);
        for _ in 0..50 {
            let mut out = [logits[0]; 5];
            // SAFETY: valid pointers and lengths, no overlap.
            let status = unsafe {
                sample(
                    &mut c_rng,
                    logits.as_ptr(),
                    5,
                    allowed.as_ptr(),
                    lambda,
                    out.as_mut_ptr(),
                )
            };
            assert_eq!(status, GUMBEL_OK);
            let mut expected = [S::ZERO; 5];
            concrete::sample(
                &mut rust_rng,
                &rust_logits,
                Some(&allowed),
                t,
                &mut expected,
            )
            .unwrap();
            assert_eq!(out, expected.map(to));

            let (mut indices, mut keys) = ([9usize; 3], [logits[0]; 3]);
            // SAFETY: valid pointers and lengths, no overlap.
            let status = unsafe {
                top_k(
                    &mut c_rng,
                    logits.as_ptr(),
                    5,
                    null(),
                    indices.as_mut_ptr(),
                    keys.as_mut_ptr(),
                    3,
                )
            };
            assert_eq!(status, GUMBEL_OK);
            let (mut rust_indices, mut rust_keys) = ([0usize; 3], [S::ZERO; 3]);
            topk::top_k(
                &mut rust_rng,
                &rust_logits,
                None,
                &mut rust_indices,
                &mut rust_keys,
            )
            .unwrap();
            assert_eq!((indices, keys), (rust_indices, rust_keys.map(to)));
        }
        assert_eq!(c_rng.s, words(&rust_rng), "the same number of words drawn");
    }
    check::<f32, f32>(
        [0.5, -1.0, 2.0, 0.0, -0.25],
        0.5,
        |x| x,
        |x| x,
        gumbel_concrete_sample_f32,
        gumbel_top_k_f32,
    );
    check::<i32, Fixed>(
        [32768, -65536, 131072, 0, -16384],
        32768,
        Fixed::from_bits,
        Fixed::bits,
        gumbel_concrete_sample_fixed,
        gumbel_top_k_fixed,
    );
}

#[test]
fn the_relaxed_vjp_and_straight_through_take_the_noise_of_the_draw() {
    let logits = [0.5f32, -1.0, 2.0, 0.0];
    let t = Temperature::new(0.5f32).unwrap();
    let mut rng = seeded(11);
    let (mut noise, mut action) = ([0.0f32; 4], 99usize);
    // SAFETY: valid pointers and lengths, no overlap.
    let status = unsafe {
        gumbel_categorical_sample_with_noise_f32(
            &mut rng,
            logits.as_ptr(),
            4,
            null(),
            noise.as_mut_ptr(),
            &mut action,
        )
    };
    assert_eq!(status, GUMBEL_OK);
    let (mut soft, mut argmax) = ([0.0f32; 4], 99usize);
    // SAFETY: valid pointers and lengths, no overlap.
    let status = unsafe {
        gumbel_concrete_from_noise_f32(
            logits.as_ptr(),
            4,
            null(),
            noise.as_ptr(),
            0.5,
            soft.as_mut_ptr(),
            &mut argmax,
        )
    };
    assert_eq!((status, argmax), (GUMBEL_OK, action));

    let mut gradient = [1.0f32, -1.0, 2.0, 0.5];
    let mut expected = gradient;
    let mut d_lambda = 0.0f32;
    // SAFETY: valid pointers and lengths, no overlap.
    let status = unsafe {
        gumbel_reparam_concrete_f32(
            logits.as_ptr(),
            4,
            null(),
            noise.as_ptr(),
            0.5,
            gradient.as_mut_ptr(),
            &mut d_lambda,
        )
    };
    assert_eq!(status, GUMBEL_OK);
    let expected_d_lambda = reparam::concrete(&logits, None, &noise, t, &mut expected).unwrap();
    assert_eq!((gradient, d_lambda), (expected, expected_d_lambda));

    // Straight-through backward is the same product without the temperature term.
    let mut straight = [1.0f32, -1.0, 2.0, 0.5];
    // SAFETY: valid pointers and lengths, no overlap.
    let status = unsafe {
        gumbel_straight_through_backward_f32(
            logits.as_ptr(),
            4,
            null(),
            noise.as_ptr(),
            0.5,
            straight.as_mut_ptr(),
        )
    };
    assert_eq!((status, straight), (GUMBEL_OK, expected));

    let (mut rust_rng, mut c_rng) = (Xoshiro128PlusPlus::seed_from_u64(3), seeded(3));
    let rust = categorical::sample(&mut rust_rng, &logits).unwrap();
    // SAFETY: valid pointers and lengths, no overlap.
    let status = unsafe {
        gumbel_categorical_sample_f32(&mut c_rng, logits.as_ptr(), 4, null(), &mut action)
    };
    assert_eq!((status, action), (GUMBEL_OK, rust));
}

#[test]
fn bad_pointers_are_error_codes_and_draw_nothing() {
    let mut rng = seeded(1);
    let before = rng;
    let mut buffer = [0.0f32; 8];
    let logits = buffer.as_mut_ptr();
    let mut out = [0.0f32; 8];
    let mut action = 0usize;
    // SAFETY: every call below passes pointers valid for what they claim, or the bad pointers
    // under test, which the functions must reject before reading or writing.
    unsafe {
        let sample = |rng: *mut gumbel_rng, logits: *const f32, len, allowed, action| {
            gumbel_categorical_sample_f32(rng, logits, len, allowed, action)
        };
        assert_eq!(
            sample(null_mut(), logits, 4, null(), &mut action),
            GUMBEL_ERR_NULL_POINTER
        );
        assert_eq!(
            sample(&mut rng, null(), 4, null(), &mut action),
            GUMBEL_ERR_NULL_POINTER
        );
        assert_eq!(
            sample(&mut rng, null(), 0, null(), &mut action),
            GUMBEL_ERR_EMPTY
        );
        assert_eq!(
            sample(&mut rng, logits, 4, null(), null_mut()),
            GUMBEL_ERR_NULL_POINTER
        );
        let misaligned = logits.cast::<u8>().add(2).cast::<f32>();
        assert_eq!(
            sample(&mut rng, misaligned, 4, null(), &mut action),
            GUMBEL_ERR_MISALIGNED
        );
        assert_eq!(
            sample(&mut rng, logits, usize::MAX / 2, null(), &mut action),
            GUMBEL_ERR_INVALID_BUFFER
        );
        let bytes = [1u8, 0, 3, 1];
        assert_eq!(
            sample(&mut rng, logits, 4, bytes.as_ptr().cast(), &mut action),
            GUMBEL_ERR_INVALID_MASK
        );
        let concrete = |rng: *mut gumbel_rng, lambda, out| {
            gumbel_concrete_sample_f32(rng, logits, 4, null(), lambda, out)
        };
        assert_eq!(concrete(&mut rng, 1.0, logits.add(2)), GUMBEL_ERR_OVERLAP);
        let inside = out.as_mut_ptr().cast::<gumbel_rng>();
        assert_eq!(concrete(inside, 1.0, out.as_mut_ptr()), GUMBEL_ERR_OVERLAP);
        assert_eq!(
            concrete(&mut rng, f32::NAN, out.as_mut_ptr()),
            GUMBEL_ERR_INVALID_TEMPERATURE
        );
        *logits.add(1) = f32::NAN;
        assert_eq!(concrete(&mut rng, 1.0, out.as_mut_ptr()), GUMBEL_ERR_NAN);
        assert_eq!(rng, before, "no failed call drew a word");

        *logits.add(1) = 0.0;
        assert_eq!(
            concrete(&mut rng, 1.0, logits.add(4)),
            GUMBEL_OK,
            "adjacent, not overlapping"
        );
        assert_ne!(rng, before);
        // Two inputs may share memory; only outputs may not.
        assert_eq!(
            gumbel_concrete_from_noise_f32(
                logits,
                4,
                null(),
                logits,
                1.0,
                out.as_mut_ptr(),
                &mut action
            ),
            GUMBEL_OK
        );
        assert_eq!(
            gumbel_binary_log_density_f32(0.0, 1.0, 1.0, out.as_mut_ptr()),
            GUMBEL_ERR_OUTSIDE_SUPPORT
        );
    }
}

#[test]
fn every_status_has_a_message() {
    for code in -70..=0 {
        // SAFETY: the function returns a static NUL-terminated string.
        let message = unsafe { core::ffi::CStr::from_ptr(gumbel_status_message(code)) };
        let known = (-15..=0).contains(&code) || code == -63 || (-70..=-64).contains(&code);
        assert_eq!(
            message.to_str().unwrap() != "unknown status",
            known,
            "{code}"
        );
    }
}

fn bandit_config() -> gumbel_agent_config<f32> {
    let sgd = |learning_rate, momentum| gumbel_optimiser {
        kind: GUMBEL_OPTIMISER_SGD,
        learning_rate,
        momentum,
        beta1: 0.0,
        beta2: 0.0,
        epsilon: 0.0,
    };
    gumbel_agent_config {
        estimator: GUMBEL_ESTIMATOR_RELAX,
        gumbel_rao_samples: 0,
        temperature: 0.5,
        policy_optimiser: sgd(0.01, 0.9),
        critic_optimiser: sgd(0.05, 0.0),
        max_gradient_norm: 5.0,
        baseline_decay: 0.95,
    }
}

#[test]
fn an_agent_through_c_learns_exactly_as_the_rust_agent() {
    let config = bandit_config();
    let mut memory = Aligned::<GUMBEL_AGENT_4X4_SIZE>::new();
    let mut decision = Aligned::<GUMBEL_DECISION_4X4_SIZE>::new();
    let mut agent = null_mut();
    // SAFETY: valid, exclusive pointers of the sizes given.
    let status = unsafe {
        gumbel_agent_create_f32_4x4(memory.ptr(), GUMBEL_AGENT_4X4_SIZE, &config, &mut agent)
    };
    assert_eq!(status, GUMBEL_OK);
    let mut rust = Agent::<f32, 4, 4>::new(Bandit::config(Estimator::Relax).unwrap()).unwrap();
    let (mut bandit, mut c_bandit) = (Bandit::new(), Bandit::new());
    let mut rust_rng = Xoshiro128PlusPlus::seed_from_u64(2017);
    let mut task_rng = Xoshiro128PlusPlus::seed_from_u64(2017);
    let mut c_rng = seeded(2017);
    for _ in 0..500 {
        bandit.train_step(&mut rust, &mut rust_rng).unwrap();
        // The same step through C: the task draws from a copy of the C generator's stream.
        let features = c_bandit.next_context::<f32, _>(&mut task_rng);
        c_rng.s = words(&task_rng);
        let mut action = 99;
        // SAFETY: valid, exclusive pointers of the sizes given; `agent` was created above.
        let status = unsafe {
            gumbel_agent_act_f32(
                agent,
                &mut c_rng,
                features.as_ptr(),
                4,
                decision.ptr(),
                GUMBEL_DECISION_4X4_SIZE,
                &mut action,
            )
        };
        assert_eq!(status, GUMBEL_OK);
        task_rng = load(&c_rng);
        let reward: f32 = c_bandit.reward(&mut task_rng, action).unwrap();
        c_rng.s = words(&task_rng);
        // SAFETY: as above; `decision` was written by `act`.
        unsafe {
            let d = decision.ptr();
            assert_eq!(
                gumbel_agent_observe_f32(agent, &mut c_rng, d, GUMBEL_DECISION_4X4_SIZE, reward),
                GUMBEL_OK
            );
            assert_eq!(gumbel_agent_update(agent), GUMBEL_OK);
        }
        task_rng = load(&c_rng);
    }
    assert_eq!(
        words(&task_rng),
        words(&rust_rng),
        "the same random words were drawn"
    );
    let mut blob = [0u8; GUMBEL_AGENT_4X4_BLOB_SIZE];
    let mut written = 0;
    // SAFETY: valid, exclusive pointers of the sizes given.
    let status = unsafe { gumbel_agent_save(agent, blob.as_mut_ptr(), blob.len(), &mut written) };
    assert_eq!((status, written), (GUMBEL_OK, Agent::<f32, 4, 4>::BLOB_LEN));
    let mut expected = [0u8; GUMBEL_AGENT_4X4_BLOB_SIZE];
    rust.save(&mut expected).unwrap();
    assert_eq!(blob, expected, "the same learned state, bit for bit");
}

fn words(rng: &Xoshiro128PlusPlus) -> [u32; 4] {
    let bytes = rng.state();
    core::array::from_fn(|i| u32::from_le_bytes(bytes[4 * i..4 * i + 4].try_into().unwrap()))
}

fn load(rng: &gumbel_rng) -> Xoshiro128PlusPlus {
    let mut seed = [0u8; 16];
    for (i, w) in rng.s.iter().enumerate() {
        seed[4 * i..4 * i + 4].copy_from_slice(&w.to_le_bytes());
    }
    Xoshiro128PlusPlus::from_seed(seed)
}

#[test]
fn agents_check_their_memory_their_kind_and_their_decisions() {
    let mut config = bandit_config();
    let mut memory = Aligned::<GUMBEL_AGENT_4X4_SIZE>::new();
    let mut small = Aligned::<GUMBEL_AGENT_2X2_SIZE>::new();
    let mut small_decision = Aligned::<GUMBEL_DECISION_2X2_SIZE>::new();
    let (mut agent, mut agent2x2) = (null_mut(), null_mut());
    let mut rng = seeded(1);
    let mut action = 0;
    // SAFETY: every call below passes pointers valid for the sizes given, or the bad pointers
    // under test, which must be rejected before use.
    unsafe {
        // The header's sizes are exact on a 64-bit host (and spare a few bytes on 32-bit cores).
        let create = |memory, size, config: &gumbel_agent_config<f32>, agent| {
            gumbel_agent_create_f32_4x4(memory, size, config, agent)
        };
        assert_eq!(
            create(memory.ptr(), GUMBEL_AGENT_4X4_SIZE - 1, &config, &mut agent),
            GUMBEL_ERR_BUFFER_TOO_SMALL
        );
        let shifted = memory.ptr().cast::<u8>().add(4).cast();
        assert_eq!(
            create(shifted, GUMBEL_AGENT_4X4_SIZE - 4, &config, &mut agent),
            GUMBEL_ERR_MISALIGNED
        );
        config.estimator = GUMBEL_ESTIMATOR_GUMBEL_RAO;
        for bad in [0, 65536] {
            config.gumbel_rao_samples = bad;
            assert_eq!(
                create(memory.ptr(), GUMBEL_AGENT_4X4_SIZE, &config, &mut agent),
                GUMBEL_ERR_INVALID_PARAMETER
            );
        }
        config.gumbel_rao_samples = 10;
        config.policy_optimiser.kind = 2;
        assert_eq!(
            create(memory.ptr(), GUMBEL_AGENT_4X4_SIZE, &config, &mut agent),
            GUMBEL_ERR_INVALID_PARAMETER
        );
        config.policy_optimiser.kind = GUMBEL_OPTIMISER_ADAM;
        config.policy_optimiser.beta1 = 0.9;
        config.policy_optimiser.beta2 = 0.999;
        config.policy_optimiser.epsilon = 1e-8;
        assert_eq!(
            gumbel_agent_update(memory.ptr().cast()),
            GUMBEL_ERR_NOT_INITIALISED,
            "zeroed memory"
        );
        assert_eq!(
            create(memory.ptr(), GUMBEL_AGENT_4X4_SIZE, &config, &mut agent),
            GUMBEL_OK
        );
        assert_eq!(agent.cast::<c_void>(), memory.ptr());
        assert_eq!(
            create(
                memory.ptr(),
                GUMBEL_AGENT_4X4_SIZE,
                &config,
                memory.ptr().cast()
            ),
            GUMBEL_ERR_OVERLAP,
            "the agent pointer written into the agent"
        );
        assert_eq!(
            gumbel_agent_create_f32_2x2(small.ptr(), GUMBEL_AGENT_2X2_SIZE, &config, &mut agent2x2),
            GUMBEL_OK
        );
        let fixed_features = [65536i32, 0];
        assert_eq!(
            gumbel_agent_act_fixed(
                agent2x2,
                &mut rng,
                fixed_features.as_ptr(),
                2,
                small_decision.ptr(),
                GUMBEL_DECISION_2X2_SIZE,
                &mut action
            ),
            GUMBEL_ERR_WRONG_KIND
        );
        let features = [1.0f32, 0.0];
        assert_eq!(
            gumbel_agent_act_f32(
                agent2x2,
                &mut rng,
                features.as_ptr(),
                2,
                small_decision.ptr(),
                GUMBEL_DECISION_2X2_SIZE,
                &mut action
            ),
            GUMBEL_OK
        );
        assert!(action < 2);
        // A 2x2 decision to a 4x4 agent; an agent given as a decision.
        let observe = |agent, decision, size| {
            let mut rng = seeded(2);
            gumbel_agent_observe_f32(agent, &mut rng, decision, size, 1.0)
        };
        assert_eq!(
            observe(agent, small_decision.ptr(), GUMBEL_DECISION_4X4_SIZE),
            GUMBEL_ERR_WRONG_KIND
        );
        assert_eq!(
            observe(agent, small.ptr(), GUMBEL_DECISION_4X4_SIZE),
            GUMBEL_ERR_NOT_INITIALISED
        );
        assert_eq!(
            observe(agent2x2, small_decision.ptr(), GUMBEL_DECISION_2X2_SIZE - 1),
            GUMBEL_ERR_BUFFER_TOO_SMALL
        );
        assert_eq!(
            observe(agent2x2, small_decision.ptr(), GUMBEL_DECISION_2X2_SIZE),
            GUMBEL_OK
        );
        assert_eq!(
            gumbel_agent_observe_f32(
                agent2x2,
                &mut rng,
                small_decision.ptr(),
                GUMBEL_DECISION_2X2_SIZE,
                f32::INFINITY
            ),
            GUMBEL_ERR_NOT_FINITE
        );
        assert_eq!(gumbel_agent_update(agent2x2), GUMBEL_OK);

        // Save and load: sizes, foreign shapes and corruption.
        let mut blob = [0u8; GUMBEL_AGENT_8X8_BLOB_SIZE];
        let mut written = 0;
        assert_eq!(
            gumbel_agent_save(
                agent2x2,
                blob.as_mut_ptr(),
                GUMBEL_AGENT_2X2_BLOB_SIZE - 1,
                null_mut()
            ),
            GUMBEL_ERR_BUFFER_TOO_SMALL
        );
        assert_eq!(
            gumbel_agent_save(agent2x2, blob.as_mut_ptr(), blob.len(), &mut written),
            GUMBEL_OK
        );
        assert_eq!(written, GUMBEL_AGENT_2X2_BLOB_SIZE);
        assert_eq!(
            gumbel_agent_load(agent, blob.as_ptr(), written),
            GUMBEL_ERR_CORRUPTED_STATE,
            "a 2x2 save into a 4x4 agent"
        );
        assert_eq!(
            gumbel_agent_load(agent2x2, blob.as_ptr(), written),
            GUMBEL_OK
        );
        blob[20] ^= 0x10;
        assert_eq!(
            gumbel_agent_load(agent2x2, blob.as_ptr(), written),
            GUMBEL_ERR_CORRUPTED_STATE
        );
    }
}

#[test]
fn every_library_error_has_its_own_code() {
    use gumbel::Error;
    let errors = [
        Error::Empty,
        Error::LengthMismatch {
            expected: 1,
            found: 2,
        },
        Error::Nan { index: 0 },
        Error::NotFinite { index: 0 },
        Error::AllMasked,
        Error::TooFewActions {
            requested: 2,
            available: 1,
        },
        Error::InvalidTemperature,
        Error::BufferTooSmall {
            needed: 2,
            found: 1,
        },
        Error::OutsideSupport,
        Error::UnavailableAction { index: 9 },
        Error::NoiseMismatch,
        Error::InvalidParameter,
        Error::NonFiniteUpdate,
        Error::CorruptedState,
        Error::EpisodeOver,
    ];
    for (i, error) in errors.into_iter().enumerate() {
        assert_eq!(
            gumbel_status::from(error) as i32,
            -(i as i32) - 1,
            "{error}"
        );
    }
}
