#!/bin/bash
# Docker/balena health check of the edgeenergy container: GET /healthz on the first Http:Urls port (200 healthy,
# 503 unhealthy), with the bearer token when Http:Token is set. Plain bash: the runtime image has no curl.
set -euo pipefail
url=${EDGEENERGY__HTTP__URLS:-http://127.0.0.1:8080}
url=${url%%;*}
hostport=${url#*://}
hostport=${hostport%%/*}
port=${hostport##*:}
[[ $port =~ ^[0-9]+$ ]] || port=80
auth=''
if [[ -n ${EDGEENERGY__HTTP__TOKEN:-} ]]; then auth="Authorization: Bearer $EDGEENERGY__HTTP__TOKEN"$'\r\n'; fi
exec 3<>"/dev/tcp/127.0.0.1/$port"
printf 'GET /healthz HTTP/1.0\r\nHost: localhost\r\n%s\r\n' "$auth" >&3
IFS= read -r status <&3
[[ $status =~ ^HTTP/1\.[01]\ 200 ]] || { echo "unhealthy: ${status%$'\r'}" >&2; exit 1; }
