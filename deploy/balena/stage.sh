#!/usr/bin/env bash
# Prepares a folder for `balena push FLEET --source DIR`: balena uploads only that folder and needs
# docker-compose.yml (and balena.yml) at its root, so this copies the sources the build needs and puts the compose
# file at the top with its build context rewritten from ../.. to '.'.
#   deploy/balena/stage.sh DIR && balena push MyFleet --source DIR
set -euo pipefail
[[ $# -eq 1 ]] || { echo "usage: $0 DIR" >&2; exit 2; }
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
out=$1
mkdir -p "$out/deploy"
rm -rf "$out/src" "$out/deploy/balena"
cp "$repo"/global.json "$repo"/Directory.Build.props "$repo"/Directory.Packages.props "$repo"/.editorconfig "$out/"
cp -r "$repo/src" "$out/src"
cp -r "$here" "$out/deploy/balena"
# Build outputs are not sources.
find "$out/src" -depth -type d \( -name bin -o -name obj \) -exec rm -rf {} +
sed -e 's#^      context: \.\./\.\.$#      context: .#' -e 's#^      context: mosquitto$#      context: deploy/balena/mosquitto#' \
  "$here/docker-compose.yml" > "$out/docker-compose.yml"
cp "$here/balena.yml" "$out/balena.yml"
echo "staged in $out: balena push <fleet> --source $out"
