//! The QEMU boards' program: the test suite, then the cost report, then a semihosting exit
//! whose status QEMU passes on (0 only if every check passed).
//!
//! # Counting instructions
//! QEMU runs with `-icount shift=0,align=off`: every instruction advances virtual time by
//! exactly 1 ns, so SysTick, clocked from the core at `f` Hz, ticks once per `10^9 / f`
//! instructions. An entry point is called [`CALLS`] times between two reads of the counter;
//! the same loop around an empty closure is subtracted, so the figure is the call itself
//! (sampler and random number generator). A calibration loop of known length checks the
//! conversion on every run, so a runner without `-icount` fails instead of printing noise.
//!
//! # Peak stack
//! Before the calls, everything between the end of `.bss` (`_stack_end`) and the current stack
//! pointer is painted with [`PAINT`]; after [`CALLS`] calls (each with fresh random words, so
//! a data-dependent path is met), the lowest word no longer holding the paint marks the deepest
//! point any call reached. The figure includes the call's return address and the frame of the
//! closure around it (a few words, and the output arrays it declares).

use core::arch::asm;
use core::hint::black_box;
use core::ptr::{addr_of, read_volatile, write_volatile};

use cortex_m::peripheral::SYST;
use cortex_m::peripheral::syst::SystClkSource;
use cortex_m_semihosting::debug;
use gumbel::Error;
use gumbel::learner::Estimator;
use rand_core::SeedableRng;

use crate::bench::{self, Entry, FlashProbe, ScalarKind, Visit};
use crate::{learn, suite};

/// Calls per timed figure: one SysTick tick (at most 80 instructions on these machines) is
/// below one instruction per call of the mean.
pub const CALLS: u32 = 256;

/// The stack paint.
pub const PAINT: u32 = 0xDEAD_BEEF;

/// SysTick's reload value: the full 24 bits.
const RELOAD: u32 = 0x00FF_FFFF;

/// Runs the firmware on the board named `board` (whose SysTick runs at `systick_hz`) and exits
/// QEMU with the outcome. Built as a flash probe (`GUMBEL_FLASH_PROBE`), it calls only the
/// probed entry point.
pub fn main(board: &'static str, systick_hz: u32) -> ! {
    let passed = match bench::PROBE {
        Some(_) => {
            // Link the panic handler in every probe, the baseline included, so an entry's
            // figure does not depend on whether it is the first to contain a bounds check.
            if black_box(false) {
                panic!("unreachable");
            }
            bench::entries(&mut FlashProbe);
            true
        }
        None => run(board, systick_hz),
    };
    exit(passed)
}

fn run(board: &'static str, systick_hz: u32) -> bool {
    say!("gumbel firmware on {}", board);
    let suite_passed = suite::run().is_ok();
    let Some(peripherals) = cortex_m::Peripherals::take() else {
        say!("result: FAILED, no SysTick");
        return false;
    };
    let mut meter = Meter::new(peripherals.SYST, systick_hz);
    let (costs_measured, learner_costs_measured) = report_costs(&mut meter);
    // The whole training (agent, success window and every step) over a painted stack.
    let (learned, learner_stack) = painted(&mut learn::run);
    say!(
        "learner peak stack, whole training (agent, window, steps): {} bytes",
        learner_stack
    );
    let balanced = cartpole(&mut meter);
    say!(
        "result: suite {}, costs {}, learner {}, cartpole {}",
        if suite_passed { "passed" } else { "FAILED" },
        if costs_measured && learner_costs_measured {
            "measured"
        } else {
            "FAILED"
        },
        if learned { "passed" } else { "FAILED" },
        if balanced { "solved" } else { "FAILED" }
    );
    suite_passed && costs_measured && learner_costs_measured && learned && balanced
}

/// Trains CartPole on the board ([`learn::cartpole_with`]) over a painted stack, timing every
/// episode, and logs `learner-cartpole <scalar> <estimator> <episodes> <agent steps>
/// <instructions per agent step> <of which the cart and pole> <peak stack bytes> <agent bytes>
/// <decision buffer bytes>`. An agent step's instructions are the whole training's (acting, the
/// physics, learning from each episode, the success window) over the decisions taken.
fn cartpole(meter: &mut Meter) -> bool {
    let mut instructions = 0u64;
    let mut timed = true;
    let (outcome, stack) = painted(&mut || {
        learn::cartpole(|run, decisions| {
            let (result, spent) = meter.time(|| run.episode(decisions));
            instructions += spent;
            timed &= meter.ok;
            result
        })
    });
    let Ok(learn::Outcome {
        solved,
        episodes,
        steps,
    }) = outcome
    else {
        say!("cartpole: ERROR starting the run");
        return false;
    };
    let mut rng = rand_xoshiro::Xoshiro128PlusPlus::seed_from_u64(crate::SEED);
    let environment = meter.count(CALLS, || learn::environment_only(&mut rng, 1));
    let per_step = instructions / u64::from(steps.max(1));
    let environment =
        (environment.saturating_sub(meter.overhead) + u64::from(CALLS) / 2) / u64::from(CALLS);
    say!(
        "learner-cartpole {} {} {} {} {} {} {} {} {}",
        learn::NATURAL_NAME,
        learn::CARTPOLE_ESTIMATOR.name(),
        episodes,
        steps,
        per_step,
        environment,
        stack,
        core::mem::size_of::<gumbel::tasks::CartPoleAgent<learn::Natural>>(),
        core::mem::size_of::<learn::Episode>()
    );
    solved && timed
}

