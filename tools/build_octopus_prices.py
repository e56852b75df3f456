#!/usr/bin/env python3
"""Writes a `--prices DIR` for `edgeenergy tariffs compare`: Octopus-API-shaped JSON per product, the same shapes
the live client reads (docs/tariffs.md):

  DIR/{PRODUCT}/product.json                        as /v1/products/{PRODUCT}/
  DIR/{PRODUCT}/{TARIFF}/standard-unit-rates.json   as .../electricity-tariffs/{TARIFF}/standard-unit-rates/
  DIR/{PRODUCT}/{TARIFF}/standing-charges.json      as .../standing-charges/

  build_octopus_prices.py --agile-import agile_import_J_2020-2022.csv --agile-export agile_outgoing_C_2019-2022.csv \
      --region J --from 2022-01-01 --to 2023-01-01 --out prices-2022

REAL rates: AGILE-2022 (the shared Agile import series, region J) and AGILE-OUTGOING-2022 (the shared Agile Outgoing
series, region C, filed under the --region letter), one row per half hour as Octopus publishes Agile. These two
product codes name the shared data series (which spans several of Octopus's Agile products), not one Octopus product.

ILLUSTRATIVE rates (NOT published prices; chosen near 2022's Agile level to make the shapes comparable): Go, Flux,
Cosy window rows from the windows the tariffs document, a flat export, and every standing charge. The values are the
constants below; the README this script writes into DIR says so too.
Standard library only; exit 2 with file and line on bad input.
"""
import argparse, csv, json, os, sys
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

UK = ZoneInfo("Europe/London")

# Illustrative prices, pence/kWh inc. VAT, and standing charges, pence/day inc. VAT. Not Octopus's published rates.
ILLUSTRATIVE = {
    # product: ([(UK local start, pence), ...] each price from its time until the next, wrapping daily)
    "GO-VAR-22-10-14": [(time(0, 30), 10.0), (time(5, 30), 40.0)],
    "FLUX-IMPORT-23-02-14": [(time(2, 0), 21.6), (time(5, 0), 36.0), (time(16, 0), 50.4), (time(19, 0), 36.0)],
    "COSY-22-12-08": [(time(0, 0), 36.0), (time(4, 0), 20.0), (time(7, 0), 36.0), (time(13, 0), 20.0), (time(16, 0), 54.0),
                      (time(19, 0), 36.0), (time(22, 0), 20.0)],
}
FLAT_EXPORT = ("OUTGOING-FIX-12M-19-05-13", 15.0)
IMPORT_STANDING_PENCE_PER_DAY = 46.0


def fail(msg):
    print(f"build_octopus_prices: {msg}", file=sys.stderr)
    sys.exit(2)


def iso(instant):
    return instant.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def row(start, end, pence):
    return {"value_exc_vat": round(pence / 1.05, 4), "value_inc_vat": pence, "valid_from": iso(start),
            "valid_to": None if end is None else iso(end), "payment_method": None}


def uk(day, clock):
    return datetime.combine(day, clock, tzinfo=UK)


def read_series(path, column, start, end):
    rows = []
    with open(path, newline="") as f:
        reader = csv.DictReader(f)
        if column not in (reader.fieldnames or []):
            fail(f"{path}:1: no column '{column}'")
        for line, r in enumerate(reader, start=2):
            try:
                t = datetime.fromisoformat(r["slot_start_utc"].replace(" ", "T")).astimezone(timezone.utc)
                pence = float(r[column])
            except (ValueError, KeyError) as e:
                fail(f"{path}:{line}: {e}")
            if start <= t < end:
                rows.append(row(t, t + timedelta(minutes=30), pence))
    if not rows:
        fail(f"{path}: no slots in the period")
    return rows


