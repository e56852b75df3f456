using System.Globalization;
using System.Text.RegularExpressions;
using EdgeEnergy.Host.Composition;
using EdgeEnergy.Host.Scheduling;
using EdgeEnergy.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Quartz;
using Quartz.Impl.Triggers;

namespace EdgeEnergy.Host.Tests.Scheduling;

/// <summary>
/// The heap's compaction (<see cref="HeapCompactionJob"/>): a full collection that gives memory back, on the schedule
/// <c>Scheduling:HeapCompactionMinutes</c> sets, or never.
/// </summary>
public sealed partial class HeapCompactionJobTests
{
    [Fact]
    public void A_compaction_is_a_full_collection_and_logs_the_collectors_memory_before_and_after()
    {
        var logs = new CapturingLoggerFactory();
        var fullCollections = GC.CollectionCount(GC.MaxGeneration);

        new HeapCompactionJob(logs.For<HeapCompactionJob>()).Compact();

        Assert.True(GC.CollectionCount(GC.MaxGeneration) > fullCollections, "no full collection ran");
        var line = Assert.Single(logs.Lines);
        var m = Compacted().Match(line);
        Assert.True(m.Success, line);
        var (before, after, heap, live) = (Bytes(m, "before"), Bytes(m, "after"), Bytes(m, "heap"), Bytes(m, "live"));
        Assert.True(before > 0 && live > 0, line);
        Assert.True(live <= heap && heap <= after, $"live <= heap <= committed does not hold: {line}");
    }

    [Fact]
    public async Task By_default_the_heap_is_compacted_every_half_hour_starting_now()
    {
        var trigger = Assert.IsAssignableFrom<ISimpleTrigger>(Assert.Single(await TriggersAsync([])));
        Assert.Equal(TimeSpan.FromMinutes(30), trigger.RepeatInterval);
        Assert.Equal(SimpleTriggerImpl.RepeatIndefinitely, trigger.RepeatCount);
    }

    [Fact]
    public async Task A_configured_interval_is_kept_and_zero_schedules_no_compaction()
    {
        var every = Assert.IsAssignableFrom<ISimpleTrigger>(Assert.Single(await TriggersAsync(new() { ["Scheduling:HeapCompactionMinutes"] = "90" })));
        Assert.Equal(TimeSpan.FromMinutes(90), every.RepeatInterval);
        Assert.Empty(await TriggersAsync(new() { ["Scheduling:HeapCompactionMinutes"] = "0" }));
    }

    [Theory]
    [InlineData(0, null)]
    [InlineData(5, null)]
    [InlineData(1440, null)]
    [InlineData(4, "Scheduling:HeapCompactionMinutes must be between 5 and 1440, not 4")]
    [InlineData(-30, "Scheduling:HeapCompactionMinutes must be between 5 and 1440, not -30")]
    [InlineData(1441, "Scheduling:HeapCompactionMinutes must be between 5 and 1440, not 1441")]
    public void The_interval_is_zero_or_five_minutes_to_a_day(int minutes, string? error)
    {
        var result = new JobScheduleOptionsValidator().Validate(null, new JobScheduleOptions { HeapCompactionMinutes = minutes });
        if (error is null)
        {
            Assert.True(result.Succeeded, result.FailureMessage);
        }
        else
        {
            Assert.Equal([error], result.Failures);
        }
    }

    private static async Task<IReadOnlyCollection<ITrigger>> TriggersAsync(Dictionary<string, string?> settings)
    {
        var config = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddScheduling(config);
        await using var provider = services.BuildServiceProvider();
        var scheduler = await provider.GetRequiredService<ISchedulerFactory>().GetScheduler();
        try
        {
            Assert.NotEmpty(await scheduler.GetTriggersOfJob(RetentionJob.Key)); // the other jobs are scheduled either way
            return await scheduler.GetTriggersOfJob(HeapCompactionJob.Key);
        }
        finally
        {
            await scheduler.Shutdown();
        }
    }

    private static long Bytes(Match m, string group) => long.Parse(m.Groups[group].Value, CultureInfo.InvariantCulture);

    [GeneratedRegex(@"^Debug HeapCompactionJob: Heap compacted in \S+: the collector's committed memory (?<before>\d+) -> (?<after>\d+) bytes, heap (?<heap>\d+) bytes of which (?<live>\d+) live$")]
    private static partial Regex Compacted();
}
