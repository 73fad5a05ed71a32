//! The learner (`gumbel::learner::Agent`) in memory the caller provides.
//!
//! An agent's type fixes its scalar and its shape (features `D`, actions `K`), so each shape
//! has its own create function (`gumbel_agent_create_f32_4x4`, ...) and size constants. The
//! memory starts with a [`Header`]: a magic word and a pointer to the shape's table of
//! functions ([`Shape`]), through which every other call (`act`, `observe`, `update`, `save`,
//! `load`) reaches the typed agent. A firmware links the code of the shapes it creates and no
//! other. A decision (what `act` returns and `observe` learns from) lives in caller memory the
//! same way, with the same header.
//!
//! To add a shape: two create functions and three constants below, then regenerate the
//! header (`GUMBEL_BLESS=1 cargo test` in boards/capi).

use core::ffi::c_void;
use core::marker::PhantomData;
use core::mem::{align_of, size_of};

use gumbel::learner::{Agent, Config, Decision, Estimator, Optimiser};
use gumbel::{Error, Scalar};

use crate::memory::{Borrows, call};
use crate::rng::gumbel_rng;
use crate::scalar::{CScalar, Kind};
use crate::status::gumbel_status::{self, *};

/// An agent, in memory given to a `gumbel_agent_create_*` function. Opaque: only the pointer
/// that function hands back is used.
pub struct gumbel_agent {
    _opaque: [u8; 0],
}

/// `gumbel_agent_config_*.estimator`: REINFORCE (the score function) with a running-mean
/// reward baseline; no critic.
pub const GUMBEL_ESTIMATOR_REINFORCE: u32 = 0;
/// `gumbel_agent_config_*.estimator`: straight-through Gumbel-Softmax through the critic.
pub const GUMBEL_ESTIMATOR_STRAIGHT_THROUGH: u32 = 1;
/// `gumbel_agent_config_*.estimator`: Gumbel-Rao, straight-through averaged over
/// `gumbel_rao_samples` conditional noise draws.
pub const GUMBEL_ESTIMATOR_GUMBEL_RAO: u32 = 2;
/// `gumbel_agent_config_*.estimator`: RELAX with the critic as the control variate.
pub const GUMBEL_ESTIMATOR_RELAX: u32 = 3;

/// `gumbel_optimiser_*.kind`: heavy-ball SGD, `m = momentum m + g`, `w -= learning_rate m`.
pub const GUMBEL_OPTIMISER_SGD: u32 = 0;
/// `gumbel_optimiser_*.kind`: Adam with bias correction.
pub const GUMBEL_OPTIMISER_ADAM: u32 = 1;

/// An optimiser and its hyperparameters (`gumbel::learner::Optimiser`): in C
/// `gumbel_optimiser_f32`, and `gumbel_optimiser_fixed` with Q16.16 `int32_t` values.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct gumbel_optimiser<T> {
    /// `GUMBEL_OPTIMISER_SGD` or `GUMBEL_OPTIMISER_ADAM`.
    pub kind: u32,
    /// The step size, > 0.
    pub learning_rate: T,
    /// SGD: the momentum in [0, 1) (0 is plain SGD). Unused by Adam.
    pub momentum: T,
    /// Adam: the first-moment decay in [0, 1). Unused by SGD.
    pub beta1: T,
    /// Adam: the second-moment decay in [0, 1). Unused by SGD.
    pub beta2: T,
    /// Adam: the epsilon added to the root of the second moment, > 0. Unused by SGD.
    pub epsilon: T,
}

/// How an agent learns (`gumbel::learner::Config`): in C `gumbel_agent_config_f32`, and
/// `gumbel_agent_config_fixed` with Q16.16 `int32_t` values.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct gumbel_agent_config<T> {
    /// One of the `GUMBEL_ESTIMATOR_*` constants.
    pub estimator: u32,
    /// Gumbel-Rao: conditional draws per decision, 1 to 65535. Unused by the others.
    pub gumbel_rao_samples: u32,
    /// The Concrete temperature the relaxed estimators differentiate (unused by REINFORCE).
    pub temperature: T,
    /// The policy's optimiser.
    pub policy_optimiser: gumbel_optimiser<T>,
    /// The critic's optimiser (unused by REINFORCE).
    pub critic_optimiser: gumbel_optimiser<T>,
    /// Each network's gradient is scaled down to at most this Euclidean norm before a step;
    /// 0 disables clipping.
    pub max_gradient_norm: T,
    /// The decay of the running-mean reward baseline, in [0, 1).
    pub baseline_decay: T,
}

