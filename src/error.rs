//! The crate's one error type.

use core::fmt;

/// What was wrong with a call. Every fallible function in the crate returns it; none panics.
///
/// A call that returns an error has not written a partial result the caller could mistake for a
/// real one, and leaves any learner state it was given unchanged.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Error {
    /// The input had no elements (for example no logits).
    Empty,
    /// Two inputs that must have the same length do not.
    LengthMismatch {
        /// The length the call needed.
        expected: usize,
        /// The length it was given.
        found: usize,
    },
    /// An input was NaN.
    Nan {
        /// The position of the first NaN in its slice (0 for a scalar argument).
        index: usize,
    },
    /// An input that must be finite was infinite.
    NotFinite {
        /// The position of the first offending value in its slice (0 for a scalar argument).
        index: usize,
    },
    /// Every action was masked (a logit of `-inf`, or `false` in the mask), so none can be drawn.
    AllMasked,
    /// Fewer actions are available (unmasked) than the number of distinct draws asked for.
    TooFewActions {
        /// How many were asked for.
        requested: usize,
        /// How many are unmasked.
        available: usize,
    },
    /// A temperature was not finite and strictly positive (λ = 0, negative, NaN or infinite).
    InvalidTemperature,
    /// An output buffer was too small.
    BufferTooSmall {
        /// The size the call needed.
        needed: usize,
        /// The size it was given.
        found: usize,
    },
    /// A point given to a density is not in the distribution's support (for example a
    /// relaxed one-hot sample with a zero or negative coordinate, or not summing to one), or
    /// lies so far in its tail that the log-density is below the representable range.
    OutsideSupport,
    /// An action index names no available action: it is out of range, masked, or finite
    /// while some logit is `+inf` (so that it has probability zero). Noise conditioned on an
    /// outcome also refuses one whose probability is exactly zero at the scalar's precision
    /// (see [`conditional`](crate::conditional)); a binary outcome `b` has index `b as usize`.
    UnavailableAction {
        /// The index given.
        index: usize,
    },
    /// Noise handed back to a derivative does not produce the action it is said to have
    /// produced (it is not the conditional noise of that action).
    NoiseMismatch,
    /// A hyperparameter (a rate, a decay, a count of draws, a limit) was outside its
    /// documented range; the function's documentation says which.
    InvalidParameter,
    /// A result would have been NaN or infinite (in `f32`; in fixed point, beyond the range
    /// where a documented guard applies): a gradient estimate, conditional noise, or an update
    /// of learned parameters. Nothing was written and no update was applied.
    NonFiniteUpdate,
    /// A stored blob failed its integrity check (bad length, magic, version or CRC).
    CorruptedState,
    /// A task was stepped after its episode had ended; reset it first.
    EpisodeOver,
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Error::Empty => f.write_str("empty input"),
            Error::LengthMismatch { expected, found } => {
                write!(f, "length mismatch: expected {expected}, found {found}")
            }
            Error::Nan { index } => write!(f, "NaN input at index {index}"),
            Error::NotFinite { index } => write!(f, "infinite input at index {index}"),
            Error::AllMasked => f.write_str("every action is masked"),
            Error::TooFewActions {
                requested,
                available,
            } => write!(
                f,
                "{requested} distinct actions requested but only {available} are unmasked"
            ),
            Error::InvalidTemperature => {
                f.write_str("temperature must be finite and strictly positive")
            }
            Error::BufferTooSmall { needed, found } => {
                write!(f, "buffer too small: needed {needed}, found {found}")
            }
            Error::OutsideSupport => f.write_str("point outside the distribution's support"),
            Error::UnavailableAction { index } => {
                write!(f, "action {index} is out of range or masked")
            }
            Error::NoiseMismatch => f.write_str("noise does not produce the given action"),
            Error::InvalidParameter => f.write_str("hyperparameter outside its documented range"),
            Error::NonFiniteUpdate => {
                f.write_str("result would not be finite; nothing written or applied")
            }
            Error::CorruptedState => f.write_str("stored state is corrupted or of another version"),
            Error::EpisodeOver => f.write_str("the episode is over; reset before stepping"),
        }
    }
}

impl core::error::Error for Error {}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every variant, once.
    const ALL: [Error; 15] = [
        Error::Empty,
        Error::LengthMismatch {
            expected: 3,
            found: 5,
        },
        Error::Nan { index: 7 },
        Error::NotFinite { index: 8 },
        Error::AllMasked,
        Error::TooFewActions {
            requested: 4,
            available: 2,
        },
        Error::InvalidTemperature,
        Error::BufferTooSmall {
            needed: 16,
            found: 9,
        },
        Error::OutsideSupport,
        Error::UnavailableAction { index: 11 },
        Error::NoiseMismatch,
        Error::InvalidParameter,
        Error::NonFiniteUpdate,
        Error::CorruptedState,
        Error::EpisodeOver,
    ];

    /// Each variant has its own message, and a message names the numbers its variant carries
    /// (a firmware log line must say which index or length was wrong).
    #[test]
    fn messages_are_distinct_and_carry_their_fields() {
        let messages: Vec<String> = ALL.iter().map(|e| e.to_string()).collect();
        for (i, m) in messages.iter().enumerate() {
            assert!(!m.is_empty());
            assert!(messages[..i].iter().all(|earlier| earlier != m), "{m}");
        }
        let carries = |e: Error, numbers: &[usize]| {
            let m = e.to_string();
            for n in numbers {
                assert!(m.contains(&n.to_string()), "{m} lacks {n}");
            }
        };
        carries(ALL[1], &[3, 5]);
        carries(ALL[2], &[7]);
        carries(ALL[3], &[8]);
        carries(ALL[5], &[4, 2]);
        carries(ALL[7], &[16, 9]);
        carries(ALL[9], &[11]);
    }
}
