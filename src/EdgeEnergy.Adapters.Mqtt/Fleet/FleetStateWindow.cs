using System.Globalization;
using System.Text.Json.Nodes;
using EdgeEnergy.Domain.Status;

namespace EdgeEnergy.Adapters.Mqtt.Fleet;

/// <summary>
/// Pure: the means of the live readings over one window (5 minutes by default), fed samples with their time. When a
/// sample falls past the window's end, the finished window comes out as one state message with the next sequence
/// number (windows start on multiples of the length, so every home's windows line up). Powers W (battery + = discharging, grid + = importing), SoC %.
/// </summary>
public sealed class FleetStateWindow(TimeSpan length, string boot, long firstSequence = 1)
{
    private DateTimeOffset? _start;
    private int _samples;
    private double _gridW, _batteryW, _pvW, _loadW, _socPercent;
    private bool _fallbackSeen;

    /// <summary>The sequence number the next finished window gets.</summary>
    public long NextSequence { get; private set; } = firstSequence;

    /// <summary>Adds the snapshot at <paramref name="now"/>; returns the finished window's message when one ended.</summary>
    public FleetStateMessage? Add(ApplianceSnapshot snapshot, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        FleetStateMessage? done = null;
        var windowStart = Floor(now);
        if (_start is { } start && windowStart > start)
        {
            done = Close(start);
        }

        _start ??= windowStart;
        if (snapshot.Telemetry is { } t)
        {
            _samples++;
            _gridW += t.GridPowerW;
            _batteryW += t.BatteryPowerW;
            _pvW += t.PvPowerW;
            _loadW += t.LoadPowerW;
            _socPercent += t.BatterySocPercent;
        }

        _fallbackSeen |= snapshot.Fallback.Active;
        return done;
    }

    private DateTimeOffset Floor(DateTimeOffset now) => new(now.UtcTicks - (now.UtcTicks % length.Ticks), TimeSpan.Zero);

    private FleetStateMessage Close(DateTimeOffset start)
    {
        var message = _samples == 0
            ? new FleetStateMessage(boot, NextSequence, start, start + length, 0, null, null, null, null, null, _fallbackSeen)
            : new FleetStateMessage(boot, NextSequence, start, start + length, _samples, _gridW / _samples, _batteryW / _samples, _pvW / _samples, _loadW / _samples, _socPercent / _samples, _fallbackSeen);
        NextSequence++;
        _start = null;
        _samples = 0;
        _gridW = _batteryW = _pvW = _loadW = _socPercent = 0;
        _fallbackSeen = false;
        return message;
    }
}

/// <summary>
/// One window's means (null: no reading in the window), with the home's sequence number: consecutive per home and
/// <paramref name="Boot"/> (it starts again at 1 when the appliance restarts, with a new boot id), so a subscriber sees a
/// lost message as a gap. <paramref name="Fallback"/>: the fallback rules were in force at some point.
/// </summary>
public sealed record FleetStateMessage(
    string Boot, long Sequence, DateTimeOffset StartUtc, DateTimeOffset EndUtc, int Samples,
    double? GridPowerW, double? BatteryPowerW, double? PvPowerW, double? LoadPowerW, double? BatterySocPercent, bool Fallback)
{
    public string ToJson() => new JsonObject
    {
        ["boot"] = Boot,
        ["seq"] = Sequence,
        ["start"] = StartUtc.UtcDateTime.ToString("o", CultureInfo.InvariantCulture),
        ["end"] = EndUtc.UtcDateTime.ToString("o", CultureInfo.InvariantCulture),
        ["samples"] = Samples,
        ["gridW"] = Round(GridPowerW),
        ["batteryW"] = Round(BatteryPowerW),
        ["pvW"] = Round(PvPowerW),
        ["loadW"] = Round(LoadPowerW),
        ["socPercent"] = Round(BatterySocPercent),
        ["fallback"] = Fallback,
    }.ToJsonString();

    private static double? Round(double? value) => value is { } v ? Math.Round(v, 1) : null;
}
