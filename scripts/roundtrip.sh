#!/usr/bin/env bash
# Round trip over real code: copy the local Python standard library (*.py,
# without site-packages) and, when present, site-packages into a temporary
# folder, run `unnest --write --unsafe-fixes` over the copy, and check that
#
#   - every file that compiled with python3 before still compiles;
#   - every file unnest did not report changing (in its dry run, the `+++ b/PATH`
#     headers) is byte-identical, and the count of changed files matches the
#     summary of --write;
#   - unnest gives the same findings and fixes with UNNEST_PARSE_ALL=1 (every
#     file parsed whole) as with its triage and partial parses;
#   - unnest reported no error but `skipped:` (syntax errors and undecodable
#     files, which the standard library has on purpose): any `fixes refused:`,
#     `not written:`, `cannot write:` or `cannot read:` error fails the run.
#
# Usage: scripts/roundtrip.sh [--keep]   (--keep leaves the copy in place)
# Exits non-zero on any violation. Needs python3 and cargo.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
keep=0
[[ ${1:-} == --keep ]] && keep=1

now() { date +%s.%N; }
since() { python3 -c "import sys; print(f'{float(sys.argv[2]) - float(sys.argv[1]):.1f}s')" "$1" "$(now)"; }
t_all=$(now)

unnest=$root/target/release/unnest
# Always build: a stale binary would check old code.
(cd "$root" && cargo build --release --quiet)

work=$(mktemp -d "${TMPDIR:-/tmp}/unnest-roundtrip.XXXXXX")
if (( keep )); then
    echo "copy kept in $work"
else
    trap 'rm -rf "$work"' EXIT
fi

stdlib=$(python3 -c 'import sysconfig; print(sysconfig.get_paths()["stdlib"])')
site=$(python3 -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')

# --- copy -------------------------------------------------------------------
t=$(now)
mkdir -p "$work/tree/stdlib"
(cd "$stdlib" && find . \( -path ./site-packages -o -path ./dist-packages \) -prune \
    -o -type f -name '*.py' -print0 | tar --null -cf - -T - | tar -xf - -C "$work/tree/stdlib")
if [[ -d $site ]]; then
    mkdir -p "$work/tree/site-packages"
    (cd "$site" && find . -type f -name '*.py' -print0 | tar --null -cf - -T - | tar -xf - -C "$work/tree/site-packages")
fi
# Copies are ours to write, whatever the modes of the originals.
chmod -R u+w "$work/tree"
cd "$work/tree"
find . -type f -name '*.py' | LC_ALL=C sort > "$work/files"
total=$(wc -l < "$work/files")
echo "copied $total files from $stdlib$( [[ -d site-packages ]] && echo " and $site") in $(since "$t")"

# --- before -----------------------------------------------------------------
cat > "$work/compile.py" <<'PY'
import sys, warnings
warnings.simplefilter("ignore")
listing, out = sys.argv[1], sys.argv[2]
ok = []
for name in open(listing, encoding="utf-8").read().splitlines():
    try:
        with open(name, "rb") as f:
            compile(f.read(), name, "exec", dont_inherit=True)
    except Exception:
        continue
    ok.append(name)
with open(out, "w", encoding="utf-8") as f:
    f.write("".join(n + "\n" for n in ok))
print(len(ok))
PY
t=$(now)
compiled=$(python3 "$work/compile.py" "$work/files" "$work/compiled.before")
echo "python3 compiles $compiled of $total files ($(since "$t"))"
t=$(now)
tr '\n' '\0' < "$work/files" | xargs -0 sha256sum > "$work/hashes.before"
echo "hashed in $(since "$t")"

# --- unnest -----------------------------------------------------------------
t=$(now)
set +e
"$unnest" --unsafe-fixes --color never . > "$work/dry.diff" 2> "$work/dry.err"
dry_status=$?
set -e
grep '^+++ b/' "$work/dry.diff" | sed 's|^+++ b/|./|' | LC_ALL=C sort -u > "$work/reported" || true
echo "dry run: exit $dry_status, $(wc -l < "$work/reported") files to change ($(since "$t"))"

violations=0
fail() { echo "VIOLATION: $*"; violations=$((violations + 1)); }

# --- triage against whole parses -------------------------------------------
# unnest parses only what can matter (README, "Which files"); parsing every
# file whole must give the same findings and the same fixes.
t=$(now)
set +e
UNNEST_PARSE_ALL=1 "$unnest" --unsafe-fixes --color never . > "$work/dry-all.diff" 2> /dev/null
"$unnest" --check --format json . > "$work/check.json" 2> /dev/null
UNNEST_PARSE_ALL=1 "$unnest" --check --format json . > "$work/check-all.json" 2> /dev/null
set -e
if ! cmp -s "$work/check.json" "$work/check-all.json"; then
    fail "findings differ with UNNEST_PARSE_ALL=1:"
    diff "$work/check.json" "$work/check-all.json" | head -40 | sed 's/^/    /'
fi
if ! cmp -s "$work/dry.diff" "$work/dry-all.diff"; then
    fail "fixes differ with UNNEST_PARSE_ALL=1:"
    diff "$work/dry.diff" "$work/dry-all.diff" | head -40 | sed 's/^/    /'
fi
echo "triage against whole parses: $(grep -c '"code"' "$work/check.json" || true) findings compared ($(since "$t"))"


t=$(now)
set +e
"$unnest" --write --unsafe-fixes --color never . > "$work/write.out" 2> "$work/write.err"
status=$?
set -e
t_write=$(since "$t")
summary=$(grep '^Scanned' "$work/write.err" || true)
echo "unnest --write --unsafe-fixes: exit $status in $t_write"
echo "  $summary"

case $status in
    0|1) ;;
    2)
        grep '^error: ' "$work/write.err" > "$work/errors" || true
        skipped=$(grep -c 'skipped:' "$work/errors" || true)
        echo "  $skipped files skipped (syntax errors, undecodable files)"
        if grep -v 'skipped:' "$work/errors" > "$work/bad-errors"; then
            fail "unnest reported errors other than skips:"
            sed 's/^/    /' "$work/bad-errors" | head -50
        fi
        ;;
    *) fail "unnest exited with $status"; sed 's/^/    /' "$work/write.err" | tail -20 ;;
