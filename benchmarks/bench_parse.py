"""Parse time per real .vmx file (and VMDK descriptor) over shared/corpus, against a baseline
measured in the same run: reading the same bytes, decoding them and `str.splitlines()`.

The ratio says what our checks cost (quotes, case-folding, duplicate detection, control characters)
above merely touching every line. Run: `.venv/bin/python benchmarks/bench_parse.py`.
"""
from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

from vlab.formats import parse_descriptor, parse_dictfile

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
REPEATS = 200  # timed passes over each file; the median per file hides scheduler noise


def median_us(fn, data: bytes) -> float:
    times = []
    for _ in range(REPEATS):
        start = time.perf_counter_ns()
        fn(data)
        times.append(time.perf_counter_ns() - start)
    return statistics.median(times) / 1000


def baseline(data: bytes) -> None:
    data.decode("utf-8").splitlines()


def report(label: str, files: list[Path], parse) -> None:
    ours, base = [], []
    for path in files:
        data = path.read_bytes()
        ours.append(median_us(parse, data))
        base.append(median_us(baseline, data))
    ours_m, base_m = statistics.median(ours), statistics.median(base)
    print(f"{label}: {len(files)} files, median {ours_m:8.1f} us/file parse, "
          f"{base_m:6.1f} us/file decode+splitlines (baseline) = {ours_m / base_m:5.1f} x baseline")


def main() -> int:
    if not CORPUS.is_dir():
        print(f"corpus not found at {CORPUS}", file=sys.stderr)
        return 1
    report(".vmx ", sorted((CORPUS / "vmx").glob("*.vmx")), parse_dictfile)
    report(".vmdk", sorted((CORPUS / "vmdk").glob("*.vmdk")), parse_descriptor)
    return 0


if __name__ == "__main__":
    sys.exit(main())
