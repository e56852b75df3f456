#!/usr/bin/env python3
# Vendored copy of our organisation's own checker, shared/tools/check_discovery.py (with its rule notes in
# shared/tools/HA_DISCOVERY_RULES.md), copied unchanged on 2026-11-27 so the test suite does not need ../shared.
# EdgeEnergy.Adapters.Mqtt.Tests runs it with /usr/bin/python3 on a capture taken from a real Mosquitto.
# Update it by copying the shared file again; do not edit it here.
"""Independent checker for Home Assistant MQTT discovery config messages.

Input: one or more capture files (or directories of them) produced by

    mosquitto_sub -v -t 'homeassistant/#'              ->  "topic payload"
    mosquitto_sub -F '%r %t %p' -t 'homeassistant/#'   ->  "retained topic payload"

A directory may also hold one-message-per-file dumps whose file name is
``config`` (or ``config.json``); the file's path relative to the directory is
then the topic and its content the payload.

Every message on ``<prefix>/.../config`` is validated the way Home Assistant's
MQTT integration would treat it (topic shape, JSON object, abbreviation
expansion, ``~`` base topic, device/origin blocks, per-platform required keys
and value rules, sensor unit/device_class/state_class rules), plus a set of
project policies (unique_id present and unique, device block, availability,
command topics distinct from state topics, energy-dashboard compatibility,
re-publish after the HA birth message).

Output: one line per problem, then ``N passed, M failed``.  Exit status 0 when
all config messages pass, 1 otherwise, 2 on a usage error.

Severities:
  ERROR   Home Assistant rejects or ignores the message/entity (per HA source).
  POLICY  HA accepts it (possibly logging a warning) but it breaks a documented
          best practice or a rule of this project.  Counted as a failure
          unless --errors-only is given.

Every rule is annotated with the HA source it was taken from; see NOTES.md.
Stdlib only, Python 3.11.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from dataclasses import dataclass, field
from typing import Any, Iterable
from urllib.parse import urlparse

# ---------------------------------------------------------------------------
# Facts transcribed from Home Assistant sources (see NOTES.md for citations)
# ---------------------------------------------------------------------------

# homeassistant/components/mqtt/const.py (dev): SUPPORTED_COMPONENTS
SUPPORTED_COMPONENTS = frozenset(
    """alarm_control_panel binary_sensor button camera climate cover date datetime
    device_automation device_tracker event fan humidifier image infrared lawn_mower
    light lock notify number scene siren select sensor switch tag text time update
    vacuum valve water_heater""".split()
)
# const.py ENTITY_PLATFORMS = every supported component except these two
NON_ENTITY_COMPONENTS = frozenset({"device_automation", "tag"})

# discovery.py TOPIC_MATCHER (applied to the topic with "<prefix>/" removed)
TOPIC_MATCHER = re.compile(
    r"(?P<component>\w+)/(?:(?P<node_id>[a-zA-Z0-9_-]+)/)"
    r"?(?P<object_id>[a-zA-Z0-9_-]+)/config"
)
ID_CHARS = re.compile(r"^[a-zA-Z0-9_-]+$")

# abbreviations.py as published in source/_integrations/mqtt.markdown
# (home-assistant/home-assistant.io, newest version read).
_ABBR_TEXT = """
act_t action_topic|act_tpl action_template|atype automation_type|aux_cmd_t aux_command_topic
aux_stat_t aux_state_topic|aux_stat_tpl aux_state_template|av_tones available_tones
avty availability|avty_mode availability_mode|avty_t availability_topic
avty_tpl availability_template|away_mode_cmd_t away_mode_command_topic
away_mode_stat_t away_mode_state_topic|away_mode_stat_tpl away_mode_state_template
b_tpl blue_template|bri_cmd_t brightness_command_topic|bri_cmd_tpl brightness_command_template
bri_scl brightness_scale|bri_stat_t brightness_state_topic|bri_tpl brightness_template
bri_val_tpl brightness_value_template|clr_temp_cmd_tpl color_temp_command_template
clr_temp_cmd_t color_temp_command_topic|clr_temp_k color_temp_kelvin
clr_temp_stat_t color_temp_state_topic|clr_temp_tpl color_temp_template
clr_temp_val_tpl color_temp_value_template|clrm color_mode|clrm_stat_t color_mode_state_topic
clrm_val_tpl color_mode_value_template|cmd_off_tpl command_off_template
cmd_on_tpl command_on_template|cmd_t command_topic|cmd_tpl command_template|cmps components
cod_arm_req code_arm_required|cod_dis_req code_disarm_required|cod_trig_req code_trigger_required
cont_type content_type|curr_temp_t current_temperature_topic
curr_temp_tpl current_temperature_template|def_ent_id default_entity_id|dev device
dev_cla device_class|dir_cmd_t direction_command_topic|dir_cmd_tpl direction_command_template
dir_stat_t direction_state_topic|dir_val_tpl direction_value_template|dsp_prc display_precision
e encoding|en enabled_by_default|ent_cat entity_category|ent_pic entity_picture
evt_typ event_types|exp_aft expire_after|fanspd_lst fan_speed_list|flsh flash
flsh_tlng flash_time_long|flsh_tsht flash_time_short|fx_cmd_t effect_command_topic
fx_cmd_tpl effect_command_template|fx_list effect_list|fx_stat_t effect_state_topic
fx_tpl effect_template|fx_val_tpl effect_value_template|fan_mode_cmd_t fan_mode_command_topic
fan_mode_cmd_tpl fan_mode_command_template|fan_mode_stat_t fan_mode_state_topic
fan_mode_stat_tpl fan_mode_state_template|frc_upd force_update|g_tpl green_template
hs_cmd_t hs_command_topic|hs_cmd_tpl hs_command_template|hs_stat_t hs_state_topic
hs_val_tpl hs_value_template|ic icon|img_e image_encoding|img_t image_topic|init initial
hum_cmd_t target_humidity_command_topic|hum_cmd_tpl target_humidity_command_template
hum_stat_t target_humidity_state_topic|hum_state_tpl target_humidity_state_template
json_attr json_attributes|json_attr_t json_attributes_topic|json_attr_tpl json_attributes_template
l_ver_t latest_version_topic|l_ver_tpl latest_version_template|lrst_t last_reset_topic
lrst_val_tpl last_reset_value_template|max max|max_hum max_humidity|max_k max_kelvin
max_mirs max_mireds|max_temp max_temp|migr_discvry migrate_discovery|min min
min_hum min_humidity|min_k min_kelvin|min_mirs min_mireds|min_temp min_temp|mode mode
mode_cmd_t mode_command_topic|mode_cmd_tpl mode_command_template|mode_stat_t mode_state_topic
mode_stat_tpl mode_state_template|modes modes|name name|o origin|off_dly off_delay
on_cmd_type on_command_type|ops options|opt optimistic|osc_cmd_t oscillation_command_topic
osc_cmd_tpl oscillation_command_template|osc_stat_t oscillation_state_topic
osc_val_tpl oscillation_value_template|p platform|pct_cmd_t percentage_command_topic
pct_cmd_tpl percentage_command_template|pct_stat_t percentage_state_topic
pct_val_tpl percentage_value_template|pl payload|pl_arm_away payload_arm_away
pl_arm_custom_b payload_arm_custom_bypass|pl_arm_home payload_arm_home
pl_arm_nite payload_arm_night|pl_arm_vacation payload_arm_vacation|pl_avail payload_available
pl_cln_sp payload_clean_spot|pl_cls payload_close|pl_dir_fwd payload_direction_forward
pl_dir_rev payload_direction_reverse|pl_disarm payload_disarm|pl_home payload_home
pl_inst payload_install|pl_loc payload_locate|pl_lock payload_lock
pl_not_avail payload_not_available|pl_not_home payload_not_home|pl_off payload_off
pl_on payload_on|pl_open payload_open|pl_osc_off payload_oscillation_off
pl_osc_on payload_oscillation_on|pl_paus payload_pause|pl_stop payload_stop
pl_strt payload_start|pl_prs payload_press|pl_ret payload_return_to_base|pl_rst payload_reset
pl_rst_hum payload_reset_humidity|pl_rst_mode payload_reset_mode
pl_rst_pct payload_reset_percentage|pl_rst_pr_mode payload_reset_preset_mode
pl_stop_tilt payload_stop_tilt|pl_stpa payload_start_pause|pl_toff payload_turn_off
pl_ton payload_turn_on|pl_trig payload_trigger|pl_unlk payload_unlock|pos reports_position
pos_clsd position_closed|pos_open position_open|pr_mode_cmd_t preset_mode_command_topic
pr_mode_cmd_tpl preset_mode_command_template|pr_mode_stat_t preset_mode_state_topic
pr_mode_val_tpl preset_mode_value_template|pr_modes preset_modes|ptrn pattern|r_tpl red_template
rel_s release_summary|rel_u release_url|ret retain|rgb_cmd_t rgb_command_topic
rgb_cmd_tpl rgb_command_template|rgb_stat_t rgb_state_topic|rgb_val_tpl rgb_value_template
rgbw_cmd_t rgbw_command_topic|rgbw_cmd_tpl rgbw_command_template|rgbw_stat_t rgbw_state_topic
rgbw_val_tpl rgbw_value_template|rgbww_cmd_t rgbww_command_topic
rgbww_cmd_tpl rgbww_command_template|rgbww_stat_t rgbww_state_topic
rgbww_val_tpl rgbww_value_template|send_cmd_t send_command_topic|send_if_off send_if_off
set_fan_spd_t set_fan_speed_topic|set_pos_t set_position_topic|set_pos_tpl set_position_template
pos_t position_topic|pos_tpl position_template|spd_rng_min speed_range_min
spd_rng_max speed_range_max|src_type source_type|stat_cla state_class|stat_closing state_closing
stat_clsd state_closed|stat_jam state_jammed|stat_locked state_locked|stat_locking state_locking
stat_off state_off|stat_on state_on|stat_open state_open|stat_opening state_opening
stat_stopped state_stopped|stat_unlocked state_unlocked|stat_unlocking state_unlocking
stat_t state_topic|stat_tpl state_template|stat_val_tpl state_value_template|step step
stype subtype|sug_dsp_prc suggested_display_precision|sup_clrm supported_color_modes
sup_dur support_duration|sup_vol support_volume_set|sup_feat supported_features
swing_mode_cmd_t swing_mode_command_topic|swing_mode_cmd_tpl swing_mode_command_template
swing_mode_stat_t swing_mode_state_topic|swing_mode_stat_tpl swing_mode_state_template|t topic
temp_cmd_t temperature_command_topic|temp_cmd_tpl temperature_command_template
temp_hi_cmd_t temperature_high_command_topic|temp_hi_cmd_tpl temperature_high_command_template
temp_hi_stat_t temperature_high_state_topic|temp_hi_stat_tpl temperature_high_state_template
temp_lo_cmd_t temperature_low_command_topic|temp_lo_cmd_tpl temperature_low_command_template
temp_lo_stat_t temperature_low_state_topic|temp_lo_stat_tpl temperature_low_state_template
temp_stat_t temperature_state_topic|temp_stat_tpl temperature_state_template
temp_unit temperature_unit|tilt_clsd_val tilt_closed_value|tilt_cmd_t tilt_command_topic
tilt_cmd_tpl tilt_command_template|tilt_max tilt_max|tilt_min tilt_min
tilt_opnd_val tilt_opened_value|tilt_opt tilt_optimistic|tilt_status_t tilt_status_topic
tilt_status_tpl tilt_status_template|tit title|trns transition|uniq_id unique_id
unit_of_meas unit_of_measurement|url_t url_topic|url_tpl url_template|val_tpl value_template
whit_cmd_t white_command_topic|whit_scl white_scale|xy_cmd_t xy_command_topic
xy_cmd_tpl xy_command_template|xy_stat_t xy_state_topic|xy_val_tpl xy_value_template
"""


def _parse_abbr(text: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for chunk in text.replace("\n", "|").split("|"):
        chunk = chunk.strip()
        if chunk:
            short, full = chunk.split()
            out[short] = full
    return out


ABBREVIATIONS = _parse_abbr(_ABBR_TEXT)
# Present in older abbreviations.py / docs, absent from the newest docs table.
LEGACY_ABBREVIATIONS = {"obj_id": "object_id"}
DEVICE_ABBREVIATIONS = {
    "cu": "configuration_url", "cns": "connections", "ids": "identifiers",
    "name": "name", "mf": "manufacturer", "mdl": "model", "mdl_id": "model_id",
    "hw": "hw_version", "sw": "sw_version", "sa": "suggested_area", "sn": "serial_number",
}
ORIGIN_ABBREVIATIONS = {"name": "name", "sw": "sw_version", "url": "support_url"}

# schemas.py MQTT_ENTITY_DEVICE_INFO_SCHEMA keys (a plain vol.Schema: unknown
# keys are rejected).  via_hub is a deprecated alias of via_device.
DEVICE_KEYS = frozenset({
    "identifiers", "connections", "manufacturer", "model", "model_id", "name",
    "hw_version", "serial_number", "sw_version", "via_device", "suggested_area",
    "configuration_url", "via_hub",
})
ORIGIN_KEYS = frozenset({"name", "sw_version", "support_url"})

# Options merged from a device-based payload root into each component
# (discovery.py _merge_common_device_options docstring; docs "shared options").
SHARED_OPTIONS = (
    "availability", "availability_mode", "availability_template", "availability_topic",
    "command_topic", "encoding", "payload_available", "payload_not_available",
    "state_topic", "qos",
)
DEVICE_ROOT_KEYS = frozenset(SHARED_OPTIONS) | {"device", "origin", "components"}

AVAILABILITY_MODES = ("all", "any", "latest")          # const.py
AVAILABILITY_ITEM_KEYS = frozenset({"topic", "payload_available", "payload_not_available", "value_template"})
ENTITY_CATEGORIES = ("config", "diagnostic")           # homeassistant/const.py EntityCategory

# schemas.py MQTT_ENTITY_COMMON_SCHEMA + availability + config.py MQTT_BASE_SCHEMA
COMMON_KEYS = frozenset({
    "availability", "availability_mode", "availability_template", "availability_topic",
    "payload_available", "payload_not_available", "device", "origin", "enabled_by_default",
    "entity_category", "entity_picture", "icon", "json_attributes_topic",
    "json_attributes_template", "object_id", "default_entity_id", "unique_id",
    "qos", "encoding", "name",
})
RW_KEYS = frozenset({"command_topic", "optimistic", "retain", "state_topic"})   # MQTT_RW_SCHEMA
RO_KEYS = frozenset({"state_topic", "value_template"})                          # MQTT_RO_SCHEMA
PLATFORM_KEYS = {
    "sensor": COMMON_KEYS | RO_KEYS | {
        "device_class", "expire_after", "force_update", "last_reset_value_template",
        "options", "suggested_display_precision", "state_class", "unit_of_measurement"},
    "binary_sensor": COMMON_KEYS | RO_KEYS | {
        "device_class", "expire_after", "force_update", "off_delay", "payload_off", "payload_on"},
    "switch": COMMON_KEYS | RW_KEYS | {
        "command_template", "payload_off", "payload_on", "state_off", "state_on",
        "value_template", "device_class"},
    "number": COMMON_KEYS | RW_KEYS | {
        "command_template", "device_class", "max", "min", "mode", "payload_reset", "step",
        "unit_of_measurement", "value_template"},
    "select": COMMON_KEYS | RW_KEYS | {"command_template", "options", "value_template"},
    "button": COMMON_KEYS | {"command_template", "command_topic", "device_class",
                             "payload_press", "retain"},
}
REQUIRED_KEYS = {  # config.py MQTT_RO_SCHEMA / MQTT_RW_SCHEMA, button.py, select.py
    "sensor": ("state_topic",), "binary_sensor": ("state_topic",),
    "switch": ("command_topic",), "number": ("command_topic",),
    "select": ("command_topic", "options"), "button": ("command_topic",),
}
PUBLISH_TOPIC_KEYS = ("command_topic",)
SUBSCRIBE_TOPIC_KEYS = ("state_topic", "json_attributes_topic", "availability_topic")

# homeassistant/const.py unit enums
U_POWER = {"mW", "W", "kW", "MW", "GW", "TW", "BTU/h"}
U_ENERGY = {"J", "kJ", "MJ", "GJ", "mWh", "Wh", "kWh", "MWh", "GWh", "TWh", "cal", "kcal", "Mcal", "Gcal"}
U_ENERGY_DISTANCE = {"kWh/100km", "mi/kWh", "km/kWh"}
U_APPARENT_POWER = {"VA"}
U_REACTIVE_POWER = {"var", "kvar"}
U_CURRENT = {"mA", "A"}
U_VOLTAGE = {"µV", "mV", "V", "kV", "MV"}
U_TEMPERATURE = {"°C", "°F", "K"}
U_FREQUENCY = {"Hz", "kHz", "MHz", "GHz"}
U_LENGTH = {"mm", "cm", "m", "km", "in", "ft", "yd", "mi", "nmi"}
U_PRESSURE = {"Pa", "hPa", "kPa", "bar", "cbar", "mbar", "mmHg", "inHg", "psi"}
U_SOUND = {"dB", "dBA"}
U_VOLUME = {"ft³", "CCF", "m³", "L", "mL", "gal", "fl. oz."}
U_FLOW = {"m³/h", "m³/s", "ft³/min", "L/h", "L/min", "L/s", "gal/min", "mL/s"}
U_AREA = {"m²", "cm²", "km²", "mm²", "in²", "ft²", "yd²", "mi²", "ac", "ha"}
U_MASS = {"g", "kg", "mg", "µg", "oz", "lb", "st"}
U_CONDUCTIVITY = {"S/cm", "µS/cm", "mS/cm"}
U_IRRADIANCE = {"W/m²", "BTU/(h⋅ft²)"}
U_FLUX = {"in/d", "in/h", "mm/d", "mm/h"}
U_PRECIP = {"in", "mm", "cm"}
U_GLUCOSE = {"mg/dL", "mmol/L"}
U_SPEED = {"Beaufort", "ft/s", "in/s", "m/s", "km/h", "kn", "mph", "mm/s"}
U_INFO = set("bit kbit Mbit Gbit B kB MB GB TB PB EB ZB YB KiB MiB GiB TiB PiB EiB ZiB YiB".split())
U_RATE = set("bit/s kbit/s Mbit/s Gbit/s B/s kB/s MB/s GB/s KiB/s MiB/s GiB/s".split())
UG_M3 = "µg/m³"
PCT = "%"

# sensor/const.py DEVICE_CLASS_UNITS (None means "no unit")
DEVICE_CLASS_UNITS: dict[str, set] = {
    "apparent_power": U_APPARENT_POWER, "aqi": {None}, "area": U_AREA,
    "atmospheric_pressure": U_PRESSURE, "battery": {PCT},
    "blood_glucose_concentration": U_GLUCOSE, "carbon_monoxide": {"ppm"},
    "carbon_dioxide": {"ppm"}, "conductivity": U_CONDUCTIVITY, "current": U_CURRENT,
    "data_rate": U_RATE, "data_size": U_INFO, "distance": U_LENGTH,
    "duration": {"d", "h", "min", "s", "ms", "μs"}, "energy": U_ENERGY,
    "energy_distance": U_ENERGY_DISTANCE, "energy_storage": U_ENERGY,
    "frequency": U_FREQUENCY, "gas": {"CCF", "ft³", "m³", "L"}, "humidity": {PCT},
    "illuminance": {"lx"}, "irradiance": U_IRRADIANCE, "moisture": {PCT},
    "nitrogen_dioxide": {UG_M3}, "nitrogen_monoxide": {UG_M3}, "nitrous_oxide": {UG_M3},
    "ozone": {UG_M3}, "ph": {None}, "pm1": {UG_M3}, "pm10": {UG_M3}, "pm25": {UG_M3},
    "power_factor": {PCT, None},
    "power": {"mW", "W", "kW", "MW", "GW", "TW"},
    "precipitation": U_PRECIP, "precipitation_intensity": U_FLUX, "pressure": U_PRESSURE,
    "reactive_power": U_REACTIVE_POWER, "signal_strength": {"dB", "dBm"},
    "sound_pressure": U_SOUND, "speed": U_SPEED | U_FLUX, "sulphur_dioxide": {UG_M3},
    "temperature": U_TEMPERATURE, "volatile_organic_compounds": {UG_M3},
    "volatile_organic_compounds_parts": {"ppb", "ppm"}, "voltage": U_VOLTAGE,
    "volume": U_VOLUME, "volume_flow_rate": U_FLOW, "volume_storage": U_VOLUME,
    "water": {"CCF", "ft³", "m³", "gal", "L"}, "weight": U_MASS,
    "wind_direction": {"°"}, "wind_speed": U_SPEED,
}
NON_NUMERIC_SENSOR_CLASSES = {"date", "enum", "timestamp"}
SENSOR_DEVICE_CLASSES = set(DEVICE_CLASS_UNITS) | NON_NUMERIC_SENSOR_CLASSES | {"monetary"}
NUMBER_DEVICE_CLASSES = SENSOR_DEVICE_CLASSES - NON_NUMERIC_SENSOR_CLASSES   # number/const.py
STATE_CLASSES = ("measurement", "measurement_angle", "total", "total_increasing")
_ALL_SC = set(STATE_CLASSES)
_M = {"measurement"}
_T = {"total", "total_increasing"}
# sensor/const.py DEVICE_CLASS_STATE_CLASSES
DEVICE_CLASS_STATE_CLASSES: dict[str, set] = {
    **{dc: _M for dc in (
        "apparent_power aqi atmospheric_pressure battery blood_glucose_concentration "
        "carbon_monoxide carbon_dioxide conductivity current data_rate energy_distance "
        "energy_storage frequency humidity illuminance irradiance moisture nitrogen_dioxide "
        "nitrogen_monoxide nitrous_oxide ozone ph pm1 pm10 pm25 power_factor power "
        "precipitation_intensity pressure reactive_power signal_strength sound_pressure speed "
        "sulphur_dioxide temperature volatile_organic_compounds volatile_organic_compounds_parts "
        "voltage volume_storage volume_flow_rate wind_speed").split()},
    "area": _ALL_SC, "data_size": _ALL_SC, "distance": _ALL_SC, "duration": _ALL_SC,
    "precipitation": _ALL_SC, "date": set(), "enum": set(), "timestamp": set(),
    "energy": _T, "gas": _T, "volume": _T, "water": _T, "monetary": {"total"},
    "weight": {"measurement", "total", "total_increasing"},
    "wind_direction": {"measurement_angle"},
}
STATE_CLASS_UNITS = {"measurement_angle": {"°"}}
BINARY_SENSOR_DEVICE_CLASSES = set(
    """battery battery_charging carbon_monoxide cold connectivity door garage_door gas heat
    light lock moisture motion moving occupancy opening plug power presence problem running
    safety smoke sound tamper update vibration window""".split())
BUTTON_DEVICE_CLASSES = {"identify", "restart", "update"}
SWITCH_DEVICE_CLASSES = {"outlet", "switch"}
NUMBER_MODES = ("auto", "box", "slider")
# energy/validate.py: price entity unit must end with "/<energy unit>"
ENERGY_PRICE_SUFFIXES = tuple(f"/{u}" for u in sorted(U_ENERGY))

_TRUE = {"1", "true", "yes", "on", "enable"}
_FALSE = {"0", "false", "no", "off", "disable"}


def _norm_unit(u: Any) -> Any:
    # micro sign U+00B5 and Greek mu U+03BC are treated as equal (AMBIGUOUS_UNITS)
    return u.replace("\u00b5", "\u03bc") if isinstance(u, str) else u


def unit_in(unit: Any, allowed: set) -> bool:
    return _norm_unit(unit) in {_norm_unit(a) for a in allowed}


# ---------------------------------------------------------------------------
# Data model
# ---------------------------------------------------------------------------

@dataclass
class Msg:
    topic: str
    payload: str
    retained: bool | None
    source: str     # file:line
    index: int      # global arrival order
    capture: str = ""   # capture file the message came from (birth check is per capture)


@dataclass
class Problem:
    severity: str   # ERROR | POLICY
    code: str
    text: str
    where: str      # topic or topic#component


@dataclass
class Entity:
    msg: Msg
    where: str
    component: str
    discovery_id: str
    config: dict
    device_based: bool


@dataclass
class Result:
    msg: Msg
    problems: list[Problem] = field(default_factory=list)
    entities: list[Entity] = field(default_factory=list)
    removal: bool = False


# ---------------------------------------------------------------------------
# Input parsing
# ---------------------------------------------------------------------------

def parse_capture(text: str, source: str, prefix: str, start: int) -> tuple[list[Msg], list[str]]:
    """Parse mosquitto_sub -v (or -F '%r %t %p') output into messages."""
    msgs: list[Msg] = []
    notes: list[str] = []
    root = prefix + "/"

    def is_topic(tok: str) -> bool:
        return tok == prefix or tok.startswith(root)

    for lineno, raw in enumerate(text.splitlines(), 1):
        line = raw.rstrip("\r")
        retained: bool | None = None
        head, _, rest = line.partition(" ")
        topic = None
        if head in ("0", "1"):
            t2, _, rest2 = rest.partition(" ")
            if is_topic(t2):
                retained, topic, rest = head == "1", t2, rest2
        if topic is None and is_topic(head):
            topic = head
        if topic is not None:
            payload = "" if rest == "(null)" else rest
            msgs.append(Msg(topic, payload, retained, f"{source}:{lineno}", start + len(msgs), source))
        elif msgs:                      # continuation of a multi-line payload
            msgs[-1].payload += "\n" + line
        elif line.strip():
            notes.append(f"{source}:{lineno}: ignored line not starting with '{root}'")
    return msgs, notes


def load_inputs(paths: list[str], prefix: str) -> tuple[list[Msg], list[str]]:
    msgs: list[Msg] = []
    notes: list[str] = []
    for path in paths:
        if os.path.isdir(path):
            for dirpath, _dirs, files in sorted(os.walk(path)):
                for name in sorted(files):
                    full = os.path.join(dirpath, name)
                    with open(full, encoding="utf-8", errors="replace") as fh:
                        content = fh.read()
                    if name in ("config", "config.json"):
                        rel = os.path.relpath(full, path).replace(os.sep, "/")
                        topic = rel[: -len(".json")] if rel.endswith(".json") else rel
                        if not topic.startswith(prefix + "/"):
                            topic = f"{prefix}/{topic}"
                        msgs.append(Msg(topic, content.strip(), None, full, len(msgs), full))
                    else:
                        m, n = parse_capture(content, full, prefix, len(msgs))
                        msgs += m
                        notes += n
        elif os.path.isfile(path):
            with open(path, encoding="utf-8", errors="replace") as fh:
                m, n = parse_capture(fh.read(), path, prefix, len(msgs))
            msgs += m
            notes += n
        else:
            raise FileNotFoundError(path)
    return msgs, notes


# ---------------------------------------------------------------------------
# Validators mirroring HA helpers
# ---------------------------------------------------------------------------

def topic_problem(value: Any, publish: bool) -> str | None:
    """util.py valid_topic + valid_subscribe_topic / valid_publish_topic."""
    if isinstance(value, (list, dict)) or value is None:
        return "must be a string"
    t = str(value)
    raw = t.encode("utf-8", errors="surrogatepass")
    if not raw:
        return "must not be empty"
    if len(raw) > 65535:
        return "longer than 65535 bytes"
    for ch in t:
        if ch == "\0":
            return "contains a null character"
        if ch <= "\u001f" or "\u007f" <= ch <= "\u009f":
            return "contains control characters"
        if "\ufdd0" <= ch <= "\ufdef" or (ord(ch) & 0xFFFF) in (0xFFFE, 0xFFFF):
            return "contains non-characters"
    if publish:
        if "+" in t or "#" in t:
            return "wildcards cannot be used in a publish topic"
        return None
    for i, ch in enumerate(t):
        if ch == "+" and ((i > 0 and t[i - 1] != "/") or (i < len(t) - 1 and t[i + 1] != "/")):
            return "single-level wildcard must occupy an entire level"
    idx = t.find("#")
    if idx != -1 and (idx != len(t) - 1 or (len(t) > 1 and t[idx - 1] != "/")):
        return "multi-level wildcard must be last and follow '/'"
    return None


def is_cv_string(v: Any) -> bool:
    """cv.string accepts str and coerces numbers; rejects None, list, dict."""
    return v is not None and not isinstance(v, (list, dict))


def is_cv_boolean(v: Any) -> bool:
    if isinstance(v, bool) or (isinstance(v, (int, float)) and not isinstance(v, bool)):
        return True
    return isinstance(v, str) and v.strip().lower() in (_TRUE | _FALSE)


def as_float(v: Any) -> float | None:
    if isinstance(v, bool):
        return float(v)
    try:
        return float(v)
    except (TypeError, ValueError):
        return None


def is_positive_int(v: Any) -> bool:
    """cv.positive_int: vol.All(vol.Coerce(int), vol.Range(min=0))."""
    try:
        return int(v) >= 0 and not isinstance(v, (list, dict))
    except (TypeError, ValueError):
        return False


def url_ok(v: Any) -> bool:
    """cv.configuration_url: http(s) URL or homeassistant:// URL."""
    if not isinstance(v, str):
        return False
    u = urlparse(v)
    if u.scheme in ("http", "https"):
        return bool(u.netloc)
    return u.scheme == "homeassistant" and bool(u.netloc or u.path)


