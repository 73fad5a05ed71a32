//! Every `defmt::Format` implementation of the crate, in one place (feature `defmt`).

use defmt::{Format, Formatter, write};

use crate::{Error, Temperature};

impl Format for Error {
    fn format(&self, f: Formatter<'_>) {
        match *self {
            Error::Empty => write!(f, "empty input"),
            Error::LengthMismatch { expected, found } => {
                write!(
                    f,
                    "length mismatch: expected {=usize}, found {=usize}",
                    expected, found
                )
            }
            Error::Nan { index } => write!(f, "NaN input at index {=usize}", index),
            Error::NotFinite { index } => write!(f, "infinite input at index {=usize}", index),
            Error::AllMasked => write!(f, "every action is masked"),
            Error::TooFewActions {
                requested,
                available,
            } => write!(
                f,
                "{=usize} distinct actions requested but only {=usize} are unmasked",
                requested, available
            ),
            Error::InvalidTemperature => {
                write!(f, "temperature must be finite and strictly positive")
            }
            Error::BufferTooSmall { needed, found } => {
                write!(
                    f,
                    "buffer too small: needed {=usize}, found {=usize}",
                    needed, found
                )
            }
            Error::OutsideSupport => write!(f, "point outside the distribution's support"),
            Error::UnavailableAction { index } => {
                write!(f, "action {=usize} is out of range or masked", index)
            }
            Error::NoiseMismatch => write!(f, "noise does not produce the given action"),
            Error::InvalidParameter => write!(f, "hyperparameter outside its documented range"),
            Error::NonFiniteUpdate => {
                write!(f, "result would not be finite; nothing written or applied")
            }
            Error::CorruptedState => write!(f, "stored state is corrupted or of another version"),
            Error::EpisodeOver => write!(f, "the episode is over; reset before stepping"),
        }
    }
}

impl Format for Temperature<f32> {
    fn format(&self, f: Formatter<'_>) {
        write!(f, "Temperature({=f32})", self.get())
    }
}

/// The raw I16F16 bits (value · 2^16): formatting the decimal value would need division code
/// the firmware does not otherwise link.
#[cfg(feature = "fixed")]
impl Format for crate::Fixed {
    fn format(&self, f: Formatter<'_>) {
        write!(f, "Fixed({=i32} / 65536)", self.bits())
    }
}

#[cfg(feature = "fixed")]
impl Format for Temperature<crate::Fixed> {
    fn format(&self, f: Formatter<'_>) {
        write!(f, "Temperature({})", self.get())
    }
}
