#!/usr/bin/python3
"""Builds the optimiser's cross-check problems from real public data and records the independent optimum.

Run by a developer (needs ../shared, python3-pulp and coinor-cbc), not by the suite:
  /usr/bin/python3 tests/tools/make_plan_fixtures.py ../shared
It writes tests/EdgeEnergy.Testing/Fixtures/plan-problems/*.json and reference-objectives.json there, the objective that
../shared/tools/reference_lp.py (PuLP + CBC, an independent implementation of CONTRACTS.md section 2) finds for each.

Data (see ../shared/data/SOURCES.md): Octopus Agile import region J 2020-22 and Agile Outgoing region C (energy-stats.uk
via public GitHub repositories), Low Carbon London smart-meter load 2013 (UK Power Networks, London Datastore),
Solcast rooftop forecasts for two UK arrays, May 2023 (TonyM1958's public repositories) used as the PV shape.
"""
import csv, json, subprocess, sys, datetime as dt
from pathlib import Path

shared = Path(sys.argv[1] if len(sys.argv) > 1 else "../shared")
out = Path(__file__).resolve().parents[1] / "EdgeEnergy.Testing" / "Fixtures" / "plan-problems"
out.mkdir(parents=True, exist_ok=True)
UTC = dt.timezone.utc


def read_series(path, col):
    s = {}
    with open(path) as f:
        for row in csv.DictReader(f):
            s[dt.datetime.fromisoformat(row["slot_start_utc"]).astimezone(UTC)] = float(row[col])
    return s


imp = read_series(shared / "data/agile_import_J_2020-2022.csv", "import_pence_inc_vat")
exp = read_series(shared / "data/agile_outgoing_C_2019-2022.csv", "export_pence")
load = {}
with open(shared / "data/household_load_LCL_2013_3homes.csv") as f:
    rows = list(csv.DictReader(f))
homes = [k for k in rows[0] if k.endswith("_kwh")]
for row in rows:
    t = dt.datetime.fromisoformat(row["timestamp_gmt"]).replace(tzinfo=UTC)
    load[t] = {h: (float(row[h]) if row[h] not in ("", "Null") else None) for h in homes}

sol = json.load(open(shared / "data/solcast_uk_2sites_snapshots_2023-02_05.json"))
snap = sol["snapshots"][-1]
pv_tod = {}  # average kW by half-hour of day (UTC), both arrays summed, from the May 2023 forecast
for site, arr in snap["forecasts"].items():
    for p in arr:
        end = dt.datetime.fromisoformat(p["period_end"].replace("0000000Z", "+00:00"))
        start = end - dt.timedelta(minutes=30)
        k = start.hour * 2 + start.minute // 30
        pv_tod.setdefault(k, []).append((site, p["pv_estimate"]))
pv_kw = {k: sum(v for _, v in vals) / max(1, len(vals) / 2) for k, vals in pv_tod.items()}
SEASON_PV = {1: .2, 2: .3, 3: .55, 4: .8, 5: 1.0, 6: 1.05, 7: 1.0, 8: .9, 9: .7, 10: .45, 11: .25, 12: .15}


def load_for(t, home):
    # pair a later date with the same weekday and week of 2013
    base = dt.datetime(2013, t.month, min(t.day, 28), t.hour, t.minute, tzinfo=UTC)
    base += dt.timedelta(days=(t.weekday() - base.weekday()) % 7)
    if base.year != 2013:
        base -= dt.timedelta(days=7)
    v = load.get(base, {}).get(home)
    return 0.3 if v is None else v


def problem(name, start, slots, *, home=homes[0], soc=5.0, min_soc=1.0, cap=9.5, kw=3.0, pv_scale=1.0,
            max_export=3.68, max_import=15.0, immersion=None, terminal=None, cycle=1.0):
    start = start.replace(tzinfo=UTC)
    S = []
    for i in range(slots):
        t = start + dt.timedelta(minutes=30 * i)
        k = t.hour * 2 + t.minute // 30
        pv = round(pv_kw.get(k, 0.0) * 0.5 * SEASON_PV[t.month] * pv_scale, 4)
        S.append({"importPence": imp[t], "exportPence": exp.get(t, 0.0), "loadKwh": round(load_for(t, home), 4), "pvKwh": pv})
    avg = sum(s["importPence"] for s in S) / len(S)
    p = {"start": start.strftime("%Y-%m-%dT%H:%M:%SZ"), "slotMinutes": 30,
         "battery": {"capacityKwh": cap, "socKwh": soc, "minSocKwh": min_soc, "maxSocKwh": cap, "maxChargeKw": kw,
                     "maxDischargeKw": kw, "chargeEfficiency": 0.95, "dischargeEfficiency": 0.95, "cycleCostPencePerKwh": cycle},
         "grid": {"maxImportKw": max_import, "maxExportKw": max_export},
         "terminalValuePencePerKwh": round(0.8 * avg if terminal is None else terminal, 3),
         "immersions": immersion or [], "slots": S}
    (out / f"{name}.json").write_text(json.dumps(p, indent=1))
    return name


