using System.Diagnostics.Metrics;
using EdgeEnergy.Domain.Diagnostics;
using Prometheus;

namespace EdgeEnergy.Host.Web;

/// <summary>
/// Exports the <see cref="EdgeEnergyMetrics"/> meter through prometheus-net with the Prometheus types its
/// <see cref="EdgeEnergyMetrics.Definitions"/> declare. prometheus-net's own MeterAdapter is not used: it turns .NET
/// counters into gauges (a <c>_total</c> gauge fails promtool) and drops series idle for five minutes (a counter of
/// rare Modbus timeouts would vanish). Observable gauges are read just before each scrape, and label sets they no
/// longer report are removed, so a scrape never shows a value the appliance no longer has.
/// </summary>
internal sealed class PrometheusMeterBridge : IDisposable
{
    private sealed class Exported(MetricDefinition definition, Collector collector)
    {
        public MetricDefinition Definition { get; } = definition;
        public Collector Collector { get; } = collector;
        public HashSet<string> SeenThisScrape { get; } = new(StringComparer.Ordinal);
        public Dictionary<string, string[]> Published { get; } = new(StringComparer.Ordinal);
    }

    private readonly MeterListener _listener = new();
    private readonly Dictionary<string, Exported> _byName = new(StringComparer.Ordinal);
    private readonly Lock _scrapeLock = new();
    private readonly Meter _meter;

    public PrometheusMeterBridge(EdgeEnergyMetrics metrics)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        _meter = metrics.Meter;
        Registry = Prometheus.Metrics.NewCustomRegistry();
        var factory = Prometheus.Metrics.WithCustomRegistry(Registry);
        foreach (var d in EdgeEnergyMetrics.Definitions)
        {
            var labels = d.LabelNames.ToArray();
            Collector collector = d.Kind switch
            {
                MetricKind.Counter => factory.CreateCounter(d.Name, d.Help, labels),
                MetricKind.Gauge => factory.CreateGauge(d.Name, d.Help, new GaugeConfiguration { LabelNames = labels, SuppressInitialValue = true }),
                _ => factory.CreateHistogram(d.Name, d.Help, new HistogramConfiguration { LabelNames = labels, Buckets = d.Buckets?.ToArray() }),
            };
            _byName[d.Name] = new Exported(d, collector);
        }

        DotNetStats.Register(Registry);
        GcMemoryStats.Register(Registry);
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (ReferenceEquals(instrument.Meter, _meter) && _byName.TryGetValue(instrument.Name, out var exported))
            {
                listener.EnableMeasurementEvents(instrument, exported);
            }
        };
        _listener.SetMeasurementEventCallback<double>((i, v, tags, state) => Record((Exported)state!, v, tags));
        _listener.SetMeasurementEventCallback<long>((i, v, tags, state) => Record((Exported)state!, v, tags));
        _listener.Start();
        Registry.AddBeforeCollectCallback(ReadObservables);
    }

    /// <summary>
    /// The registry <c>/metrics</c> serves: our metrics, the garbage collector's (<see cref="GcMemoryStats"/>) and
    /// prometheus-net's process and .NET runtime metrics.
    /// </summary>
    public CollectorRegistry Registry { get; }

    private void ReadObservables()
    {
        lock (_scrapeLock)
        {
            foreach (var e in _byName.Values.Where(e => e.Definition.Kind == MetricKind.Gauge))
            {
                e.SeenThisScrape.Clear();
            }

            _listener.RecordObservableInstruments();
            foreach (var e in _byName.Values.Where(e => e.Definition.Kind == MetricKind.Gauge))
            {
                foreach (var gone in e.Published.Keys.Where(k => !e.SeenThisScrape.Contains(k)).ToArray())
                {
                    var gauge = (Gauge)e.Collector;
                    if (e.Definition.LabelNames.Count == 0)
                    {
                        gauge.Unpublish();
                    }
                    else
                    {
                        gauge.RemoveLabelled(e.Published[gone]);
                    }

                    e.Published.Remove(gone);
                }
            }
        }
    }

    private static void Record(Exported e, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var names = e.Definition.LabelNames;
        var values = new string[names.Count];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = "";
            foreach (var tag in tags)
            {
                if (tag.Key == names[i])
                {
                    values[i] = tag.Value?.ToString() ?? "";
                    break;
                }
            }
        }

        switch (e.Collector)
        {
            case Counter counter:
                if (value > 0)
                {
                    counter.WithLabels(values).Inc(value);
                }

                break;
            case Gauge gauge:
                if (values.Length == 0)
                {
                    gauge.Set(value);
                    gauge.Publish();
                }
                else
                {
                    var child = gauge.WithLabels(values);
                    child.Set(value);
                    child.Publish();
                }

                var key = string.Join('\u001f', values);
                e.SeenThisScrape.Add(key);
                e.Published[key] = values;
                break;
            case Histogram histogram:
                histogram.WithLabels(values).Observe(value);
                break;
        }
    }

    public void Dispose() => _listener.Dispose();
}
