//! Bad input to the conditional samplers and the estimators gives the documented `Error`, never
//! a panic, leaves the outputs untouched and draws no random words; extreme but valid input
//! gives finite gradients. Also the exact values of the baseline and the schedules.

use gumbel::conditional;
use gumbel::estimators::control_variate::{AdaptiveEta, BinarySurrogate, Surrogate, Terms};
use gumbel::estimators::schedule::Schedule;
use gumbel::estimators::score::{self, Baseline};
use gumbel::estimators::{
    Buffers, Choice, Draw, gumbel_rao, rebar, relax, reparam, straight_through,
};
use gumbel::{Error, Temperature, categorical};
use rand_core::{Rng, SeedableRng};
use rand_xoshiro::Xoshiro128PlusPlus;

const SENTINEL: f32 = 12345.0;
const NAN: f32 = f32::NAN;
const INF: f32 = f32::INFINITY;

fn lambda(x: f32) -> Temperature<f32> {
    Temperature::new(x).unwrap()
}

fn rng() -> Xoshiro128PlusPlus {
    Xoshiro128PlusPlus::seed_from_u64(1)
}

/// Runs `call` with a fresh generator and a sentinel-filled output of length `n`; checks the
/// error, that the output is untouched and that no random word was drawn.
fn refused(
    n: usize,
    expected: Error,
    call: impl FnOnce(&mut Xoshiro128PlusPlus, &mut [f32]) -> Result<(), Error>,
) {
    let mut generator = rng();
    let mut out = vec![SENTINEL; n];
    assert_eq!(call(&mut generator, &mut out), Err(expected));
    assert!(
        out.iter().all(|&x| x == SENTINEL),
        "output written: {out:?}"
    );
    assert_eq!(generator.next_u32(), rng().next_u32(), "random words drawn");
}

struct Quadratic;

impl Surrogate<f32> for Quadratic {
    fn evaluate(&mut self, x: &[f32], gradient: &mut [f32]) -> Result<f32, Error> {
        let mut value = 0.0;
        for (g, &xi) in gradient.iter_mut().zip(x) {
            value += xi * xi;
            *g = 2.0 * xi;
        }
        Ok(value)
    }
}

impl BinarySurrogate<f32> for Quadratic {
    fn evaluate(&mut self, x: f32) -> Result<(f32, f32), Error> {
        Ok((x * x, 2.0 * x))
    }
}

/// A surrogate that returns `value` and a gradient of `slope` everywhere (or fails).
struct Broken {
    value: f32,
    slope: f32,
    fail: bool,
}

impl Surrogate<f32> for Broken {
    fn evaluate(&mut self, _: &[f32], gradient: &mut [f32]) -> Result<f32, Error> {
        if self.fail {
            return Err(Error::OutsideSupport);
        }
        gradient.fill(self.slope);
        Ok(self.value)
    }
}

impl BinarySurrogate<f32> for Broken {
    fn evaluate(&mut self, _: f32) -> Result<(f32, f32), Error> {
        if self.fail {
            return Err(Error::OutsideSupport);
        }
        Ok((self.value, self.slope))
    }
}

