#!/usr/bin/env bash
# Runs every test of EdgeEnergy. Installs the real peers the tests talk to when they are missing (Debian packages),
# builds once, runs `dotnet test` on the solution with line and branch coverage (coverlet, tests/coverage.runsettings),
# merges the coverage of all test projects (reportgenerator, into artifacts/coverage), prints "coverage: lines ...",
# and ends with the line "N passed, N failed" summed over all test results, so CI can count them.
# Run it as root or with sudo (apt-get, and the soak's full-disk fault mounts a 512 MB tmpfs for its database: SoakDisk).
# Exit code: 0 only when nothing failed and the merged line coverage of src/ is at least COVERAGE_MIN_LINES (80) %.
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

# command-or-file : Debian package. Each test that needs a peer documents it; this list installs them.
NEEDS=(
  "mosquitto:mosquitto"
  "mosquitto_sub:mosquitto-clients"
  "openssl:openssl"
  "mbpoll:mbpoll"
  "socat:socat"
  "/usr/include/modbus/modbus.h:libmodbus-dev"
  "pkg-config:pkg-config"
  "gcc:gcc"
  "promtool:prometheus"
  "chromium:chromium"
  "systemd-analyze:systemd"
  "shellcheck:shellcheck"
  "docker-compose:docker-compose"
  "npm:npm"
  "qemu-aarch64:qemu-user"
  "victoria-metrics:victoria-metrics"
  "/usr/lib/rabbitmq/bin/rabbitmq-server:rabbitmq-server"
  "/usr/aarch64-linux-gnu/lib/libc.so.6:libc6-arm64-cross"
  "/usr/aarch64-linux-gnu/lib/libstdc++.so.6:libstdc++6-arm64-cross"
  # The Pi build is a Native AOT binary cross-compiled for arm64 (EdgeEnergy.Deploy.Tests: PiBuildTests): clang, the
  # arm64 C library and GCC runtime to link against, arm64 binutils, and llvm-objcopy to strip it.
  "clang:clang"
  "/usr/aarch64-linux-gnu/lib/Scrt1.o:libc6-dev-arm64-cross"
  "/usr/lib/gcc-cross/aarch64-linux-gnu/12/crtbeginS.o:libgcc-12-dev-arm64-cross"
  "aarch64-linux-gnu-ld:binutils-aarch64-linux-gnu"
  "llvm-objcopy:llvm"
)
missing=()
for need in "${NEEDS[@]}"; do
  what=${need%%:*}; pkg=${need##*:}
  if [[ $what == /* ]]; then [[ -e $what ]] || missing+=("$pkg"); else command -v "$what" >/dev/null 2>&1 || missing+=("$pkg"); fi
done
if ((${#missing[@]})); then
  echo "run-tests: installing ${missing[*]}" >&2
  if [[ $(id -u) -ne 0 ]]; then SUDO=sudo; else SUDO=; fi
  $SUDO apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2 \
    || echo "run-tests: could not install ${missing[*]}; the tests that need them will fail and say so" >&2
fi

# npm tools the tests run offline once installed: dockerfile-utils lints deploy/balena (EdgeEnergy.Deploy.Tests).
TOOLS="$ROOT/artifacts/tools"
if [[ ! -x $TOOLS/node_modules/.bin/dockerfile-utils ]]; then
  npm install --silent --no-audit --no-fund --prefix "$TOOLS" dockerfile-utils@0.16.3 >&2 \
    || echo "run-tests: could not install dockerfile-utils from npm; the Dockerfile lint test will fail and say so" >&2
fi

# reportgenerator merges the coverage files; a local tool pinned in .config/dotnet-tools.json, restored from NuGet.
if ! dotnet tool restore >/dev/null 2>&1; then
  echo "run-tests: could not restore dotnet-reportgenerator-globaltool (.config/dotnet-tools.json); the coverage gate will fail" >&2
fi

RESULTS="$ROOT/artifacts/test-results"
COVERAGE="$ROOT/artifacts/coverage"
rm -rf "$COVERAGE"
rm -rf "$RESULTS"; mkdir -p "$RESULTS"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
if ! dotnet build EdgeEnergy.sln -c Release -nologo -clp:ErrorsOnly; then
  echo "run-tests: build failed" >&2
  echo "0 passed, 1 failed"
  exit 1
fi
dotnet test EdgeEnergy.sln -c Release --no-build --logger "trx" --results-directory "$RESULTS" \
  --collect "XPlat Code Coverage" --settings "$ROOT/tests/coverage.runsettings" -- RunConfiguration.TestSessionTimeout=840000
test_rc=$?

# Sum the outcome counters of every .trx file (one per test project).
read -r passed failed < <(
  python3 - "$RESULTS" <<'PY'
import sys, glob, xml.etree.ElementTree as ET
p = f = 0
for path in glob.glob(sys.argv[1] + "/**/*.trx", recursive=True):
    c = ET.parse(path).getroot().find(".//{*}ResultSummary/{*}Counters")
    if c is None:
        continue
    p += int(c.get("passed", 0))
    f += int(c.get("failed", 0)) + int(c.get("error", 0)) + int(c.get("timeout", 0)) + int(c.get("aborted", 0))
print(p, f)
PY
)
if [[ $test_rc -ne 0 && ${failed:-0} -eq 0 ]]; then failed=1; fi  # a crashed test host counts as a failure

# Coverage: merge the coverage.cobertura.xml of each test project (one per results/GUID folder; the trx logger keeps
# a copy under its own folder, left out), print per assembly and in total, gate on lines.
# The gate fails too when there is nothing to measure (no coverage file, reportgenerator missing).
COVERAGE_MIN_LINES=${COVERAGE_MIN_LINES:-80}
coverage_ok=0
mkdir -p "$COVERAGE"
if dotnet tool run reportgenerator "-reports:$RESULTS/*/coverage.cobertura.xml" "-targetdir:$COVERAGE" \
     "-reporttypes:TextSummary;JsonSummary;Cobertura" >"$COVERAGE/reportgenerator.log" 2>&1 \
   && [[ -f $COVERAGE/Summary.json ]]; then
  python3 - "$COVERAGE/Summary.json" "$COVERAGE_MIN_LINES" <<'PY' && coverage_ok=1
import json, sys
data = json.load(open(sys.argv[1]))
minimum = float(sys.argv[2])
def pct(covered, total):
    return 100.0 * covered / total if total else 0.0
for a in sorted(data["coverage"]["assemblies"], key=lambda a: a["name"]):
    print(f"coverage: {a['name']:<28} lines {pct(a['coveredlines'], a['coverablelines']):5.1f} %"
          f" ({a['coveredlines']} of {a['coverablelines']}),"
          f" branches {pct(a.get('coveredbranches') or 0, a.get('totalbranches') or 0):5.1f} %")
s = data["summary"]
lines = pct(s["coveredlines"], s["coverablelines"])
branches = pct(s.get("coveredbranches") or 0, s.get("totalbranches") or 0)
print(f"coverage: lines {lines:.1f} % ({s['coveredlines']} of {s['coverablelines']}),"
      f" branches {branches:.1f} % ({s.get('coveredbranches') or 0} of {s.get('totalbranches') or 0})"
      f" (gate: lines >= {minimum:g} %; report: artifacts/coverage)")
if lines < minimum:
    print(f"coverage: FAILED: lines {lines:.1f} % is below {minimum:g} %")
    sys.exit(1)
PY
else
  echo "coverage: FAILED: no merged report (see $COVERAGE/reportgenerator.log)"
fi

echo "${passed:-0} passed, ${failed:-0} failed"
[[ ${failed:-0} -eq 0 && $coverage_ok -eq 1 ]]