def window_rows(windows, first, last):
    rows = []
    day = first
    while day <= last:
        for i, (clock, pence) in enumerate(windows):
            start = uk(day, clock)
            end = uk(day, windows[i + 1][0]) if i + 1 < len(windows) else uk(day + timedelta(days=1), windows[0][0])
            if rows and rows[-1]["valid_to"] == iso(start) and rows[-1]["value_inc_vat"] == pence:
                rows[-1]["valid_to"] = iso(end)
            else:
                rows.append(row(start, end, pence))
        day += timedelta(days=1)
    return rows


def write_product(out, product, region, rates, standing, direction):
    tariff = f"E-1R-{product}-{region}"
    links = [{"href": f"https://api.octopus.energy/v1/products/{product}/electricity-tariffs/{tariff}/standard-unit-rates/",
              "method": "GET", "rel": "standard_unit_rates"}]
    os.makedirs(os.path.join(out, product, tariff), exist_ok=True)
    if standing is not None:
        links.append({"href": f"https://api.octopus.energy/v1/products/{product}/electricity-tariffs/{tariff}/standing-charges/",
                      "method": "GET", "rel": "standing_charges"})
        dump(os.path.join(out, product, tariff, "standing-charges.json"), page(standing))
    document = {"code": product, "direction": direction,
                "single_register_electricity_tariffs": {f"_{region}": {"direct_debit_monthly": {"code": tariff, "links": links}}}}
    dump(os.path.join(out, product, "product.json"), document)
    dump(os.path.join(out, product, tariff, "standard-unit-rates.json"), page(rates))


def page(rows):
    rows = sorted(rows, key=lambda r: r["valid_from"], reverse=True)  # newest first, as the API pages
    return {"count": len(rows), "next": None, "previous": None, "results": rows}


def dump(path, document):
    with open(path, "w") as f:
        json.dump(document, f, separators=(",", ":"))


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--agile-import", required=True)
    p.add_argument("--agile-export", required=True)
    p.add_argument("--region", default="J")
    p.add_argument("--from", dest="first", required=True, type=date.fromisoformat)
    p.add_argument("--to", dest="end", required=True, type=date.fromisoformat)
    p.add_argument("--out", required=True)
    a = p.parse_args()
    if len(a.region) != 1 or a.region.upper() not in "ABCDEFGHJKLMNP":
        fail(f"--region '{a.region}' must be one GSP region letter of ABCDEFGHJKLMNP")
    region = a.region.upper()
    start, end = uk(a.first, time(0, 0)), uk(a.end, time(0, 0))
    since = datetime(2022, 1, 1, tzinfo=timezone.utc) if a.first.year >= 2022 else start
    standing = [row(since - timedelta(days=365), None, IMPORT_STANDING_PENCE_PER_DAY)]
    write_product(a.out, "AGILE-2022", region, read_series(a.agile_import, "import_pence_inc_vat", start, end), standing, "IMPORT")
    write_product(a.out, "AGILE-OUTGOING-2022", region, read_series(a.agile_export, "export_pence", start, end), None, "EXPORT")
    for product, windows in ILLUSTRATIVE.items():
        write_product(a.out, product, region, window_rows(windows, a.first - timedelta(days=1), a.end), standing, "IMPORT")
    product, pence = FLAT_EXPORT
    write_product(a.out, product, region, [row(since - timedelta(days=365), None, pence)], None, "EXPORT")
    with open(os.path.join(a.out, "README.md"), "w") as f:
        f.write(f"""# Octopus-shaped prices {a.first} → {a.end}, region {region} (written by tools/build_octopus_prices.py)

REAL: AGILE-2022 = the shared Agile import series (region J), AGILE-OUTGOING-2022 = the shared Agile Outgoing series
(region C, filed under region {region}); both from /work/shared/data (upstream energy-stats.uk, from the Octopus API).
ILLUSTRATIVE, not published prices: {', '.join(ILLUSTRATIVE)} (window rows at the tariffs' documented times),
{FLAT_EXPORT[0]} at a flat {FLAT_EXPORT[1]} p/kWh, and every standing charge ({IMPORT_STANDING_PENCE_PER_DAY} p/day on each import).
""")


if __name__ == "__main__":
    main()
