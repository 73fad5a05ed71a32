//! The two C number types and the library scalar each stands for: `float` is `f32`, and
//! `int32_t` is `gumbel::Fixed` as Q16.16 (the value times 65536).

use core::mem::{align_of, size_of};

use gumbel::{Fixed, Scalar, Temperature};

use crate::status::gumbel_status;

/// The scalar type of an agent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// `float`, `f32`.
    F32,
    /// `int32_t` as Q16.16, `gumbel::Fixed`.
    Fixed,
}

/// A C scalar type and its library scalar.
///
/// # Contract (relied on by `Borrows::scalars`)
/// `S` has the size and alignment of `Self` (checked at compile time by `SAME_LAYOUT`), and
/// every bit pattern of either type is a valid value of the other.
pub(crate) trait CScalar: Copy {
    /// The library scalar.
    type S: Scalar;
    /// Which one it is (agents and decisions record it).
    const KIND: Kind;

    /// Fails to compile if the layouts differ.
    const SAME_LAYOUT: () = assert!(
        size_of::<Self>() == size_of::<Self::S>() && align_of::<Self>() == align_of::<Self::S>()
    );

    /// The raw bits, as `Scalar::to_bits` gives them.
    fn to_bits(self) -> u32;
    /// The C value of the given raw bits.
    fn from_bits(bits: u32) -> Self;

    /// The library value.
    fn get(self) -> Self::S {
        Self::S::from_bits(self.to_bits())
    }

    /// The C value of a library value.
    fn of(value: Self::S) -> Self {
        Self::from_bits(value.to_bits())
    }

    /// A validated temperature.
    fn temperature(self) -> Result<Temperature<Self::S>, gumbel_status> {
        Ok(Temperature::new(self.get())?)
    }
}

impl CScalar for f32 {
    type S = f32;
    const KIND: Kind = Kind::F32;

    fn to_bits(self) -> u32 {
        f32::to_bits(self)
    }

    fn from_bits(bits: u32) -> Self {
        f32::from_bits(bits)
    }
}

/// `Fixed` is a one-field struct around `fixed::types::I16F16`, which is
/// `#[repr(transparent)]` around `i32`: with the size of `i32` (checked by `SAME_LAYOUT`) its one
/// field sits at offset 0, and every `i32` is a valid `I16F16`.
impl CScalar for i32 {
    type S = Fixed;
    const KIND: Kind = Kind::Fixed;

    fn to_bits(self) -> u32 {
        self as u32
    }

    fn from_bits(bits: u32) -> Self {
        bits as i32
    }
}
