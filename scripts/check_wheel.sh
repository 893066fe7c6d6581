#!/usr/bin/env bash
# Build the wheel with maturin, install it into a fresh virtual environment,
# and run the installed `unnest`: `--version`, and a real check of the
# shipped examples (which must find what they show). Run by .ci/run in CI, so
# the packaging never rots. Needs python3 (with venv and pip) and cargo.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/unnest-wheel.XXXXXX")
trap 'rm -rf "$work"' EXIT

python3 -m venv "$work/build-env"
"$work/build-env/bin/pip" install --quiet --disable-pip-version-check "maturin>=1.5,<2"
(cd "$root" && "$work/build-env/bin/maturin" build --release --quiet --out "$work/dist")
wheel=$(ls "$work"/dist/unnest-*.whl)
echo "built $(basename "$wheel")"

python3 -m venv "$work/env"
"$work/env/bin/pip" install --quiet --disable-pip-version-check "$wheel"
"$work/env/bin/unnest" --version

status=0
"$work/env/bin/unnest" --check "$root/examples" > "$work/check.txt" 2>&1 || status=$?
if [[ $status -ne 1 ]] || ! grep -q "UNN001" "$work/check.txt"; then
    echo "the installed unnest did not find the examples' nested runs (exit $status):" >&2
    cat "$work/check.txt" >&2
    exit 1
fi
echo "installed unnest checked examples/: exit 1 with $(grep -c ': UNN0' "$work/check.txt") findings, as expected"