# ---------------------------------------------------------------------------
# Payload processing (mirrors discovery.py)
# ---------------------------------------------------------------------------

class Ctx:
    def __init__(self, res: Result, where: str):
        self.res = res
        self.where = where

    def err(self, code: str, text: str, where: str | None = None) -> None:
        self.res.problems.append(Problem("ERROR", code, text, where or self.where))

    def pol(self, code: str, text: str, where: str | None = None) -> None:
        self.res.problems.append(Problem("POLICY", code, text, where or self.where))


def expand(d: dict, table: dict[str, str], ctx: Ctx, what: str) -> None:
    """_replace_abbreviations: abbreviated key replaces (overwrites) full key."""
    for short in [k for k in d if k in table and table[k] != k]:
        full = table[short]
        if full in d:
            ctx.pol("abbr-conflict",
                    f"{what}: both '{short}' and '{full}' present; HA keeps the value of '{short}'")
        d[full] = d.pop(short)


def expand_all(payload: dict, ctx: Ctx, component_only: bool = False) -> None:
    """_replace_all_abbreviations."""
    for short, full in LEGACY_ABBREVIATIONS.items():
        if short in payload:
            ctx.pol("legacy-abbr",
                    f"'{short}' ({full}) is absent from the newest abbreviation table; "
                    f"newest docs use default_entity_id (def_ent_id)")
    expand(payload, ABBREVIATIONS, ctx, "payload")
    avail = payload.get("availability")
    for item in (avail if isinstance(avail, list) else [avail] if avail is not None else []):
        if isinstance(item, dict):
            expand(item, ABBREVIATIONS, ctx, "availability item")
    if component_only:
        return
    if isinstance(payload.get("origin"), dict):
        expand(payload["origin"], ORIGIN_ABBREVIATIONS, ctx, "origin")
    if isinstance(payload.get("device"), dict):
        expand(payload["device"], DEVICE_ABBREVIATIONS, ctx, "device")
    comps = payload.get("components")
    if isinstance(comps, dict):
        for conf in comps.values():
            if isinstance(conf, dict):
                expand_all(conf, ctx, component_only=True)


