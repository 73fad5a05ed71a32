//! Bad input to the Concrete VJPs (`estimators::reparam`, and the straight-through backward pass
//! built on them) gives the documented `Error`, never a panic, and leaves the upstream buffer
//! untouched. The refusal tests of the other estimators and of the conditional noise are unit
//! tests beside their code; `tests/fuzz.rs` checks every public function on hostile input.

use gumbel::estimators::{reparam, straight_through};
use gumbel::{Error, Temperature};

const NAN: f32 = f32::NAN;
const INF: f32 = f32::INFINITY;

fn lambda(x: f32) -> Temperature<f32> {
    Temperature::new(x).unwrap()
}

#[test]
fn relaxed_vjp_refuses_bad_input() {
    let logits = [0.5f32, -1.0, 2.0];
    let noise = [0.1f32, 0.2, -0.3];
    let l = lambda(0.5);
    for (upstream, expected) in [
        ([1.0, NAN, 0.0], Error::Nan { index: 1 }),
        ([1.0, 0.0, -INF], Error::NotFinite { index: 2 }),
    ] {
        let mut v = upstream;
        let result = reparam::concrete(&logits, None, &noise, l, &mut v).map(|_| ());
        assert_eq!(result, Err(expected));
        assert!(
            v.iter()
                .zip(&upstream)
                .all(|(a, b)| a.to_bits() == b.to_bits())
        );
    }
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

/// The relaxed VJP checks its noise by the sum of its perturbation pass: bad noise is still
/// refused before a bad upstream gradient (the first bad value named, masked or not), and noise
/// that is finite but whose sum overflows is accepted, with the gradient of the same noise
/// checked value by value.
#[test]
fn relaxed_vjp_checks_the_noise_before_the_upstream_gradient() {
    let logits = [0.5f32, -1.0, 2.0, 0.0];
    let l = lambda(0.5);
    for (noise, expected) in [
        ([0.0, INF, NAN, 0.0], Error::NotFinite { index: 1 }),
        ([0.0, 1.0, NAN, -INF], Error::Nan { index: 2 }),
        ([-INF, 0.0, 0.0, 0.0], Error::NotFinite { index: 0 }),
    ] {
        for mask in [None, Some(&[true, false, true, true][..])] {
            let mut v = [1.0f32, NAN, 0.0, 2.0];
            assert_eq!(
                reparam::concrete(&logits, mask, &noise, l, &mut v),
                Err(expected)
            );
            assert_eq!(v[0].to_bits(), 1.0f32.to_bits());
            assert!(v[1].is_nan());
            let mut v = [1.0f32, 0.0, 0.0, 2.0];
            assert_eq!(
                straight_through::backward(&logits, mask, &noise, l, &mut v),
                Err(expected)
            );
            assert_eq!(v, [1.0, 0.0, 0.0, 2.0]);
        }
    }
    // Finite noise whose sum overflows: accepted, and (with an upstream gradient that is not)
    // refused for the gradient.
    let noise = [f32::MAX, f32::MAX, 0.0, 0.0];
    let mut v = [1.0f32, -1.0, 0.0, 0.0];
    assert!(reparam::concrete(&logits, None, &noise, l, &mut v).is_ok());
    assert!(v.iter().all(|g| g.is_finite()));
    let mut v = [1.0f32, -1.0, INF, 0.0];
    assert_eq!(
        reparam::concrete(&logits, None, &noise, l, &mut v),
        Err(Error::NotFinite { index: 2 })
    );
}