/// The library's optimiser for a C description.
fn optimiser<C: CScalar>(c: &gumbel_optimiser<C>) -> Result<Optimiser<C::S>, gumbel_status> {
    match c.kind {
        GUMBEL_OPTIMISER_SGD => Ok(Optimiser::Sgd {
            learning_rate: c.learning_rate.get(),
            momentum: c.momentum.get(),
        }),
        GUMBEL_OPTIMISER_ADAM => Ok(Optimiser::Adam {
            learning_rate: c.learning_rate.get(),
            beta1: c.beta1.get(),
            beta2: c.beta2.get(),
            epsilon: c.epsilon.get(),
        }),
        _ => Err(GUMBEL_ERR_INVALID_PARAMETER),
    }
}

/// The library's configuration for a C description.
fn config<C: CScalar>(c: &gumbel_agent_config<C>) -> Result<Config<C::S>, gumbel_status> {
    let estimator = match c.estimator {
        GUMBEL_ESTIMATOR_REINFORCE => Estimator::Reinforce,
        GUMBEL_ESTIMATOR_STRAIGHT_THROUGH => Estimator::StraightThrough,
        GUMBEL_ESTIMATOR_GUMBEL_RAO => Estimator::GumbelRao {
            samples: u16::try_from(c.gumbel_rao_samples)
                .map_err(|_| GUMBEL_ERR_INVALID_PARAMETER)?,
        },
        GUMBEL_ESTIMATOR_RELAX => Estimator::Relax,
        _ => return Err(GUMBEL_ERR_INVALID_PARAMETER),
    };
    Ok(Config {
        estimator,
        temperature: c.temperature.temperature()?,
        policy_optimiser: optimiser(&c.policy_optimiser)?,
        critic_optimiser: optimiser(&c.critic_optimiser)?,
        max_gradient_norm: c.max_gradient_norm.get(),
        baseline_decay: c.baseline_decay.get(),
    })
}

/// The alignment agent and decision memory needs (`_Alignas(GUMBEL_AGENT_ALIGN)`), on every
/// target.
pub const GUMBEL_AGENT_ALIGN: usize = 8;

/// Bytes of memory a 2-feature, 2-action agent needs (either scalar).
pub const GUMBEL_AGENT_2X2_SIZE: usize = 304;
/// Bytes of memory a decision of a 2x2 agent needs.
pub const GUMBEL_DECISION_2X2_SIZE: usize = 48;
/// Bytes a saved 2x2 agent takes (`gumbel_agent_save`).
pub const GUMBEL_AGENT_2X2_BLOB_SIZE: usize = 202;

/// Bytes of memory a 4-feature, 4-action agent needs (either scalar).
pub const GUMBEL_AGENT_4X4_SIZE: usize = 752;
/// Bytes of memory a decision of a 4x4 agent needs.
pub const GUMBEL_DECISION_4X4_SIZE: usize = 72;
/// Bytes a saved 4x4 agent takes (`gumbel_agent_save`).
pub const GUMBEL_AGENT_4X4_BLOB_SIZE: usize = 538;

/// Bytes of memory an 8-feature, 4-action agent needs (either scalar).
pub const GUMBEL_AGENT_8X4_SIZE: usize = 1264;
/// Bytes of memory a decision of an 8x4 agent needs.
pub const GUMBEL_DECISION_8X4_SIZE: usize = 88;
/// Bytes a saved 8x4 agent takes (`gumbel_agent_save`).
pub const GUMBEL_AGENT_8X4_BLOB_SIZE: usize = 922;

/// Bytes of memory an 8-feature, 8-action agent needs (either scalar).
pub const GUMBEL_AGENT_8X8_SIZE: usize = 2416;
/// Bytes of memory a decision of an 8x8 agent needs.
pub const GUMBEL_DECISION_8X8_SIZE: usize = 120;
/// Bytes a saved 8x8 agent takes (`gumbel_agent_save`).
pub const GUMBEL_AGENT_8X8_BLOB_SIZE: usize = 1786;

