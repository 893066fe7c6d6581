#!/usr/bin/env bash
# What `unnest record` adds to a test suite's run time: a generated pytest
# suite of 300 tests, each starting two event loops (asyncio.run and
# run_until_complete), timed with and without the recording hook.
#
# Usage: bench/record.sh [--quick]   (needs pytest and hyperfine)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
runs=10; warmup=2
[[ ${1:-} == --quick ]] && { runs=3; warmup=1; }
(cd "$root" && cargo build --release --quiet)
work=$(mktemp -d "${TMPDIR:-/tmp}/unnest-record-bench.XXXXXX")
python3 - "$work/test_many.py" <<'PY'
import sys
parts = ["import asyncio\n"]
for i in range(300):
    parts.append(f"""
async def _c{i}():
    await asyncio.sleep(0)
    return {i}

def test_{i}():
    assert asyncio.run(_c{i}()) == {i}
    loop = asyncio.new_event_loop()
    try:
        assert loop.run_until_complete(_c{i}()) == {i}
    finally:
        loop.close()
""")
open(sys.argv[1], "w").write("".join(parts))
PY
command -v hyperfine >/dev/null || { apt-get update -qq && apt-get install -y -qq hyperfine; }
cd "$work"
pytest="python3 -m pytest -q -p no:cacheprovider test_many.py"
hyperfine --warmup "$warmup" --runs "$runs" -N --export-json "$work/record.json" \
    -n plain "$pytest" -n recorded "$root/target/release/unnest record -- $pytest"
python3 - "$work/record.json" <<'PY'
import json, sys
r = {x["command"]: x["median"] for x in json.load(open(sys.argv[1]))["results"]}
print(f"recording adds {100 * (r['recorded'] / r['plain'] - 1):+.1f}% to the suite's median time")
PY
