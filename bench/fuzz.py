"""Fuzz one kind of file ganstudio reads (the harnesses live in tests/fuzz/targets.py).

    python bench/fuzz.py TARGET --seconds S [--runs N] [--engine atheris|mutate] [--seed K]
    python bench/fuzz.py --list

Engines: ``atheris`` (coverage-guided, libFuzzer; ``pip install atheris==3.0.0``) and
``mutate`` (no extra package: seeded byte flips, inserts, deletions, truncations, splices and
interesting integers written over header-sized fields of the seed corpus). Both start from
tests/fuzz/corpus/TARGET/ and enforce the contract per input: it loads, or it is refused with
a GanstudioError naming the file, within 2 s of CPU time (10 s of wall time, for an input that
blocks), with the address space capped at 2 GiB above the
process's own after start-up (RLIMIT_AS; a hostile size field that tries to allocate what it
claims fails with MemoryError, a finding). A finding is written to tests/fuzz/corpus/TARGET/
as finding-<hash> (the replay test then fails until the reader is fixed).

Prints: inputs tried, executions a second, corpus size, findings (distinct by exception type
and place).
"""

from __future__ import annotations

import argparse
import hashlib
import os
import random
import sys
import time
import traceback
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "fuzz"))

import targets  # noqa: E402

# A finding's file (libFuzzer's crash-/timeout- artifacts too) is named finding-<hash> in
# tests/fuzz/corpus/TARGET/, so the replay test picks it up.

TIME_LIMIT_S = 2.0
AS_ALLOWANCE = 2 * 1024**3

INTERESTING = [0, 1, 0x7F, 0x80, 0xFF, 0x7FFF, 0xFFFF, 2**31 - 1, 2**31, 2**32 - 1, 2**63 - 1, 2**64 - 1]
TOKENS = [b"[", b"{", b"]", b"}", b'"', b",", b":", b"-1", b"1e400", b"NaN", b"99999999999999999999", b"null", b"\\u"]


def vm_size() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmSize:"):
            return int(line.split()[1]) * 1024
    return 0


def mutate(rng: random.Random, data: bytes, pool: list[bytes]) -> bytes:
    b = bytearray(data)
    for _ in range(rng.choice((1, 1, 2, 3, 5))):
        op = rng.randrange(9)
        n = len(b)
        if op == 0 and n:  # bit flip
            i = rng.randrange(n)
            b[i] ^= 1 << rng.randrange(8)
        elif op == 1 and n:  # random byte
            b[rng.randrange(n)] = rng.randrange(256)
        elif op == 2:  # insert random bytes
            i = rng.randrange(n + 1)
            b[i:i] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 8)))
        elif op == 3 and n:  # delete a range
            i = rng.randrange(n)
            del b[i : i + rng.randint(1, 16)]
        elif op == 4 and n:  # truncate
            del b[rng.randrange(n) :]
        elif op == 5 and n >= 4:  # an interesting integer over a (header-sized) field
            width = rng.choice((1, 2, 4, 8))
            i = rng.randrange(min(n, 256)) if rng.random() < 0.7 else rng.randrange(n)
            v = rng.choice(INTERESTING) % (1 << (8 * width))
            b[i : i + width] = v.to_bytes(width, rng.choice(("little", "big")))
        elif op == 6 and pool:  # splice with another corpus file
            other = rng.choice(pool)
            if other:
                i, j = rng.randrange(n + 1), rng.randrange(len(other))
                b = b[:i] + other[j : j + rng.randint(1, 64)]
        elif op == 7:  # a token for text formats (JSON, TOML, safetensors' JSON header)
            i = rng.randrange(n + 1)
            b[i:i] = rng.choice(TOKENS) * rng.choice((1, 1, 2, 50))
        elif op == 8 and n:  # duplicate a range
            i = rng.randrange(n)
            b[i:i] = b[i : i + rng.randint(1, 32)]
    return bytes(b)


def signature(e: BaseException) -> str:
    tb = traceback.extract_tb(e.__traceback__)
    where = next((f"{Path(f.filename).name}:{f.lineno}" for f in reversed(tb) if "ganstudio" in f.filename), "")
    if not where and tb:
        where = f"{Path(tb[-1].filename).name}:{tb[-1].lineno}"
    return f"{type(e).__name__} at {where}" if where else type(e).__name__


def save_finding(name: str, data: bytes) -> Path:
    folder = targets.CORPUS / name
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"finding-{hashlib.sha1(data).hexdigest()[:12]}"
    path.write_bytes(data)
    return path


