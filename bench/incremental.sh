#!/usr/bin/env bash
# Incremental rebuild against a clean build, on the 22,181 English press releases.
#
#   bash bench/incremental.sh [rounds]      (default 7)
#
# Each round: a clean build of the 22,181 releases plus one new release (`--no-cache`), then
# with the cache: the new release taken away (an incremental build), and put back (the
# incremental build measured against the clean one). Prints each round's `--json` seconds, the
# medians, the median of the rounds' ratios, and whether the last incremental output is
# byte-identical to the clean build of the same input. The machine is shared: read the ratios,
# measured side by side in the same rounds.
set -euo pipefail

cd "$(dirname "$0")/.."
rounds="${1:-7}"
corpus="${PRESSROOM_CORPUS:-../shared/corpus/press-releases.jsonl.gz}"
[ -f "$corpus" ] || { echo "incremental.sh: no corpus at $corpus" >&2; exit 1; }

cargo build --release -q -p pressroom-index
bin="$PWD/target/release/pressroom-index"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mkdir "$work/releases"
cp "$corpus" "$work/releases/"
# One new release, written for this benchmark.
cat > "$work/new.jsonl" <<'EOF'
{"url": "/releases/2026/1130/astana-energy-summit/", "title": "Secretary General opens the Astana energy summit", "date": "2026-11-30", "category": "newsdirect", "lang": "en", "body": "The Secretary General opened the Astana energy summit on Monday, with ministers from twelve member states.\n\nThe Shanghai Cooperation Organisation (SCO) sent a delegation, and the summit adopted a declaration on grid interconnection."}
EOF

seconds() { python3 -c 'import json,sys; print(json.loads(sys.stdin.read())["seconds"])'; }
build() { (cd "$work" && "$bin" build releases --no-assets --json --quiet "$@" | seconds); }

cp "$work/new.jsonl" "$work/releases/"
build --out out-inc --cache cache >/dev/null   # fills the cache and the build state

printf 'round\tclean\tincremental (one taken away)\tincremental (one added)\n'
cleans=(); removes=(); adds=(); ratios=()
for i in $(seq 1 "$rounds"); do
  cp "$work/new.jsonl" "$work/releases/"
  c=$(build --out out-clean --no-cache)
  rm "$work/releases/new.jsonl"
  r=$(build --out out-inc --cache cache)
  cp "$work/new.jsonl" "$work/releases/"
  a=$(build --out out-inc --cache cache)
  printf '%s\t%.3f\t%.3f\t%.3f\n' "$i" "$c" "$r" "$a"
  cleans+=("$c"); removes+=("$r"); adds+=("$a")
  ratios+=("$(python3 -c "print($c / $a)")")
done

median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
mc=$(median "${cleans[@]}"); mr=$(median "${removes[@]}"); ma=$(median "${adds[@]}")
printf 'median\t%.3f\t%.3f\t%.3f\n' "$mc" "$mr" "$ma"
printf 'clean / incremental (one added): %.1fx (medians), %.1fx (median of the rounds)\n' \
  "$(python3 -c "print($mc / $ma)")" "$(median "${ratios[@]}")"
if diff -r "$work/out-inc" "$work/out-clean" >/dev/null; then
  echo "incremental output: byte-identical to the clean build"
else
  echo "incremental output: DIFFERS from the clean build"
  exit 1
fi