#[test]
fn relaxed_vjp_refuses_bad_input() {
    let logits = [0.5f32, -1.0, 2.0];
    let noise = [0.1f32, 0.2, -0.3];
    let l = lambda(0.5);
    let with = |upstream: [f32; 3]| {
        move |_: &mut Xoshiro128PlusPlus, out: &mut [f32]| {
            let mut v = upstream;
            let result = reparam::concrete(&logits, None, &noise, l, &mut v).map(|_| ());
            if result.is_ok() {
                out.copy_from_slice(&v);
            }
            result
        }
    };
    refused(3, Error::Nan { index: 1 }, with([1.0, NAN, 0.0]));
    refused(3, Error::NotFinite { index: 2 }, with([1.0, 0.0, -INF]));
    // An upstream buffer that would be left half-written: check it directly.
    let mut v = [1.0f32, 2.0, NAN];
    assert_eq!(
        reparam::concrete(&logits, None, &noise, l, &mut v),
        Err(Error::Nan { index: 2 })
    );
    assert_eq!(v[..2], [1.0, 2.0]);
    let mut short = [1.0f32; 2];
    assert_eq!(
        reparam::concrete(&logits, None, &noise, l, &mut short),
        Err(Error::LengthMismatch {
            expected: 3,
            found: 2
        })
    );
    assert_eq!(
        reparam::concrete(&logits, None, &noise[..2], l, &mut [0.0; 3]),
        Err(Error::LengthMismatch {
            expected: 3,
            found: 2
        })
    );
    assert_eq!(
        reparam::concrete(&logits, None, &[0.0, NAN, 0.0], l, &mut [0.0; 3]),
        Err(Error::Nan { index: 1 })
    );
    assert_eq!(
        reparam::concrete::<f32>(&[], None, &[], l, &mut []),
        Err(Error::Empty)
    );
    assert_eq!(
        reparam::concrete(&[NAN, 0.0], None, &[0.0, 0.0], l, &mut [0.0; 2]),
        Err(Error::Nan { index: 0 })
    );
    assert_eq!(
        reparam::concrete(&[-INF, -INF], None, &[0.0, 0.0], l, &mut [0.0; 2]),
        Err(Error::AllMasked)
    );
    // A gradient that would overflow f32: tiny λ, large upstream.
    let mut v = [1e30f32, -1e30, 0.0];
    assert_eq!(
        reparam::concrete(&logits, None, &noise, lambda(1e-30), &mut v),
        Err(Error::NonFiniteUpdate)
    );
    assert_eq!(v, [1e30, -1e30, 0.0]);

    assert_eq!(
        reparam::binary(0.0, 0.0, l, NAN),
        Err(Error::Nan { index: 0 })
    );
    assert_eq!(
        reparam::binary(NAN, 0.0, l, 1.0),
        Err(Error::Nan { index: 0 })
    );
    assert_eq!(
        reparam::binary(INF, 0.0, l, 1.0),
        Err(Error::NotFinite { index: 0 })
    );
    assert_eq!(
        reparam::binary(0.0, 0.0, lambda(1e-38), 1e38),
        Err(Error::NonFiniteUpdate)
    );
    assert_eq!(
        straight_through::backward_binary(0.0, 0.0, l, INF),
        Err(Error::NotFinite { index: 0 })
    );
    let mut v = [0.0f32, NAN, 0.0];
    assert_eq!(
        straight_through::backward(&logits, None, &noise, l, &mut v),
        Err(Error::Nan { index: 1 })
    );
}

#[test]
fn temperatures_and_schedules() {
    for bad in [0.0f32, -0.0, -1.0, NAN, INF, -INF] {
        assert_eq!(Temperature::new(bad), Err(Error::InvalidTemperature));
        assert_eq!(Schedule::constant(bad), Err(Error::InvalidTemperature));
        assert_eq!(
            Schedule::exponential_decay(bad, 0.1, 0.5),
            Err(Error::InvalidTemperature)
        );
        assert_eq!(
            Schedule::exponential_decay(1.0, 0.1, bad),
            Err(Error::InvalidTemperature)
        );
        let mut s = Schedule::constant(1.0f32).unwrap();
        assert_eq!(s.set(bad), Err(Error::InvalidTemperature));
        assert_eq!(s.at(0).get(), 1.0);
    }
    for bad_rate in [-1e-3f32, NAN, INF] {
        assert_eq!(
            Schedule::exponential_decay(1.0, bad_rate, 0.5),
            Err(Error::InvalidParameter)
        );
    }
    // Jang et al.: max(0.5, exp(-r t)), r = 1e-3; compare with f64 within 2 ulps.
    let s = Schedule::exponential_decay(1.0f32, 1e-3, 0.5).unwrap();
    for step in [0u32, 1, 10, 100, 500, 693, 694, 1000, 10_000, u32::MAX] {
        // f32 rounds r·t (≤ ε/2 relative, |r t| < 0.7 above the floor), e^x (1 ulp) and the
        // product with λ_0 = 1 (exact): within 2ε of the f64 value.
        let expected = (-(f64::from(1e-3f32) * f64::from(step))).exp().max(0.5);
        let got = f64::from(s.at(step).get());
        assert!(
            (got - expected).abs() <= 2.0 * f64::from(f32::EPSILON) * expected,
            "step {step}: {got} vs {expected}"
        );
    }
    let mut s = Schedule::constant(2.0f32).unwrap();
    assert_eq!(s.at(1_000_000).get(), 2.0);
    s.set(0.25).unwrap();
    assert_eq!(s.at(0).get(), 0.25);
    assert_eq!(s, Schedule::constant(0.25).unwrap());
}

