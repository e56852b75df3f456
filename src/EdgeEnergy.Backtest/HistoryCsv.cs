using System.Globalization;

namespace EdgeEnergy.Backtest;

/// <summary>
/// Reads the history CSV of docs/contracts.md section 3: header <c>slot_start_utc,import_pence,export_pence,load_kwh,
/// pv_kwh[,pv_forecast_kwh]</c> (columns in any order, extra columns ignored), one row per half hour, contiguous.
/// Any bad row is a <see cref="BacktestInputException"/> naming file, line and field; nothing is guessed.
/// </summary>
public static class HistoryCsv
{
    private static readonly string[] s_required = ["slot_start_utc", "import_pence", "export_pence", "load_kwh", "pv_kwh"];

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

            slots.Add(new HistorySlot(start, Number("import_pence", false), Number("export_pence", false),
                Number("load_kwh", true), Number("pv_kwh", true), pvForecast));
        }

        if (slots.Count == 0)
        {
            throw new BacktestInputException($"{sourceName}: no data rows after the header");
        }

        return new BacktestHistory(slots);
    }
}
