#!/usr/bin/env bash
# Extra CI steps that need ../shared (the company's reference tools), which a newcomer does not have.
#  1. Every real-data fixture problem is solved by `edgeenergy plan` and the plan is verified constraint by
#     constraint, with its cost recomputed, by the independent reference_lp.py `check`; the objective must be within
#     0.01% or 0.5p of reference_lp.py's own MILP optimum.
set -uo pipefail
SHARED=${1:-../shared}
cd "$(dirname "$0")/.."
PY=/usr/bin/python3
if ! $PY -c 'import pulp' 2>/dev/null || ! command -v cbc >/dev/null; then
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends python3-pulp coinor-cbc >/dev/null 2>&1 || true
fi
BIN=artifacts/bin/EdgeEnergy.Host/release/edgeenergy
[[ -x $BIN ]] || dotnet build src/EdgeEnergy.Host -c Release -nologo -clp:ErrorsOnly >&2
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
pass=0; fail=0
for p in tests/EdgeEnergy.Testing/Fixtures/plan-problems/*.json; do
  name=$(basename "$p" .json)
  [[ $name == reference-objectives ]] && continue
  if ! "$BIN" plan "$p" > "$tmp/plan.json" 2>"$tmp/err"; then
    echo "shared-check FAIL $name: plan exited non-zero: $(head -1 "$tmp/err")"; fail=$((fail+1)); continue
  fi
  if ! $PY "$SHARED/tools/reference_lp.py" check "$p" "$tmp/plan.json" > "$tmp/check" 2>&1; then
    echo "shared-check FAIL $name: $(head -3 "$tmp/check" | tr '\n' ' ')"; fail=$((fail+1)); continue
  fi
  ref=$($PY "$SHARED/tools/reference_lp.py" solve "$p" | $PY -c 'import json,sys; print(json.load(sys.stdin)["objectivePence"])')
  ours=$($PY -c 'import json,sys; print(json.load(open(sys.argv[1]))["objectivePence"])' "$tmp/plan.json")
  if $PY -c "import sys; r,o=$ref,$ours; sys.exit(0 if abs(r-o) <= max(0.5, 1e-4*abs(r)) else 1)"; then
    pass=$((pass+1))
  else
    echo "shared-check FAIL $name: objective $ours vs reference $ref"; fail=$((fail+1))
  fi
done
echo "shared checks (reference_lp.py): $pass plans verified and matching the reference optimum, $fail not" >&2
[[ $fail -eq 0 ]]