#[test]
fn score_and_baseline() {
    let logits = [0.0f32, 1.0, -INF];
    refused(3, Error::UnavailableAction { index: 2 }, |_, out| {
        score::categorical(&logits, None, 2, out)
    });
    refused(3, Error::UnavailableAction { index: 3 }, |_, out| {
        score::categorical(&logits, None, 3, out)
    });
    refused(3, Error::UnavailableAction { index: 1 }, |_, out| {
        score::categorical(&logits, Some(&[true, false, true]), 1, out)
    });
    refused(
        2,
        Error::LengthMismatch {
            expected: 3,
            found: 2,
        },
        |_, out| score::categorical(&logits, None, 0, out),
    );
    refused(3, Error::Nan { index: 0 }, |_, out| {
        score::reinforce_categorical(&logits, None, 0, NAN, 0.0, out)
    });
    refused(3, Error::NotFinite { index: 0 }, |_, out| {
        score::reinforce_categorical(&logits, None, 0, 1.0, INF, out)
    });
    assert_eq!(
        score::reinforce_bernoulli(0.0, true, NAN, 0.0),
        Err(Error::Nan { index: 0 })
    );
    assert_eq!(score::bernoulli(NAN, true), Err(Error::Nan { index: 0 }));
    // one-hot − softmax, exactly at a symmetric point; masked coordinates 0.
    let mut out = [0.0f32; 3];
    score::categorical(&[0.0, 0.0, -INF], None, 1, &mut out).unwrap();
    assert_eq!(out, [-0.5, 0.5, 0.0]);
    assert_eq!(score::bernoulli(0.0f32, true).unwrap(), 0.5);
    assert_eq!(score::bernoulli(0.0f32, false).unwrap(), -0.5);
    // Logits of ±1e30: finite.
    score::categorical(&[1e30, -1e30, 0.0], None, 1, &mut out).unwrap();
    assert_eq!(out, [-1.0, 1.0, 0.0]);

    for bad in [-0.1f32, 1.0, 1.5, NAN] {
        assert_eq!(Baseline::new(bad), Err(Error::InvalidParameter));
    }
    // The exact mean for the first 1/(1 − decay) = 4 rewards, then an EMA with weight 1/4.
    let mut b = Baseline::new(0.75f32).unwrap();
    for (reward, expected) in [
        (4.0f32, 4.0f32),
        (8.0, 6.0),
        (0.0, 4.0),
        (4.0, 4.0),
        (8.0, 5.0),
    ] {
        b.update(reward).unwrap();
        assert_eq!(b.value(), expected);
    }
    let before = b;
    assert_eq!(b.update(NAN), Err(Error::Nan { index: 0 }));
    assert_eq!(b.update(-INF), Err(Error::NotFinite { index: 0 }));
    assert_eq!(b, before);
    assert_eq!(b.count(), 5);
}

#[test]
fn conditional_refuses_bad_input() {
    let logits = [0.0f32, 1.0, -INF];
    for chosen in [2, 3] {
        refused(3, Error::UnavailableAction { index: chosen }, |rng, out| {
            conditional::categorical(rng, &logits, None, chosen, out)
        });
    }
    refused(
        2,
        Error::LengthMismatch {
            expected: 3,
            found: 2,
        },
        |rng, out| conditional::categorical(rng, &logits, None, 0, out),
    );
    refused(3, Error::AllMasked, |rng, out| {
        conditional::categorical(rng, &logits, Some(&[false; 3]), 0, out)
    });
    refused(3, Error::Nan { index: 1 }, |_, out| {
        conditional::categorical_from_gumbel(&logits, None, 0, &[0.0, NAN, 0.0], out)
    });
    // Noise that does not produce `chosen`.
    let mut u = [1.0f32, 1.0, 1.0];
    assert_eq!(
        conditional::categorical_backward(&logits, None, 0, &[0.0, 0.0, 0.0], &mut u),
        Err(Error::NoiseMismatch)
    );
    assert_eq!(u, [1.0; 3]);
    assert_eq!(
        conditional::binary(&mut rng(), NAN, true),
        Err(Error::Nan { index: 0 })
    );
    assert_eq!(
        conditional::binary(&mut rng(), -INF, true),
        Err(Error::NotFinite { index: 0 })
    );
    assert_eq!(
        conditional::binary_derivative(0.0f32, true, -1.0),
        Err(Error::NoiseMismatch)
    );
}

