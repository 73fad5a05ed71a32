#!/usr/bin/env python3
"""A static bound on the stack each probe of a link-check binary can use.

Reads `llvm-objdump -d -C` of a Cortex-M binary and, for every function, the bytes its prologue
takes (`push`, `vpush`, `sub sp, #imm`, a pre-indexed store to `sp`) and the functions it calls
(`bl`) or tail-calls (a branch to another function's first instruction, made after its frame is
released). A probe's bound is the deepest chain of frames it can reach:

    depth(f) = max(frame(f) + max depth(callee of f by bl), max depth(callee of f by tail call))

with every call counted, whichever data it depends on: a bound on every path, not only the ones
a run takes (what the boards' painted figures measure). Only what the listing shows is trusted:
a function that moves `sp` by a register, calls through a register or is reached again through
its own callees (recursion) has no static bound, and the probe is reported as unbounded. A
computed jump (`mov pc, rN`, `add pc, rN`: a switch table on ARMv6-M) is taken to stay inside its
function, a branch into the middle of another function (code that soft-float routines share) as a
call of that whole function, and a frame taken in several places (on several paths) whole: each
errs on the side of a larger bound.

Prints one line per probe, `<bytes> <probe>` (with STACK_CHAINS set, followed by its deepest
chain of frames), and exits 1 if any probe is unbounded.

usage: stack.py OBJDUMP ELF [PROBE_REGEX]
"""
import bisect
import functools
import os
import re
import subprocess
import sys

objdump, elf = sys.argv[1:3]
wanted = re.compile(sys.argv[3] if len(sys.argv) > 3 else "")
header = re.compile(r"^([0-9a-f]+) <(.+)>:$")
instruction = re.compile(r"^\s+([0-9a-f]+):\s+((?:[0-9a-f]{2,8} )+)\s*(\S+)\s*(.*?)\s*(?:@.*)?$")
register_list = re.compile(r"\{([^}]*)\}")
hash_suffix = re.compile(r"::h[0-9a-f]{16}")

listing = subprocess.run(
    [objdump, "-d", "-C", elf], check=True, capture_output=True, text=True
).stdout


def registers(operands):
    """The number of registers in a `{r4, r5, lr}` or `{d8-d10}` list."""
    count = 0
    for item in register_list.search(operands).group(1).split(","):
        item = item.strip()
        if "-" in item:
            low, high = item.split("-")
            count += int(high[1:]) - int(low[1:]) + 1
        else:
            count += 1
    return count


# Literal-pool words, by address: a frame too large for an immediate is taken by
# `ldr rN, [pc, #..]` of a negative word and `add sp, rN` (ARMv6-M).
word = re.compile(r"^\s+([0-9a-f]+):\s+(?:[0-9a-f]{2} ){4}\s*\.word\s+(0x[0-9a-f]+)")
literal = {}
for line in listing.splitlines():
    if m := word.match(line):
        literal[int(m.group(1), 16)] = int(m.group(2), 16)
load = re.compile(r"(r\d+), \[pc, #[^]]*\]\s+@ 0x([0-9a-f]+)")

# Functions are keyed by their first address: two instances of a generic function can print
# the same name.
starts = sorted(int(m.group(1), 16) for m in map(header.match, listing.splitlines()) if m)
first = set(starts)
branch_to = re.compile(r"^(?:[a-z.]+\s+)?0x([0-9a-f]+)\b")


def containing(address):
    """The first address of the function that holds `address`."""
    return starts[bisect.bisect_right(starts, address) - 1]


