using System.Globalization;

namespace EdgeEnergy.Backtest;

/// <summary>
/// Reads the history CSV of docs/contracts.md section 3: header <c>slot_start_utc,import_pence,export_pence,load_kwh,
/// pv_kwh[,pv_forecast_kwh]</c> (columns in any order, extra columns ignored), one row per half hour, contiguous;
/// optionally the car's <c>ev_plugged,ev_need_kwh,ev_deadline_utc</c> (all three or none; docs/backtest.md, "A car").
/// Any bad row is a <see cref="BacktestInputException"/> naming file, line and field; nothing is guessed.
/// </summary>
public static class HistoryCsv
{
    private static readonly string[] s_required = ["slot_start_utc", "import_pence", "export_pence", "load_kwh", "pv_kwh"];
    private static readonly string[] s_ev = ["ev_plugged", "ev_need_kwh", "ev_deadline_utc"];

    public static BacktestHistory Read(TextReader reader, string sourceName)
    {
        ArgumentNullException.ThrowIfNull(reader);
        var header = reader.ReadLine() ?? throw new BacktestInputException($"{sourceName}: empty file, expected the header {string.Join(',', s_required)}");
        var names = header.Split(',').Select(c => c.Trim().TrimStart('\uFEFF')).ToArray();
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < names.Length; i++)
        {
            if (!index.TryAdd(names[i], i))
            {
                throw new BacktestInputException($"{sourceName}:1: column '{names[i]}' appears twice");
            }
        }

        foreach (var name in s_required)
        {
            if (!index.ContainsKey(name))
            {
                throw new BacktestInputException($"{sourceName}:1: missing column '{name}' (header must hold {string.Join(',', s_required)}[,pv_forecast_kwh])");
            }
        }

        // The EV columns: all three or none, since a car half described cannot be replayed.
        var evColumns = s_ev.Count(index.ContainsKey);
        if (evColumns is > 0 and < 3)
        {
            throw new BacktestInputException($"{sourceName}:1: the EV columns go together: {string.Join(',', s_ev)} (missing {string.Join(',', s_ev.Where(c => !index.ContainsKey(c)))})");
        }

        var hasEv = evColumns == 3;
        HistoryEv? session = null; // the car's session in progress, to hold its need and deadline steady
        var forecastColumn = index.GetValueOrDefault("pv_forecast_kwh", -1);
        var slots = new List<HistorySlot>(17_568);
        var lineNumber = 1;
        while (reader.ReadLine() is { } line)
        {
            lineNumber++;
            if (line.Length == 0)
            {
                continue;
            }

            var cells = line.Split(',');
            if (cells.Length != names.Length)
            {
                throw new BacktestInputException($"{sourceName}:{lineNumber}: {cells.Length} fields, the header has {names.Length}");
            }

            string Cell(string name) => cells[index[name]].Trim();
            double Number(string name, bool nonNegative)
            {
                var text = Cell(name);
                if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) || !double.IsFinite(v))
                {
                    throw new BacktestInputException($"{sourceName}:{lineNumber}: field {name}: '{text}' is not a number");
                }

                if (nonNegative && v < 0)
                {
                    throw new BacktestInputException($"{sourceName}:{lineNumber}: field {name}: {text} is negative (energy in a slot is ≥ 0)");
                }