def replace_topic_base(cfg: dict) -> None:
    """_replace_topic_base: '~' at start or end of values of keys ending in 'topic'."""
    base = cfg.pop("~")
    for key, value in list(cfg.items()):
        if isinstance(value, str) and value and key.endswith("topic"):
            if value[0] == "~":
                value = f"{base}{value[1:]}"
            if value[-1] == "~":
                value = f"{value[:-1]}{base}"
            cfg[key] = value
    avail = cfg.get("availability")
    for item in (avail if isinstance(avail, list) else [avail] if avail else []):
        if isinstance(item, dict) and item.get("topic") is not None:
            t = str(item["topic"])
            if t and t[0] == "~":
                t = f"{base}{t[1:]}"
            if t and t[-1] == "~":
                t = f"{t[:-1]}{base}"
            item["topic"] = t


def check_origin(origin: Any, ctx: Ctx, required: bool) -> bool:
    """schemas.py MQTT_ORIGIN_INFO_SCHEMA; returns False when HA drops the message."""
    if origin is None:
        if required:
            ctx.err("origin-missing", "device-based discovery requires 'origin' (o)")
            return False
        ctx.pol("origin-missing", "no 'origin' (o) block; docs recommend it")
        return True
    if not isinstance(origin, dict):
        ctx.err("origin-invalid", "'origin' must be a mapping")
        return False
    ok = True
    if not is_cv_string(origin.get("name")):
        ctx.err("origin-invalid", "'origin' requires a string 'name'")
        ok = False
    for k in origin:
        if k not in ORIGIN_KEYS:
            ctx.err("origin-invalid", f"'origin' has unknown key '{k}' (schema rejects extra keys)")
            ok = False
    if "sw_version" in origin and not is_cv_string(origin["sw_version"]):
        ctx.err("origin-invalid", "'origin.sw_version' must be a string")
        ok = False
    if "support_url" in origin and not url_ok(origin["support_url"]):
        ctx.err("origin-invalid", "'origin.support_url' is not a valid URL")
        ok = False
    return ok


