#!/usr/bin/env bash
# Regenerates the real traceback samples of tests/fixtures/tracebacks/ (the
# ones whose names do not come from scripts/traceback_handwritten.py).
#
# The committed samples were made in /tmp/tbgen with CPython 3.11.7,
# pytest 9.2.0, IPython 9.18.1, ipykernel 7.4.0 and nbclient 0.11.0; the
# paths inside them say so, and tests/traceback_parse.rs asserts those
# paths. Running this elsewhere writes samples with other paths into OUT
# (default: a fresh temporary folder), for comparison, not for replacing
# the committed ones.
#
# Usage: scripts/traceback_real_samples.sh [OUT]   (needs python3 3.11 and
# network access for the virtualenv's packages)
set -euo pipefail
OUT=${1:-$(mktemp -d)}
WORK=/tmp/tbgen
VENV=${VENV:-/tmp/tbvenv}
mkdir -p "$OUT" "$WORK/pt/proj" "$WORK/nbproj"
cd "$WORK"
[ -x "$VENV/bin/python" ] || {
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install -q pytest ipython nbclient nbformat ipykernel
    "$VENV/bin/python" -m ipykernel install --user --name python3 >/dev/null
}

# --- CPython: each program hits one loop error in its own way.
cat > nested_run.py <<'EOF'
import asyncio

def helper():
    return asyncio.run(work())

async def work():
    return 1

async def main():
    helper()

asyncio.run(main())
EOF
cat > ruc_callback.py <<'EOF'
import asyncio

async def work():
    return 1

def on_tick(loop):
    loop.run_until_complete(work())

async def main():
    loop = asyncio.get_running_loop()
    loop.call_soon(on_tick, loop)
    await asyncio.sleep(0.01)

asyncio.run(main())
EOF
cat > chained.py <<'EOF'
import asyncio

async def work():
    return 1

def sync_api():
    try:
        return asyncio.run(work())
    except RuntimeError as e:
        raise ValueError("could not run") from e

async def main():
    sync_api()

asyncio.run(main())
EOF
cat > during.py <<'EOF'
import asyncio

async def work():
    return 1

def sync_api():
    try:
        {}["missing"]
    except KeyError:
        asyncio.run(work())

async def main():
    sync_api()

asyncio.run(main())
EOF
cat > keyerror.py <<'EOF'
def f(d):
    return d["nope"]

f({})
EOF
cat > recursion.py <<'EOF'
import asyncio

async def work():
    return 1

def rec(n):
    if n == 0:
        return asyncio.run(work())
    return rec(n - 1)

async def main():
    rec(8)

asyncio.run(main())
EOF
cat > otherloop.py <<'EOF'
import asyncio, threading

async def work():
    return 1

def sync_bridge():
    other = asyncio.new_event_loop()
    try:
        return other.run_until_complete(work())
    finally:
        other.close()

async def main():
    sync_bridge()

asyncio.run(main())
EOF
cat > runner.py <<'EOF'
import asyncio

async def work():
    return 1

def sync_api():
    with asyncio.Runner() as runner:
        return runner.run(work())

async def main():
    sync_api()

asyncio.run(main())
EOF
cat > lambda_comp.py <<'EOF'
import asyncio

async def work(i):
    return i

async def main():
    run = lambda c: asyncio.run(c)
    return [run(work(i)) for i in range(2)]

asyncio.run(main())
EOF
cat > logprefix.py <<'EOF'
import asyncio
import logging


class EveryLine(logging.Formatter):
    """Puts the record's prefix in front of every line, as log shippers do."""

    def format(self, record):
        text = super().format(record)
        prefix = self.formatTime(record) + f" {record.levelname} [{record.name}] "
        return "\n".join(prefix + line for line in text.splitlines())


handler = logging.StreamHandler()
handler.setFormatter(EveryLine("%(message)s"))
log = logging.getLogger("app")
log.addHandler(handler)
log.setLevel(logging.INFO)


async def fetch_price(sku):
    return 9.99


def price_sync(sku):
    return asyncio.run(fetch_price(sku))


async def handle(request):
    log.info("handling %s", request)
    try:
        return price_sync(request)
    except RuntimeError:
        log.exception("request failed: %s", request)