esac

# --- after ------------------------------------------------------------------
t=$(now)
tr '\n' '\0' < "$work/files" | xargs -0 sha256sum > "$work/hashes.after"
diff "$work/hashes.before" "$work/hashes.after" | sed -n 's/^> [0-9a-f]*  //p' | LC_ALL=C sort > "$work/changed" || true
changed=$(wc -l < "$work/changed")
echo "changed files: $changed ($(since "$t"))"
sed 's/^/  /' "$work/changed"

if unexpected=$(LC_ALL=C comm -23 "$work/changed" "$work/reported") && [[ -n $unexpected ]]; then
    fail "files changed that the dry run did not report:"
    echo "$unexpected" | sed 's/^/    /'
fi
if missing=$(LC_ALL=C comm -13 "$work/changed" "$work/reported") && [[ -n $missing ]]; then
    fail "files the dry run reported that --write left unchanged:"
    echo "$missing" | sed 's/^/    /'
fi
if [[ $summary =~ in\ ([0-9]+)\ file ]] && (( BASH_REMATCH[1] != changed )); then
    fail "--write says it fixed findings in ${BASH_REMATCH[1]} files, $changed changed"
fi

t=$(now)
after=$(python3 "$work/compile.py" "$work/compiled.before" "$work/compiled.after")
echo "python3 still compiles $after of the $compiled files that compiled before ($(since "$t"))"
if broken=$(LC_ALL=C comm -23 "$work/compiled.before" "$work/compiled.after") && [[ -n $broken ]]; then
    fail "files that compiled before and no longer do:"
    echo "$broken" | sed 's/^/    /'
fi

echo "total $(since "$t_all"): $total files, $compiled compiled, $changed changed, $violations violation(s)"
(( violations == 0 ))