/// The agent, decision and saved-agent sizes the header promises for a shape (zeros for a
/// shape it does not have).
const fn promised_sizes(features: usize, actions: usize) -> (usize, usize, usize) {
    match (features, actions) {
        (2, 2) => (
            GUMBEL_AGENT_2X2_SIZE,
            GUMBEL_DECISION_2X2_SIZE,
            GUMBEL_AGENT_2X2_BLOB_SIZE,
        ),
        (4, 4) => (
            GUMBEL_AGENT_4X4_SIZE,
            GUMBEL_DECISION_4X4_SIZE,
            GUMBEL_AGENT_4X4_BLOB_SIZE,
        ),
        (8, 4) => (
            GUMBEL_AGENT_8X4_SIZE,
            GUMBEL_DECISION_8X4_SIZE,
            GUMBEL_AGENT_8X4_BLOB_SIZE,
        ),
        (8, 8) => (
            GUMBEL_AGENT_8X8_SIZE,
            GUMBEL_DECISION_8X8_SIZE,
            GUMBEL_AGENT_8X8_BLOB_SIZE,
        ),
        _ => (0, 0, 0),
    }
}

const AGENT_MAGIC: u32 = u32::from_le_bytes(*b"gAgt");
const DECISION_MAGIC: u32 = u32::from_le_bytes(*b"gDec");

/// The start of agent and decision memory.
#[repr(C)]
struct Header {
    /// [`AGENT_MAGIC`] or [`DECISION_MAGIC`].
    magic: u32,
    /// What the memory holds.
    shape: &'static Shape,
}

/// An agent type's operations over memory that holds one of its agents (and decisions).
///
/// # Safety of the function pointers
/// Each may be called only with `agent` pointing to an initialised [`AgentSlot`] of this shape
/// (and `decision` to a [`DecisionSlot`] of this shape, or for `act` to writable memory of
/// `decision_size` bytes and [`GUMBEL_AGENT_ALIGN`]), valid and not otherwise accessed for the
/// call; every other argument is an ordinary reference.
struct Shape {
    kind: Kind,
    features: usize,
    actions: usize,
    agent_size: usize,
    decision_size: usize,
    act: unsafe fn(*const Header, &mut gumbel_rng, &[u32], *mut Header) -> Result<usize, Error>,
    observe: unsafe fn(*mut Header, &mut gumbel_rng, *const Header, u32) -> Result<(), Error>,
    update: unsafe fn(*mut Header) -> Result<(), Error>,
    save: unsafe fn(*const Header, &mut [u8]) -> Result<usize, Error>,
    load: unsafe fn(*mut Header, &[u8]) -> Result<(), Error>,
}

impl Shape {
    fn same_type(&self, other: &Shape) -> bool {
        (self.kind, self.features, self.actions) == (other.kind, other.features, other.actions)
    }
}

#[repr(C)]
struct AgentSlot<S, const D: usize, const K: usize> {
    header: Header,
    agent: Agent<S, D, K>,
}

#[repr(C)]
struct DecisionSlot<S, const D: usize, const K: usize> {
    header: Header,
    decision: Decision<S, D, K>,
}

/// The operations of agents of scalar `C` with `D` features and `K` actions.
struct Typed<C, const D: usize, const K: usize>(PhantomData<C>);

