#!/bin/sh
# Writes the broker's login from EDGEENERGY__MQTT__USERNAME/PASSWORD (the fleet variables EdgeEnergy also reads),
# then runs mosquitto. Without a password the broker is anonymous, and says so in the log.
# MOSQUITTO_DIR (default /mosquitto, the image's layout) holds config/mosquitto.conf and the data/ volume.
set -eu
dir=${MOSQUITTO_DIR:-/mosquitto}
conf=$dir/data/mosquitto.conf
cp "$dir/config/mosquitto.conf" "$conf"
printf 'persistence_location %s/data/\n' "$dir" >> "$conf"
user=${EDGEENERGY__MQTT__USERNAME:-}
password=${EDGEENERGY__MQTT__PASSWORD:-}
if [ -n "$user" ] && [ -n "$password" ]; then
  rm -f "$dir/data/passwd"
  mosquitto_passwd -c -b "$dir/data/passwd" "$user" "$password"
  chmod 0600 "$dir/data/passwd"
  printf 'allow_anonymous false\npassword_file %s/data/passwd\n' "$dir" >> "$conf"
else
  echo "edgeenergy-mosquitto: WARNING: EDGEENERGY__MQTT__USERNAME/PASSWORD are not set: anyone on the LAN can use this broker" >&2
  printf 'allow_anonymous true\n' >> "$conf"
fi
# mosquitto started as root drops to the 'mosquitto' user, which must own its data.
if [ "$(id -u)" = 0 ]; then chown -R mosquitto:mosquitto "$dir/data"; fi
exec mosquitto -c "$conf"
