#!/usr/bin/env bash
# Writes the outputs of `value`, `pipeline` and `report` for every sample case (and every
# shipped rulebook for the pipeline) into OUT, one file per command, with stdout, stderr and the
# exit code. Two runs of this script from two builds are compared with `diff -r`: a refactoring
# that changes no behaviour leaves the two trees byte-identical.
#
#   scripts/golden.sh path/to/techval OUT
set -uo pipefail
bin=$(realpath "$1"); out=$(realpath -m "$2")
cd "$(dirname "$0")/.."
rm -rf "$out"; mkdir -p "$out"

run() { # name, args...
  local name=$1; shift
  "$bin" "$@" >"$out/$name.stdout" 2>"$out/$name.stderr"
  echo $? >"$out/$name.rc"
}

for c in datasets/cases/*.toml; do
  id=$(basename "$c" .toml)
  run "value-$id-table" value --case "$c"
  run "value-$id-json" value --case "$c" --format json
  run "value-$id-sim" value --case "$c" --simulate 2000 --seed 7 --format json
  for lang in zh en; do
    run "report-$id-$lang" report --case "$c" --lang "$lang" --out "$out/report-$id-$lang"
  done
  run "pipeline-$id" pipeline --case "$c" --out "$out/pipeline-$id"
done
for rb in models/rulebooks/*.toml; do
  r=$(basename "$rb" .toml)
  run "pipeline-demo-$r" pipeline --rulebook "$r" --out "$out/pipeline-demo-$r"
  run "pipeline-demo-$r-json" pipeline --rulebook "$r" --no-report --format json --out "$out/pipeline-json-$r"
done
run "pipeline-demo-en" pipeline --lang en --out "$out/pipeline-demo-en"
for a in income cost market; do
  run "value-demo-$a" value --approach "$a" --format json
done
run sensitivity-demo sensitivity --case datasets/cases/invention_patent_license.toml --format json
# The report set's paths and folder names differ between runs only by OUT: normalise them.
# Timings printed on the terminal are not outputs.
grep -rl --null "$out" "$out" 2>/dev/null | xargs -0 -r sed -i "s#$out#OUT#g"
sed -i -E 's/ in [0-9]+ ms$/ in N ms/' "$out"/*.stdout "$out"/*.stderr
echo "wrote $(find "$out" -type f | wc -l) files to $out"