def check_device(dev: Any, ctx: Ctx) -> bool:
    """schemas.py MQTT_ENTITY_DEVICE_INFO_SCHEMA + validate_device_has_at_least_one_identifier."""
    if not isinstance(dev, dict):
        ctx.err("device-invalid", "'device' must be a mapping")
        return False
    ok = True
    for k in dev:
        if k not in DEVICE_KEYS:
            ctx.err("device-invalid", f"'device' has unknown key '{k}' (schema rejects extra keys)")
            ok = False
    ids = dev.get("identifiers")
    ids_list = ids if isinstance(ids, list) else ([] if ids is None else [ids])
    if any(not is_cv_string(i) for i in ids_list):
        ctx.err("device-invalid", "'device.identifiers' must be a string or list of strings")
        ok = False
    conns = dev.get("connections")
    conns_list = conns if isinstance(conns, list) else ([] if conns is None else [conns])
    for c in conns_list:
        if not (isinstance(c, list) and len(c) == 2 and all(is_cv_string(x) for x in c)):
            ctx.err("device-invalid", "'device.connections' must be a list of [type, id] pairs")
            ok = False
            break
    if not ids_list and not conns_list:
        ctx.err("device-no-identifier",
                "Device must have at least one identifying value in 'identifiers' and/or 'connections'")
        ok = False
    for k in ("manufacturer", "model", "model_id", "name", "hw_version", "serial_number",
              "sw_version", "via_device", "suggested_area"):
        if k in dev and not is_cv_string(dev[k]):
            ctx.err("device-invalid", f"'device.{k}' must be a string")
            ok = False
    if "configuration_url" in dev and not url_ok(dev["configuration_url"]):
        ctx.err("device-invalid", "'device.configuration_url' is not a valid URL")
        ok = False
    if "name" not in dev:
        ctx.pol("device-name-missing",
                "device block has no 'name' (HA logs that device info always needs a name)")
    return ok