fn exit(passed: bool) -> ! {
    debug::exit(if passed {
        debug::EXIT_SUCCESS
    } else {
        debug::EXIT_FAILURE
    });
    // Not reached under QEMU; on a probe without semihosting, stop here.
    loop {
        cortex_m::asm::wfi();
    }
}

/// Logs one `cost` line per entry point: `cost <label> <scalar> <instructions per call>
/// <peak stack bytes> <worst call>`; `boards/cost-report.sh` turns them into the table. Then
/// the learner's costs ([`report_learner_costs`]). Returns whether each part was measured.
/// Never inlined, so that its locals are not in the caller's frame while CartPole trains.
#[inline(never)]
fn report_costs(meter: &mut Meter) -> (bool, bool) {
    if !meter.calibrate() {
        return (false, false);
    }
    meter.overhead = meter.count(CALLS, || Ok(0));
    meter.single_overhead = meter.worst(CALLS, || Ok(0)).1;
    say!(
        "cost loop overhead: {} instructions per {} calls, {} per single call (subtracted)",
        meter.overhead,
        CALLS,
        meter.single_overhead
    );
    bench::entries(meter);
    let entries_ok = meter.ok;
    meter.ok = true;
    report_learner_costs(meter);
    (entries_ok, meter.ok)
}

/// Logs one `learner-cost` line per estimator: `learner-cost <scalar> <estimator> <instructions
/// per agent step> <of which the environment> <peak stack bytes> <agent state bytes> <worst
/// step>`, from a fresh agent's first steps. An agent step is a context, `act`, a reward, `observe` and
/// `update`; the environment's share (the context and the reward) is timed on its own.
fn report_learner_costs(meter: &mut Meter) {
    for estimator in Estimator::ALL {
        let Ok(mut session) = learn::Session::new(estimator) else {
            meter.ok = false;
            return;
        };
        let (first, stack) = painted_calls(&mut || session.step(), CALLS);
        let total = meter.count(CALLS, || session.step().map(u32::from));
        let environment = meter.count(CALLS, || session.environment_only().map(u32::from));
        let worst = meter.worst(CALLS, || session.step().map(u32::from)).1;
        let per_call = |instructions: u64| {
            (instructions.saturating_sub(meter.overhead) + u64::from(CALLS) / 2) / u64::from(CALLS)
        };
        if first.is_err() {
            meter.ok = false;
        }
        say!(
            "learner-cost {} {} {} {} {} {} {}",
            learn::NATURAL_NAME,
            estimator.name(),
            per_call(total),
            per_call(environment),
            stack,
            core::mem::size_of::<learn::BanditAgent>(),
            worst.saturating_sub(meter.single_overhead)
        );
    }
}

struct Meter {
    syst: SYST,
    systick_hz: u32,
    /// Instructions of [`CALLS`] iterations of the timing loop around an empty closure.
    overhead: u64,
    /// Instructions of one timed call of an empty closure (the least over [`CALLS`]).
    single_overhead: u64,
    ok: bool,
}

impl Meter {
    fn new(mut syst: SYST, systick_hz: u32) -> Self {
        syst.set_clock_source(SystClkSource::Core);
        syst.set_reload(RELOAD);
        syst.clear_current();
        syst.enable_counter();
        Self {
            syst,
            systick_hz,
            overhead: 0,
            single_overhead: 0,
            ok: true,
        }
    }

    /// Instructions spent by `calls` calls of `call` (plus the loop around them).
    #[inline(always)]
    fn count<F: FnMut() -> Result<u32, Error>>(&mut self, calls: u32, mut call: F) -> u64 {
        // Restart from the top, so the count cannot wrap unnoticed.
        self.syst.clear_current();
        while SYST::get_current() == 0 {}
        let _ = self.syst.has_wrapped();
        let start = SYST::get_current();
        for _ in 0..calls {
            let _ = black_box(call());
        }
        let end = SYST::get_current();
        if self.syst.has_wrapped() {
            say!("cost: SysTick wrapped; time fewer calls");
            self.ok = false;
        }
        u64::from(start - end) * 1_000_000_000 / u64::from(self.systick_hz)
    }