impl<C: CScalar, const D: usize, const K: usize> Typed<C, D, K> {
    const SHAPE: &'static Shape = &Shape {
        kind: C::KIND,
        features: D,
        actions: K,
        agent_size: size_of::<AgentSlot<C::S, D, K>>(),
        decision_size: size_of::<DecisionSlot<C::S, D, K>>(),
        act: Self::act,
        observe: Self::observe,
        update: Self::update,
        save: Self::save,
        load: Self::load,
    };

    /// Fails to compile if the memory the constants promise is too small or too loosely
    /// aligned for this type on the target being built (or the shape has no constants).
    const FITS: () = {
        let (agent_size, decision_size, blob_size) = promised_sizes(D, K);
        assert!(Agent::<C::S, D, K>::BLOB_LEN == blob_size);
        assert!(size_of::<AgentSlot<C::S, D, K>>() <= agent_size);
        assert!(size_of::<DecisionSlot<C::S, D, K>>() <= decision_size);
        assert!(align_of::<AgentSlot<C::S, D, K>>() <= GUMBEL_AGENT_ALIGN);
        assert!(align_of::<DecisionSlot<C::S, D, K>>() <= GUMBEL_AGENT_ALIGN);
    };

    /// # Safety
    /// As [`Shape`]'s function pointers.
    unsafe fn act(
        agent: *const Header,
        rng: &mut gumbel_rng,
        features: &[u32],
        decision: *mut Header,
    ) -> Result<usize, Error> {
        if features.len() != D {
            return Err(Error::LengthMismatch {
                expected: D,
                found: features.len(),
            });
        }
        let mut values = [C::S::ZERO; D];
        for (value, &bits) in values.iter_mut().zip(features) {
            *value = C::S::from_bits(bits);
        }
        // SAFETY: `agent` points to an initialised slot of this type (precondition).
        let slot = unsafe { &*agent.cast::<AgentSlot<C::S, D, K>>() };
        let taken = slot.agent.act(rng, &values)?;
        let action = taken.action();
        let written = DecisionSlot {
            header: Header {
                magic: DECISION_MAGIC,
                shape: Self::SHAPE,
            },
            decision: taken,
        };
        // SAFETY: `decision` is valid for writes of `decision_size` bytes, the size of this
        // slot, and aligned to GUMBEL_AGENT_ALIGN, at least its alignment (precondition).
        unsafe { decision.cast::<DecisionSlot<C::S, D, K>>().write(written) };
        Ok(action)
    }

    /// # Safety
    /// As [`Shape`]'s function pointers.
    unsafe fn observe(
        agent: *mut Header,
        rng: &mut gumbel_rng,
        decision: *const Header,
        reward: u32,
    ) -> Result<(), Error> {
        // SAFETY: both point to initialised slots of this type (precondition), which do not
        // overlap (the caller checked).
        let (slot, taken) = unsafe {
            (
                &mut *agent.cast::<AgentSlot<C::S, D, K>>(),
                &*decision.cast::<DecisionSlot<C::S, D, K>>(),
            )
        };
        slot.agent
            .observe(rng, &taken.decision, C::S::from_bits(reward))
    }

    /// # Safety
    /// As [`Shape`]'s function pointers.
    unsafe fn update(agent: *mut Header) -> Result<(), Error> {
        // SAFETY: an initialised slot of this type (precondition).
        let slot = unsafe { &mut *agent.cast::<AgentSlot<C::S, D, K>>() };
        slot.agent.update()
    }

    /// # Safety
    /// As [`Shape`]'s function pointers.
    unsafe fn save(agent: *const Header, out: &mut [u8]) -> Result<usize, Error> {
        // SAFETY: an initialised slot of this type (precondition).
        let slot = unsafe { &*agent.cast::<AgentSlot<C::S, D, K>>() };
        slot.agent.save(out)
    }

    /// # Safety
    /// As [`Shape`]'s function pointers.
    unsafe fn load(agent: *mut Header, blob: &[u8]) -> Result<(), Error> {
        // SAFETY: an initialised slot of this type (precondition).
        let slot = unsafe { &mut *agent.cast::<AgentSlot<C::S, D, K>>() };
        slot.agent.load(blob)
    }

    /// Creates an agent in `memory` and hands back its pointer.
    ///
    /// # Safety
    /// The pointer rules at the top of `include/gumbel.h`: `memory` valid for writes of `size` bytes,
    /// `config` for reads of one configuration, `agent` for writes of one pointer.
    unsafe fn create(
        memory: *mut c_void,
        size: usize,
        config: *const gumbel_agent_config<C>,
        agent: *mut *mut gumbel_agent,
    ) -> gumbel_status {
        let () = Self::FITS;
        call(|b| {
            let needed = Self::SHAPE.agent_size;
            // SAFETY: forwarded preconditions.
            let (config, agent) = unsafe { (b.one(config)?, b.out(agent)?) };
            let memory = claim_memory(b, memory, size, needed, true)?;
            let created = Agent::<C::S, D, K>::new(self::config(config)?)?;
            let slot = AgentSlot {
                header: Header {
                    magic: AGENT_MAGIC,
                    shape: Self::SHAPE,
                },
                agent: created,
            };
            // SAFETY: `claim_memory` checked that `memory` is non-null, aligned to
            // GUMBEL_AGENT_ALIGN (at least the slot's alignment, by `FITS`), at least
            // `needed` bytes long (the slot's size), and overlaps no other buffer of the call;
            // validity for writes is the caller's precondition.
            unsafe { memory.cast::<AgentSlot<C::S, D, K>>().write(slot) };
            *agent = memory.cast();
            Ok(())
        })
    }
}

