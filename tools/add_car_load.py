#!/usr/bin/env python3
"""Adds a commuting electric car's night-time charging to a backtest history (docs/contracts.md section 3), so the
scheduled-load learner (docs/backtest.md, "Scheduled load") can be measured on a home that has one.

  add_car_load.py --history solar-MAC000002-2022.csv --seed 2 > solarcar-MAC000002-2022.csv

The pattern (every number an option, defaults shown):
  - the charger's timer starts at 00:30 UK clock time (--start 00:30), at 7 kW (--kw 7);
  - it charges on the mornings after a working day's commute: Monday to Friday mornings (the nights of Sunday to
    Thursday), and in each ISO week on 3 or 4 of those 5 mornings (--nights-min 3 --nights-max 4), chosen at random;
  - each charge is 8 to 20 kWh (--kwh-min 8 --kwh-max 20, uniform), at full power until done, so 1.1 to 2.9 hours:
    whole half hours of kw/2 kWh and a last part-filled one.
Only load_kwh changes; every other column and every line is passed through as it is. The draws come from Python's
random.Random(seed), so the same seed gives the same file. A summary goes to stderr. Standard library only; exit 2
with file and line on bad input.

--ev-columns: instead of adding the charging to load_kwh, write the backtest's EV columns (docs/backtest.md, "A car")
so that each strategy decides when the car charges:

  add_car_load.py --history solar-MAC000002-2022.csv --seed 2 --ev-columns > solar-ev-MAC000002-2022.csv

  - the car is plugged in from 18:30 UK clock time the evening before a commuting morning (--plug-in 18:30) until it
    leaves at 07:30 (--leave 07:30): ev_plugged 1 on those half hours, 0 otherwise;
  - commuting mornings are Monday to Friday, in each ISO week --nights-min to --nights-max of them (default 5 and 5 in
    this mode: every weekday), chosen at random as above;
  - each session needs 8 to 12 kWh into the car's battery (--kwh-min 8 --kwh-max 12 by default in this mode,
    uniform), stated on every plugged slot as ev_need_kwh, with ev_deadline_utc the leaving time in UTC.
load_kwh is then left as it is; a history that already has EV columns is refused.
"""
import argparse, csv, random, sys
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

UK = ZoneInfo("Europe/London")


def fail(msg):
    print(f"add_car_load: {msg}", file=sys.stderr)
    sys.exit(2)


def half_hour(text, option):
    try:
        hh, mm = (int(x) for x in text.split(":"))
    except ValueError:
        fail(f"{option} '{text}' is not HH:MM")
    if mm not in (0, 30) or not 0 <= hh < 24:
        fail(f"{option} '{text}' is not on the half hour")
    return hh, mm


