#!/usr/bin/env bash
# Benchmark unnest on the worst-case trees of bench/gen_worst.py (one giant
# module, a package whose modules form one call chain), where the prefilter
# cannot help: `unnest --check`, `unnest --write --unsafe-fixes` on a fresh
# copy, and Ruff's ASYNC rules (which parse every file too), with peak memory
# and the ratios the targets name (4x the input in at most 4.6x the time,
# within 5x of Ruff).
#
# Usage: bench/worst.sh [--quick] [--timeout SECONDS] [TREE...]
#   --quick          leave out the 2,000-block and 2,000-module trees, fewer runs
#   --timeout S      a command whose probe run takes longer than S seconds (default
#                    120) is reported as such and not timed further; one that takes
#                    over 10 s is timed by that one run
#   TREE...          only these trees (names from gen_worst.py's set, e.g. chain-800)
# Environment: UNNEST_BENCH_DIR (work folder, kept between runs), UNNEST_BIN
# (a prebuilt binary instead of `cargo build --release`).
# Installs ruff into a venv with pip, hyperfine and time with apt-get.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
quick=; limit=120; only=()
while [[ $# -gt 0 ]]; do
    case $1 in
        --quick) quick=--quick ;;
        --timeout) limit=$2; shift ;;
        -h|--help) sed -n '2,19p' "$0"; exit 0 ;;
        -*) echo "worst.sh: unknown option $1" >&2; exit 2 ;;
        *) only+=("$1") ;;
    esac
    shift
done

work=${UNNEST_BENCH_DIR:-$(mktemp -d "${TMPDIR:-/tmp}/unnest-bench.XXXXXX")}
mkdir -p "$work"
echo "work folder: $work"

# --- tools ------------------------------------------------------------------
if [[ -n ${UNNEST_BIN:-} ]]; then
    unnest=$UNNEST_BIN
else
    (cd "$root" && cargo build --release --quiet)
    unnest=$root/target/release/unnest
fi
if [[ ! -x $work/venv/bin/ruff ]]; then
    python3 -m venv "$work/venv"
    "$work/venv/bin/pip" install --quiet --disable-pip-version-check ruff
fi
ruff=$work/venv/bin/ruff
command -v hyperfine >/dev/null || { apt-get update -qq && apt-get install -y -qq hyperfine; }
[[ -x /usr/bin/time ]] || { apt-get update -qq && apt-get install -y -qq time; }
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, $(uname -sr)"
echo "tools: $("$unnest" --version), $("$ruff" --version), $(hyperfine --version)"

