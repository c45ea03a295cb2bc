"""Binary translation in miniature: guest kernel code rewritten on demand into a translation cache.

Imitates the notes' "binary translation: binary, on-demand, full instruction set" as VMware described its
translator (K. Adams and O. Agesen, "A Comparison of Software and Hardware Techniques for x86
Virtualization", ASPLOS 2006, section 3; VMware, *Understanding Full Virtualization, Paravirtualization,
and Hardware Assist*, 2007): the input is guest machine code (binary, not source), a block is translated
only when it is about to run for the first time (on demand), the input is the full x86 instruction set and
the output a safe subset: ordinary instructions are copied unchanged ("IDENT"), privileged or sensitive
ones (cli, popf, mov to cr3, ...) become calls into the VMM that emulate them on the virtual CPU. The
translation is kept in a translation cache (TC), so a block that runs again costs nothing to translate:
the hit rate climbs as the guest's working set of kernel code is covered. Guest user code (ring 3) is
not translated at all: it runs directly on the CPU (direct execution).

Left out: real x86 decoding, chaining of translated blocks, adaptive translation of faulting memory
accesses, TC eviction and invalidation when the guest writes its own code, and the hardware-assisted
alternative (VT-x/AMD-V) that replaced binary translation for most guests.
"""
from __future__ import annotations

import random
from dataclasses import dataclass

# Instructions that must not run natively in a deprivileged guest kernel: they either trap (cli, hlt,
# lgdt, mov cr3, in, out) or, worse, silently behave differently outside ring 0 (popf, pushf).
SENSITIVE = frozenset({"cli", "sti", "popf", "pushf", "hlt", "lgdt", "mov cr3", "in", "out", "invlpg"})
ORDINARY = ("mov", "add", "sub", "cmp", "jne", "push", "pop", "call", "ret", "lea", "xor", "test")


@dataclass(frozen=True)
class Block:
    """A basic block of guest code: its instructions and whether it runs in the guest's kernel (ring 0)."""

    number: int
    instructions: tuple[str, ...]
    kernel: bool


@dataclass(frozen=True)
class Translation:
    block: int
    output: tuple[str, ...]  # "IDENT <insn>" or "CALLOUT emulate_<insn>"

    @property
    def callouts(self) -> int:
        return sum(1 for o in self.output if o.startswith("CALLOUT"))


@dataclass(frozen=True)
class BtRun:
    executed_blocks: int
    translations: tuple[Translation, ...]  # in the order they were made (each one a TC miss)
    kernel_runs: int
    tc_hits: int
    direct_runs: int  # user-mode blocks run natively, never translated
    hit_rate_curve: tuple[float, ...]  # cumulative TC hit rate after each kernel-block execution
    trace: tuple[int, ...] = ()  # the block numbers in the order they ran

    @property
    def tc_misses(self) -> int:
        return len(self.translations)

    @property
    def hit_rate(self) -> float:
        return self.tc_hits / self.kernel_runs if self.kernel_runs else 0.0


def translate(block: Block) -> Translation:
    """Copy safe instructions, replace sensitive ones with a call into the VMM."""
    out = tuple(f"CALLOUT emulate_{i.replace(' ', '_')}" if i in SENSITIVE else f"IDENT {i}"
                for i in block.instructions)
    return Translation(block.number, out)


def guest_code(blocks: int = 60, kernel_fraction: float = 0.5, sensitive_per_block: float = 0.3,
               seed: int = 0) -> list[Block]:
    """Seeded guest code: `blocks` basic blocks of 4-10 instructions, some kernel, some user."""
    if blocks < 1:
        raise ValueError("give at least one block of guest code")
    if not 0.0 <= kernel_fraction <= 1.0 or not 0.0 <= sensitive_per_block <= 1.0:
        raise ValueError("kernel_fraction and sensitive_per_block are fractions between 0 and 1")
    rng = random.Random(seed)
    code = []
    for n in range(blocks):
        kernel = rng.random() < kernel_fraction
        insns = [rng.choice(ORDINARY) for _ in range(rng.randint(4, 10))]
        if kernel and rng.random() < sensitive_per_block:
            insns[rng.randrange(len(insns))] = rng.choice(sorted(SENSITIVE))
        code.append(Block(n, tuple(insns), kernel))
    return code


def run(code: list[Block], executions: int = 2000, *, hot_skew: float = 1.2, seed: int = 0) -> BtRun:
    """Execute `executions` blocks, chosen with a Zipf-like skew (loops make a few blocks hot)."""
    if executions < 1 or not code:
        raise ValueError("give guest code and at least one execution")
    if hot_skew < 0:
        raise ValueError("hot_skew must be 0 (uniform) or more")
    rng = random.Random(seed)
    weights = [1.0 / (rank + 1) ** hot_skew for rank in range(len(code))]
    cache: dict[int, Translation] = {}
    made: list[Translation] = []
    hits = kernel_runs = direct = 0
    curve = []
    trace = rng.choices(code, weights=weights, k=executions)
    for block in trace:
        if not block.kernel:
            direct += 1
            continue
        kernel_runs += 1
        if block.number in cache:
            hits += 1
        else:  # on demand: translated the first time it is about to run, never before
            cache[block.number] = translate(block)
            made.append(cache[block.number])
        curve.append(hits / kernel_runs)
    return BtRun(executions, tuple(made), kernel_runs, hits, direct, tuple(curve),
                 tuple(b.number for b in trace))
