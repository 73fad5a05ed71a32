#!/usr/bin/env bash
# Regenerates the on-target cost tables: runs every QEMU board (instructions per call under
# -icount, mean and worst, painted peak stack, the learner step per estimator), builds one
# flash probe per entry point and board (llvm-size of .text + .rodata over the probe
# baseline) and, optimised for size, one of Gumbel-max and Concrete together, and rewrites the
# tables between the `cost-table` markers of boards/README.md and the `cost-summary` markers of
# README.md.
#
#   boards/cost-report.sh
#
# Needs qemu-system-arm, defmt-print and `rustup component add llvm-tools` (.ci/run installs
# them). Takes about ten minutes on 2 cores (twenty from a cold target directory).
set -euo pipefail
cd "$(dirname "$0")"

boards=(microbit lm3s6965evb mps2-an386 mps2-an505)
llvm_size="$(rustc --print sysroot)/lib/rustlib/$(rustc -vV | sed -n 's/^host: //p')/bin/llvm-size"
[[ -x $llvm_size ]] || { echo "llvm-size missing: rustup component add llvm-tools" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# Bytes of .text + .rodata of an ELF.
text_and_rodata() {
    "$llvm_size" -A "$1" | awk '$1 == ".text" || $1 == ".rodata" { n += $2 } END { print n }'
}

for board in "${boards[@]}"; do
    echo "==> $board: run" >&2
    (cd "$board" && cargo run --release --quiet) >"$work/$board.log"
    grep -E '^cost [a-z_0-9]+ [a-z0-9]+ [0-9]+ [0-9]+ [0-9]+$' "$work/$board.log" | sed "s/^cost /$board /" >>"$work/costs"
    grep -E '^learner-cost ' "$work/$board.log" | sed "s/^learner-cost /$board /" >>"$work/learner"
    grep -E '^learner (f32|fixed) [^ ]+: [0-9]+ of the last ' "$work/$board.log" |
        awk -v b="$board" '{ sub(":", "", $3); print b, $2, $3, $4 }' >>"$work/bandit"
    grep -E '^learner-cartpole ' "$work/$board.log" | sed "s/^learner-cartpole /$board /" >>"$work/cartpole"
    sed -n "s/^learner peak stack, whole training (agent, window, steps): \([0-9]*\) bytes$/$board \1/p" \
        "$work/$board.log" >>"$work/bandit-stack"
    target=$(sed -n 's/^target = "\(.*\)"/\1/p' "$board/.cargo/config.toml")
    elf="$board/target/$target/release/gumbel-board-$board"
    echo "==> $board: flash probes" >&2
    for probe in baseline $(awk -v b="$board" '$1 == b { print $2 "/" $3 }' "$work/costs"); do
        (cd "$board" && GUMBEL_FLASH_PROBE=$probe cargo build --release --quiet)
        echo "$board $probe $(text_and_rodata "$elf")" >>"$work/flash"
    done
    # Gumbel-max and Concrete linked together, optimised for size (their own target directory).
    small="$work/target-s"
    small_elf="$small/$target/release/gumbel-board-$board"
    for probe in baseline gumbel_max_16+concrete_16/f32 gumbel_max_16+concrete_16/fixed; do
        (cd "$board" && CARGO_PROFILE_RELEASE_OPT_LEVEL=s CARGO_TARGET_DIR="$small" \
            GUMBEL_FLASH_PROBE=$probe cargo build --release --quiet)
        echo "$board $probe $(text_and_rodata "$small_elf")" >>"$work/flash-s"
    done
    # Leave the board's normal firmware in place for the next `cargo run`.
    (cd "$board" && cargo build --release --quiet)
done

python3 - "$work" <<'PY'
import re, sys
work = sys.argv[1]
boards = ["microbit", "lm3s6965evb", "mps2-an386", "mps2-an505"]
cores = {"microbit": "M0", "lm3s6965evb": "M3", "mps2-an386": "M4F", "mps2-an505": "M33"}
names = {
    "naive_gumbel_max_4": "naive libm Gumbel-max, K = 4 (baseline)",
    "naive_gumbel_max_16": "naive libm Gumbel-max, K = 16 (baseline)",
    "naive_gumbel_max_64": "naive libm Gumbel-max, K = 64 (baseline)",
    "naive_inverse_cdf_16": "naive inverse-CDF (16 `expf`, one uniform), K = 16 (baseline)",
    "gumbel_max_4": "`categorical::sample`, K = 4",
    "gumbel_max_16": "`categorical::sample`, K = 16",
    "gumbel_max_64": "`categorical::sample`, K = 64",
    "gumbel_max_masked_16": "`categorical::sample_masked`, K = 16, 4 masked",
    "gumbel_max_neg_inf_16": "`categorical::sample`, K = 16, 4 of them `-inf`",
    "top_k_4_of_16": "`topk::top_k`, 4 of K = 16",
    "concrete_16": "`concrete::sample`, K = 16, λ = 1/2",
    "binary_concrete": "`binary::sample`, λ = 2/3",
    "concrete_vjp_16": "`estimators::reparam::concrete` (VJP, with its noise draw), K = 16",
}
def k_of(label):
    m = re.search(r"_(\d+)$", label)
    return m and m.group(1)

mean, worst, stack, flash, flash_s = {}, {}, {}, {}, {}
rows = []
for line in open(f"{work}/costs"):
    board, label, scalar, instr, st, worst_call = line.split()
    key = (label, scalar)
    if key not in rows:
        rows.append(key)
    mean[board, key] = int(instr)
    worst[board, key] = int(worst_call)
    stack[board, key] = int(st)
def read_flash(path, into):
    base = {}
    for line in open(path):
        board, probe, size = line.split()
        if probe == "baseline":
            base[board] = int(size)
        else:
            into[board, tuple(probe.split("/"))] = int(size) - base[board]
    return base
base = read_flash(f"{work}/flash", flash)
base_s = read_flash(f"{work}/flash-s", flash_s)

def naive_of(label):
    if label.startswith("naive"):
        return None
    k = "16" if label.startswith("top_k") else k_of(label)
    return ("naive_gumbel_max_" + k, "f32") if k else None

def cell_instr(board, key):
    n, w = mean[board, key], worst[board, key]
    ref = naive_of(key[0])
    ratio = f" ({n / mean[board, ref]:.2f}×)" if ref else ""
    return f"{n:,} / {w:,}{ratio}"

def table(cell, keys=None):
    head = "| entry point | scalar | " + " | ".join(cores[b] for b in boards) + " |"
    sep = "|---|---|" + "---:|" * len(boards)
    body = [f"| {names[l]} | {s} | " + " | ".join(cell(b, (l, s)) for b in boards) + " |"
            for l, s in (keys or rows)]
    return "\n".join([head, sep] + body)

pair = "gumbel_max_16+concrete_16"
learner = [line.split() for line in open(f"{work}/learner")]
report = f"""**Instructions per call** (QEMU `-icount shift=0,align=off`, SysTick): the mean of 256 calls
(loop overhead subtracted) / the worst of 256 more calls timed one by one (to within one tick:
62.5 instructions on the M0, 80 on the M3, 40 on the M4F, 50 on the M33); in parentheses the
mean's ratio to the naive libm Gumbel-max over the same K, measured in the same run — top-k
against K = 16. The lazy samplers' cost depends on the words drawn; the others' barely does.

{table(cell_instr)}

**Learner step**: the bandit agent's step per estimator, mean and worst, is in the learner's
section below (same run).

**Flash** (bytes of `.text` + `.rodata` that linking the entry point adds to the probe baseline,
`llvm-size -A`, the boards' release profile: `opt-level = 3`, fat LTO; baseline: {", ".join(f"{cores[b]} {base[b]:,}" for b in boards)} bytes):

{table(lambda b, k: f"{flash[b, k]:,}")}

**Flash, Gumbel-max and Concrete together, optimised for size** (`categorical::sample` and
`concrete::sample` at K = 16 linked into one probe, `opt-level = "s"`; baseline at `"s"`: {", ".join(f"{cores[b]} {base_s[b]:,}" for b in boards)} bytes):

| scalar | {" | ".join(cores[b] for b in boards)} |
|---|{"---:|" * len(boards)}
| f32 | {" | ".join(f"{flash_s[b, (pair, 'f32')]:,}" for b in boards)} |
| fixed | {" | ".join(f"{flash_s[b, (pair, 'fixed')]:,}" for b in boards)} |

**Peak stack** (bytes, painted; the deepest of 256 calls with different words, including the return address and the closure around the call, with any output array it declares):

{table(lambda b, k: f"{stack[b, k]:,}")}"""

def splice(path, marker, text):
    src = open(path).read()
    begin, end = f"<!-- {marker}:begin -->", f"<!-- {marker}:end -->"
    i, j = src.index(begin) + len(begin), src.index(end)
    open(path, "w").write(src[:i] + "\n" + text + "\n" + src[j:])

splice("README.md", "cost-table", report)

# The learner on target: the bandit's outcome beside its step cost, and CartPole.
optimal = {(b, s, e): int(o) for b, s, e, o in (l.split() for l in open(f"{work}/bandit"))}
whole = dict(l.split() for l in open(f"{work}/bandit-stack"))
names_e = {"Gumbel-Rao": "Gumbel-Rao (M = 10)", "REINFORCE+baseline": "REINFORCE + baseline"}
scalar_name = {"fixed": "I16F16", "f32": "f32"}
bandit = ["| core | scalar | estimator | optimal in last 1,000 | instructions per agent step, mean / worst | of which the task | peak stack, deepest of 256 steps |",
          "|---|---|---|---:|---:|---:|---:|"]
state = {}
for board, scalar, estimator, total, environment, st, agent_bytes, worst_step in learner:
    state[board] = int(agent_bytes)
    bandit.append(f"| {cores[board]} | {scalar_name[scalar]} | {names_e.get(estimator, estimator)} | "
                  f"{optimal[board, scalar, estimator]:,} | {int(total):,} / {int(worst_step):,} | "
                  f"{int(environment):,} | {int(st):,} B |")
cart = ["| core | scalar | estimator | solved at episode (of 1,000) | agent steps | instructions per agent step | of which the cart and pole | peak stack, whole training |",
        "|---|---|---|---:|---:|---:|---:|---:|"]
cart_bytes = set()
for line in open(f"{work}/cartpole"):
    board, scalar, estimator, episodes, steps, per_step, environment, st, agent_bytes, episode_bytes = line.split()
    cart_bytes.add((int(agent_bytes), int(episode_bytes)))
    cart.append(f"| {cores[board]} | {scalar_name[scalar]} | {estimator} | {int(episodes):,} | {int(steps):,} | "
                f"{int(per_step):,} | {int(environment):,} | {int(st):,} B |")
learner_report = f"""**Bandit** (`learner` and `learner-cost` lines; the step's cost as in the cost report above)

{chr(10).join(bandit)}

The bandit's agent (`Agent<_, 4, 4>`) is {", ".join(f"{cores[b]} {state[b]:,}" for b in boards)} bytes;
the whole training (agent, the 1,000-step success window and every step) peaks at
{", ".join(f"{cores[b]} {int(whole[b]):,}" for b in boards)} bytes of stack.

**CartPole** (`learner-cartpole` lines)

{chr(10).join(cart)}

A `CartPoleAgent` is {" / ".join(sorted({f"{a:,}" for a, _ in cart_bytes}))} bytes and the episode's decisions
(`heapless::Vec<Decision<_, 4, 2>, 200>`) {" / ".join(sorted({f"{e:,}" for _, e in cart_bytes}))} bytes,
both on the stack of the training."""
splice("README.md", "learner-table", learner_report)

def n(board, label, scalar):
    return mean[board, (label, scalar)]
def vs_naive(board, label, scalar):
    x = n(board, label, scalar)
    return f"{x:,} ({x / n(board, 'naive_gumbel_max_16', 'f32'):.2f}×)"
scalars = [s for s in ("f32", "fixed") if any(k == ("gumbel_max_16", s) for _, k in mean)]
summary = ["| core | naive libm Gumbel-max | naive inverse-CDF | " + " | ".join(f"Gumbel-max, {s}" for s in scalars)
           + " | " + " | ".join(f"Concrete, {s}" for s in scalars) + " | flash, Gumbel-max + Concrete (`opt-level = \"s\"`), "
           + " / ".join(scalars) + " |",
           "|---|" + "---:|" * (3 + 2 * len(scalars))]
for b in boards:
    summary.append(f"| {cores[b]} | {n(b, 'naive_gumbel_max_16', 'f32'):,} | {vs_naive(b, 'naive_inverse_cdf_16', 'f32')} | "
                   + " | ".join(vs_naive(b, "gumbel_max_16", s) for s in scalars) + " | "
                   + " | ".join(vs_naive(b, "concrete_16", s) for s in scalars) + " | "
                   + " / ".join(f"{flash_s[b, (pair, s)]:,}" for s in scalars) + " B |")
splice("../README.md", "cost-summary", "\n".join(summary))
PY
echo "==> tables written to boards/README.md and README.md" >&2
