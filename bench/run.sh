#!/usr/bin/env bash
# Benchmark unnest against ast-grep (one equivalent rule), Ruff's ASYNC rules
# and `grep -rl asyncio` (the floor), on the local Python's standard library
# (*.py, without site-packages), then unnest on that corpus copied 1x, 2x
# and 4x, and on 16 copies of it and of it with site-packages, and peak
# memory. Results go to stdout; BENCHMARKS.md records them.
#
# Usage: bench/run.sh [--quick]   (--quick: fewer runs)
# Installs ast-grep-cli and ruff into a venv with pip, hyperfine with apt-get.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
runs=10; warmup=3
[[ ${1:-} == --quick ]] && { runs=3; warmup=1; }

work=${UNNEST_BENCH_DIR:-$(mktemp -d "${TMPDIR:-/tmp}/unnest-bench.XXXXXX")}
echo "work folder: $work"

# --- tools ------------------------------------------------------------------
(cd "$root" && cargo build --release --quiet)
unnest=$root/target/release/unnest
if [[ ! -x $work/venv/bin/ast-grep ]]; then
    python3 -m venv "$work/venv"
    "$work/venv/bin/pip" install --quiet --disable-pip-version-check ast-grep-cli ruff
fi
command -v hyperfine >/dev/null || { apt-get update -qq && apt-get install -y -qq hyperfine; }

# --- corpora ----------------------------------------------------------------
stdlib=$(python3 -c 'import sysconfig; print(sysconfig.get_paths()["stdlib"])')
site=$(python3 -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
copy_py() { # SRC DEST [prune site-packages]
    mkdir -p "$2"
    (cd "$1" && find . \( -path ./site-packages -o -path ./dist-packages \) -prune \
        -o -type f -name '*.py' -print0 | tar --null -cf - -T - | tar -xf - -C "$2")
}
if [[ ! -d $work/stdlib ]]; then
    copy_py "$stdlib" "$work/stdlib"
    for n in 2 4; do
        for i in $(seq 1 "$n"); do copy_py "$stdlib" "$work/stdlib-x$n/copy$i"; done
    done
    mkdir -p "$work/large"; cp -r "$work/stdlib" "$work/large/stdlib"
    # Not called site-packages: unnest skips folders of that name when walking.
    [[ -d $site ]] && copy_py "$site" "$work/large/site"
fi
# The large trees: 16 copies of the standard library (about 29,000 files),
# and 16 copies of the standard library with site-packages (about 190,000
# with this machine's packages), each copy a folder of its own.
if [[ ! -d $work/stdlib-x16 ]]; then
    for i in $(seq 1 16); do
        mkdir -p "$work/stdlib-x16/copy$i" "$work/large-x16/copy$i"
        cp -r "$work/stdlib" "$work/stdlib-x16/copy$i/stdlib"
        cp -r "$work/large/stdlib" "$work/large-x16/copy$i/stdlib"
        [[ -d $work/large/site ]] && cp -r "$work/large/site" "$work/large-x16/copy$i/site"
    done
fi
count() { find "$1" -name '*.py' | wc -l; }
size() { du -sh --apparent-size "$1" | cut -f1; }
echo "stdlib corpus: $(count "$work/stdlib") files, $(size "$work/stdlib")"
echo "large corpus (stdlib + site-packages): $(count "$work/large") files, $(size "$work/large")"
echo "16 copies of stdlib: $(count "$work/stdlib-x16") files; of stdlib + site-packages: $(count "$work/large-x16") files, $(size "$work/large-x16")"

# --- machine ----------------------------------------------------------------
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, $(uname -sr)"
echo "tools: $("$unnest" --version), ast-grep $("$work/venv/bin/ast-grep" --version | awk '{print $2}'), $("$work/venv/bin/ruff" --version), $(hyperfine --version)"

# --- timings ----------------------------------------------------------------
cd "$work"
hyperfine --warmup "$warmup" --runs "$runs" -N --ignore-failure --export-markdown "$work/tools.md" \
    --export-json "$work/tools.json" \
    -n unnest "$unnest --check stdlib" \
    -n ast-grep "$work/venv/bin/ast-grep scan --rule $root/bench/rule.yml stdlib" \
    -n ruff "$work/venv/bin/ruff check --no-cache --isolated --select ASYNC --exit-zero stdlib" \
    -n grep "grep -rl asyncio stdlib"
hyperfine --warmup "$warmup" --runs "$runs" -N --ignore-failure --export-markdown "$work/scale.md" \
    --export-json "$work/scale.json" \
    -n 1x "$unnest --check stdlib" \
    -n 2x "$unnest --check stdlib-x2" \
    -n 4x "$unnest --check stdlib-x4" \
    -n large "$unnest --check large"
# The large trees take seconds a run: fewer runs.
hyperfine --warmup 1 --runs 3 -N --ignore-failure --export-markdown "$work/big.md" \
    --export-json "$work/big.json" \
    -n unnest-stdlib-x16 "$unnest --check stdlib-x16" \
    -n grep-stdlib-x16 "grep -rl asyncio stdlib-x16" \
    -n unnest-large-x16 "$unnest --check large-x16" \
    -n grep-large-x16 "grep -rl asyncio large-x16"
cat "$work/tools.md" "$work/scale.md" "$work/big.md"
# The targets are medians: print them, with the ratios the targets name.
python3 - "$work/tools.json" "$work/scale.json" "$work/big.json" <<'PY'
import json, sys
for path in sys.argv[1:]:
    results = {r["command"]: r["median"] * 1000 for r in json.load(open(path))["results"]}
    for tree in ("stdlib-x16", "large-x16"):
        if f"unnest-{tree}" in results:
            print(f"{tree}: unnest is {results[f'unnest-{tree}'] / results[f'grep-{tree}']:.2f}x grep")
    print("medians:", ", ".join(f"{k} {v:.1f} ms" for k, v in results.items()))
    if "unnest" in results:
        u = results["unnest"]
        print(f"unnest is {results['ast-grep'] / u:.1f}x faster than ast-grep, "
              f"{results['ruff'] / u:.2f}x faster than ruff, {u / results['grep']:.2f}x grep")
    if "4x" in results:
        print(f"4x the corpus takes {results['4x'] / results['1x']:.2f}x the time")
PY

# --- memory -----------------------------------------------------------------
command -v /usr/bin/time >/dev/null || { apt-get update -qq && apt-get install -y -qq time; }
for corpus in stdlib stdlib-x4 large stdlib-x16 large-x16; do
    # unnest exits 1 when it finds something: that is not a failure here.
    /usr/bin/time -f "%M" -o "$work/peak" "$unnest" --check "$corpus" >/dev/null 2>&1 || true
    echo "peak memory, $corpus: $(( $(tail -1 "$work/peak") / 1024 )) MiB"
done