/// Checks caller memory for an agent or decision: non-null, aligned to GUMBEL_AGENT_ALIGN, at
/// least `needed` of its `size` bytes; records its first `needed` bytes in `b`.
fn claim_memory(
    b: &mut Borrows,
    memory: *mut c_void,
    size: usize,
    needed: usize,
    written: bool,
) -> Result<*mut u8, gumbel_status> {
    let memory = memory.cast::<u8>();
    if memory.is_null() {
        return Err(GUMBEL_ERR_NULL_POINTER);
    }
    if !(memory as usize).is_multiple_of(GUMBEL_AGENT_ALIGN) {
        return Err(GUMBEL_ERR_MISALIGNED);
    }
    if size < needed {
        return Err(GUMBEL_ERR_BUFFER_TOO_SMALL);
    }
    b.claim(memory, needed, written)?;
    Ok(memory)
}

/// The header of caller memory that should hold an object made by this library (`magic`
/// says which), and its shape.
///
/// # Safety
/// If `memory` is not null and aligned, it must be valid for reads of a [`Header`] and, if
/// its first word is `magic`, hold a [`Header`] written by this library.
unsafe fn shape_of(memory: *const c_void, magic: u32) -> Result<&'static Shape, gumbel_status> {
    let header = memory.cast::<Header>();
    if header.is_null() {
        return Err(GUMBEL_ERR_NULL_POINTER);
    }
    if !(header as usize).is_multiple_of(GUMBEL_AGENT_ALIGN) {
        return Err(GUMBEL_ERR_MISALIGNED);
    }
    // SAFETY: non-null, aligned (GUMBEL_AGENT_ALIGN is at least a header's alignment) and
    // valid for reads (precondition); any bit pattern is a valid `u32`.
    if unsafe { header.cast::<u32>().read() } != magic {
        return Err(GUMBEL_ERR_NOT_INITIALISED);
    }
    // SAFETY: the magic word says this library wrote the header (precondition).
    Ok(unsafe { (*header).shape })
}

/// The shape of an agent of scalar `kind`, its memory recorded in `b`.
///
/// # Safety
/// As [`shape_of`].
unsafe fn agent_shape(
    b: &mut Borrows,
    agent: *const gumbel_agent,
    kind: Option<Kind>,
    written: bool,
) -> Result<&'static Shape, gumbel_status> {
    // SAFETY: forwarded precondition.
    let shape = unsafe { shape_of(agent.cast(), AGENT_MAGIC) }?;
    if kind.is_some_and(|kind| kind != shape.kind) {
        return Err(GUMBEL_ERR_WRONG_KIND);
    }
    b.claim(agent.cast::<u8>(), shape.agent_size, written)?;
    Ok(shape)
}

/// # Safety
/// The pointer rules at the top of `include/gumbel.h`; `agent` as [`shape_of`].
unsafe fn act<C: CScalar>(
    agent: *const gumbel_agent,
    rng: *mut gumbel_rng,
    features: *const C,
    len: usize,
    decision: *mut c_void,
    decision_size: usize,
    action: *mut usize,
) -> gumbel_status {
    call(|b| {
        // SAFETY: forwarded preconditions.
        let shape = unsafe { agent_shape(b, agent, Some(C::KIND), false) }?;
        // SAFETY: forwarded preconditions; `C` is `float` or `int32_t`, whose every bit
        // pattern is a valid `u32` of the same size and alignment.
        let (rng, features, action) = unsafe {
            (
                b.rng(rng)?,
                b.slice(features.cast::<u32>(), len)?,
                b.out(action)?,
            )
        };
        let decision = claim_memory(b, decision, decision_size, shape.decision_size, true)?;
        // SAFETY: `agent` holds an agent of `shape` (its header says so); `decision` was
        // checked by `claim_memory` for `decision_size` bytes at GUMBEL_AGENT_ALIGN; both are
        // recorded in `b`, so neither overlaps another buffer of the call.
        *action = unsafe { (shape.act)(agent.cast(), rng, features, decision.cast()) }?;
        Ok(())
    })
}

