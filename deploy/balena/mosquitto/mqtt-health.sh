#!/bin/sh
# Healthy when the broker answers a subscription to its own uptime topic within 5 s.
set -eu
# The topic is literally $SYS/broker/uptime, not a shell expansion.
# shellcheck disable=SC2016
topic='$SYS/broker/uptime'
if [ -n "${EDGEENERGY__MQTT__PASSWORD:-}" ]; then
  exec mosquitto_sub -h 127.0.0.1 -p 1883 -u "${EDGEENERGY__MQTT__USERNAME:-}" -P "$EDGEENERGY__MQTT__PASSWORD" \
    -i edgeenergy-health -t "$topic" -C 1 -W 5
fi
exec mosquitto_sub -h 127.0.0.1 -p 1883 -i edgeenergy-health -t "$topic" -C 1 -W 5
