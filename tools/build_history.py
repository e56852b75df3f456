#!/usr/bin/env python3
"""Joins the shared Agile import/export price files and one Low Carbon London home into a backtest history CSV
(docs/contracts.md section 3): slot_start_utc,import_pence,export_pence,load_kwh,pv_kwh.

  build_history.py --import agile_import_J.csv --export agile_outgoing_C.csv --load household_load_LCL.csv \
      --home MAC000002 --from 2022-01-01 --to 2023-01-01 > history.csv

Dates are UK local days ([from, to) at 00:00 Europe/London). The load files are from 2013 (GMT); each target day is
paired with the 2013 day of the same weekday nearest the same day of the year, and each slot with the same UK
local clock time on that day, so weekday and daily rhythm line up. The LCL homes have no PV: pv_kwh is 0.
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


def read_series(path, column=None):
    out = {}
    with open(path, newline="") as f:
        r = csv.reader(f)
        header = next(r)
        idx = 1 if column is None else header.index(column) if column in header else fail(f"{path}: no column {column}")
        for n, row in enumerate(r, start=2):
            try:
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
    o = a.parse_args()
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
        w.writerow([t.strftime("%Y-%m-%dT%H:%M:%SZ"), f"{imp[t]:g}", f"{exp[t]:g}", f"{kwh:g}", "0"])
        t += timedelta(minutes=30)


if __name__ == "__main__":
    main()
