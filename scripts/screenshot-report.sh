#!/usr/bin/env bash
# Takes screenshots of an HTML report with headless Chromium (Debian's `chromium` package), to
# check that the page opens and shows every chart and its Chinese text. Not part of CI.
#
# Usage: scripts/screenshot-report.sh [REPORT.html] [OUT_PREFIX] [WIDTHxHEIGHT]
#   default REPORT  reports/sample/report.html
#   default OUT     target/screenshots/report   → report.png (first screen), report-full.png (tall)
#           and report.pdf (A4 print, via --print-to-pdf) beside them
#
# Installs chromium when missing (apt-get update && apt-get install -y chromium; needs root).
# The machine needs no CJK font: the report embeds its own font subset.
set -euo pipefail
html="${1:-reports/sample/report.html}"
out="${2:-target/screenshots/report}"
size="${3:-1280x2000}"
[ -f "$html" ] || { echo "error: $html: no such file (run: techval report --out reports/sample)" >&2; exit 2; }
if ! command -v chromium >/dev/null 2>&1; then
  echo "chromium not found: installing Debian's chromium package" >&2
  apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends chromium
fi
mkdir -p "$(dirname "$out")"
url="file://$(cd "$(dirname "$html")" && pwd)/$(basename "$html")"
flags=(--headless --no-sandbox --disable-gpu --disable-background-networking
       --disable-component-update --disable-sync --no-first-run --hide-scrollbars
       --user-data-dir="$(mktemp -d)" --virtual-time-budget=5000)
w="${size%x*}"; h="${size#*x}"
chromium "${flags[@]}" --window-size="$w,900" --screenshot="$out.png" "$url" 2>/dev/null
chromium "${flags[@]}" --window-size="$w,$h" --screenshot="$out-full.png" "$url" 2>/dev/null
chromium "${flags[@]}" --no-pdf-header-footer --print-to-pdf="$out.pdf" "$url" 2>/dev/null
ls -l "$out.png" "$out-full.png" "$out.pdf"
