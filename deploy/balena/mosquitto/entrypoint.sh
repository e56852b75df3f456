#!/bin/sh
# Writes the broker's login from EDGEENERGY__MQTT__USERNAME/PASSWORD (the fleet variables EdgeEnergy also reads),
# then runs mosquitto. Without a password the broker is anonymous, and says so in the log.
set -eu
conf=/mosquitto/data/mosquitto.conf
cp /mosquitto/config/mosquitto.conf "$conf"
user=${EDGEENERGY__MQTT__USERNAME:-}
password=${EDGEENERGY__MQTT__PASSWORD:-}
if [ -n "$user" ] && [ -n "$password" ]; then
  rm -f /mosquitto/data/passwd
  mosquitto_passwd -c -b /mosquitto/data/passwd "$user" "$password"
  chown mosquitto:mosquitto /mosquitto/data/passwd
  chmod 0600 /mosquitto/data/passwd
  printf 'allow_anonymous false\npassword_file /mosquitto/data/passwd\n' >> "$conf"
else
  echo "edgeenergy-mosquitto: WARNING: EDGEENERGY__MQTT__USERNAME/PASSWORD are not set: anyone on the LAN can use this broker" >&2
  printf 'allow_anonymous true\n' >> "$conf"
fi
chown -R mosquitto:mosquitto /mosquitto/data
exec mosquitto -c "$conf"