#[test]
fn gumbel_rao_refuses_bad_input() {
    let logits = [0.0f32, 1.0, -INF];
    let up = [1.0f32, -1.0, 0.0];
    let l = lambda(1.0);
    let mut scratch = [0.0f32; 3];
    refused(3, Error::InvalidParameter, |rng, out| {
        gumbel_rao::categorical(
            rng,
            Choice {
                logits: &logits,
                allowed: None,
                action: 0,
            },
            l,
            0,
            &up,
            Buffers {
                gradient: out,
                scratch: &mut scratch,
            },
        )
    });
    refused(3, Error::UnavailableAction { index: 2 }, |rng, out| {
        gumbel_rao::categorical(
            rng,
            Choice {
                logits: &logits,
                allowed: None,
                action: 2,
            },
            l,
            10,
            &up,
            Buffers {
                gradient: out,
                scratch: &mut scratch,
            },
        )
    });
    refused(3, Error::Nan { index: 1 }, |rng, out| {
        gumbel_rao::categorical(
            rng,
            Choice {
                logits: &logits,
                allowed: None,
                action: 0,
            },
            l,
            10,
            &[0.0, NAN, 0.0],
            Buffers {
                gradient: out,
                scratch: &mut scratch,
            },
        )
    });
    refused(
        3,
        Error::LengthMismatch {
            expected: 3,
            found: 2,
        },
        |rng, out| {
            gumbel_rao::categorical(
                rng,
                Choice {
                    logits: &logits,
                    allowed: None,
                    action: 0,
                },
                l,
                10,
                &up,
                Buffers {
                    gradient: out,
                    scratch: &mut [0.0; 2],
                },
            )
        },
    );
    refused(3, Error::NonFiniteUpdate, |rng, out| {
        let up = [1e30f32, 0.0, 0.0];
        gumbel_rao::categorical(
            rng,
            Choice {
                logits: &logits,
                allowed: None,
                action: 0,
            },
            lambda(1e-30),
            10,
            &up,
            Buffers {
                gradient: out,
                scratch: &mut scratch,
            },
        )
    });
    let mut generator = rng();
    assert_eq!(
        gumbel_rao::binary(&mut generator, 0.0f32, true, l, 0, 1.0),
        Err(Error::InvalidParameter)
    );
    assert_eq!(
        gumbel_rao::binary(&mut generator, 0.0f32, true, l, 10, NAN),
        Err(Error::Nan { index: 0 })
    );
    assert_eq!(generator.next_u32(), rng().next_u32());
}

#[test]
fn control_variates_refuse_bad_input() {
    let logits = [0.0f32, 1.0, -INF];
    let noise = [0.3f32, 0.1, 0.0];
    let l = lambda(0.5);
    let mut scratch = [0.0f32; 9];
    refused(
        3,
        Error::BufferTooSmall {
            needed: 9,
            found: 8,
        },
        |rng, out| {
            relax::categorical(
                rng,
                Draw {
                    logits: &logits,
                    allowed: None,
                    noise: &noise,
                },
                l,
                1.0,
                &mut Quadratic,
                Buffers {
                    gradient: out,
                    scratch: &mut [0.0; 8],
                },
            )
            .map(|_| ())
        },
    );
    refused(3, Error::Nan { index: 0 }, |rng, out| {
        relax::categorical(
            rng,
            Draw {
                logits: &logits,
                allowed: None,
                noise: &noise,
            },
            l,
            NAN,
            &mut Quadratic,
            Buffers {
                gradient: out,
                scratch: &mut scratch,
            },
        )
        .map(|_| ())
    });
    refused(3, Error::NotFinite { index: 0 }, |rng, out| {
        rebar::categorical(
            rng,
            Draw {
                logits: &logits,
                allowed: None,
                noise: &noise,
            },
            l,
            INF,
            &mut Quadratic,
            Buffers {
                gradient: out,
                scratch: &mut scratch,
            },
        )
        .map(|_| ())
    });
    refused(
        3,
        Error::BufferTooSmall {
            needed: 9,
            found: 3,
        },
        |rng, out| {
            rebar::categorical(
                rng,
                Draw {
                    logits: &logits,
                    allowed: None,
                    noise: &noise,
                },
                l,
                1.0,
                &mut Quadratic,
                Buffers {
                    gradient: out,
                    scratch: &mut [0.0; 3],
                },
            )
            .map(|_| ())
        },
    );

    // Surrogates that misbehave: their NaN is refused, their error passed through. The
    // conditional noise has been drawn by then, so only the output is checked.
    let cases = [
        (
            Broken {
                value: NAN,
                slope: 0.0,
                fail: false,
            },
            Error::Nan { index: 0 },
        ),
        (
            Broken {
                value: 0.0,
                slope: INF,
                fail: false,
            },
            Error::NotFinite { index: 0 },
        ),
        (
            Broken {
                value: 0.0,
                slope: 0.0,
                fail: true,
            },
            Error::OutsideSupport,
        ),
    ];
    for (mut surrogate, expected) in cases {
        let mut out = [SENTINEL; 3];
        let result = relax::categorical(
            &mut rng(),
            Draw {
                logits: &logits,
                allowed: None,
                noise: &noise,
            },
            l,
            1.0,
            &mut surrogate,
            Buffers {
                gradient: &mut out,
                scratch: &mut scratch,
            },
        );
        assert_eq!(result, Err(expected));
        assert_eq!(out, [SENTINEL; 3]);
        assert_eq!(
            relax::binary(&mut rng(), 0.0f32, 0.3, l, 1.0, &mut surrogate).map(|r| r.0),
            Err(expected)
        );
    }
    assert_eq!(
        rebar::binary(&mut rng(), 0.0f32, NAN, l, 1.0, &mut Quadratic).map(|r| r.0),
        Err(Error::Nan { index: 0 })
    );
    assert_eq!(
        rebar::binary(&mut rng(), 0.0f32, 0.1, l, NAN, &mut Quadratic).map(|r| r.0),
        Err(Error::Nan { index: 0 })
    );

    for (initial, rate) in [
        (NAN, 0.1f32),
        (INF, 0.1),
        (1.0, 0.0),
        (1.0, -0.1),
        (1.0, NAN),
    ] {
        assert_eq!(
            AdaptiveEta::new(initial, rate),
            Err(Error::InvalidParameter)
        );
    }
    let mut eta = AdaptiveEta::new(1.0f32, 0.1).unwrap();
    let terms = Terms {
        action: 0,
        surrogate: 0.0,
        conditional_surrogate: 0.0,
        eta_variance_gradient: NAN,
    };
    assert_eq!(eta.update(&terms), Err(Error::NonFiniteUpdate));
    assert_eq!(eta.value(), 1.0);
    // A positive variance gradient lowers η.
    let terms = Terms {
        eta_variance_gradient: 3.0,
        ..terms
    };
    eta.update(&terms).unwrap();
    assert!(eta.value() < 1.0);
}

