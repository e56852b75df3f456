#!/usr/bin/env bash
# The Pi footprint benchmark (issue 20 §3): steady resident memory and start-up time of `edgeenergy run` with a real
# configuration — a simulated Fox inverter served over Modbus TCP by a separate process (`edgeenergy fox simulate`),
# an external Mosquitto, and an Octopus-shaped price API on loopback (tests/bench/octopus-double.py) — no demo
# simulator, no embedded broker. Run by hand, not by the test suite (it takes minutes); the figures and the exact
# commands go to docs/reports/ (2026-12-02-pi-footprint.md).
#
#   tests/bench/host-footprint.sh --binary PUBLISH_DIR/edgeenergy [options]
#
#   --binary FILE        the service binary measured (a self-contained publish)
#   --simulator FILE     the binary that serves the simulated inverter (default: --binary; give a native one when
#                        --binary runs under --runner, so only the service is emulated)
#   --runner "CMD …"     prefix for the service, e.g. "qemu-aarch64 -L /usr/aarch64-linux-gnu" (the service needs
#                        an arm64 libssl.so.3 in that sysroot, and DOTNET_EnableWriteXorExecute=0: qemu-user does not
#                        see code the JIT writes through the second, writable mapping and runs stale code)
#   --arch NAME          the table's arch column (default linux-x64, or linux-arm64 (qemu) with a qemu runner)
#   --label TEXT         the table's settings column (default: the --env list, or "as built")
#   --env K=V            an environment variable for the service only (repeatable), e.g. DOTNET_gcConcurrent=0
#   --minutes N          minutes of operation sampled after the last start (default 12; 0: time the starts only)
#   --warmup-minutes N   samples before this are not "steady" (default 3)
#   --sample-seconds N   sampling period (default 5)
#   --smaps-minutes N    also every N minutes of the sampled run (and at its end), the service's resident memory by
#                        kind of mapping from /proc/PID/smaps, to smaps.tsv in --work (default 0: none): the binary's
#                        own pages, the native libraries beside it (OR-Tools), other files (libc, libssl), and
#                        anonymous memory (GC heap, native heaps, stacks); it says which of them grows
#   --starts N           timed starts (default 3): each from a fresh data folder and a fresh simulator; the last one
#                        goes on into the sampled run
#   --start-timeout N    seconds to wait for the first write (default 180)
#   --command-timeout N  seconds to wait after it for the plan's first command (default 120)
#   --work DIR           logs, samples and the generated configuration (default: a new temporary folder)
#   --header             print the table header before the row
#
# Start-up is measured from outside, on the simulator's log (each line stamped as it arrives): from the moment the
# service process is launched to the first Modbus write a client made ("first write by a client", EdgeEnergy.Simulation:
# the first command, usually the fallback's self-use reserve), and to the plan's first command ("remote control
# enabled" or "work mode set"; "-" when the plan keeps self-use, which writes neither). Steady RSS is
# VmRSS from /proc/PID/status every --sample-seconds after the warm-up; peak is the kernel's VmHWM at the end; the GC
# heap is dotnet_total_memory_bytes from the service's own /metrics (samples.tsv also keeps what the collector had
# committed and generation 2's size after its last collection). Replan and control intervals are shortened
# (Scheduling:PlanningMinutes 1, Scheduling:PriceCheckMinutes 1, Octopus:PollMinutes 1, Control:PollSeconds 2, and
# Control:MinimumDwellSeconds 0 so the plan's first command is not held 2 minutes behind the fallback's): the host has no accelerated clock, so N real minutes are N replans and 30·N control cycles.
set -euo pipefail

binary="" simulator="" runner="" arch="" label="" minutes=12 warmup=3 sample=5 smaps_minutes=0 starts=3 start_timeout=180 command_timeout=120 work="" header=0
envs=()
die() { echo "host-footprint: $*" >&2; exit 2; }
while [[ $# -gt 0 ]]; do
  case "$1" in
    --binary) binary="${2:?--binary needs a file}"; shift 2 ;;
    --simulator) simulator="${2:?--simulator needs a file}"; shift 2 ;;
    --runner) runner="${2:?--runner needs a command}"; shift 2 ;;
    --arch) arch="${2:?--arch needs a name}"; shift 2 ;;
    --label) label="${2:?--label needs a text}"; shift 2 ;;
    --env) [[ "${2:-}" == *=* ]] || die "--env needs KEY=VALUE, not '${2:-}'"; envs+=("$2"); shift 2 ;;
    --minutes) minutes="${2:-}"; shift 2 ;;
    --warmup-minutes) warmup="${2:-}"; shift 2 ;;
    --sample-seconds) sample="${2:-}"; shift 2 ;;
    --smaps-minutes) smaps_minutes="${2:-}"; shift 2 ;;
    --starts) starts="${2:-}"; shift 2 ;;
    --start-timeout) start_timeout="${2:-}"; shift 2 ;;
    --command-timeout) command_timeout="${2:-}"; shift 2 ;;
    --work) work="${2:?--work needs a folder}"; shift 2 ;;
    --header) header=1; shift ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown argument '$1' (see --help)" ;;
  esac