/// # Safety
/// The pointer rules at the top of `include/gumbel.h`; `agent` and `decision` as [`shape_of`].
unsafe fn observe<C: CScalar>(
    agent: *mut gumbel_agent,
    rng: *mut gumbel_rng,
    decision: *const c_void,
    decision_size: usize,
    reward: C,
) -> gumbel_status {
    call(|b| {
        // SAFETY: forwarded preconditions.
        let shape = unsafe { agent_shape(b, agent, Some(C::KIND), true) }?;
        // SAFETY: forwarded precondition.
        let taken = unsafe { shape_of(decision, DECISION_MAGIC) }?;
        if !taken.same_type(shape) {
            return Err(GUMBEL_ERR_WRONG_KIND);
        }
        if decision_size < shape.decision_size {
            return Err(GUMBEL_ERR_BUFFER_TOO_SMALL);
        }
        b.claim(decision.cast::<u8>(), shape.decision_size, false)?;
        // SAFETY: forwarded precondition.
        let rng = unsafe { b.rng(rng) }?;
        // SAFETY: `agent` and `decision` hold an agent and a decision of `shape` (their
        // headers say so) and are recorded in `b`, so they overlap no written buffer.
        unsafe { (shape.observe)(agent.cast(), rng, decision.cast(), reward.to_bits()) }?;
        Ok(())
    })
}

/// Takes an action for `features[0..len]` (`len` = the agent's feature count): writes the
/// decision (the action and the noise that chose it) into `decision` (`decision_size` bytes, at
/// least `GUMBEL_DECISION_<shape>_SIZE`, aligned to `GUMBEL_AGENT_ALIGN`) and the action into
/// `*action`. Keep the decision until its reward is known. Draws one random word per action.
///
/// # Safety
/// The pointer rules at the top of this header; `agent` as handed back by
/// `gumbel_agent_create_f32_*`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn gumbel_agent_act_f32(
    agent: *const gumbel_agent,
    rng: *mut gumbel_rng,
    features: *const f32,
    len: usize,
    decision: *mut c_void,
    decision_size: usize,
    action: *mut usize,
) -> gumbel_status {
    // SAFETY: forwarded preconditions.
    unsafe { act(agent, rng, features, len, decision, decision_size, action) }
}

/// `gumbel_agent_act_f32` for a Q16.16 agent.
///
/// # Safety
/// The pointer rules at the top of this header; `agent` as handed back by
/// `gumbel_agent_create_fixed_*`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn gumbel_agent_act_fixed(
    agent: *const gumbel_agent,
    rng: *mut gumbel_rng,
    features: *const i32,
    len: usize,
    decision: *mut c_void,
    decision_size: usize,
    action: *mut usize,
) -> gumbel_status {
    // SAFETY: forwarded preconditions.
    unsafe { act(agent, rng, features, len, decision, decision_size, action) }
}

/// Records the reward that followed `decision` (taken by this agent's `act`): adds its gradient
/// estimate to the pending ones; nothing is learned until `gumbel_agent_update`. Gumbel-Rao and
/// RELAX draw extra random words.
///
/// # Safety
/// The pointer rules at the top of this header; `agent` as handed back by
/// `gumbel_agent_create_f32_*`, `decision` as written by `gumbel_agent_act_f32`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn gumbel_agent_observe_f32(
    agent: *mut gumbel_agent,
    rng: *mut gumbel_rng,
    decision: *const c_void,
    decision_size: usize,
    reward: f32,
) -> gumbel_status {
    // SAFETY: forwarded preconditions.
    unsafe { observe(agent, rng, decision, decision_size, reward) }
}

