using Prometheus;

namespace EdgeEnergy.Host.Web;

/// <summary>
/// What the garbage collector held after its last collection: the memory it has committed, and each generation's size
/// and free space. prometheus-net's runtime statistics give only the allocated total, which cannot tell a generation 2
/// that fills between rare full collections from a leak, and the Native AOT binary sends no runtime counters to
/// dotnet-counters; <see cref="GC.GetGCMemoryInfo()"/> works in both builds. Nothing is published before the first
/// collection, so a scrape never shows a zero the collector did not report.
/// </summary>
internal static class GcMemoryStats
{
    // The order of GCMemoryInfo.GenerationInfo: generations 0-2, then the large and pinned object heaps.
    private static readonly string[] s_generations = ["gen0", "gen1", "gen2", "loh", "poh"];

    public static void Register(CollectorRegistry registry)
    {
        var factory = Prometheus.Metrics.WithCustomRegistry(registry);
        var committed = factory.CreateGauge(
            "edgeenergy_gc_committed_bytes",
            "Memory the .NET garbage collector had committed after its last collection (part of the resident memory).",
            new GaugeConfiguration { SuppressInitialValue = true });
        var size = factory.CreateGauge(
            "edgeenergy_gc_heap_bytes",
            "Size of each GC generation after the last collection, free space included.",
            new GaugeConfiguration { LabelNames = ["generation"], SuppressInitialValue = true });
        var fragmentation = factory.CreateGauge(
            "edgeenergy_gc_fragmentation_bytes",
            "Free space inside each GC generation after the last collection.",
            new GaugeConfiguration { LabelNames = ["generation"], SuppressInitialValue = true });
        registry.AddBeforeCollectCallback(() =>
        {
            var info = GC.GetGCMemoryInfo(GCKind.Any);
            if (info.Index == 0)
            {
                return;
            }

            committed.Set(info.TotalCommittedBytes);
            var generations = info.GenerationInfo;
            for (var i = 0; i < s_generations.Length && i < generations.Length; i++)
            {
                size.WithLabels(s_generations[i]).Set(generations[i].SizeAfterBytes);
                fragmentation.WithLabels(s_generations[i]).Set(generations[i].FragmentationAfterBytes);
            }
        });
    }
}