done
[[ -n "$binary" ]] || die "--binary is required (a published edgeenergy)"
[[ -x "$binary" ]] || die "--binary '$binary' is not an executable file"
simulator="${simulator:-$binary}"
[[ -x "$simulator" ]] || die "--simulator '$simulator' is not an executable file"
for pair in "minutes:$minutes" "warmup-minutes:$warmup" "sample-seconds:$sample" "smaps-minutes:$smaps_minutes" "starts:$starts" "start-timeout:$start_timeout" "command-timeout:$command_timeout"; do
  [[ "${pair#*:}" =~ ^[0-9]+$ ]] || die "--${pair%%:*} must be a whole number, not '${pair#*:}'"
done
(( starts >= 1 )) || die "--starts must be at least 1"
(( sample >= 1 )) || die "--sample-seconds must be at least 1"
(( minutes == 0 || minutes > warmup )) || die "--minutes ($minutes) must be 0 (start-up only) or more than --warmup-minutes ($warmup)"
command -v mosquitto >/dev/null || die "mosquitto is not installed (apt-get install mosquitto)"
command -v python3 >/dev/null || die "python3 is needed for the Octopus double"
command -v curl >/dev/null || die "curl is needed to read /metrics"
if [[ -z "$arch" ]]; then
  if [[ "$runner" == *qemu-aarch64* ]]; then arch="linux-arm64 (qemu)"; else arch="linux-$(uname -m | sed 's/x86_64/x64/; s/aarch64/arm64/')"; fi
fi
if [[ -z "$label" ]]; then
  label="${envs[*]:-as built}"
fi
here="$(cd "$(dirname "$0")" && pwd)"
work="${work:-$(mktemp -d /tmp/host-footprint.XXXXXX)}"
mkdir -p "$work"

pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
wait_for() { # FILE PATTERN SECONDS [PID]: polls every 20 ms; fails on timeout or when PID has exited
  local deadline=$(( $(date +%s) + $3 ))
  until grep -q -- "$2" "$1" 2>/dev/null; do
    (( $(date +%s) < deadline )) || return 1
    [[ -z "${4:-}" ]] || kill -0 "$4" 2>/dev/null || return 1
    sleep 0.02
  done
}
now_ms() { echo $(( $(date +%s%N) / 1000000 )); }
kb() { awk -v k="$2" '$1 == k":" { print $2 }' "/proc/$1/status"; }

# ---- the peers: Octopus double and Mosquitto live through the whole run --------------------------------------------
octopus_port=$(free_port)
python3 "$here/octopus-double.py" "$octopus_port" >"$work/octopus.log" 2>&1 &
pids+=($!)
wait_for "$work/octopus.log" "listening on" 30 || die "the Octopus double did not start (see $work/octopus.log)"
mqtt_port=$(free_port)
mosquitto -p "$mqtt_port" >"$work/mosquitto.log" 2>&1 &
pids+=($!)
wait_for "$work/mosquitto.log" "running" 30 || die "mosquitto did not start (see $work/mosquitto.log)"

stamp() { while IFS= read -r line; do printf '%s %s\n' "$(now_ms)" "$line"; done; } # epoch ms before each line
stamp_of() { grep -m1 -- "$2" "$1" | cut -d' ' -f1; }
start_simulator() { # → sim_pid, modbus_port
  modbus_port=$(free_port)
  : >"$work/simulator.log"
  "$simulator" fox simulate --listen "127.0.0.1:$modbus_port" --family h1-g2 --soc 50 --capacity-kwh 10.4 > >(stamp >>"$work/simulator.log") 2>&1 &
  sim_pid=$!
  pids+=("$sim_pid")
  wait_for "$work/simulator.log" "SIGINT or SIGTERM stops" 60 || die "the simulator did not start (see $work/simulator.log)"
}