/// `gumbel_agent_observe_f32` for a Q16.16 agent.
///
/// # Safety
/// The pointer rules at the top of this header; `agent` as handed back by
/// `gumbel_agent_create_fixed_*`, `decision` as written by `gumbel_agent_act_fixed`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn gumbel_agent_observe_fixed(
    agent: *mut gumbel_agent,
    rng: *mut gumbel_rng,
    decision: *const c_void,
    decision_size: usize,
    reward: i32,
) -> gumbel_status {
    // SAFETY: forwarded preconditions.
    unsafe { observe(agent, rng, decision, decision_size, reward) }
}

/// Applies the mean of the pending gradients (clipped, one optimiser step), moves the
/// baseline and clears them; does nothing if nothing was observed. A step that would make a
/// parameter non-finite is refused (`GUMBEL_ERR_NON_FINITE_UPDATE`), the agent unchanged.
///
/// # Safety
/// The pointer rules at the top of this header; `agent` as handed back by a
/// `gumbel_agent_create_*` function.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn gumbel_agent_update(agent: *mut gumbel_agent) -> gumbel_status {
    call(|b| {
        // SAFETY: forwarded precondition.
        let shape = unsafe { agent_shape(b, agent, None, true) }?;
        // SAFETY: `agent` holds an agent of `shape` (its header says so).
        Ok(unsafe { (shape.update)(agent.cast()) }?)
    })
}

/// Writes what the agent has learned into `out` (`size` bytes, at least
/// `GUMBEL_AGENT_<shape>_BLOB_SIZE`) and the number of bytes written into `*written` (which may
/// be NULL). The format is versioned and CRC-checked: store it in flash.
///
/// # Safety
/// The pointer rules at the top of this header; `agent` as handed back by a
/// `gumbel_agent_create_*` function.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn gumbel_agent_save(
    agent: *const gumbel_agent,
    out: *mut u8,
    size: usize,
    written: *mut usize,
) -> gumbel_status {
    call(|b| {
        // SAFETY: forwarded preconditions.
        let shape = unsafe { agent_shape(b, agent, None, false) }?;
        // SAFETY: forwarded preconditions.
        let (out, written) = unsafe { (b.slice_mut(out, size)?, b.out_optional(written)?) };
        // SAFETY: `agent` holds an agent of `shape` (its header says so).
        let count = unsafe { (shape.save)(agent.cast(), out) }?;
        if let Some(written) = written {
            *written = count;
        }
        Ok(())
    })
}

/// Replaces what the agent has learned with `blob[0..size]`, saved by an agent of the same
/// scalar type and shape, and clears its pending gradients. A truncated, corrupted or foreign
/// blob is `GUMBEL_ERR_CORRUPTED_STATE`, the agent unchanged.
///
/// # Safety
/// The pointer rules at the top of this header; `agent` as handed back by a
/// `gumbel_agent_create_*` function.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn gumbel_agent_load(
    agent: *mut gumbel_agent,
    blob: *const u8,
    size: usize,
) -> gumbel_status {
    call(|b| {
        // SAFETY: forwarded preconditions.
        let shape = unsafe { agent_shape(b, agent, None, true) }?;
        // SAFETY: forwarded precondition.
        let blob = unsafe { b.slice(blob, size) }?;
        // SAFETY: `agent` holds an agent of `shape` (its header says so).
        Ok(unsafe { (shape.load)(agent.cast(), blob) }?)
    })
}

/// Creates a fresh `float` agent with 2 features and 2 actions in `memory` (`size` bytes, at
/// least `GUMBEL_AGENT_2X2_SIZE`, aligned to `GUMBEL_AGENT_ALIGN`) and hands back its pointer in
/// `*agent`: uniform policy, zero critic, zero baseline. The configuration is checked
/// (`GUMBEL_ERR_INVALID_PARAMETER`, `GUMBEL_ERR_INVALID_TEMPERATURE`) and not kept. The memory
/// holds no pointer into itself, so it may be copied, but it holds a pointer into this
/// program's code: it is not a storage format (keep what was learned across resets and
/// firmware updates with `gumbel_agent_save` and `gumbel_agent_load`).
///
/// # Safety
/// The pointer rules at the top of this header.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn gumbel_agent_create_f32_2x2(
    memory: *mut c_void,
    size: usize,
    config: *const gumbel_agent_config<f32>,
    agent: *mut *mut gumbel_agent,
) -> gumbel_status {
    // SAFETY: forwarded preconditions.
    unsafe { Typed::<f32, 2, 2>::create(memory, size, config, agent) }
}

