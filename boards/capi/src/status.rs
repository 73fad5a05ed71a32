//! What every function returns: `GUMBEL_OK` (0) or a negative error code. Codes -1 to -15 are
//! the library's `gumbel::Error` variants, one each; codes from -64 are the C interface's own
//! (a null, misaligned, overlapping or unusable pointer). The numbers never change meaning.

use core::ffi::c_char;

use gumbel::Error;

/// The outcome of a call: `GUMBEL_OK`, or why nothing (no output, no state change) happened.
///
/// On an error the random number generator has not advanced and an agent is unchanged; the
/// contents of output buffers are unspecified.
#[repr(i32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum gumbel_status {
    /// Success.
    GUMBEL_OK = 0,
    /// An input had no elements (no logits, zero actions).
    GUMBEL_ERR_EMPTY = -1,
    /// Two buffers that must have the same length do not (logits and noise, logits and
    /// output, features and the agent's feature count).
    GUMBEL_ERR_LENGTH_MISMATCH = -2,
    /// An input was NaN.
    GUMBEL_ERR_NAN = -3,
    /// An input that must be finite was infinite.
    GUMBEL_ERR_NOT_FINITE = -4,
    /// Every action was masked (by the mask, or by a logit of -INFINITY).
    GUMBEL_ERR_ALL_MASKED = -5,
    /// Top-k asked for more indices than there are unmasked actions.
    GUMBEL_ERR_TOO_FEW_ACTIONS = -6,
    /// A temperature was not finite and strictly positive (in fixed point: below 2^-10, i.e.
    /// below 64 as Q16.16).
    GUMBEL_ERR_INVALID_TEMPERATURE = -7,
    /// An output buffer was too small (a saved agent needs its `..._BLOB_SIZE` bytes).
    GUMBEL_ERR_BUFFER_TOO_SMALL = -8,
    /// A point given to a density is outside the distribution's support.
    GUMBEL_ERR_OUTSIDE_SUPPORT = -9,
    /// An action index names no available action.
    GUMBEL_ERR_UNAVAILABLE_ACTION = -10,
    /// Noise handed to a derivative does not produce the action it is said to have produced.
    GUMBEL_ERR_NOISE_MISMATCH = -11,
    /// A hyperparameter was outside its documented range (a learning rate, a decay, an
    /// unknown estimator or optimiser, zero Gumbel-Rao samples).
    GUMBEL_ERR_INVALID_PARAMETER = -12,
    /// An update would have made a learned parameter NaN or infinite; it was not applied.
    GUMBEL_ERR_NON_FINITE_UPDATE = -13,
    /// A saved agent failed its integrity check (length, magic, version, shape or CRC).
    GUMBEL_ERR_CORRUPTED_STATE = -14,
    /// A task was stepped after its episode had ended.
    GUMBEL_ERR_EPISODE_OVER = -15,
    /// An error of the library newer than this interface (never returned while the two are
    /// built together, as they are in this repository).
    GUMBEL_ERR_OTHER = -63,
    /// A required pointer was NULL (a NULL buffer is accepted only with length 0, and a NULL
    /// mask means "no mask").
    GUMBEL_ERR_NULL_POINTER = -64,
    /// A pointer was not aligned for its type (4 bytes for `float` and `int32_t`,
    /// `GUMBEL_AGENT_ALIGN` for agent and decision memory).
    GUMBEL_ERR_MISALIGNED = -65,
    /// A buffer the call writes overlaps another buffer of the same call.
    GUMBEL_ERR_OVERLAP = -66,
    /// A buffer's length in bytes does not fit the address space (it would wrap around).
    GUMBEL_ERR_INVALID_BUFFER = -67,
    /// A mask entry was neither 0 nor 1.
    GUMBEL_ERR_INVALID_MASK = -68,
    /// The memory given as an agent or a decision was not made by `gumbel_agent_create_*` or
    /// `gumbel_agent_act_*` (or was overwritten since).
    GUMBEL_ERR_NOT_INITIALISED = -69,
    /// The agent is of the other scalar type than the function (`_f32` / `_fixed`), or the
    /// decision was taken by an agent of another scalar type or shape.
    GUMBEL_ERR_WRONG_KIND = -70,
}