write_config() { # DATA_DIR HTTP_PORT
  cat >"$1/appsettings.json" <<JSON
{
  "Inverter": { "Endpoint": "tcp://127.0.0.1:$modbus_port", "Family": "h1-g2", "Unit": 247, "SettleAfterConnectMilliseconds": 0 },
  "Octopus": { "BaseUrl": "http://127.0.0.1:$octopus_port/", "Region": "C", "PollMinutes": 1, "AfternoonPollMinutes": 1, "RetryBaseDelay": "00:00:01" },
  "Mqtt": { "Host": "127.0.0.1", "Port": $mqtt_port },
  "Http": { "Urls": "http://127.0.0.1:$2" },
  "Storage": { "Path": "$1/edgeenergy.db" },
  "Site": { "BatteryCapacityKwh": 10.4, "BatteryMaxChargeKw": 3, "BatteryMaxDischargeKw": 3 },
  "Control": { "PollSeconds": 2, "MinimumDwellSeconds": 0 },
  "Scheduling": { "PlanningMinutes": 1, "PriceCheckMinutes": 1 }
}
JSON
}

start_service() { # DATA_DIR → svc_pid, http_port, startup_ms, command_ms
  http_port=$(free_port)
  write_config "$1" "$http_port"
  local t0
  t0=$(now_ms)
  # shellcheck disable=SC2086 # the runner is a command line
  env DOTNET_ENVIRONMENT=Production "${envs[@]}" $runner "$binary" run --config "$1/appsettings.json" >"$1/service.log" 2>&1 &
  svc_pid=$!
  pids+=("$svc_pid")
  if ! wait_for "$work/simulator.log" "first write by a client" "$start_timeout" "$svc_pid"; then
    die "no write reached the simulator within ${start_timeout}s or the service exited (see $1/service.log and $work/simulator.log)"
  fi
  startup_ms=$(( $(stamp_of "$work/simulator.log" "first write by a client") - t0 ))
  # The plan's first command: remote control (charge, discharge, hold) or a work mode. A plan that keeps self-use
  # writes neither, so this one is reported when seen, "-" otherwise.
  command_ms="-"
  if wait_for "$work/simulator.log" "remote control enabled\|work mode set" "$command_timeout" "$svc_pid"; then
    command_ms=$(( $(grep -m1 "remote control enabled\|work mode set" "$work/simulator.log" | cut -d' ' -f1) - t0 ))
  fi
  # A runner (qemu) is the parent: the service is its only process, so the PID is the service's either way.
}

stop() { kill "$1" 2>/dev/null || true; wait "$1" 2>/dev/null || true; }

startups=()
commands_ms=()
loads=()
for i in $(seq 1 "$starts"); do
  start_simulator
  data="$work/start-$i"
  rm -rf "$data"; mkdir -p "$data"
  loads+=("$(cut -d' ' -f1 /proc/loadavg)")
  start_service "$data"
  startups+=("$startup_ms")
  commands_ms+=("$command_ms")
  echo "host-footprint: start $i: first write after $startup_ms ms ($(grep -m1 'first write by a client' "$work/simulator.log" | sed 's/.*first write by a client: //')), plan's first command after $command_ms ms" >&2
  if (( i < starts )); then stop "$svc_pid"; stop "$sim_pid"; fi
done