def run_mutate(name: str, seconds: float, runs: int | None, seed: int) -> int:
    pool = [p.read_bytes() for p in targets.corpus_files(name)]
    seeds = [p.read_bytes() for p in targets.corpus_files(name) if not p.name.startswith("finding-")] or [b""]
    for data in pool:  # warm imports and caches outside the clock
        try:
            targets.run_one(name, data)
        except Exception:
            pass
    limit_as = vm_size() + AS_ALLOWANCE
    rng = random.Random(seed)
    tried, findings, slowest = 0, {}, 0.0
    start = time.monotonic()
    while time.monotonic() - start < seconds and (runs is None or tried < runs):
        data = mutate(rng, rng.choice(seeds), pool)
        tried += 1
        t0 = time.monotonic()
        try:
            with targets.limits(TIME_LIMIT_S, limit_as):
                targets.run_one(name, data)
        except Exception as e:  # noqa: BLE001 - every other exception is what we are looking for
            sig = signature(e)
            if sig not in findings:
                findings[sig] = save_finding(name, data)
                print(f"finding: {sig}: {targets.first_line(e)} -> {findings[sig].relative_to(ROOT)}", flush=True)
        slowest = max(slowest, time.monotonic() - t0)
    elapsed = time.monotonic() - start
    print(
        f"target {name} (mutate, seed {seed}): {tried} inputs in {elapsed:.0f} s, {tried / elapsed:.0f} exec/s, "
        f"slowest input {slowest:.2f} s; corpus {len(targets.corpus_files(name))} files; "
        f"{len(findings)} distinct findings"
    )
    return 1 if findings else 0


def run_atheris(name: str, seconds: float, runs: int | None) -> int:
    import shutil
    import tempfile

    import atheris

    with atheris.instrument_imports(include=["ganstudio"]):
        import ganstudio.config  # noqa: F401
        import ganstudio.data
        import ganstudio.data.arrays
        import ganstudio.data.folders
        import ganstudio.example_directions
        import ganstudio.generator
        import ganstudio.io.checkpoint
        import ganstudio.io.follow
        import ganstudio.io.rundir
        import ganstudio.io.tensorboard
        import ganstudio.explore
        import ganstudio.latent
        import ganstudio.projection
        import ganstudio.recipes
        import ganstudio.training  # noqa: F401
    for p in targets.corpus_files(name):  # warm up (first imports) outside the timer
        try:
            targets.run_one(name, p.read_bytes())
        except Exception:
            pass
    work = Path(tempfile.mkdtemp(prefix=f"fuzz-corpus-{name}-"))
    for p in targets.corpus_files(name):
        shutil.copy(p, work / p.name)
    limit_as = vm_size() + AS_ALLOWANCE

    def one(data: bytes) -> None:
        with targets.limits(TIME_LIMIT_S, limit_as):
            targets.run_one(name, data)

    # libFuzzer prints the figures at the end (stat::number_of_executed_units,
    # average_exec_per_sec, new_units_added); a finding stops the run and lands in the corpus.
    print(f"target {name} (atheris): seeds {len(targets.corpus_files(name))} files, working corpus {work}", flush=True)
    argv = [
        sys.argv[0],
        str(work),
        f"-max_total_time={int(seconds)}",
        f"-timeout={int(TIME_LIMIT_S * 5) + 5}",  # a backstop: targets.limits bounds each input first
        "-rss_limit_mb=4096",
        f"-artifact_prefix={targets.CORPUS / name}/finding-",
        "-print_final_stats=1",
    ] + ([f"-runs={runs}"] if runs else [])
    atheris.Setup(argv, one)
    atheris.Fuzz()
    return 0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("target", nargs="?", choices=sorted(targets.TARGETS))
    ap.add_argument("--seconds", type=float, default=60)
    ap.add_argument("--runs", type=int)
    ap.add_argument("--engine", choices=("atheris", "mutate"))
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--list", action="store_true", help="list the targets")
    args = ap.parse_args(argv)
    if args.list or not args.target:
        for n, fn in targets.TARGETS.items():
            print(f"{n:12} {len(targets.corpus_files(n)):3} corpus files  {(fn.__doc__ or '').splitlines()[0]}")
        return 0
    engine = args.engine
    if engine is None:
        try:
            import atheris  # noqa: F401

            engine = "atheris"
        except ImportError:
            engine = "mutate"
    if engine == "atheris":
        return run_atheris(args.target, args.seconds, args.runs)
    return run_mutate(args.target, args.seconds, args.runs, args.seed)


if __name__ == "__main__":
    sys.exit(main())
