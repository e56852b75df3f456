#!/usr/bin/env python3
"""A loopback Octopus price API for tests/bench/host-footprint.sh: serves any product's document and an Agile-shaped
half-hourly rate list around "now", so the service's price updater, gap detector and planner run as against the real
API (the same paths and JSON shapes; docs/tariffs.md). Prices are generated, not real: import 12-35 p with an
evening peak, export 4-15 p; published up to 23:00 UTC tomorrow once it is past 16:00 UTC, else to 23:00 today.

Usage: octopus-double.py PORT   (prints "listening on http://127.0.0.1:PORT/" and serves until killed)
"""
import json
import math
import sys
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

REGIONS = "ABCDEFGHJKLMNP"
SLOT = timedelta(minutes=30)


def iso(t):
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def parse(text):
    return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(timezone.utc)


def pence(product, t):
    hour = t.hour + t.minute / 60
    evening = 1.0 if 16 <= hour < 19 else 0.0
    wave = math.sin((hour - 9) / 24 * 2 * math.pi)
    if "OUTGOING" in product:
        return round(9 + 4 * wave + 2 * evening, 2)
    return round(22 + 6 * wave + 13 * evening - (8 if hour < 5 else 0), 2)


def product_document(product):
    def tariff(region):
        code = f"E-1R-{product}-{region}"
        href = f"/v1/products/{product}/electricity-tariffs/{code}/standard-unit-rates/"
        return {"direct_debit_monthly": {"code": code, "links": [{"rel": "standard_unit_rates", "method": "GET", "href": href}]}}

    return {"code": product, "single_register_electricity_tariffs": {"_" + r: tariff(r) for r in REGIONS}}


def rates(product, query):
    now = datetime.now(timezone.utc)
    published_to = now.replace(hour=23, minute=0, second=0, microsecond=0)
    if now.hour >= 16:
        published_to += timedelta(days=1)
    start = parse(query["period_from"][0]) if "period_from" in query else now - timedelta(days=1)
    end = min(parse(query["period_to"][0]) if "period_to" in query else published_to, published_to)
    t = start.replace(minute=0 if start.minute < 30 else 30, second=0, microsecond=0)
    rows = []
    while t < end:
        rows.append({"value_exc_vat": round(pence(product, t) / 1.05, 4), "value_inc_vat": pence(product, t),
                     "valid_from": iso(t), "valid_to": iso(t + SLOT), "payment_method": None})
        t += SLOT
    rows.reverse()  # newest first, as the API
    return {"count": len(rows), "next": None, "previous": None, "results": rows}


class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        url = urlparse(self.path)
        parts = [p for p in url.path.split("/") if p]
        if len(parts) == 3 and parts[:2] == ["v1", "products"]:
            self.answer(200, product_document(parts[2]))
        elif len(parts) == 6 and parts[:2] == ["v1", "products"] and parts[3] == "electricity-tariffs" and parts[5] == "standard-unit-rates":
            self.answer(200, rates(parts[2], parse_qs(url.query)))
        else:
            self.answer(404, {"detail": "Not found."})

    def answer(self, status, document):
        body = json.dumps(document).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format, *args):
        sys.stderr.write("octopus-double: " + (format % args) + "\n")


if __name__ == "__main__":
    server = ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Handler)
    print(f"listening on http://127.0.0.1:{server.server_address[1]}/", flush=True)
    server.serve_forever()
