#!/usr/bin/env python3
"""Builds examples/problem-2022-12-winter.json from the real data sets (see examples/README.md).

48 half-hour slots from 2022-12-12T16:00:00Z (a Monday): Agile import prices (region J) and Agile Outgoing export
prices (region C) for those slots, and the household load of Low Carbon London home MAC000002 for the same weekday
and time of day in 2013 (Monday 2013-12-09 16:00 GMT onwards). PV is an assumed 2.0 kWh December day on a half-sine
between 08:00 and 15:30 UTC (no PV data exists for that day). Battery 9.5 kWh / 3 kW.

usage: /usr/bin/python3 examples/make-problem.py [DATA_DIR] > examples/problem-2022-12-winter.json
Only the standard library is used.
"""
import csv
import json
import math
import sys
from datetime import datetime, timedelta, timezone

DATA = sys.argv[1] if len(sys.argv) > 1 else "/work/shared/data"
START = datetime(2022, 12, 12, 16, 0, tzinfo=timezone.utc)
LOAD_START = datetime(2013, 12, 9, 16, 0)  # the same weekday (Monday) and time, GMT
SLOTS = 48
PV_DAY_KWH, PV_FROM_HOUR, PV_TO_HOUR = 2.0, 8.0, 16.0


def series(path, key_column, value_column, parse):
    with open(path, newline="") as f:
        return {parse(row[key_column]): float(row[value_column]) for row in csv.DictReader(f)}


def utc(text):
    return datetime.fromisoformat(text).astimezone(timezone.utc)


imports = series(f"{DATA}/agile_import_J_2020-2022.csv", "slot_start_utc", "import_pence_inc_vat", utc)
exports = series(f"{DATA}/agile_outgoing_C_2019-2022.csv", "slot_start_utc", "export_pence", utc)
loads = series(f"{DATA}/household_load_LCL_2013_3homes.csv", "timestamp_gmt", "MAC000002_kwh", datetime.fromisoformat)


def pv(slot_start):
    # Half-sine over [PV_FROM_HOUR, PV_TO_HOUR), integrated per half hour so the day sums to PV_DAY_KWH.
    hours = slot_start.hour + slot_start.minute / 60
    span = PV_TO_HOUR - PV_FROM_HOUR
    a = min(max(hours - PV_FROM_HOUR, 0.0), span)
    b = min(max(hours + 0.5 - PV_FROM_HOUR, 0.0), span)
    return round(PV_DAY_KWH / 2 * (math.cos(math.pi * a / span) - math.cos(math.pi * b / span)), 3)


slots = []
for i in range(SLOTS):
    t = START + timedelta(minutes=30 * i)
    slots.append({
        "importPence": round(imports[t], 3),
        "exportPence": round(exports[t], 3),
        "loadKwh": round(loads[LOAD_START + timedelta(minutes=30 * i)], 3),
        "pvKwh": pv(t),
    })

problem = {
    "start": START.strftime("%Y-%m-%dT%H:%M:%SZ"),
    "slotMinutes": 30,
    "battery": {"capacityKwh": 9.5, "socKwh": 4.0, "minSocKwh": 0.95, "maxSocKwh": 9.5,
                "maxChargeKw": 3.0, "maxDischargeKw": 3.0, "chargeEfficiency": 0.95, "dischargeEfficiency": 0.95,
                "cycleCostPencePerKwh": 1.0},
    "grid": {"maxImportKw": 15.0, "maxExportKw": 3.68},
    "terminalValuePencePerKwh": 12.0,
    "immersions": [{"id": "tank", "powerKw": 3.0, "valuePencePerKwh": 6.5,
                    "windows": [{"fromSlot": 0, "toSlot": 48, "minKwh": 4.0, "maxKwh": 9.0}]}],
    "slots": slots,
}
# One line per slot keeps the file short and diffable.
text = json.dumps({**problem, "slots": []}, indent=2)
rows = ",\n".join("    " + json.dumps(s) for s in slots)
sys.stdout.write(text.replace('"slots": []', '"slots": [\n' + rows + "\n  ]") + "\n")