/// `gumbel_agent_create_f32_2x2` for a Q16.16 agent.
///
/// # Safety
/// The pointer rules at the top of this header.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn gumbel_agent_create_fixed_2x2(
    memory: *mut c_void,
    size: usize,
    config: *const gumbel_agent_config<i32>,
    agent: *mut *mut gumbel_agent,
) -> gumbel_status {
    // SAFETY: forwarded preconditions.
    unsafe { Typed::<i32, 2, 2>::create(memory, size, config, agent) }
}

/// `gumbel_agent_create_f32_2x2` with 4 features and 4 actions (`GUMBEL_AGENT_4X4_SIZE`).
///
/// # Safety
/// The pointer rules at the top of this header.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn gumbel_agent_create_f32_4x4(
    memory: *mut c_void,
    size: usize,
    config: *const gumbel_agent_config<f32>,
    agent: *mut *mut gumbel_agent,
) -> gumbel_status {
    // SAFETY: forwarded preconditions.
    unsafe { Typed::<f32, 4, 4>::create(memory, size, config, agent) }
}

/// `gumbel_agent_create_f32_4x4` for a Q16.16 agent.
///
/// # Safety
/// The pointer rules at the top of this header.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn gumbel_agent_create_fixed_4x4(
    memory: *mut c_void,
    size: usize,
    config: *const gumbel_agent_config<i32>,
    agent: *mut *mut gumbel_agent,
) -> gumbel_status {
    // SAFETY: forwarded preconditions.
    unsafe { Typed::<i32, 4, 4>::create(memory, size, config, agent) }
}

/// `gumbel_agent_create_f32_2x2` with 8 features and 4 actions (`GUMBEL_AGENT_8X4_SIZE`).
///
/// # Safety
/// The pointer rules at the top of this header.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn gumbel_agent_create_f32_8x4(
    memory: *mut c_void,
    size: usize,
    config: *const gumbel_agent_config<f32>,
    agent: *mut *mut gumbel_agent,
) -> gumbel_status {
    // SAFETY: forwarded preconditions.
    unsafe { Typed::<f32, 8, 4>::create(memory, size, config, agent) }
}

/// `gumbel_agent_create_f32_8x4` for a Q16.16 agent.
///
/// # Safety
/// The pointer rules at the top of this header.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn gumbel_agent_create_fixed_8x4(
    memory: *mut c_void,
    size: usize,
    config: *const gumbel_agent_config<i32>,
    agent: *mut *mut gumbel_agent,
) -> gumbel_status {
    // SAFETY: forwarded preconditions.
    unsafe { Typed::<i32, 8, 4>::create(memory, size, config, agent) }
}

/// `gumbel_agent_create_f32_2x2` with 8 features and 8 actions (`GUMBEL_AGENT_8X8_SIZE`).
///
/// # Safety
/// The pointer rules at the top of this header.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn gumbel_agent_create_f32_8x8(
    memory: *mut c_void,
    size: usize,
    config: *const gumbel_agent_config<f32>,
    agent: *mut *mut gumbel_agent,
) -> gumbel_status {
    // SAFETY: forwarded preconditions.
    unsafe { Typed::<f32, 8, 8>::create(memory, size, config, agent) }
}

/// `gumbel_agent_create_f32_8x8` for a Q16.16 agent.
///
/// # Safety
/// The pointer rules at the top of this header.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn gumbel_agent_create_fixed_8x8(
    memory: *mut c_void,
    size: usize,
    config: *const gumbel_agent_config<i32>,
    agent: *mut *mut gumbel_agent,
) -> gumbel_status {
    // SAFETY: forwarded preconditions.
    unsafe { Typed::<i32, 8, 8>::create(memory, size, config, agent) }
}
