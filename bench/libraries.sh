#!/usr/bin/env bash
# What reading the installed libraries costs (UNN012): a virtual environment
# of about 10,000 library files (Django, SymPy, NetworkX, ansible-core,
# kubernetes, twilio, pandas, gql, uvicorn and their dependencies), and a
# project that imports every top-level package in it. Timed with hyperfine:
# the run without an environment, the first run (no cache), and a warm run
# (every package from .unnest_cache). Results go to stdout; BENCHMARKS.md
# records them.
#
# Usage: bench/libraries.sh [--quick]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
runs=10
[[ ${1:-} == --quick ]] && runs=3
work=${UNNEST_BENCH_DIR:-$(mktemp -d "${TMPDIR:-/tmp}/unnest-libraries.XXXXXX")}
echo "work folder: $work"
(cd "$root" && cargo build --release --quiet)
unnest=$root/target/release/unnest
command -v hyperfine >/dev/null || { apt-get update -qq && apt-get install -y -qq hyperfine; }
if [[ ! -x $work/venv/bin/python ]]; then
    python3 -m venv "$work/venv"
    "$work/venv/bin/pip" install --quiet --disable-pip-version-check \
        django sympy networkx ansible-core kubernetes twilio pandas gql uvicorn
fi
site=$(echo "$work"/venv/lib/python3*/site-packages)
echo "library files: $(find "$site" -name '*.py' | wc -l)"
mkdir -p "$work/project"
{
    for top in $(ls "$site" | grep -v -e '\.dist-info$' -e '\.pth$' -e '^_' -e '\.so$' | sed 's/\.py$//'); do
        [[ $top =~ ^[A-Za-z][A-Za-z0-9_]*$ ]] && echo "import $top"
    done
    printf '\n\nasync def main():\n    pass\n'
} > "$work/project/app.py"
cd "$work/project"
# The warm run's warmup fills the cache.
env -u VIRTUAL_ENV hyperfine --runs "$runs" --warmup 1 \
    --prepare "true" --prepare "rm -rf .unnest_cache" --prepare "true" \
    --command-name "no environment" "$unnest --check --quiet ." \
    --command-name "first run (no cache)" "$unnest --check --quiet --python $work/venv ." \
    --command-name "warm run (cache)" "$unnest --check --quiet --python $work/venv ." \
    --export-json "$work/libraries.json"
# Medians, which a loaded machine's outliers move less than means.
python3 - "$work/libraries.json" <<'PY'
import json, sys
for r in json.load(open(sys.argv[1]))["results"]:
    print(f"{r['command']}: median {r['median'] * 1000:.1f} ms wall, "
          f"CPU {r['user'] * 1000:.1f} + {r['system'] * 1000:.1f} ms (mean user + sys)")
PY
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
