namespace EdgeEnergy.Domain.Diagnostics;

/// <summary>The Prometheus type an instrument is exported as.</summary>
public enum MetricKind
{
    /// <summary>Monotonic; the name ends in <c>_total</c>.</summary>
    Counter,
    /// <summary>A value that goes up and down (read when scraped).</summary>
    Gauge,
    /// <summary>Distribution in <see cref="MetricDefinition.Buckets"/>.</summary>
    Histogram,
}

/// <summary>
/// One exported metric: its Prometheus name (base unit in the name, <c>_total</c> on counters), help text, label names
/// (the tags every measurement carries, in this order) and histogram buckets.
/// </summary>
public sealed record MetricDefinition(string Name, MetricKind Kind, string Help, IReadOnlyList<string> LabelNames, IReadOnlyList<double>? Buckets = null);
