#!/usr/bin/env bash
# The fleet load test of issue 21 §3 (docs/fleet.md, docs/reports/2026-12-03-fleet-load.md): starts a 3-node RabbitMQ
# cluster with the MQTT plugin on this machine (Debian's rabbitmq-server; own node names, ports and folders under a
# temp dir, one Erlang cookie, join_cluster), runs `edgeenergy fleet simulate` against it, kills node 3 with SIGKILL
# KILL_AFTER seconds into the run, prints the simulator's JSON and tears the cluster down.
#   tests/bench/fleet-load.sh [HOMES] [MINUTES] [KILL_AFTER_SECONDS] [extra simulate options...]
# Needs a built Host (dotnet build src/EdgeEnergy.Host -c Release), or EDGEENERGY_DLL naming a copy of its edgeenergy.dll. Exit status: the simulator's (0: nothing lost).
set -euo pipefail
HOMES=${1:-1000}; MINUTES=${2:-10}; KILL_AFTER=${3:-120}; shift $(( $# < 3 ? $# : 3 ))
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
DLL=${EDGEENERGY_DLL:-$ROOT/artifacts/bin/EdgeEnergy.Host/release/edgeenergy.dll}
[[ -f $DLL ]] || { echo "fleet-load: build the Host first (dotnet build src/EdgeEnergy.Host -c Release)" >&2; exit 2; }
SERVER=/usr/lib/rabbitmq/bin/rabbitmq-server; CTL=/usr/lib/rabbitmq/bin/rabbitmqctl
[[ -x $SERVER ]] || { echo "fleet-load: install rabbitmq-server (apt-get install rabbitmq-server)" >&2; exit 2; }
DIR=$(mktemp -d /tmp/edgeenergy-fleetload-XXXXXX)
TAG=$(head -c4 /dev/urandom | od -An -tx1 | tr -d ' \n')
export HOME=$DIR
printf 'EDGEENERGY%s' "$(head -c16 /dev/urandom | od -An -tx1 | tr -d ' \n' | tr a-f A-F)" > "$DIR/.erlang.cookie"; chmod 400 "$DIR/.erlang.cookie"
echo '[rabbitmq_mqtt].' > "$DIR/enabled_plugins"
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
PIDS=(); MQTT=(); NAMES=()
# shellcheck disable=SC2317 # run by the EXIT trap
cleanup() { for p in "${PIDS[@]}"; do kill -9 -- "-$p" 2>/dev/null || kill -9 "$p" 2>/dev/null || true; done; rm -rf "$DIR"; }
trap cleanup EXIT
for i in 1 2 3; do
  N=$DIR/n$i; mkdir -p "$N"; name="eefleet$i-$TAG@localhost"; amqp=$(free_port); dist=$(free_port); mqtt=$(free_port)
  printf 'listeners.tcp.1 = 127.0.0.1:%s\nmqtt.listeners.tcp.1 = 127.0.0.1:%s\nmqtt.allow_anonymous = true\nloopback_users = none\nlog.console = false\nlog.file.level = warning\n' "$amqp" "$mqtt" > "$N/rabbitmq.conf"
  RABBITMQ_NODENAME=$name RABBITMQ_NODE_PORT=$amqp RABBITMQ_DIST_PORT=$dist RABBITMQ_MNESIA_BASE=$N/mnesia RABBITMQ_LOG_BASE=$N/log \
    RABBITMQ_CONFIG_FILE=$N/rabbitmq.conf RABBITMQ_ENABLED_PLUGINS_FILE=$DIR/enabled_plugins RABBITMQ_PID_FILE=$N/pid \
    RABBITMQ_PLUGINS_EXPAND_DIR=$N/plugins-expand RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS="+S 2:2" setsid "$SERVER" > "$N/stdout.log" 2>&1 &
  PIDS+=($!); disown; MQTT+=("$mqtt"); NAMES+=("$name")
done
# A node is not known to rabbitmqctl until its Erlang VM has registered, which on a cold first start can take longer than
# await_startup waits for an unknown node: wait for each node's MQTT listener instead (as the test fixture does).
for i in 0 1 2; do
  for _ in $(seq 240); do (exec 3<>"/dev/tcp/127.0.0.1/${MQTT[$i]}") 2>/dev/null && break; sleep 0.5; done
  "$CTL" -q -n "${NAMES[$i]}" await_startup --timeout 120
done
for n in "${NAMES[@]:1}"; do
  for step in stop_app reset "join_cluster ${NAMES[0]}" start_app; do
    # shellcheck disable=SC2086 # the step is a command and its argument
    "$CTL" -q -n "$n" $step > "$DIR/ctl.log" 2>&1 || { cat "$DIR/ctl.log" >&2; exit 1; }
  done
done
"$CTL" -q -n "${NAMES[0]}" cluster_status --formatter json | python3 -c 'import json,sys; print("fleet-load: running nodes", json.load(sys.stdin)["running_nodes"], file=sys.stderr)'
BROKERS="127.0.0.1:${MQTT[0]},127.0.0.1:${MQTT[1]},127.0.0.1:${MQTT[2]}"
echo "fleet-load: dotnet $DLL fleet simulate --homes $HOMES --broker $BROKERS --minutes $MINUTES $*; node 3 killed after ${KILL_AFTER} s" >&2
( sleep "$KILL_AFTER"; echo "fleet-load: killing ${NAMES[2]} at $(date -u +%T)" >&2; kill -9 -- "-${PIDS[2]}" 2>/dev/null || true ) &
KILLER=$!
set +e
dotnet "$DLL" fleet simulate --homes "$HOMES" --broker "$BROKERS" --minutes "$MINUTES" "$@"
rc=$?
kill "$KILLER" 2>/dev/null
exit $rc