# ---- the sampled run ----------------------------------------------------------------------------------------------
# smaps_row SECONDS: one row of smaps.tsv, the Rss of every mapping summed by kind (kB). Under a runner the PID is the
# emulator's, whose own mappings fall under "other files" and "anonymous".
smaps_row() {
  awk -v t="$1" -v bin="$(readlink -f "$binary")" -v dir="$(dirname "$(readlink -f "$binary")")/" '
    /^[0-9a-f]+-[0-9a-f]+ / { path = $6; kind = path == "" || path ~ /^\[/ ? "anon" : path == bin ? "binary" : index(path, dir) == 1 ? "beside" : "files"; next }
    $1 == "Rss:" { rss[kind] += $2; total += $2 }
    END { printf "%d\t%d\t%d\t%d\t%d\t%d\n", t, total, rss["binary"], rss["beside"], rss["files"], rss["anon"] }' "/proc/$svc_pid/smaps"
}
samples="$work/samples.tsv"
echo -e "seconds\tvm_rss_kb\tvm_hwm_kb\tgc_heap_bytes\tgc_committed_bytes\tgc_gen2_bytes" >"$samples"
smaps="$work/smaps.tsv"
(( smaps_minutes == 0 )) || echo -e "seconds\trss_kb\tbinary_kb\tbeside_binary_kb\tother_files_kb\tanonymous_kb" >"$smaps"
t_start=$(date +%s)
end=$(( t_start + minutes * 60 ))
next_smaps=$t_start
while (( $(date +%s) < end )); do # none with --minutes 0
  kill -0 "$svc_pid" 2>/dev/null || die "the service exited during the run (see $data/service.log)"
  gc=$(curl -s --max-time 2 "http://127.0.0.1:$http_port/metrics" | awk '
    $1 == "dotnet_total_memory_bytes" { heap = $2 } $1 == "edgeenergy_gc_committed_bytes" { committed = $2 }
    $1 ~ /^edgeenergy_gc_heap_bytes\{generation="gen2"\}$/ { gen2 = $2 }
    END { printf "%s\t%s\t%s", heap == "" ? "" : sprintf("%d", heap), committed == "" ? "" : sprintf("%d", committed), gen2 == "" ? "" : sprintf("%d", gen2) }' || true)
  echo -e "$(( $(date +%s) - t_start ))\t$(kb "$svc_pid" VmRSS)\t$(kb "$svc_pid" VmHWM)\t${gc:-}" >>"$samples"
  if (( smaps_minutes && $(date +%s) >= next_smaps )); then
    smaps_row $(( $(date +%s) - t_start )) >>"$smaps"
    next_smaps=$(( next_smaps + smaps_minutes * 60 ))
  fi
  sleep "$sample"
done
if (( smaps_minutes && minutes )); then
  smaps_row $(( $(date +%s) - t_start )) >>"$smaps"
  awk -F'\t' 'NR == 2 { for (i = 2; i <= 6; i++) first[i] = $i } NR > 1 { for (i = 2; i <= 6; i++) last[i] = $i; t = $1 }
    END { printf "host-footprint: smaps, first snapshot to the last (%d min), MB: all %+.1f, binary %+.1f, beside it %+.1f, other files %+.1f, anonymous %+.1f\n",
                 t / 60, (last[2] - first[2]) / 1024, (last[3] - first[3]) / 1024, (last[4] - first[4]) / 1024, (last[5] - first[5]) / 1024, (last[6] - first[6]) / 1024 }' "$smaps" >&2
fi
peak_kb=$(kb "$svc_pid" VmHWM)
max_sampled_kb=$(awk -F'\t' 'NR > 1 && $2 > m { m = $2 } END { print m + 0 }' "$samples")
(( max_sampled_kb <= peak_kb )) || peak_kb=$max_sampled_kb # VmHWM is brought up to date lazily by the kernel
plans=$(grep -c "solved in" "$data/service.log" || true)
commands=$(grep -c "Inverter command" "$data/service.log" || true)
errors=$(grep -c -i "fail:\|crit:" "$data/service.log" || true)
stop "$svc_pid"

summary=$(awk -F'\t' -v warm=$(( minutes ? warmup * 60 : 0 )) '
  NR > 1 && $1 >= warm { rss[++n] = $2 / 1024; if ($4 != "") heap[++h] = $4 / 1048576 }
  function median(a, k,   i, j, t) { for (i = 2; i <= k; i++) { t = a[i]; for (j = i - 1; j >= 1 && a[j] > t; j--) a[j + 1] = a[j]; a[j + 1] = t }
                                     return k % 2 ? a[(k + 1) / 2] : (a[k / 2] + a[k / 2 + 1]) / 2 }
  END { if (n == 0) { print "-\t-\t-\t0"; exit } m = 0; for (i = 1; i <= n; i++) if (rss[i] > m) m = rss[i]
        printf "%.1f\t%.1f\t%s\t%d", median(rss, n), m, h ? sprintf("%.1f", median(heap, h)) : "n/a", n }' "$samples")
IFS=$'\t' read -r rss_median rss_max heap_median n_samples <<<"$summary"
joined() { local IFS=,; local text="$*"; echo "${text//,/, }"; }
median_of() { printf '%s\n' "$@" | { grep -v '^-$' || true; } | sort -n | awk '{ a[NR] = $1 } END { print NR == 0 ? "-" : (NR % 2 ? a[(NR + 1) / 2] : int((a[NR / 2] + a[NR / 2 + 1]) / 2)) }'; }
startup_median=$(median_of "${startups[@]}")
command_median=$(median_of "${commands_ms[@]}")

if (( header )); then
  echo "| arch | settings | steady RSS median MB | steady RSS max MB | peak (VmHWM) MB | GC heap median MB | first write ms, median (each) | plan's first command ms, median (each) | load avg at starts | plans / commands / errors in ${minutes} min |"
  echo "|---|---|---|---|---|---|---|---|---|---|"
fi
printf '| %s | %s | %s | %s | %s | %s | %s (%s) | %s (%s) | %s | %s / %s / %s |\n' "$arch" "$label" "$rss_median" "$rss_max" \
  "$( (( minutes )) && awk -v k="$peak_kb" 'BEGIN { printf "%.1f", k / 1024 }' || echo -)" "$heap_median" "$startup_median" "$(joined "${startups[@]}")" \
  "$command_median" "$(joined "${commands_ms[@]}")" \
  "$(joined "${loads[@]}")" "$plans" "$commands" "$errors"
echo "host-footprint: $n_samples steady samples in $samples; logs in $work" >&2