def check_availability(cfg: dict, ctx: Ctx) -> None:
    """schemas.py MQTT_AVAILABILITY_SCHEMA."""
    has_topic = "availability_topic" in cfg
    has_list = "availability" in cfg
    if has_topic and has_list:
        ctx.err("availability-exclusive",
                "'availability_topic' and 'availability' must not be used together")
    if has_topic:
        p = topic_problem(cfg["availability_topic"], publish=False)
        if p:
            ctx.err("topic-invalid", f"availability_topic {p}")
    if has_list:
        items = cfg["availability"] if isinstance(cfg["availability"], list) else [cfg["availability"]]
        for i, item in enumerate(items):
            if not isinstance(item, dict):
                ctx.err("availability-invalid", f"availability[{i}] must be a mapping")
                continue
            if "topic" not in item:
                ctx.err("availability-invalid", f"availability[{i}] requires 'topic' (t)")
            else:
                p = topic_problem(item["topic"], publish=False)
                if p:
                    ctx.err("topic-invalid", f"availability[{i}].topic {p}")
            for k in item:
                if k not in AVAILABILITY_ITEM_KEYS:
                    ctx.pol("unknown-key", f"availability[{i}] has unknown key '{k}'")
            for k in ("payload_available", "payload_not_available"):
                if k in item and not is_cv_string(item[k]):
                    ctx.err("availability-invalid", f"availability[{i}].{k} must be a string")
    mode = cfg.get("availability_mode")
    if mode is not None and str(mode) not in AVAILABILITY_MODES:
        ctx.err("availability-invalid", f"availability_mode '{mode}' not one of {AVAILABILITY_MODES}")
    for k in ("payload_available", "payload_not_available"):
        if k in cfg and not is_cv_string(cfg[k]):
            ctx.err("availability-invalid", f"{k} must be a string")
    if not has_topic and not has_list:
        ctx.pol("availability-missing",
                "no availability_topic/availability configured (docs: best practice to publish availability)")


def check_entity(component: str, cfg: dict, ctx: Ctx, device_based: bool, opts) -> None:
    """Per-platform DISCOVERY_SCHEMA checks plus entity-level rules."""
    is_entity = component not in NON_ENTITY_COMPONENTS
    # device (in device-based discovery it was validated once at the payload root;
    # origin is validated by the caller, before '~' expansion, as discovery.py does)
    if not device_based:
        if "device" in cfg:
            check_device(cfg["device"], ctx)
        elif is_entity:
            ctx.pol("device-missing", "no 'device' (dev) block: entity is not grouped under a device")
    if not is_entity:
        return
    # unique_id (device-based: reported by the caller)
    uid = cfg.get("unique_id")
    if uid is None:
        if not device_based:
            ctx.pol("unique-id-missing",
                    "no 'unique_id' (uniq_id): not added at HA startup, not editable, device link needs it")
    elif not is_cv_string(uid):
        ctx.err("value-invalid", "'unique_id' must be a string")
    # common values
    if "qos" in cfg and as_float(cfg["qos"]) not in (0, 1, 2):
        ctx.err("value-invalid", f"qos {cfg['qos']!r} not in 0, 1, 2")
    for k in ("retain", "optimistic", "enabled_by_default", "force_update"):
        if k in cfg and not is_cv_boolean(cfg[k]):
            ctx.err("value-invalid", f"'{k}' must be a boolean")
    if "name" in cfg and cfg["name"] is not None and not is_cv_string(cfg["name"]):
        ctx.err("value-invalid", "'name' must be a string or null")
    if "icon" in cfg and (not isinstance(cfg["icon"], str) or ":" not in cfg["icon"]):
        ctx.err("value-invalid", "icon must be in the form 'prefix:name' (e.g. mdi:battery)")
    ec = cfg.get("entity_category")
    if ec is not None:
        if ec not in ENTITY_CATEGORIES:
            ctx.err("value-invalid", f"entity_category '{ec}' not one of {ENTITY_CATEGORIES}")
        elif ec == "config" and component in ("sensor", "binary_sensor"):
            ctx.err("entity-category",
                    f"{component} cannot be added as the entity category is set to config")
    if "object_id" in cfg:
        ctx.pol("object-id-deprecated", "'object_id' used; newest docs use 'default_entity_id'")
    check_availability(cfg, ctx)
    # topics
    for k in PUBLISH_TOPIC_KEYS:
        if k in cfg:
            p = topic_problem(cfg[k], publish=True)
            if p:
                ctx.err("topic-invalid", f"{k} {p}")
    for k in ("state_topic", "json_attributes_topic"):
        if k in cfg and cfg[k] is not None:
            p = topic_problem(cfg[k], publish=False)
            if p:
                ctx.err("topic-invalid", f"{k} {p}")
    for k, v in cfg.items():
        if k.endswith("topic") and isinstance(v, str) and v and (v[0] == "~" or v[-1] == "~"):
            ctx.pol("tilde-unexpanded", f"{k} '{v}' still contains '~' (no '~' base defined here)")
    # required keys and unknown keys
    for k in REQUIRED_KEYS.get(component, ()):
        if k not in cfg:
            ctx.err("required-missing", f"{component} requires '{k}'")
    known = PLATFORM_KEYS.get(component)
    if known is not None:
        for k in cfg:
            if k not in known and k not in ("platform", "migrate_discovery"):
                if device_based and k in SHARED_OPTIONS:
                    continue  # inherited shared option the platform does not use
                ctx.pol("unknown-key", f"unknown key '{k}' for {component} (HA silently drops it)")
    fn = PLATFORM_CHECKS.get(component)
    if fn:
        fn(cfg, ctx, opts)


