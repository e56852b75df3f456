using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using EdgeEnergy.Domain.Diagnostics;
using EdgeEnergy.Domain.Status;

namespace EdgeEnergy.Testing.Diagnostics;

/// <summary>
/// A private <see cref="EdgeEnergyMetrics"/> (its own meter, so parallel tests never see each other's measurements)
/// and a listener that keeps every measurement of its counters and histograms: sums and counts by name and labels.
/// </summary>
public sealed class MetricsRecorder : IDisposable
{
    private readonly MeterFactory _factory = new();
    private readonly MeterListener _listener = new();
    private readonly ConcurrentQueue<(string Name, IReadOnlyDictionary<string, string> Labels, double Value)> _measurements = new();

    public MetricsRecorder(TimeProvider? timeProvider = null)
    {
        Metrics = new EdgeEnergyMetrics(_factory, new ApplianceStatusStore(), timeProvider ?? TimeProvider.System);
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter == Metrics.Meter)
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Keep(instrument, value, tags));
        _listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) => Keep(instrument, value, tags));
        _listener.Start();
    }

    public EdgeEnergyMetrics Metrics { get; }

    /// <summary>The sum of the measurements of <paramref name="name"/> whose labels include all of <paramref name="labels"/>.</summary>
    public double Sum(string name, params (string Label, string Value)[] labels) => Matching(name, labels).Sum(m => m.Value);

    /// <summary>How many measurements of <paramref name="name"/> have all of <paramref name="labels"/> (a histogram's count).</summary>
    public int Count(string name, params (string Label, string Value)[] labels) => Matching(name, labels).Count();

    public void Dispose()
    {
        _listener.Dispose();
        _factory.Dispose();
    }

    private IEnumerable<(string Name, IReadOnlyDictionary<string, string> Labels, double Value)> Matching(string name, (string Label, string Value)[] labels) =>
        _measurements.Where(m => m.Name == name && labels.All(l => m.Labels.TryGetValue(l.Label, out var v) && v == l.Value));

    private void Keep(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var tag in tags)
        {
            labels[tag.Key] = tag.Value?.ToString() ?? string.Empty;
        }

        _measurements.Enqueue((instrument.Name, labels, value));
    }

    private sealed class MeterFactory : IMeterFactory
    {
        private readonly ConcurrentBag<Meter> _meters = [];

        public Meter Create(MeterOptions options)
        {
            var meter = new Meter(options);
            _meters.Add(meter);
            return meter;
        }

        public void Dispose()
        {
            foreach (var meter in _meters)
            {
                meter.Dispose();
            }
        }
    }
}