    /// Times `calls` calls one by one: returns the least and the greatest, in instructions
    /// (each to within one tick).
    fn worst<F: FnMut() -> Result<u32, Error>>(&mut self, calls: u32, mut call: F) -> (u64, u64) {
        let (mut least, mut greatest) = (u64::MAX, 0);
        for _ in 0..calls {
            let (_, instructions) = self.time(|| black_box(call()));
            least = least.min(instructions);
            greatest = greatest.max(instructions);
        }
        (least, greatest)
    }

    /// Instructions spent by one call of `call` (at most 2^24 SysTick ticks: 671 million
    /// instructions at 25 MHz), with its result.
    fn time<T>(&mut self, call: impl FnOnce() -> T) -> (T, u64) {
        self.syst.clear_current();
        while SYST::get_current() == 0 {}
        let _ = self.syst.has_wrapped();
        let start = SYST::get_current();
        let result = call();
        let end = SYST::get_current();
        if self.syst.has_wrapped() {
            say!("cost: SysTick wrapped; the call is too long to time");
            self.ok = false;
        }
        let ticks = u64::from(start - end);
        (result, ticks * 1_000_000_000 / u64::from(self.systick_hz))
    }

    /// Times a loop of exactly `2 n` instructions and checks the count, within one tick and the
    /// few instructions around the loop.
    fn calibrate(&mut self) -> bool {
        const N: u32 = 50_000;
        let expected = 2 * u64::from(N);
        let counted = self.count(1, || {
            spin(N);
            Ok(0)
        });
        let tolerance = 1_000_000_000 / u64::from(self.systick_hz) + 32;
        let ok = counted.abs_diff(expected) <= tolerance;
        say!(
            "calibration: {} instructions counted as {} ({})",
            expected,
            counted,
            if ok {
                "ok"
            } else {
                "WRONG: is QEMU running with -icount shift=0?"
            }
        );
        ok
    }
}

impl Visit for Meter {
    fn visit<F: FnMut() -> Result<u32, Error>>(
        &mut self,
        entry: Entry,
        kind: ScalarKind,
        mut call: F,
    ) {
        let (result, stack) = painted_calls(&mut call, CALLS);
        if let Err(error) = result {
            say!("cost {} {}: ERROR {}", entry.label(), kind.name(), error);
            self.ok = false;
            return;
        }
        let total = self.count(CALLS, &mut call);
        let per_call =
            (total.saturating_sub(self.overhead) + u64::from(CALLS) / 2) / u64::from(CALLS);
        let worst = self.worst(CALLS, &mut call).1;
        say!(
            "cost {} {} {} {} {}",
            entry.label(),
            kind.name(),
            per_call,
            stack,
            worst.saturating_sub(self.single_overhead)
        );
    }
}

/// Exactly `2 n` instructions (`subs`, `bne`), `n >= 1`.
#[inline(always)]
fn spin(n: u32) {
    // SAFETY: register-only countdown loop; touches no memory and no stack.
    unsafe {
        asm!("2:", "subs {0}, #1", "bne 2b", inout(reg) n => _, options(nomem, nostack));
    }
}

unsafe extern "C" {
    /// The lowest address the stack may reach (cortex-m-rt: the end of `.bss` and `.uninit`).
    static _stack_end: u32;
}

/// Calls `call` once over a painted stack; returns its result and the bytes of stack it used.
#[inline(never)]
fn painted<R, F: FnMut() -> R>(call: &mut F) -> (R, usize) {
    painted_calls(call, 1)
}

/// Calls `call` `calls` times (at least once) over one painted stack; returns the first
/// result and the deepest any of the calls reached. A lazy sampler's path depends on the words
/// drawn (only an overlap of brackets reaches the exact noise kernel), so one call can miss its
/// deepest path; many calls with different words rarely do.
#[inline(never)]
fn painted_calls<R, F: FnMut() -> R>(call: &mut F, calls: u32) -> (R, usize) {
    let top = cortex_m::register::msp::read() as usize;
    let bottom = addr_of!(_stack_end) as usize;
    let mut word = bottom;
    while word < top {
        // SAFETY: [bottom, top) is the unused part of the stack: below this frame, above every
        // static; no interrupt is enabled that could be using it.
        unsafe { write_volatile(word as *mut u32, PAINT) };
        word += 4;
    }
    let result = call_once(call);
    for _ in 1..calls {
        call_once(call);
    }
    let mut lowest = bottom;
    // SAFETY: the same words, read back.
    while lowest < top && unsafe { read_volatile(lowest as *const u32) } == PAINT {
        lowest += 4;
    }
    (result, top - lowest)
}

/// A call in a frame of its own, below the painter's stack pointer.
#[inline(never)]
fn call_once<R, F: FnMut() -> R>(call: &mut F) -> R {
    call()
}

#[panic_handler]
fn panic(info: &core::panic::PanicInfo) -> ! {
    match info.location() {
        Some(location) => say!("PANIC at {}:{}", location.file(), location.line()),
        None => say!("PANIC"),
    }
    exit(false)
}