def _check_unit_vs_class(dc: str, unit: Any, ctx: Ctx, hard: bool, what: str) -> None:
    allowed = DEVICE_CLASS_UNITS.get(dc)
    if allowed is None:
        return
    if unit is None:
        if None not in allowed:
            ctx.pol("unit-missing",
                    f"{what} device_class '{dc}' without unit_of_measurement "
                    f"(expected one of {sorted(u for u in allowed if u)})")
        return
    if not unit_in(unit, allowed):
        text = (f"The unit of measurement `{unit}` is not valid together with device class `{dc}` "
                f"(allowed: {sorted(str(u) for u in allowed)})")
        if hard:
            ctx.err("unit-device-class", text)
        else:
            ctx.pol("unit-device-class", text)


def check_sensor(cfg: dict, ctx: Ctx, opts) -> None:
    """mqtt/sensor.py validate_sensor_state_and_device_class_config + sensor entity rules."""
    dc = cfg.get("device_class")
    sc = cfg.get("state_class")
    unit = cfg.get("unit_of_measurement")
    if isinstance(unit, str) and not unit.strip():
        unit = None  # newest sensor.py drops a blank unit
    if dc is not None:
        dc = str(dc).lower()
        if dc not in SENSOR_DEVICE_CLASSES:
            ctx.err("device-class-invalid", f"sensor device_class '{dc}' is not a SensorDeviceClass")
            dc = None
    if sc is not None:
        sc = str(sc).lower()
        if sc not in STATE_CLASSES:
            ctx.err("state-class-invalid", f"state_class '{sc}' not one of {STATE_CLASSES}")
            sc = None
    if "last_reset_value_template" in cfg and sc != "total":
        ctx.err("last-reset", f"last_reset_value_template cannot be used with state class `{sc}`")
    opts_list = cfg.get("options")
    if opts_list is not None:
        if isinstance(opts_list, list) and not opts_list:
            ctx.err("options-invalid", "An empty options list is not allowed")
        if sc or unit:
            ctx.err("options-invalid",
                    "Specifying `options` is not allowed together with `state_class` or `unit_of_measurement`")
        if dc != "enum":
            ctx.err("options-invalid", f"`options` must be used together with device class `enum`, got '{dc}'")
    if sc in STATE_CLASS_UNITS and not unit_in(unit, STATE_CLASS_UNITS[sc]):
        ctx.err("unit-state-class", f"The unit of measurement '{unit}' is not valid together with state class '{sc}'")
    if dc in NON_NUMERIC_SENSOR_CLASSES and unit:
        ctx.err("non-numeric-unit",
                f"device class '{dc}' is non-numeric but has unit '{unit}' (sensor raises on every state write)")
    if dc:
        _check_unit_vs_class(dc, unit, ctx, hard=True, what="sensor")
    if dc and sc:
        allowed = DEVICE_CLASS_STATE_CLASSES.get(dc)
        if allowed is not None and sc not in allowed:
            exp = "None" + (f" or one of {sorted(allowed)}" if allowed else "")
            ctx.pol("state-class-device-class",
                    f"state class '{sc}' is impossible considering device class ('{dc}'); expected {exp} "
                    f"(HA logs a warning; long-term statistics/energy dashboard affected)")
    if dc in ("energy", "power", "battery") and sc is None:
        ctx.pol("state-class-missing",
                f"device_class '{dc}' without state_class: no long-term statistics, "
                f"energy dashboard will reject it")
    for k in ("expire_after", "suggested_display_precision"):
        if k in cfg and not is_positive_int(cfg[k]):
            ctx.err("value-invalid", f"'{k}' must be a non-negative integer")
    pat = opts.price_pattern
    if pat and unit is not None and re.search(pat, str(cfg.get("unique_id", "")) + " " + ctx.where, re.I):
        if not str(unit).endswith(ENERGY_PRICE_SUFFIXES):
            ctx.pol("energy-price-unit",
                    f"price sensor unit '{unit}' does not end with '/<energy unit>' "
                    f"(e.g. EUR/kWh); the energy dashboard rejects it")


def check_binary_sensor(cfg: dict, ctx: Ctx, opts) -> None:
    dc = cfg.get("device_class")
    if dc is not None and str(dc).lower() not in BINARY_SENSOR_DEVICE_CLASSES:
        ctx.err("device-class-invalid", f"binary_sensor device_class '{dc}' is not a BinarySensorDeviceClass")
    for k in ("off_delay", "expire_after"):
        if k in cfg and not is_positive_int(cfg[k]):
            ctx.err("value-invalid", f"'{k}' must be a non-negative integer")
    for k in ("payload_on", "payload_off"):
        if k in cfg and not is_cv_string(cfg[k]):
            ctx.err("value-invalid", f"'{k}' must be a string")


def check_switch(cfg: dict, ctx: Ctx, opts) -> None:
    dc = cfg.get("device_class")
    if dc is not None and str(dc).lower() not in SWITCH_DEVICE_CLASSES:
        ctx.err("device-class-invalid", f"switch device_class '{dc}' not one of {sorted(SWITCH_DEVICE_CLASSES)}")
    for k in ("payload_on", "payload_off", "state_on", "state_off"):
        if k in cfg and not is_cv_string(cfg[k]):
            ctx.err("value-invalid", f"'{k}' must be a string")
    if "state_topic" not in cfg:
        ctx.pol("state-topic-missing", "switch without state_topic runs in optimistic mode")


def check_number(cfg: dict, ctx: Ctx, opts) -> None:
    """mqtt/number.py: defaults min 0, max 100, step 1 (number/const.py)."""
    vals = {}
    for k, default in (("min", 0.0), ("max", 100.0), ("step", 1.0)):
        if k in cfg:
            f = as_float(cfg[k])
            if f is None:
                ctx.err("number-invalid", f"'{k}' must be a number, got {cfg[k]!r}")
            vals[k] = f
        else:
            vals[k] = default
    if vals["min"] is not None and vals["max"] is not None and vals["min"] >= vals["max"]:
        ctx.err("number-invalid", "'max' must be > 'min'")
    if vals["step"] is not None and vals["step"] < 1e-3:
        ctx.err("number-invalid", "'step' must be >= 0.001")
    mode = cfg.get("mode")
    if mode is not None and str(mode) not in NUMBER_MODES:
        ctx.err("number-invalid", f"mode '{mode}' not one of {NUMBER_MODES}")
    dc = cfg.get("device_class")
    if dc is not None:
        dc = str(dc).lower()
        if dc not in NUMBER_DEVICE_CLASSES:
            ctx.err("device-class-invalid", f"number device_class '{dc}' is not a NumberDeviceClass")
        else:
            _check_unit_vs_class(dc, cfg.get("unit_of_measurement"), ctx, hard=False, what="number")
    if "payload_reset" in cfg and not is_cv_string(cfg["payload_reset"]):
        ctx.err("value-invalid", "'payload_reset' must be a string")