def main():
    a = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    a.add_argument("--history", required=True)
    a.add_argument("--seed", type=int, required=True)
    a.add_argument("--start", default="00:30", help="UK clock time the charger's timer starts (HH:MM, on the half hour)")
    a.add_argument("--kw", type=float, default=7.0)
    a.add_argument("--kwh-min", type=float, default=None, help="default 8")
    a.add_argument("--kwh-max", type=float, default=None, help="default 20 (12 with --ev-columns)")
    a.add_argument("--nights-min", type=int, default=None, help="default 3 (5 with --ev-columns)")
    a.add_argument("--nights-max", type=int, default=None, help="default 4 (5 with --ev-columns)")
    a.add_argument("--ev-columns", action="store_true", help="write ev_plugged, ev_need_kwh, ev_deadline_utc instead of adding to load_kwh")
    a.add_argument("--plug-in", default="18:30", help="with --ev-columns: UK clock time the car is plugged in, the evening before")
    a.add_argument("--leave", default="07:30", help="with --ev-columns: UK clock time the car leaves (its deadline)")
    o = a.parse_args()
    # The two modes' defaults differ: a timer charge of 8-20 kWh on 3-4 nights, or a car plugged in every weekday night.
    ev = o.ev_columns
    o.kwh_min = 8.0 if o.kwh_min is None else o.kwh_min
    o.kwh_max = (12.0 if ev else 20.0) if o.kwh_max is None else o.kwh_max
    o.nights_min = (5 if ev else 3) if o.nights_min is None else o.nights_min
    o.nights_max = (5 if ev else 4) if o.nights_max is None else o.nights_max
    hh, mm = half_hour(o.start, "--start")
    plug_hm, leave_hm = half_hour(o.plug_in, "--plug-in"), half_hour(o.leave, "--leave")
    if not (0 < o.kw and 0 < o.kwh_min <= o.kwh_max and 0 <= o.nights_min <= o.nights_max <= 5):
        fail("need kw > 0, 0 < kwh-min <= kwh-max and 0 <= nights-min <= nights-max <= 5")

    with open(o.history, newline="") as f:
        rows = list(csv.reader(f))
    if not rows or "load_kwh" not in rows[0] or "slot_start_utc" not in rows[0]:
        fail(f"{o.history}:1: needs the columns slot_start_utc and load_kwh")
    header = rows[0]
    ts_col, load_col = header.index("slot_start_utc"), header.index("load_kwh")
    index = {}
    for n, row in enumerate(rows[1:], start=2):
        try:
            t = datetime.fromisoformat(row[ts_col].strip().replace("Z", "+00:00"))
        except (ValueError, IndexError):
            fail(f"{o.history}:{n}: bad timestamp")
        index[t.astimezone(timezone.utc)] = n - 1
    if not index:
        fail(f"{o.history}: no rows")

    if ev and any(c in header for c in ("ev_plugged", "ev_need_kwh", "ev_deadline_utc")):
        fail(f"{o.history}:1: already has EV columns")
    plugged = {}  # row index -> (need, deadline) for --ev-columns
    rng = random.Random(o.seed)
    first, last = min(index), max(index)
    day = first.astimezone(UK).date()
    end_day = last.astimezone(UK).date()
    chosen_by_week = {}
    nights = 0
    total = 0.0
    while day <= end_day:
        iso = day.isocalendar()
        week = (iso[0], iso[1])
        if week not in chosen_by_week:
            # The same number of draws each week whatever the history's first day, so a seed means one pattern.
            k = rng.randint(o.nights_min, o.nights_max)
            chosen_by_week[week] = (set(rng.sample(range(5), k)), [rng.uniform(o.kwh_min, o.kwh_max) for _ in range(5)])
        days, energies = chosen_by_week[week]
        weekday = day.weekday()  # Monday 0
        if ev and weekday < 5 and weekday in days:
            # Plugged in the evening before this commuting morning until it leaves: the need is due at the leaving time.
            before = day - timedelta(days=1)
            t = datetime(before.year, before.month, before.day, *plug_hm, tzinfo=UK).astimezone(timezone.utc)
            leave = datetime(day.year, day.month, day.day, *leave_hm, tzinfo=UK).astimezone(timezone.utc)
            need = energies[weekday]
            marked = 0
            while t < leave:
                if t in index:
                    plugged[index[t]] = (f"{need:.3f}", leave.strftime("%Y-%m-%dT%H:%M:%SZ"))
                    marked += 1
                t += timedelta(minutes=30)
            if marked > 0:
                nights += 1
                total += need
        elif weekday < 5 and weekday in days:
            left = energies[weekday]
            start = datetime(day.year, day.month, day.day, hh, mm, tzinfo=UK).astimezone(timezone.utc)
            added = 0.0
            t = start
            while left > 1e-9:
                slot = min(left, o.kw / 2)
                if t in index:
                    row = rows[index[t]]
                    try:
                        row[load_col] = f"{float(row[load_col]) + slot:.4f}"
                    except ValueError:
                        fail(f"{o.history}:{index[t] + 1}: load_kwh '{row[load_col]}' is not a number")
                    added += slot
                left -= slot
                t += timedelta(minutes=30)
            if added > 0:
                nights += 1
                total += added
        day += timedelta(days=1)

    if ev:
        # A session cut by the history's end keeps its deadline beyond it; the backtest then does not count it short.
        rows[0] = header + ["ev_plugged", "ev_need_kwh", "ev_deadline_utc"]
        for i in range(1, len(rows)):
            need, deadline = plugged.get(i, ("", ""))
            rows[i] = rows[i] + ["1" if need else "0", need, deadline]
    w = csv.writer(sys.stdout, lineterminator="\n")
    w.writerows(rows)
    what = "sessions plugged in, needing" if ev else "charges,"
    print(f"add_car_load: {nights} {what} {total:.0f} kWh {'in' if ev else 'added to'} {o.history} (seed {o.seed})", file=sys.stderr)


if __name__ == "__main__":
    main()
