#!/usr/bin/env python3
"""Joins the shared Agile import/export price files and one Low Carbon London home into a backtest history CSV
(docs/contracts.md section 3): slot_start_utc,import_pence,export_pence,load_kwh,pv_kwh.

  build_history.py --import agile_import_J.csv --export agile_outgoing_C.csv --load household_load_LCL.csv \
      --home MAC000002 --from 2022-01-01 --to 2023-01-01 > history.csv

A solar home: add --pv uk_bath_region_pvlive_per_kwp_halfhourly_2014-2018.csv --kwp 4 --pv-year 2015. Each target
slot takes the yield per kWp of the same month, day and UTC time of day in the PV year (the sun keeps UTC, not the
clock), times the array's kWp; a blank there takes the same time on the nearest day with data. That file's values each end their half hour (Sheffield Solar PV_Live convention), so
the value stamped T is the slot that starts at T - 30 min.

Dates are UK local days ([from, to) at 00:00 Europe/London). The load files are from 2013 (GMT); each target day is
paired with the 2013 day of the same weekday nearest the same day of the year, and each slot with the same UK
local clock time on that day, so weekday and daily rhythm line up. Without --pv, pv_kwh is 0 (the LCL homes have no PV).
Standard library only; exit 2 with file and line on bad input.
"""
import argparse, csv, sys
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

UK = ZoneInfo("Europe/London")


def fail(msg):
    print(f"build_history: {msg}", file=sys.stderr)
    sys.exit(2)


def parse_ts(text, path, line):
    try:
        t = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        fail(f"{path}:{line}: bad timestamp '{text}'")
    return t if t.tzinfo else t.replace(tzinfo=timezone.utc)


def read_series(path, column=None, allow_blank=False):
    """timestamp -> value; with allow_blank, a blank value ("no data") is left out instead of refused."""
    out = {}
    with open(path, newline="") as f:
        r = csv.reader(f)
        header = next(r)
        idx = 1 if column is None else header.index(column) if column in header else fail(f"{path}: no column {column}")
        for n, row in enumerate(r, start=2):
            try:
                if allow_blank and len(row) > idx and not row[idx].strip():
                    continue
                out[parse_ts(row[0], path, n)] = float(row[idx])
            except (ValueError, IndexError):
                fail(f"{path}:{n}: bad value in column {idx + 1}")
    return out


def main():
    a = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    a.add_argument("--import", dest="imp", required=True)
    a.add_argument("--export", required=True)
    a.add_argument("--load", required=True)
    a.add_argument("--home", default="MAC000002")
    a.add_argument("--from", dest="start", required=True)
    a.add_argument("--to", dest="end", required=True)
    a.add_argument("--pv", help="yield per kWp file (slot_start_utc,pv_kwh; each value ends its half hour)")
    a.add_argument("--kwp", type=float, default=4.0, help="array size with --pv, kWp")
    a.add_argument("--pv-year", type=int, default=2015, help="year of the --pv file paired with every target year")
    o = a.parse_args()
    if o.pv and not 0 < o.kwp <= 100:
        fail(f"--kwp {o.kwp}: must be above 0 and at most 100")
    pv = read_series(o.pv, allow_blank=True) if o.pv else None
    imp = read_series(o.imp)
    exp = read_series(o.export)
    load = read_series(o.load, o.home + "_kwh")
    start = datetime.combine(date.fromisoformat(o.start), datetime.min.time(), UK).astimezone(timezone.utc)
    end = datetime.combine(date.fromisoformat(o.end), datetime.min.time(), UK).astimezone(timezone.utc)
    w = csv.writer(sys.stdout, lineterminator="\n")
    w.writerow(["slot_start_utc", "import_pence", "export_pence", "load_kwh", "pv_kwh"])
    t = start
    while t < end:
        local = t.astimezone(UK)
        d = local.date()
        # 2013 day with the same weekday, nearest the same day of year (wraps inside 2013).
        base = date(2013, 1, 1) + timedelta(days=d.timetuple().tm_yday - 1)
        shift = (d.weekday() - base.weekday() + 3) % 7 - 3
        day2013 = base + timedelta(days=shift)
        if day2013.year != 2013:
            day2013 = day2013 + timedelta(days=-364 if day2013.year > 2013 else 364)
        # Same UK wall-clock time on that day; 2013 data are GMT (UTC) timestamps.
        wall = datetime(day2013.year, day2013.month, day2013.day, local.hour, local.minute, tzinfo=UK, fold=local.fold)
        src = wall.astimezone(timezone.utc)
        for key, series in (("import", imp), ("export", exp)):
            if t not in series:
                fail(f"{o.imp if key == 'import' else o.export}: no {key} price for {t.isoformat()}")
        kwh = load.get(src)
        if kwh is None:
            kwh = load.get(src - timedelta(hours=1))  # the clocks-forward hour does not exist in 2013 local time
        if kwh is None:
            fail(f"{o.load}: no {o.home} reading for {src.isoformat()} (paired with {t.isoformat()})")
        pv_kwh = 0.0
        if pv is not None:
            month_day = (t.month, t.day) if (t.month, t.day) != (2, 29) else (2, 28)
            stamp = t.replace(year=o.pv_year, month=month_day[0], day=month_day[1]) + timedelta(minutes=30)
            # A blank ("no data") slot takes the same UTC time on the nearest day that has it (2017 lacks ten March days).
            near = next((stamp + timedelta(days=k * side) for k in range(0, 15) for side in (1, -1)
                         if stamp + timedelta(days=k * side) in pv), None)
            if near is None:
                fail(f"{o.pv}: no yield within 14 days of {stamp.isoformat()} (paired with {t.isoformat()})")
            pv_kwh = max(0.0, pv[near]) * o.kwp
        w.writerow([t.strftime("%Y-%m-%dT%H:%M:%SZ"), f"{imp[t]:g}", f"{exp[t]:g}", f"{kwh:g}", f"{pv_kwh:.5g}"])
        t += timedelta(minutes=30)


if __name__ == "__main__":
    main()
