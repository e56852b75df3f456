#!/usr/bin/env bash
# Screenshots of the dashboard for people to look at (reviews, docs): the preview (bundled real Agile prices and the
# real optimiser, `edgeenergy web-preview`) at desktop and phone sizes, and the fallback and override banners.
# A tool, not a test: it checks nothing and writes only into the folder it is given.
#
#   tools/dashboard-screenshots.sh OUTPUT_FOLDER
#
# Needs the .NET SDK (it builds src/EdgeEnergy.Host) and chromium (Debian package chromium).
set -euo pipefail

if [[ $# -ne 1 ]]; then
  echo "usage: $0 OUTPUT_FOLDER" >&2
  exit 2
fi
mkdir -p "$1"
out=$(cd "$1" && pwd)
root=$(cd "$(dirname "$0")/.." && pwd)
command -v chromium >/dev/null || { echo "$0: chromium is not installed (Debian package chromium)" >&2; exit 1; }

dotnet build "$root/src/EdgeEnergy.Host" -c Release -nologo -clp:ErrorsOnly >&2
host="$root/artifacts/bin/EdgeEnergy.Host/release/edgeenergy"

work=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

# Starts a preview of SCENARIO on a free loopback port (in this shell, so cleanup can stop it).
start_preview() {
  "$host" web-preview --urls http://127.0.0.1:0 --scenario "$1" >"$work/$1.log" 2>&1 &
  pids+=("$!")
}

# The address the preview of SCENARIO listens on, once it does.
address() {
  local log="$work/$1.log"
  for _ in $(seq 1 300); do
    if grep -q 'dashboard on ' "$log"; then
      sed -n 's/.*dashboard on \(http:[^ ,]*\).*/\1/p' "$log" | head -n 1
      return
    fi
    sleep 0.1
  done
  echo "$0: the $1 preview did not start:" >&2
  cat "$log" >&2
  exit 1
}

# shot URL WIDTH HEIGHT FILE
shot() {
  chromium --headless --no-sandbox --disable-gpu --no-first-run --hide-scrollbars --user-data-dir="$work/profile-$4" \
    --virtual-time-budget=5000 --window-size="$2,$3" --screenshot="$out/$4" "$1" >/dev/null 2>&1
  echo "$out/$4"
}

for scenario in Normal Fallback Override; do start_preview "$scenario"; done
normal=$(address Normal)
fallback=$(address Fallback)
override=$(address Override)

shot "$normal/" 1280 800 dashboard-desktop-1280x800.png
shot "$normal/" 390 844 dashboard-phone-390x844.png
shot "$normal/" 390 2000 dashboard-phone-390-full.png
shot "$fallback/" 390 844 dashboard-fallback-phone-390x844.png
shot "$override/" 1280 800 dashboard-override-desktop-1280x800.png
