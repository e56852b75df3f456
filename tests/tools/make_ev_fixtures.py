#!/usr/bin/env python3
"""Builds the car fixtures (docs/contracts.md section 8) from the real-data plan problems beside them.

Each is an existing fixture with a 7.4 kW charger (1.4 kW minimum, 92 % efficient) plugged in at 18:00 UK and
leaving at 07:30 each night of the horizon, optionally with one 3 kW tank that must get 4-9 kWh a day. All start at
16:00 UTC (= UK time in winter; 17:00 UK in summer, which shifts the car by an hour and changes nothing here).
Run from the repository root: python3 tests/tools/make_ev_fixtures.py
"""
import json
import os

FOLDER = "tests/EdgeEnergy.Testing/Fixtures/plan-problems"

# (new name, source fixture, kWh needed each night, with a tank)
FIXTURES = [
    ("ev-2020-autumn-48", "2020-autumn-48", [18.0], False),
    ("ev-2021-summer-96", "2021-summer-96", [18.0, 12.0], False),
    ("ev-immersion-2021-spring-48", "2021-spring-48", [25.0], True),
    ("ev-immersion-2020-winter-96", "2020-winter-96", [18.0, 30.0], True),
    ("ev-immersion-negative-2020-05-24", "negative-2020-05-24", [10.0, 18.0], True),
]


def main():
    for name, source, needs, tank in FIXTURES:
        with open(os.path.join(FOLDER, source + ".json")) as f:
            problem = json.load(f)
        n = len(problem["slots"])
        # Slot 4 is 18:00 when slot 0 is 16:00; 07:30 the next morning is 27 slots later.
        problem["ev"] = {
            "id": "car", "minKw": 1.4, "maxKw": 7.4, "efficiency": 0.92,
            "needs": [{"fromSlot": 4 + 48 * d, "toSlot": min(31 + 48 * d, n), "kwh": kwh} for d, kwh in enumerate(needs)],
        }
        if tank:
            problem["immersions"] = [{"id": "tank", "powerKw": 3.0, "valuePencePerKwh": 6.5, "windows": [
                {"fromSlot": start, "toSlot": min(start + 48, n), "minKwh": 4.0, "maxKwh": 9.0} for start in range(0, n, 48)]}]
        with open(os.path.join(FOLDER, name + ".json"), "w") as f:
            json.dump(problem, f, indent=1)
            f.write("\n")


if __name__ == "__main__":
    main()
