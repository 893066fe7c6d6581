#!/usr/bin/env python3
"""Re-check the facts the execution corpus relies on (stdlib only).

    python3 tests/exec/verify_corpus.py                  # check the corpus itself
    python3 tests/exec/verify_corpus.py --fixed-dir DIR  # also run fixed copies

Checks:
  broken/NAME.py     exits non-zero today with a nested-event-loop RuntimeError,
                     and whatever it printed before failing is a prefix of NAME.out.
  unchanged/NAME.py  exits 0 today, prints exactly NAME.out, writes nothing to stderr.
  --fixed-dir DIR    DIR/NAME.py (a fixed copy of broken/NAME.py, e.g. the tool's
                     output) exits 0, prints exactly broken/NAME.out, and writes
                     nothing to stderr (so no "coroutine ... was never awaited").

Every program is run as `python3 NAME.py` from its own directory.
"""
import argparse
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

HERE = os.path.dirname(os.path.abspath(__file__))
BROKEN = os.path.join(HERE, "broken")
UNCHANGED = os.path.join(HERE, "unchanged")

NESTED_LOOP_ERRORS = (
    "RuntimeError: asyncio.run() cannot be called from a running event loop",
    "RuntimeError: This event loop is already running",
    "RuntimeError: Cannot run the event loop while another loop is running",
)
TIMEOUT = 30


def env():
    e = dict(os.environ)
    for var in ("PYTHONWARNINGS", "PYTHONASYNCIODEBUG", "PYTHONDEVMODE",
                "PYTHONSTARTUP", "PYTHONPATH", "PYTHONHOME"):
        e.pop(var, None)
    e["PYTHONIOENCODING"] = "utf-8"
    e["PYTHONDONTWRITEBYTECODE"] = "1"
    return e


def run(path):
    proc = subprocess.run(
        [sys.executable, os.path.basename(path)],
        cwd=os.path.dirname(path),
        capture_output=True,
        timeout=TIMEOUT,
        env=env(),
    )
    return proc.returncode, proc.stdout.decode("utf-8"), proc.stderr.decode("utf-8")


def programs(folder):
    names = sorted(n[:-3] for n in os.listdir(folder) if n.endswith(".py"))
    outs = sorted(n[:-4] for n in os.listdir(folder) if n.endswith(".out"))
    problems = []
    for n in sorted(set(names) ^ set(outs)):
        problems.append(f"{folder}: {n} has a .py without .out or a .out without .py")
    return [n for n in names if n in outs], problems


def read_out(folder, name):
    with open(os.path.join(folder, name + ".out"), "rb") as f:
        return f.read().decode("utf-8")


def check_broken(name):
    rc, out, err = run(os.path.join(BROKEN, name + ".py"))
    expected = read_out(BROKEN, name)
    errors = []
    if rc == 0:
        errors.append("exited 0, expected a failure")
    if not any(msg in err for msg in NESTED_LOOP_ERRORS):
        last = err.strip().splitlines()[-1:] or ["<no stderr>"]
        errors.append(f"no nested-loop RuntimeError in stderr (last line: {last[0]})")
    if not expected.startswith(out):
        errors.append(f"stdout before the failure is not a prefix of {name}.out: {out!r}")
    return errors


def check_passes(path, expected):
    rc, out, err = run(path)
    errors = []
    if rc != 0:
        errors.append(f"exit code {rc}")
    if out != expected:
        errors.append(f"stdout differs:\n--- expected\n{expected}--- got\n{out}---")
    if err:
        errors.append(f"stderr not empty:\n{err}")
    return errors


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--fixed-dir", help="directory holding fixed copies of broken/*.py")
    args = ap.parse_args()

    broken, problems = programs(BROKEN)
    unchanged, more = programs(UNCHANGED)
    problems += more

    jobs = []
    for n in broken:
        jobs.append((f"broken/{n}", check_broken, (n,)))
    for n in unchanged:
        jobs.append((f"unchanged/{n}", check_passes,
                     (os.path.join(UNCHANGED, n + ".py"), read_out(UNCHANGED, n))))
    if args.fixed_dir:
        fixed_dir = os.path.abspath(args.fixed_dir)
        for n in broken:
            path = os.path.join(fixed_dir, n + ".py")
            if not os.path.exists(path):
                problems.append(f"fixed/{n}: missing {path}")
                continue
            jobs.append((f"fixed/{n}", check_passes, (path, read_out(BROKEN, n))))

    with ThreadPoolExecutor(max_workers=os.cpu_count() or 4) as pool:
        results = list(pool.map(lambda job: (job[0], job[1](*job[2])), jobs))

    failed = 0
    for label, errors in results:
        if errors:
            failed += 1
            print(f"FAIL {label}")
            for e in errors:
                print("    " + e.replace("\n", "\n    "))
        else:
            print(f"ok   {label}")
    for p in problems:
        print(f"FAIL {p}")
    total = len(results) + len(problems)
    print(f"{total - failed - len(problems)}/{total} checks passed")
    return 1 if failed or problems else 0


if __name__ == "__main__":
    sys.exit(main())
