#!/bin/sh
# Healthy when the broker answers a subscription to its own uptime topic within 5 s.
# MOSQUITTO_PORT defaults to the port of mosquitto.conf's listener.
set -eu
port=${MOSQUITTO_PORT:-1883}
# The topic is literally $SYS/broker/uptime, not a shell expansion.
# shellcheck disable=SC2016
topic='$SYS/broker/uptime'
if [ -n "${EDGEENERGY__MQTT__PASSWORD:-}" ]; then
  exec mosquitto_sub -h 127.0.0.1 -p "$port" -u "${EDGEENERGY__MQTT__USERNAME:-}" -P "$EDGEENERGY__MQTT__PASSWORD" \
    -i edgeenergy-health -t "$topic" -C 1 -W 5
fi
exec mosquitto_sub -h 127.0.0.1 -p "$port" -i edgeenergy-health -t "$topic" -C 1 -W 5