name, frame, calls, tails, unknown = {}, {}, {}, {}, {}
loaded = {}  # register -> the literal last loaded into it, in the current function
current = None
for line in listing.splitlines():
    if m := header.match(line):
        current = int(m.group(1), 16)
        name[current] = m.group(2)
        loaded = {}
        frame[current], calls[current], tails[current], unknown[current] = 0, set(), set(), []
        continue
    m = instruction.match(line)
    if current is None or not m:
        continue
    if m.group(2).split() == ["d4d4"]:
        continue  # the linker's padding between functions (a trap), not code
    mnemonic, operands = m.group(3), m.group(4).replace("\t", " ")
    base = mnemonic.split(".")[0]
    if base == "ldr" and (pool := load.search(line)):
        loaded[pool.group(1)] = literal.get(int(pool.group(2), 16))
    if base == "push":
        frame[current] += 4 * registers(operands)
    elif base == "vpush":
        size = 8 if operands.lstrip("{").startswith("d") else 4
        frame[current] += size * registers(operands)
    elif base in ("sub", "subw") and re.match(r"sp,\s*(sp,\s*)?#", operands):
        frame[current] += int(operands.split("#")[1], 0)
    elif base in ("str", "stmdb") and (pre := re.search(r"\[sp, #-(\w+)\]!", operands)):
        frame[current] += int(pre.group(1), 0)
    elif base in ("sub", "add") and (by := re.match(r"sp,\s*(?:sp,\s*)?(r\d+)$", operands)):
        value = loaded.get(by.group(1))
        if value is None:
            unknown[current].append(f"sp moved by a register ({mnemonic} {operands})")
        else:
            value = value - (1 << 32) if value >= 1 << 31 else value
            taken = -value if base == "add" else value
            frame[current] += max(taken, 0)
    elif base == "blx" or (base == "bx" and operands != "lr"):
        unknown[current].append(f"indirect call ({mnemonic} {operands})")
    elif base.startswith("b") and base not in ("bic", "bics", "bfc", "bfi", "bkpt") and (
        to := branch_to.match(operands)
    ):
        address = int(to.group(1), 16)
        if address in first or containing(address) != current:
            if address not in first:
                # Into another function's body (code the soft-float routines share): counted as
                # a call of that whole function with this frame still taken, which bounds it.
                calls[current].add(containing(address))
            elif address == current:
                pass  # a loop back to the first instruction
            elif base == "bl":
                calls[current].add(address)
            else:
                tails[current].add(address)  # after the frame is released
        # Otherwise a branch inside the function (ARMv6-M also uses `bl` as a long branch).


class Unbounded(Exception):
    pass


def clean(function):
    return hash_suffix.sub("", name[function])


@functools.lru_cache(maxsize=None)
def depth(function, path=()):
    if function in path:
        raise Unbounded(f"recursion through {clean(function)}")
    if unknown[function]:
        raise Unbounded(f"{clean(function)}: {unknown[function][0]}")
    path = path + (function,)
    below = max((depth(c, path) for c in calls[function]), default=0)
    tail = max((depth(c, path) for c in tails[function]), default=0)
    return max(frame[function] + below, tail)


def deepest(function):
    """The chain of frames that gives `depth(function)`: `[(function, frame bytes), ...]`."""
    chain = []
    while True:
        below = max(calls[function], key=depth, default=None)
        tail = max(tails[function], key=depth, default=None)
        if tail is not None and depth(tail) > frame[function] + (depth(below) if below else 0):
            function = tail  # the frame is released before the tail call
            continue
        chain.append((function, frame[function]))
        if below is None:
            return chain
        function = below


nm = os.path.join(os.path.dirname(objdump), "llvm-nm")
probes = {}
for line in subprocess.run(
    [nm, "--defined-only", elf], check=True, capture_output=True, text=True
).stdout.splitlines():
    address, _, symbol = line.split(maxsplit=2)
    if symbol.startswith("probe.") and wanted.search(symbol):
        probes[symbol] = int(address, 16) & ~1
if not probes:
    sys.exit(f"no probes found in {elf}")
status = 0
for probe, body in sorted(probes.items()):
    try:
        print(f"{depth(body):6d} {probe}")
        if os.environ.get("STACK_CHAINS"):
            for function, size in deepest(body):
                print(f"{size:12d}  {clean(function)}")
    except Unbounded as why:
        print(f"  none {probe}: {why}")
        status = 1
sys.exit(status)