def check_select(cfg: dict, ctx: Ctx, opts) -> None:
    ops = cfg.get("options")
    if "options" not in cfg:
        return  # reported as required-missing
    ops_list = ops if isinstance(ops, list) else [ops]   # cv.ensure_list
    if not ops_list or ops is None:
        ctx.pol("select-options", "select has no options (older HA required at least 2)")
        return
    if len(ops_list) < 2:
        ctx.pol("select-options", "select has a single option (older HA required at least 2)")
    if any(not isinstance(o, str) for o in ops_list):
        ctx.pol("select-options", "select options should all be strings")
    if len({str(o) for o in ops_list}) != len(ops_list):
        ctx.pol("select-options", "select options contain duplicates")


def check_button(cfg: dict, ctx: Ctx, opts) -> None:
    dc = cfg.get("device_class")
    if dc is not None and str(dc).lower() not in BUTTON_DEVICE_CLASSES:
        ctx.err("device-class-invalid", f"button device_class '{dc}' not one of {sorted(BUTTON_DEVICE_CLASSES)}")
    if "payload_press" in cfg and not is_cv_string(cfg["payload_press"]):
        ctx.err("value-invalid", "'payload_press' must be a string")


PLATFORM_CHECKS = {
    "sensor": check_sensor, "binary_sensor": check_binary_sensor, "switch": check_switch,
    "number": check_number, "select": check_select, "button": check_button,
}


def process_message(msg: Msg, prefix: str, opts) -> Result:
    res = Result(msg)
    ctx = Ctx(res, msg.topic)
    rest = msg.topic[len(prefix) + 1:] if msg.topic.startswith(prefix + "/") else None
    if rest is None:
        ctx.err("topic-prefix", f"topic does not start with '{prefix}/'")
        return res
    levels = rest.split("/")
    if len(levels) not in (3, 4):
        ctx.err("topic-shape",
                f"expected {prefix}/<component>/[<node_id>/]<object_id>/config; HA only subscribes "
                f"to <component>/+/config and <component>/+/+/config")
        return res
    component = levels[0]
    node_id = levels[1] if len(levels) == 4 else None
    object_id = levels[-2]
    if component != "device" and component not in SUPPORTED_COMPONENTS:
        ctx.err("component-unsupported", f"'{component}' is not a supported MQTT discovery component")
        return res
    for label, ident in (("node_id", node_id), ("object_id", object_id)):
        if ident is not None and not ID_CHARS.match(ident):
            ctx.err("topic-illegal-id",
                    f"{label} '{ident}' has characters outside [a-zA-Z0-9_-]; "
                    f"HA logs 'illegal discovery topic' and ignores it")
            return res
    payload_text = msg.payload
    if payload_text == "":
        res.removal = True
        return res
    if opts.require_retain and msg.retained is False:
        ctx.pol("not-retained", "config message was not retained")
    try:
        payload = json.loads(payload_text)
    except ValueError as exc:
        ctx.err("json-invalid", f"Unable to parse JSON: {exc}")
        return res
    if not isinstance(payload, dict):
        ctx.err("json-not-object", f"payload must be a JSON object, got {type(payload).__name__}")
        return res
    # migration request (discovery.py _async_process_discovery_migration)
    if "migr_discvry" in payload:
        payload["migrate_discovery"] = payload.pop("migr_discvry")
    if "migrate_discovery" in payload:
        if payload["migrate_discovery"] is not True or len(payload) != 1:
            ctx.err("migrate-invalid", "a migration payload must be exactly {\"migrate_discovery\": true}")
        return res

    if component == "device":
        expand_all(payload, ctx)
        ok = True
        for k in payload:
            if k not in DEVICE_ROOT_KEYS:
                ctx.err("device-payload-extra",
                        f"device-based payload root has key '{k}' not allowed by DEVICE_DISCOVERY_SCHEMA "
                        f"(whole payload rejected)")
                ok = False
        if "device" not in payload:
            ctx.err("device-missing", "device-based payload requires 'device' (dev)")
            ok = False
        elif not check_device(payload["device"], ctx):
            ok = False
        if not check_origin(payload.get("origin"), ctx, required=True):
            ok = False
        comps = payload.get("components")
        if not isinstance(comps, dict):
            ctx.err("components-invalid", "device-based payload requires 'components' (cmps) as a mapping")
            return res
        if not comps:
            ctx.pol("components-empty", "'components' is empty: the payload does nothing")
        root_av = Result(msg)
        check_availability({k: payload[k] for k in payload if k.startswith(("availability", "payload_"))},
                           Ctx(root_av, msg.topic))
        for p in root_av.problems:
            if p.severity == "ERROR":
                res.problems.append(p)
                ok = False
        if "qos" in payload and as_float(payload["qos"]) not in (0, 1, 2):
            ctx.err("value-invalid", f"root qos {payload['qos']!r} not in 0, 1, 2")
            ok = False
        for k in ("state_topic",):
            if k in payload:
                p = topic_problem(payload[k], publish=False)
                if p:
                    ctx.err("topic-invalid", f"root {k} {p}")
                    ok = False
        if "command_topic" in payload:
            p = topic_problem(payload["command_topic"], publish=True)
            if p:
                ctx.err("topic-invalid", f"root command_topic {p}")
                ok = False
        parsed = []
        for cid, conf in comps.items():
            where = f"{msg.topic}#{cid}"
            if not ID_CHARS.match(str(cid)):
                ctx.pol("component-id", f"component id '{cid}' has characters outside [a-zA-Z0-9_-]", where)
            if not isinstance(conf, dict):
                ctx.err("components-invalid", "component config must be a mapping", where)
                ok = False
                continue
            plat = conf.get("platform")
            if plat is None:
                ctx.err("platform-missing", "required key not provided: 'platform' (p)", where)
                ok = False
                continue
            if plat not in SUPPORTED_COMPONENTS:
                ctx.err("platform-invalid", f"platform '{plat}' is not a supported component", where)
                ok = False
                continue
            parsed.append((cid, plat, conf, where))
        if not ok:
            ctx.err("device-payload-rejected",
                    "HA logs 'Invalid MQTT device discovery payload' and processes none of its components")
            return res
        for cid, plat, conf, where in parsed:
            cfg = {k: v for k, v in conf.items() if k != "platform"}
            if not cfg:
                continue  # empty component config = removal of that component
            cctx = Ctx(res, where)
            if plat not in NON_ENTITY_COMPONENTS and "unique_id" not in cfg:
                cctx.err("unique-id-missing",
                         "device-based discovery: entity components must set 'unique_id' (docs); "
                         "newest HA schemas reportedly reject the whole device payload")
            for k in ("device", "origin"):
                if k in cfg:
                    cctx.pol("component-override-ignored",
                             f"component-level '{k}' is replaced by the payload root '{k}' "
                             f"(docs: cannot be overridden at component level)")
            cfg["device"] = payload["device"]
            cfg["origin"] = payload.get("origin")
            for opt in SHARED_OPTIONS:
                if opt in payload and opt not in cfg:
                    cfg[opt] = payload[opt]
            if "~" in cfg:
                replace_topic_base(cfg)
            check_entity(plat, cfg, cctx, device_based=True, opts=opts)
            comp_obj = f"{node_id} {cid}" if node_id else str(cid)
            res.entities.append(Entity(msg, where, plat, f"{object_id} {comp_obj}", cfg, True))
        return res

    # single component discovery
    expand_all(payload, ctx)
    if "components" in payload or "platform" in payload:
        ctx.pol("unknown-key", "'components'/'platform' only belong in a device-based payload (…/device/…/config)")
    if not check_origin(payload.get("origin"), ctx, required=False):
        return res  # discovery.py _valid_origin_info: message ignored
    if "~" in payload:
        replace_topic_base(payload)
    cfg = payload
    check_entity(component, cfg, ctx, device_based=False, opts=opts)
    disc_id = f"{node_id} {object_id}" if node_id else object_id
    res.entities.append(Entity(msg, msg.topic, component, disc_id, cfg, False))
    return res