names = []
for y in (2020, 2021, 2022):
    for m, season in ((1, "winter"), (4, "spring"), (7, "summer"), (10, "autumn")):
        for n in (48, 96):
            names.append(problem(f"{y}-{season}-{n}", dt.datetime(y, m, 12, 16), n, home=homes[(y + m) % 3]))
for n in (24, 48, 96, 192):
    names.append(problem(f"horizon-{n}", dt.datetime(2022, 11, 7, 16), n))
# negative prices (2020 has 291 negative half-hours)
names.append(problem("negative-2020-02-16", dt.datetime(2020, 2, 15, 16), 48))
names.append(problem("negative-2020-05-24", dt.datetime(2020, 5, 23, 16), 96, pv_scale=2.0))
names.append(problem("negative-full-battery", dt.datetime(2020, 2, 15, 16), 48, soc=9.5))
# 2022's extreme prices
names.append(problem("extreme-2022-08-crisis", dt.datetime(2022, 8, 22, 16), 96))
names.append(problem("extreme-2022-12-cold-snap", dt.datetime(2022, 12, 12, 16), 96, home=homes[1]))
# PV surplus and export cap binding
names.append(problem("pv-surplus-summer", dt.datetime(2022, 6, 20, 0), 96, pv_scale=3.0))
names.append(problem("export-cap-binding", dt.datetime(2021, 6, 20, 0), 96, pv_scale=4.0, max_export=1.0))
names.append(problem("import-cap-tight", dt.datetime(2022, 1, 10, 16), 48, max_import=2.0))
# immersion windows
tank = lambda lo, hi, frm=0, to=48: [{"id": "tank", "powerKw": 3.0, "valuePencePerKwh": 6.5,
                                      "windows": [{"fromSlot": frm, "toSlot": to, "minKwh": lo, "maxKwh": hi}]}]
names.append(problem("immersion-winter", dt.datetime(2022, 1, 10, 16), 48, immersion=tank(4.0, 9.0)))
names.append(problem("immersion-summer-pv", dt.datetime(2021, 7, 5, 0), 48, pv_scale=2.5, immersion=tank(3.0, 6.0)))
names.append(problem("immersion-two-days", dt.datetime(2022, 3, 1, 0), 96, pv_scale=1.5,
                     immersion=[{"id": "tank", "powerKw": 3.0, "valuePencePerKwh": 5.0,
                                 "windows": [{"fromSlot": 0, "toSlot": 48, "minKwh": 5.0, "maxKwh": 8.0},
                                             {"fromSlot": 48, "toSlot": 96, "minKwh": 5.0, "maxKwh": 8.0}]},
                                {"id": "second", "powerKw": 1.0, "valuePencePerKwh": 2.0,
                                 "windows": [{"fromSlot": 10, "toSlot": 30, "minKwh": 2.0}]}]))
# initial SoC below the minimum, and above the maximum's neighbourhood
names.append(problem("soc-below-min", dt.datetime(2022, 2, 3, 16), 48, soc=0.3, min_soc=2.0))
names.append(problem("soc-at-max", dt.datetime(2021, 5, 3, 16), 48, soc=9.5))
names.append(problem("no-terminal-value", dt.datetime(2021, 11, 3, 16), 96, terminal=0.0, cycle=0.0))
names.append(problem("big-battery-192", dt.datetime(2020, 12, 1, 16), 192, cap=20.0, kw=5.0, soc=10.0))

ref_tool = shared / "tools/reference_lp.py"
refs = {}
for n in names:
    r = json.loads(subprocess.check_output(["/usr/bin/python3", str(ref_tool), "solve", str(out / f"{n}.json")]))
    assert r["status"] == "Optimal", (n, r)
    refs[n] = {"objectivePence": r["objectivePence"], "referenceSolveSeconds": round(r["solveSeconds"], 4)}
    print(n, r["objectivePence"], round(r["solveSeconds"], 3), file=sys.stderr)
(out / "reference-objectives.json").write_text(json.dumps(refs, indent=1, sort_keys=True))