#[test]
fn extreme_logits_give_finite_gradients() {
    let mut generator = rng();
    let l = lambda(0.1);
    let cases: [&[f32]; 4] = [
        &[1e30, -1e30, 0.0, 5.0],
        &[20.0, -20.0, 19.9, -INF],
        &[0.0, 0.0, 0.0, 0.0],
        &[-1e30, -1e30, -1e30, 1e30],
    ];
    let mut noise = [0.0f32; 4];
    let mut scratch = [0.0f32; 12];
    let mut out = [0.0f32; 4];
    for logits in cases {
        for _ in 0..2_000 {
            let b =
                categorical::sample_with_noise(&mut generator, logits, None, &mut noise).unwrap();
            let mut v = [1.0f32, -2.0, 0.5, 3.0];
            reparam::concrete(logits, None, &noise, l, &mut v).unwrap();
            assert!(v.iter().all(|x| x.is_finite()));
            gumbel_rao::categorical(
                &mut generator,
                Choice {
                    logits,
                    allowed: None,
                    action: b,
                },
                l,
                4,
                &[1.0, -2.0, 0.5, 3.0],
                Buffers {
                    gradient: &mut out,
                    scratch: &mut scratch[..4],
                },
            )
            .unwrap();
            assert!(out.iter().all(|x| x.is_finite()));
            rebar::categorical(
                &mut generator,
                Draw {
                    logits,
                    allowed: None,
                    noise: &noise,
                },
                l,
                1.0,
                &mut Quadratic,
                Buffers {
                    gradient: &mut out,
                    scratch: &mut scratch,
                },
            )
            .unwrap();
            assert!(out.iter().all(|x| x.is_finite()), "{logits:?}: {out:?}");
        }
    }
    for logit in [1e30f32, -1e30, 30.0, -30.0, 0.0] {
        for _ in 0..2_000 {
            let noise: f32 = gumbel::noise::logistic(&mut generator);
            let (g, _) =
                rebar::binary(&mut generator, logit, noise, l, 1.0, &mut Quadratic).unwrap();
            assert!(g.is_finite());
            let b = logit + noise > 0.0;
            assert!(
                gumbel_rao::binary(&mut generator, logit, b, l, 4, 1.0)
                    .unwrap()
                    .is_finite()
            );
        }
    }
}
