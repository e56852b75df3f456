using EdgeEnergy.Domain.History;

namespace EdgeEnergy.Backtest.Reporting;

/// <summary>
/// One half hour as the site's telemetry measured it. Energies in kWh over the slot, all ≥ 0, integrated minute by
/// minute from <see cref="TelemetrySample"/> powers (our signs: battery + = discharging, grid + = importing) and scaled
/// by 30 / <see cref="Minutes"/> when minutes are missing. Import and export are integrated separately per minute, as
/// the meter's two registers count them; charge and discharge likewise. <see cref="SocStartKwh"/>: the stored energy at
/// the slot's first sample.
/// </summary>
public sealed record MeteredSlot(
    DateTimeOffset Start, int Minutes, double ImportKwh, double ExportKwh, double LoadKwh, double PvKwh,
    double ChargeKwh, double DischargeKwh, double? SocStartKwh);

/// <summary>
/// A local day of <see cref="MeteredSlot"/>s and the stored energy at its end (kWh; null when not measured), with the
/// measured minutes themselves: per minute of the day, load and solar (kW, ≥ 0) and battery power (kW, + = discharging),
/// a minute not sampled filled with its half hour's mean.
/// </summary>
public sealed record MeteredDay(DateTimeOffset Start, IReadOnlyList<MeteredSlot> Slots, double? EndSocKwh)
{
    public required double[] LoadKw { get; init; }
    public required double[] PvKw { get; init; }
    public required double[] BatteryKw { get; init; }

    /// <summary>The half hours with fewer than <see cref="Metering.MinimumMinutes"/> complete minute samples.</summary>
    public IEnumerable<MeteredSlot> Unmetered => Slots.Where(s => s.Minutes < Metering.MinimumMinutes);
}

/// <summary>Integrates minute telemetry into metered half hours (the report's metered truth, issue 16 §2).</summary>
public static class Metering
{
    public const int SlotMinutes = 30;

    public const double SlotHours = SlotMinutes / 60.0;

    /// <summary>A half hour counts as metered with at least this many of its 30 minutes sampled (a 30-minute row kept
    /// by retention counts as one sample, so days older than the minute retention are not metered).</summary>
    public const int MinimumMinutes = 24;

    /// <summary>The end-of-day state of charge is the first sample within this long after the day's end…</summary>
    private static readonly TimeSpan s_endSampleWithin = TimeSpan.FromMinutes(5);

    /// <summary>
    /// The <paramref name="slotCount"/> half hours from <paramref name="start"/>. <paramref name="samples"/> are in time
    /// order; those outside the day are ignored except for the end-of-day state of charge. A sample counts only when it
    /// has all five quantities. <paramref name="capacityKwh"/> turns SoC % into kWh.
    /// </summary>
    public static MeteredDay Measure(DateTimeOffset start, int slotCount, IReadOnlyList<TelemetrySample> samples, double capacityKwh)
    {
        ArgumentNullException.ThrowIfNull(samples);
        var end = start.AddMinutes(SlotMinutes * slotCount);
        var sums = new double[slotCount, 6];
        var minutes = new int[slotCount];
        var socStart = new double?[slotCount];
        double? endSoc = null, lastSoc = null;
        var (load, pv, battery, sampled) = (new double[slotCount * SlotMinutes], new double[slotCount * SlotMinutes], new double[slotCount * SlotMinutes], new bool[slotCount * SlotMinutes]);
        foreach (var sample in samples)
        {
            if (sample is not { BatterySocPercent: { } soc, BatteryPowerW: { } batteryW, GridPowerW: { } gridW, LoadPowerW: { } loadW, PvPowerW: { } pvW })
            {
                continue;
            }

            var socKwh = soc / 100.0 * capacityKwh;
            if (sample.TimestampUtc >= end)
            {
                if (endSoc is null && sample.TimestampUtc < end + s_endSampleWithin)
                {
                    endSoc = socKwh;
                }

                continue;
            }

            if (sample.TimestampUtc < start)
            {
                continue;
            }

            var minute = (int)(sample.TimestampUtc - start).TotalMinutes;
            var t = minute / SlotMinutes;
            (load[minute], pv[minute], battery[minute], sampled[minute]) = (Math.Max(0, loadW) / 1000, Math.Max(0, pvW) / 1000, batteryW / 1000, true);
            socStart[t] ??= socKwh;
            lastSoc = socKwh;
            minutes[t]++;
            const double KwhPerWattMinute = 1.0 / 60_000;
            double[] energies = [Math.Max(0, gridW), Math.Max(0, -gridW), Math.Max(0, loadW), Math.Max(0, pvW), Math.Max(0, -batteryW), Math.Max(0, batteryW)];
            for (var q = 0; q < energies.Length; q++)
            {
                sums[t, q] += energies[q] * KwhPerWattMinute;
            }
        }

        var slots = new MeteredSlot[slotCount];
        for (var t = 0; t < slotCount; t++)
        {
            var scale = minutes[t] == 0 ? 0 : (double)SlotMinutes / minutes[t];
            for (var minute = t * SlotMinutes; minute < (t + 1) * SlotMinutes; minute++)
            {
                if (!sampled[minute])
                {
                    (load[minute], pv[minute], battery[minute]) = (sums[t, 2] * scale / SlotHours, sums[t, 3] * scale / SlotHours, (sums[t, 5] - sums[t, 4]) * scale / SlotHours);
                }
            }

            slots[t] = new MeteredSlot(
                start.AddMinutes(SlotMinutes * t), minutes[t], sums[t, 0] * scale, sums[t, 1] * scale, sums[t, 2] * scale,
                sums[t, 3] * scale, sums[t, 4] * scale, sums[t, 5] * scale, socStart[t]);
        }

        // …else, with the last half hour fully sampled, its last sample (a minute early).
        return new MeteredDay(start, slots, endSoc ?? (slotCount > 0 && minutes[^1] == SlotMinutes ? lastSoc : null))
        {
            LoadKw = load, PvKw = pv, BatteryKw = battery,
        };
    }
}