# --- trees ------------------------------------------------------------------
# Regenerated every run: the generator is deterministic and takes a second.
python3 "$root/bench/gen_worst.py" all "$work/trees" $quick >/dev/null
mapfile -t trees < <(cd "$work/trees" && ls -d */ | tr -d / | sort -V)
[[ ${#only[@]} -gt 0 ]] && trees=("${only[@]}")

# --- timings ----------------------------------------------------------------
# One probe run per command (under `timeout`, with /usr/bin/time) gives the peak
# memory and decides whether, and how often, hyperfine times it: a chain that
# takes ten minutes must not block the rest.
results=$work/worst.tsv
: >"$results"
probe() { # NAME TREE KIND CMD... -> prints seconds, or "timeout"
    local start rc=0
    start=$(date +%s%N)
    # time outside timeout: the peak is the largest of the process tree, and
    # the timeout ends the command itself, not only the measuring process.
    # --write defers SIGTERM until it has written (it must not leave a file
    # half-written), which can be minutes away: KILL follows after 5 s, on a
    # scratch copy.
    /usr/bin/time -f %M -o "$work/peak" timeout -k 5 "$limit" "$@" >/dev/null 2>&1 || rc=$?
    if [[ $rc -eq 124 || $rc -eq 137 ]]; then echo timeout; return; fi
    # unnest exits 1 when it finds something: that is not a failure here.
    if [[ $rc -gt 1 ]]; then echo "failed($rc)"; return; fi
    echo $(( ($(date +%s%N) - start) / 1000000 )) | sed -E 's/^/000/; s/(...)$/.\1/; s/^0*([0-9])/\1/'
}
runs_for() { # SECONDS -> hyperfine runs (0: the probe alone is the figure)
    python3 -c "t=float('$1'); print(0 if t > 10 else 3 if t > 2 else $fast)"
}
fast=10; [[ -n $quick ]] && fast=5
time_it() { # TREE KIND PREPARE CMD
    local tree=$1 kind=$2 prepare=$3 cmd=$4 secs runs peak median
    status=ok
    [[ -n $prepare ]] && bash -c "$prepare"
    # shellcheck disable=SC2086  # the command is split on purpose
    secs=$(probe $cmd)
    peak=$(tail -1 "$work/peak" 2>/dev/null || true)
    [[ $peak =~ ^[0-9]+$ ]] && peak=$(( peak / 1024 )) || peak=0
    if [[ $secs == timeout || $secs == failed* ]]; then
        printf '%s\t%s\t%s\t%s\n' "$tree" "$kind" "$secs" "-" >>"$results"
        status=$secs
        echo "$tree $kind: $secs (limit ${limit}s)"
        return
    fi
    runs=$(runs_for "$secs")
    if [[ $runs -eq 0 ]]; then
        printf '%s\t%s\t%s\t%s\n' "$tree" "$kind" "$secs" "$peak" >>"$results"
        printf '%s %s: %.3f s (one run), peak %d MiB\n' "$tree" "$kind" "$secs" "$peak"
        return
    fi
    local args=(--runs "$runs" --ignore-failure --export-json "$work/h.json" -n "$kind")
    [[ $runs -gt 3 ]] && args+=(--warmup 1)
    [[ -n $prepare ]] && args+=(--prepare "$prepare")
    hyperfine "${args[@]}" "$cmd" >/dev/null 2>&1
    median=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["results"][0]["median"])' "$work/h.json")
    printf '%s\t%s\t%s\t%s\n' "$tree" "$kind" "$median" "$peak" >>"$results"
    printf '%s %s: %.3f s median of %d, peak %d MiB\n' "$tree" "$kind" "$median" "$runs" "$peak"
}

cd "$work"
for tree in "${trees[@]}"; do
    src=trees/$tree
    [[ -d $src ]] || { echo "no tree $tree (see gen_worst.py's set)" >&2; exit 2; }
    lines=$(find "$src" -name '*.py' -exec cat {} + | wc -l)
    files=$(find "$src" -name '*.py' | wc -l)
    printf '%s\tsize\t%s\t%s\n' "$tree" "$lines" "$files" >>"$results"
    echo "== $tree: $files files, $lines lines"
    time_it "$tree" check "" "$unnest --check $src"
    time_it "$tree" write "rm -rf copy && cp -r $src copy" "$unnest --write --unsafe-fixes copy"
    # What one --write leaves: the target is the fixed point in one run.
    if [[ $status == ok ]]; then
        left=$(timeout -k 5 "$limit" "$unnest" --check copy 2>&1 >/dev/null | tail -1 || true)
        printf '%s\tleft\t%s\t-\n' "$tree" "${left:-unknown (timeout)}" >>"$results"
        echo "$tree after one --write: ${left:-unknown (timeout)}"
    fi
    time_it "$tree" ruff "" "$ruff check --no-cache --isolated --select ASYNC --exit-zero $src"
done
rm -rf copy

# --- summary ----------------------------------------------------------------
python3 - "$results" <<'PY'
import re, sys
rows = {}
for line in open(sys.argv[1]):
    tree, kind, value, peak = line.rstrip("\n").split("\t")
    rows.setdefault(tree, {})[kind] = (value, peak)

def secs(tree, kind):
    try:
        return float(rows[tree][kind][0])
    except (KeyError, ValueError):
        return None

def show(tree, kind):
    v = rows.get(tree, {}).get(kind)
    if v is None:
        return "-"
    t = secs(tree, kind)
    return f"{t:.3f} s" if t is not None else v[0]

print()
print("| tree | files | lines | unnest --check | --write --unsafe-fixes | ruff ASYNC"
      " | check/ruff | write/ruff | peak MiB check/write | left after one --write |")
print("|---|---|---|---|---|---|---|---|---|---|")
for tree, r in rows.items():
    lines, files = r["size"]
    c, w, f = secs(tree, "check"), secs(tree, "write"), secs(tree, "ruff")
    ratio = lambda a: f"{a / f:.1f}x" if a and f else "-"
    peaks = "/".join(r.get(k, ("", "-"))[1] for k in ("check", "write"))
    left = r.get("left", ("-",))[0]
    m = re.search(r"(\d+) findings", left)
    left = m.group(1) if m else left
    print(f"| {tree} | {files} | {lines} | {show(tree, 'check')} | {show(tree, 'write')} | "
          f"{show(tree, 'ruff')} | {ratio(c)} | {ratio(w)} | {peaks} | {left} |")

# Scaling: each family's sizes side by side; the target is 4x the input in at
# most 4.6x the time (an exponent of log(4.6)/log(4) = 1.10).
import math
print()
families = {}
for tree in rows:
    family, size = tree.rsplit("-", 1)
    families.setdefault(family, []).append((int(size), tree))
for family, sizes in families.items():
    sizes.sort()
    for (n0, t0), (n1, t1) in zip(sizes, sizes[1:]):
        for kind in ("check", "write", "ruff"):
            a, b = secs(t0, kind), secs(t1, kind)
            if a and b:
                k = n1 / n0
                print(f"{family} {kind}: {k:g}x the input ({n0} -> {n1}) takes {b / a:.2f}x the time"
                      f" (exponent {math.log(b / a) / math.log(k):.2f}; target {k ** 1.1:.2f}x)")
PY