asyncio.run(handle("sku-42"))
log.info("shutting down")
EOF
run() { python3 "$1.py" > "$OUT/cpython311_$2.txt" 2>&1 || true; }
run nested_run nested_run
run ruc_callback callback_run_until_complete
run chained chained_cause
run during chained_during_keyerror
run keyerror keyerror_not_loop
run recursion recursion
run otherloop other_loop
run runner runner_chained
run lambda_comp lambda_comp
run logprefix log_prefix_every_line

# --- pytest: a sync facade called from a coroutine, in each --tb style.
: > pt/proj/__init__.py
cat > pt/proj/service.py <<'EOF'
import asyncio


async def fetch(n):
    return n * 2


def fetch_sync(n):
    return asyncio.run(fetch(n))


class Client:
    def get(self, n):
        return fetch_sync(n)
EOF
cat > pt/test_service.py <<'EOF'
import asyncio

from proj.service import Client


async def handler():
    return Client().get(3)


def test_handler():
    assert asyncio.run(handler()) == 6
EOF
cat > pt/test_chained.py <<'EOF'
import asyncio

from proj.service import fetch


def price(n):
    try:
        return asyncio.run(fetch(n))
    except RuntimeError as e:
        raise ValueError("no price") from e


async def handler():
    return price(3)


def test_chained():
    assert asyncio.run(handler()) == 6
EOF
pyt() { (cd pt && "$VENV/bin/python" -m pytest -p no:cacheprovider "$@") || true; }
for tb in long short native line; do pyt --tb=$tb test_service.py > "$OUT/pytest311_$tb.txt" 2>&1; done
pyt test_service.py > "$OUT/pytest311_auto.txt" 2>&1
pyt test_chained.py > "$OUT/pytest311_auto_chained_cause.txt" 2>&1
pyt --tb=short test_chained.py > "$OUT/pytest311_short_chained_cause.txt" 2>&1

# --- IPython in a terminal (colour and no colour).
cat > ipy_script.py <<'EOF'
import asyncio

async def inner():
    return 1

def helper():
    return asyncio.run(inner())

async def main():
    return helper()

asyncio.run(main())
EOF
"$VENV/bin/ipython" -c "$(cat ipy_script.py)" > "$OUT/ipython9_terminal_color.txt" 2>&1 || true
"$VENV/bin/ipython" --colors=nocolor -c "$(cat chained.py)" > "$OUT/ipython9_chained_cause.txt" 2>&1 || true

# --- Jupyter: a kernel's error outputs (the `traceback` list, joined by
# newlines) and a cell that prints its own traceback to a stream.
cat > nbproj/helpers.py <<'EOF'
import asyncio


async def load(n):
    return n


def load_sync(n):
    """Sync facade."""
    return asyncio.run(load(n))
EOF
OUT="$OUT" "$VENV/bin/python" - <<'EOF'
import os
import nbformat
from nbclient import NotebookClient

out = os.environ["OUT"]
nb = nbformat.v4.new_notebook()
nb.cells = [
    nbformat.v4.new_code_cell("import asyncio\nimport sys\nsys.path.insert(0, '/tmp/tbgen/nbproj')\nfrom helpers import load_sync"),
    nbformat.v4.new_code_cell("async def main():\n    return 1\n\nx = 1\nasyncio.run(main())"),
    nbformat.v4.new_code_cell("def compute(n):\n    return load_sync(n) + 1\n\ncompute(3)"),
    nbformat.v4.new_code_cell("import asyncio, traceback\n\nasync def work():\n    return 1\n\ndef bridge():\n    return asyncio.run(work())\n\ntry:\n    bridge()\nexcept RuntimeError:\n    traceback.print_exc()"),
]
NotebookClient(nb, timeout=60, kernel_name="python3", allow_errors=True).execute()
names = {1: "jupyter_cell_module_color", 2: "jupyter_cell_function_color"}
for i, cell in enumerate(nb.cells):
    for o in cell.get("outputs", []):
        if o.get("output_type") == "error" and i in names:
            with open(f"{out}/{names[i]}.txt", "w") as f:
                f.write("\n".join(o["traceback"]) + "\n")
        if o.get("output_type") == "stream" and i == 3:
            with open(f"{out}/jupyter_stream_print_exc_ipykernel_file.txt", "a") as f:
                f.write(o["text"])
EOF
echo "samples in $OUT"