impl From<Error> for gumbel_status {
    fn from(error: Error) -> Self {
        use gumbel_status::*;
        match error {
            Error::Empty => GUMBEL_ERR_EMPTY,
            Error::LengthMismatch { .. } => GUMBEL_ERR_LENGTH_MISMATCH,
            Error::Nan { .. } => GUMBEL_ERR_NAN,
            Error::NotFinite { .. } => GUMBEL_ERR_NOT_FINITE,
            Error::AllMasked => GUMBEL_ERR_ALL_MASKED,
            Error::TooFewActions { .. } => GUMBEL_ERR_TOO_FEW_ACTIONS,
            Error::InvalidTemperature => GUMBEL_ERR_INVALID_TEMPERATURE,
            Error::BufferTooSmall { .. } => GUMBEL_ERR_BUFFER_TOO_SMALL,
            Error::OutsideSupport => GUMBEL_ERR_OUTSIDE_SUPPORT,
            Error::UnavailableAction { .. } => GUMBEL_ERR_UNAVAILABLE_ACTION,
            Error::NoiseMismatch => GUMBEL_ERR_NOISE_MISMATCH,
            Error::InvalidParameter => GUMBEL_ERR_INVALID_PARAMETER,
            Error::NonFiniteUpdate => GUMBEL_ERR_NON_FINITE_UPDATE,
            Error::CorruptedState => GUMBEL_ERR_CORRUPTED_STATE,
            Error::EpisodeOver => GUMBEL_ERR_EPISODE_OVER,
            _ => GUMBEL_ERR_OTHER,
        }
    }
}

/// A short English description of a status code (a static, NUL-terminated string; never NULL;
/// "unknown status" for a number that is no code).
#[unsafe(no_mangle)]
pub extern "C" fn gumbel_status_message(status: i32) -> *const c_char {
    use gumbel_status::*;
    let message = match status {
        s if s == GUMBEL_OK as i32 => c"ok",
        s if s == GUMBEL_ERR_EMPTY as i32 => c"empty input",
        s if s == GUMBEL_ERR_LENGTH_MISMATCH as i32 => c"length mismatch",
        s if s == GUMBEL_ERR_NAN as i32 => c"NaN input",
        s if s == GUMBEL_ERR_NOT_FINITE as i32 => c"infinite input",
        s if s == GUMBEL_ERR_ALL_MASKED as i32 => c"every action is masked",
        s if s == GUMBEL_ERR_TOO_FEW_ACTIONS as i32 => c"fewer unmasked actions than requested",
        s if s == GUMBEL_ERR_INVALID_TEMPERATURE as i32 => {
            c"temperature must be finite and strictly positive"
        }
        s if s == GUMBEL_ERR_BUFFER_TOO_SMALL as i32 => c"buffer too small",
        s if s == GUMBEL_ERR_OUTSIDE_SUPPORT as i32 => c"point outside the support",
        s if s == GUMBEL_ERR_UNAVAILABLE_ACTION as i32 => c"action out of range or masked",
        s if s == GUMBEL_ERR_NOISE_MISMATCH as i32 => c"noise does not produce the action",
        s if s == GUMBEL_ERR_INVALID_PARAMETER as i32 => c"hyperparameter out of range",
        s if s == GUMBEL_ERR_NON_FINITE_UPDATE as i32 => c"update would be non-finite",
        s if s == GUMBEL_ERR_CORRUPTED_STATE as i32 => c"saved state corrupted",
        s if s == GUMBEL_ERR_EPISODE_OVER as i32 => c"episode over",
        s if s == GUMBEL_ERR_OTHER as i32 => c"other library error",
        s if s == GUMBEL_ERR_NULL_POINTER as i32 => c"null pointer",
        s if s == GUMBEL_ERR_MISALIGNED as i32 => c"misaligned pointer",
        s if s == GUMBEL_ERR_OVERLAP as i32 => c"an output overlaps another buffer",
        s if s == GUMBEL_ERR_INVALID_BUFFER as i32 => c"buffer wraps the address space",
        s if s == GUMBEL_ERR_INVALID_MASK as i32 => c"mask entry not 0 or 1",
        s if s == GUMBEL_ERR_NOT_INITIALISED as i32 => c"not an agent or decision",
        s if s == GUMBEL_ERR_WRONG_KIND as i32 => c"agent or decision of another kind",
        _ => c"unknown status",
    };
    message.as_ptr()
}