                return v;
            }

            var stamp = Cell("slot_start_utc");
            if (!DateTimeOffset.TryParse(stamp, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var start))
            {
                throw new BacktestInputException($"{sourceName}:{lineNumber}: field slot_start_utc: '{stamp}' is not an ISO-8601 time");
            }

            if (start.Minute % BacktestHistory.SlotMinutes != 0 || start.Second != 0 || start.Millisecond != 0)
            {
                throw new BacktestInputException($"{sourceName}:{lineNumber}: field slot_start_utc: {stamp} is not on a half hour");
            }

            if (slots.Count > 0)
            {
                var expected = slots[^1].Start.AddMinutes(BacktestHistory.SlotMinutes);
                if (start != expected)
                {
                    throw new BacktestInputException(
                        $"{sourceName}:{lineNumber}: field slot_start_utc: {stamp} does not follow the previous slot (expected {expected:yyyy-MM-ddTHH:mm:ssZ}; slots must be contiguous half hours)");
                }
            }

            double? pvForecast = null;
            if (forecastColumn >= 0 && cells[forecastColumn].Trim().Length > 0)
            {
                pvForecast = Number("pv_forecast_kwh", nonNegative: true);
            }

            HistoryEv? ev = null;
            if (hasEv)
            {
                ev = Ev(start);
                if (!ev.Plugged && session is { } left && left.DeadlineUtc > start)
                {
                    // The car left before its deadline: the deadline is when it leaves, so this is a contradiction.
                    throw new BacktestInputException($"{sourceName}:{lineNumber}: field ev_plugged: 0 at {stamp}, before the session's deadline {left.DeadlineUtc:yyyy-MM-ddTHH:mm:ssZ} (the car stays plugged in until its deadline)");
                }

                session = ev.Plugged ? ev : null;
            }

            slots.Add(new HistorySlot(start, Number("import_pence", false), Number("export_pence", false),
                Number("load_kwh", true), Number("pv_kwh", true), pvForecast) { Ev = ev });

            // ev_plugged 0/1; while plugged, ev_need_kwh ≥ 0 and ev_deadline_utc after the slot starts, both the same on
            // every slot of the session; unplugged, both empty (or a need of 0).
            HistoryEv Ev(DateTimeOffset slotStart)
            {
                var plugged = Cell("ev_plugged") switch
                {
                    "1" => true,
                    "0" => false,
                    var other => throw new BacktestInputException($"{sourceName}:{lineNumber}: field ev_plugged: '{other}' is not 0 or 1"),
                };
                var needText = Cell("ev_need_kwh");
                var deadlineText = Cell("ev_deadline_utc");
                if (!plugged)
                {
                    if (deadlineText.Length > 0 || (needText.Length > 0 && Number("ev_need_kwh", true) != 0))
                    {
                        throw new BacktestInputException($"{sourceName}:{lineNumber}: field {(deadlineText.Length > 0 ? "ev_deadline_utc" : "ev_need_kwh")}: set while ev_plugged is 0 (leave it empty)");
                    }

                    return HistoryEv.Unplugged;
                }

                var need = Number("ev_need_kwh", true);
                if (!DateTimeOffset.TryParse(deadlineText, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var deadline))
                {
                    throw new BacktestInputException($"{sourceName}:{lineNumber}: field ev_deadline_utc: '{deadlineText}' is not an ISO-8601 time");
                }

                if (session is { } open)
                {
                    if (need != open.NeedKwh)
                    {
                        throw new BacktestInputException($"{sourceName}:{lineNumber}: field ev_need_kwh: {needText} differs from the session's {open.NeedKwh.ToString(CultureInfo.InvariantCulture)} (every slot of a plug-in session states the same need)");
                    }

                    if (deadline != open.DeadlineUtc)
                    {
                        throw new BacktestInputException($"{sourceName}:{lineNumber}: field ev_deadline_utc: {deadlineText} differs from the session's {open.DeadlineUtc:yyyy-MM-ddTHH:mm:ssZ} (every slot of a plug-in session states the same deadline)");
                    }
                }
                else if (deadline < slotStart.AddMinutes(BacktestHistory.SlotMinutes))
                {
                    throw new BacktestInputException($"{sourceName}:{lineNumber}: field ev_deadline_utc: {deadlineText} is less than a half hour after the plug-in slot {slotStart:yyyy-MM-ddTHH:mm:ssZ}");
                }

                return new HistoryEv(true, need, deadline);
            }
        }

        if (slots.Count == 0)
        {
            throw new BacktestInputException($"{sourceName}: no data rows after the header");
        }

        return new BacktestHistory(slots);
    }
}
