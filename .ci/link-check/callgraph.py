#!/usr/bin/env python3
"""Which probes of a link-check binary reach a forbidden symbol, and from where.

Reads `llvm-objdump -d -C -l` of the binary, builds the call graph from direct branches
(`bl`, `b.w`, conditional tail calls), and for every exported probe (`probe.<scalar>.<entry
point>`) lists the forbidden symbols it can reach, each with the function that calls it and the
nearest line of this repository before the call. Exits 1 if any probe reaches one.

usage: callgraph.py OBJDUMP ELF SINK_REGEX WHAT
"""
import collections
import os
import re
import subprocess
import sys

objdump, elf, sink_pattern, what = sys.argv[1:5]
root = os.path.realpath(os.path.join(os.path.dirname(__file__), "..", "..")) + os.sep
sink = re.compile(sink_pattern)
header = re.compile(r"^([0-9a-f]+) <(.+)>:$")
location = re.compile(r"^; (/.+):(\d+)")
branch = re.compile(r"^\s+[0-9a-f]+:\s+b[a-z.]*\s+\S+ <(.+?)>(?:\s+@.*)?$")
hash_suffix = re.compile(r"::h[0-9a-f]{16}")


def clean(name):
    """For display: two instances of one generic function differ only in their hash, so the
    graph keeps the hash and only the report drops it."""
    name = hash_suffix.sub("", name)
    return name.replace("$LT$", "<").replace("$GT$", ">").replace("$C$", ",").replace("$u20$", " ")


listing = subprocess.run(
    [objdump, "-d", "-C", "-l", "--no-show-raw-insn", elf],
    check=True, capture_output=True, text=True,
).stdout

at_address = {}  # the name the listing gives each function's address
calls = collections.defaultdict(set)
sites = collections.defaultdict(set)  # caller -> {(callee, where)}
current, here = None, None
for line in listing.splitlines():
    if m := header.match(line):
        current, here = m.group(2), None
        at_address[int(m.group(1), 16)] = current
    elif m := location.match(line):
        if m.group(1).startswith(root):
            here = f"{m.group(1)[len(root):]}:{m.group(2)}"
    elif current and (m := branch.match(line)):
        target = m.group(1)
        # A call or tail call lands on a symbol itself; `<f+0x..>` is a jump inside a function.
        if "+0x" not in target and target != current:
            calls[current].add(target)
            if sink.search(target) and not sink.search(current):
                sites[current].add((target, here or "?"))

# Identical functions are merged into one body with several names (aliases), of which the
# listing shows one: take every probe from the symbol table and follow the body at its address.
nm = os.path.join(os.path.dirname(objdump), "llvm-nm")
probes = {}
for line in subprocess.run([nm, "--defined-only", elf], check=True, capture_output=True,
                           text=True).stdout.splitlines():
    address, _, name = line.split(maxsplit=2)
    if name.startswith("probe."):
        probes[name] = at_address.get(int(address, 16) & ~1, name)
if not probes:
    sys.exit(f"no probes found in {elf}")
failing = 0
for probe, body in sorted(probes.items()):
    seen, stack = {body}, [body]
    while stack:
        for callee in calls[stack.pop()]:
            if callee not in seen and not sink.search(callee):
                seen.add(callee)
                stack.append(callee)
    found = sorted(
        {(clean(callee), clean(caller), where) for caller in seen for callee, where in sites[caller]}
    )
    if found:
        failing += 1
        print(f"{probe}: links {what}")
        for callee, caller, where in found:
            print(f"    {callee} <- {caller} ({where})")
print(f"{failing} of {len(probes)} probes link {what}")
sys.exit(1 if failing else 0)