# ---------------------------------------------------------------------------
# Cross-message checks on the effective (final) set of configs
# ---------------------------------------------------------------------------

def subscribed_topics(cfg: dict) -> list[tuple[str, str]]:
    out = []
    for k in SUBSCRIBE_TOPIC_KEYS:
        if isinstance(cfg.get(k), str):
            out.append((k, cfg[k]))
    avail = cfg.get("availability")
    for i, item in enumerate(avail if isinstance(avail, list) else [avail] if avail else []):
        if isinstance(item, dict) and isinstance(item.get("topic"), str):
            out.append((f"availability[{i}].topic", item["topic"]))
    return out


def cross_checks(final: list[Entity], prefix: str, results: dict[int, Result]) -> None:
    def add(ent: Entity, sev: str, code: str, text: str) -> None:
        results[ent.msg.index].problems.append(Problem(sev, code, text, ent.where))

    by_hash: dict[tuple[str, str], list[Entity]] = {}
    for e in final:
        by_hash.setdefault((e.component, e.discovery_id), []).append(e)
    for (comp, did), ents in by_hash.items():
        topics = {e.msg.topic for e in ents}
        if len(topics) > 1:
            for e in ents[1:]:
                add(e, "POLICY", "discovery-id-conflict",
                    f"discovery id ({comp}, '{did}') also used by {sorted(topics - {e.msg.topic})}; "
                    f"HA ignores the conflicting message")
    uid_map: dict[str, list[Entity]] = {}
    for e in final:
        uid = e.config.get("unique_id")
        if uid is not None and e.component not in NON_ENTITY_COMPONENTS:
            uid_map.setdefault(str(uid), []).append(e)
    for uid, ents in uid_map.items():
        seen_domain: dict[str, Entity] = {}
        for e in ents:
            if e.component in seen_domain:
                add(e, "ERROR", "unique-id-duplicate",
                    f"Platform mqtt does not generate unique IDs. ID {uid} already exists "
                    f"(also {seen_domain[e.component].where}) - HA ignores this entity")
            else:
                seen_domain[e.component] = e
        if len(seen_domain) > 1:
            for e in list(seen_domain.values())[1:]:
                add(e, "POLICY", "unique-id-reused",
                    f"unique_id '{uid}' also used by another platform ({sorted(seen_domain)}); "
                    f"HA allows it (registry key is domain+platform+unique_id) but it is confusing")
    # command topics vs subscribed (state-like) topics
    state_topics: dict[str, list[str]] = {}
    for e in final:
        for k, t in subscribed_topics(e.config):
            state_topics.setdefault(t, []).append(f"{e.where} {k}")
    cmd_users: dict[str, list[Entity]] = {}
    for e in final:
        if e.component not in ("switch", "number", "select", "button") and not (
                e.component not in PLATFORM_KEYS and "command_topic" in e.config):
            continue
        ct = e.config.get("command_topic")
        if not isinstance(ct, str):
            continue
        cmd_users.setdefault(ct, []).append(e)
        if ct in state_topics:
            add(e, "POLICY", "command-equals-state",
                f"command_topic '{ct}' is also subscribed as {state_topics[ct][:3]}")
        if ct.startswith(prefix + "/") and ct.endswith("/config"):
            add(e, "POLICY", "command-on-discovery-topic", f"command_topic '{ct}' is a discovery config topic")
        if ct == f"{prefix}/status":
            add(e, "POLICY", "command-on-birth-topic", f"command_topic '{ct}' is HA's birth/will topic")
    for ct, ents in cmd_users.items():
        if len(ents) > 1:
            for e in ents[1:]:
                add(e, "POLICY", "command-topic-shared",
                    f"command_topic '{ct}' shared with {ents[0].where}")
    # device info consistency per identifier
    by_ident: dict[str, list[tuple[Entity, dict]]] = {}
    for e in final:
        dev = e.config.get("device")
        if isinstance(dev, dict):
            ids = dev.get("identifiers")
            for i in (ids if isinstance(ids, list) else [ids] if ids is not None else []):
                by_ident.setdefault(str(i), []).append((e, dev))
    for ident, pairs in by_ident.items():
        for key in ("name", "manufacturer", "model", "sw_version", "hw_version", "via_device"):
            with_key = [(e, str(d[key])) for e, d in pairs if key in d]
            if len({v for _, v in with_key}) > 1:
                first_e, first_v = with_key[0]
                for e, v in with_key[1:]:
                    if v != first_v:
                        add(e, "POLICY", "device-inconsistent",
                            f"device '{ident}' {key} is '{v}' here but '{first_v}' in {first_e.where} "
                            f"(each entity updates the same device registry entry)")


# ---------------------------------------------------------------------------
# Driver
# ---------------------------------------------------------------------------

def run(paths: list[str], opts, out=sys.stdout) -> int:
    prefix = opts.prefix.rstrip("/")
    try:
        msgs, notes = load_inputs(paths, prefix)
    except FileNotFoundError as exc:
        print(f"error: no such file or directory: {exc}", file=sys.stderr)
        return 2
    for n in notes:
        if not opts.quiet:
            print(f"NOTE {n}", file=out)
    results: dict[int, Result] = {}
    config_msgs = [m for m in msgs if m.topic.endswith("/config")]
    latest: dict[str, Msg] = {}
    for m in config_msgs:
        results[m.index] = process_message(m, prefix, opts)
        latest[m.topic] = m
    final_entities: list[Entity] = []
    for m in latest.values():
        r = results[m.index]
        # entities HA would actually create: no ERROR attributed to them
        final_entities += [e for e in r.entities
                           if not any(p.severity == "ERROR" and p.where == e.where for p in r.problems)]
    cross_checks(final_entities, prefix, results)
    # birth message: within one capture, every config topic must be (re)published
    # after the last birth payload seen in that capture
    for cap in dict.fromkeys(m.capture for m in msgs):
        births = [m for m in msgs if m.capture == cap and m.topic == opts.birth_topic
                  and m.payload.strip() == opts.birth_payload]
        if not births:
            continue
        last_birth = births[-1].index
        cap_latest: dict[str, Msg] = {}
        for m in config_msgs:
            if m.capture == cap:
                cap_latest[m.topic] = m
        for topic, m in cap_latest.items():
            if not results[m.index].removal and m.index < last_birth:
                results[m.index].problems.append(Problem(
                    "POLICY", "not-republished-after-birth",
                    f"not re-published after HA birth message '{opts.birth_payload}' on "
                    f"{opts.birth_topic} ({births[-1].source})", topic))
    passed = failed = 0
    for m in config_msgs:
        r = results[m.index]
        probs = [p for p in r.problems if p.severity == "ERROR" or not opts.errors_only]
        for p in r.problems:
            fatal = p.severity == "ERROR" or not opts.errors_only
            tag = "FAIL" if fatal else "WARN"
            print(f"{tag} {p.where} [{m.source}] {p.severity} {p.code}: {p.text}", file=out)
        if probs:
            failed += 1
        else:
            passed += 1
    if not config_msgs:
        print(f"NOTE no '<{prefix}>/.../config' messages found", file=out)
    print(f"{passed} passed, {failed} failed", file=out)
    return 1 if failed else 0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("paths", nargs="+", help="capture file(s) or directories")
    ap.add_argument("--prefix", default="homeassistant", help="discovery prefix (default homeassistant)")
    ap.add_argument("--birth-topic", default="homeassistant/status")
    ap.add_argument("--birth-payload", default="online")
    ap.add_argument("--errors-only", action="store_true",
                    help="only ERROR findings fail; POLICY findings are printed as WARN")
    ap.add_argument("--require-retain", action="store_true",
                    help="with -F '%%r %%t %%p' captures, fail configs that were not retained")
    ap.add_argument("--price-pattern", default="price",
                    help="regex on unique_id/topic selecting energy-price sensors ('' disables)")
    ap.add_argument("--quiet", action="store_true", help="suppress NOTE lines")
    opts = ap.parse_args(argv)
    return run(opts.paths, opts)


if __name__ == "__main__":
    sys.exit(main())
