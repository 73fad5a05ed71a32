#!/usr/bin/env bash
# Regenerates the on-target cost tables: runs every QEMU board (instructions per call under
# -icount, painted peak stack), builds one flash probe per entry point and board (llvm-size of
# .text + .rodata over the probe baseline), and rewrites the tables between the `cost-table`
# markers of boards/README.md and the `cost-summary` markers of README.md.
#
#   boards/cost-report.sh
#
# Needs qemu-system-arm, defmt-print and `rustup component add llvm-tools` (.ci/run installs
# them). Takes about five minutes on 2 cores from a cold target directory, under one when warm.
set -euo pipefail
cd "$(dirname "$0")"

boards=(microbit lm3s6965evb mps2-an386 mps2-an505)
llvm_size="$(rustc --print sysroot)/lib/rustlib/$(rustc -vV | sed -n 's/^host: //p')/bin/llvm-size"
[[ -x $llvm_size ]] || { echo "llvm-size missing: rustup component add llvm-tools" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

for board in "${boards[@]}"; do
    echo "==> $board: run" >&2
    (cd "$board" && cargo run --release --quiet) >"$work/$board.log"
    grep -E '^cost [a-z_0-9]+ [a-z0-9]+ [0-9]+ [0-9]+$' "$work/$board.log" | sed "s/^cost /$board /" >>"$work/costs"
    target=$(sed -n 's/^target = "\(.*\)"/\1/p' "$board/.cargo/config.toml")
    elf="$board/target/$target/release/gumbel-board-$board"
    echo "==> $board: flash probes" >&2
    for probe in baseline $(awk -v b="$board" '$1 == b { print $2 "/" $3 }' "$work/costs"); do
        (cd "$board" && GUMBEL_FLASH_PROBE=$probe cargo build --release --quiet)
        bytes=$("$llvm_size" -A "$elf" | awk '$1 == ".text" || $1 == ".rodata" { n += $2 } END { print n }')
        echo "$board $probe $bytes" >>"$work/flash"
    done
    # Leave the board's normal firmware in place for the next `cargo run`.
    (cd "$board" && cargo build --release --quiet)
done

python3 - "$work" <<'PY'
import collections, re, sys
work = sys.argv[1]
boards = ["microbit", "lm3s6965evb", "mps2-an386", "mps2-an505"]
cores = {"microbit": "M0", "lm3s6965evb": "M3", "mps2-an386": "M4F", "mps2-an505": "M33"}
names = {
    "naive_gumbel_max_4": "naive libm Gumbel-max, K = 4 (baseline)",
    "naive_gumbel_max_16": "naive libm Gumbel-max, K = 16 (baseline)",
    "naive_gumbel_max_64": "naive libm Gumbel-max, K = 64 (baseline)",
    "gumbel_max_4": "`categorical::sample`, K = 4",
    "gumbel_max_16": "`categorical::sample`, K = 16",
    "gumbel_max_64": "`categorical::sample`, K = 64",
    "top_k_4_of_16": "`topk::top_k`, 4 of K = 16",
    "concrete_16": "`concrete::sample`, K = 16, λ = 1/2",
    "binary_concrete": "`binary::sample`, λ = 2/3",
    "concrete_vjp_16": "`estimators::relaxed::concrete` (VJP, with its noise draw), K = 16",
}
def k_of(label):
    m = re.search(r"_(\d+)$", label)
    return m and m.group(1)

instructions, stack, flash = {}, {}, {}
rows = []
for line in open(f"{work}/costs"):
    board, label, scalar, instr, st = line.split()
    key = (label, scalar)
    if key not in rows:
        rows.append(key)
    instructions[board, key] = int(instr)
    stack[board, key] = int(st)
base = {}
for line in open(f"{work}/flash"):
    board, probe, size = line.split()
    if probe == "baseline":
        base[board] = int(size)
    else:
        label, scalar = probe.split("/")
        flash[board, (label, scalar)] = int(size) - base[board]

def naive_of(label):
    k = k_of(label) if not label.startswith("top_k") else "16"
    return ("naive_gumbel_max_" + k, "f32") if k else None

def cell_instr(board, key):
    n = instructions[board, key]
    ref = naive_of(key[0])
    if key[0].startswith("naive") or ref is None:
        return f"{n:,}"
    return f"{n:,} ({n / instructions[board, ref]:.2f}×)"

def table(cell):
    head = "| entry point | scalar | " + " | ".join(cores[b] for b in boards) + " |"
    sep = "|---|---|" + "---:|" * len(boards)
    body = [f"| {names[l]} | {s} | " + " | ".join(cell(b, (l, s)) for b in boards) + " |" for l, s in rows]
    return "\n".join([head, sep] + body)

report = f"""**Instructions per call** (QEMU `-icount shift=0,align=off`, SysTick; mean of 100 calls, loop
overhead subtracted; in parentheses the ratio to the naive libm Gumbel-max over the same K,
measured in the same run — top-k against K = 16):

{table(cell_instr)}

**Flash** (bytes of `.text` + `.rodata` that linking the entry point adds to the probe baseline,
`llvm-size -A`; baseline: {", ".join(f"{cores[b]} {base[b]:,}" for b in boards)} bytes):

{table(lambda b, k: f"{flash[b, k]:,}")}

**Peak stack** (bytes, painted; one call, including its return address and the closure around it):

{table(lambda b, k: f"{stack[b, k]:,}")}"""

def splice(path, marker, text):
    src = open(path).read()
    begin, end = f"<!-- {marker}:begin -->", f"<!-- {marker}:end -->"
    i, j = src.index(begin) + len(begin), src.index(end)
    open(path, "w").write(src[:i] + "\n" + text + "\n" + src[j:])

splice("README.md", "cost-table", report)

def n(board, label, scalar):
    return instructions[board, (label, scalar)]
def vs_naive(board, label, scalar):
    x = n(board, label, scalar)
    return f"{x:,} ({x / n(board, 'naive_gumbel_max_16', 'f32'):.2f}×)"
scalars = [s for s in ("f32", "fixed") if any(k == ("gumbel_max_16", s) for _, k in instructions)]
summary = ["| core | naive libm Gumbel-max | " + " | ".join(f"Gumbel-max, {s}" for s in scalars)
           + " | " + " | ".join(f"Concrete, {s}" for s in scalars) + " | flash, Gumbel-max "
           + " / ".join(scalars) + " |",
           "|---|" + "---:|" * (2 + 2 * len(scalars))]
for b in boards:
    summary.append(f"| {cores[b]} | {n(b, 'naive_gumbel_max_16', 'f32'):,} | "
                   + " | ".join(vs_naive(b, "gumbel_max_16", s) for s in scalars) + " | "
                   + " | ".join(vs_naive(b, "concrete_16", s) for s in scalars) + " | "
                   + " / ".join(f"{flash[b, ('gumbel_max_16', s)]:,}" for s in scalars) + " B |")
splice("../README.md", "cost-summary", "\n".join(summary))
PY
echo "==> tables written to boards/README.md and README.md" >&2
