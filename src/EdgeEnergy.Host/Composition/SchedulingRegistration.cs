using System.Diagnostics.CodeAnalysis;
using EdgeEnergy.Domain.Planning;
using EdgeEnergy.Domain.Prices;
using EdgeEnergy.Host.Scheduling;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Quartz;

namespace EdgeEnergy.Host.Composition;

/// <summary>
/// Quartz jobs: price fetch, Solcast fetch, planning, retention, the load model's training, the heap's compaction, the forecasts' skill
/// (<see cref="ForecastSkillJob"/>; <c>Scheduling</c> section) and the daily bills (<see cref="DailyBillsJob"/>: 00:10 UK time, and 5 minutes after start). Quartz runs
/// on the system clock, not the container's <see cref="TimeProvider"/> (no <c>UseTimeProvider</c>; the soak, docs/soak.md,
/// runs the job bodies on its fake clock itself). Every job is <see cref="DisallowConcurrentExecutionAttribute"/>; missed
/// fires (process asleep, clock jump ahead) collapse into one run now, and the interval continues from there; after a
/// step of the clock back the interval triggers are moved back by the step (<see cref="QuartzClockStepAdjuster"/>). Needs AddHistory,
/// AddPriceSources and AddSolcast; the planning job calls the <see cref="IPlanningCycle"/> registered by the control side.
/// </summary>
public static class SchedulingRegistration
{
    public static IServiceCollection AddScheduling(this IServiceCollection services, IConfiguration configuration)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.AddOptionsWithValidateOnStart<JobScheduleOptions>()
            .Bind(configuration.GetSection(JobScheduleOptions.SectionName));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<JobScheduleOptions>, JobScheduleOptionsValidator>());
        var o = new JobScheduleOptions();
        configuration.GetSection(JobScheduleOptions.SectionName).Bind(o);
        services.AddQuartz(q =>
        {
            Every<PriceFetchJob>(q, PriceFetchJob.Key, TimeSpan.FromMinutes(o.PriceCheckMinutes));
            Every<SolcastFetchJob>(q, SolcastFetchJob.Key, TimeSpan.FromMinutes(o.ForecastCheckMinutes));
            Every<PlanningJob>(q, PlanningJob.Key, TimeSpan.FromMinutes(o.PlanningMinutes));
            Every<RetentionJob>(q, RetentionJob.Key, TimeSpan.FromHours(o.RetentionHours));
            Every<LoadModelJob>(q, LoadModelJob.Key, TimeSpan.FromHours(o.LoadModelHours));
            if (o.HeapCompactionMinutes > 0)
            {
                Every<HeapCompactionJob>(q, HeapCompactionJob.Key, TimeSpan.FromMinutes(o.HeapCompactionMinutes));
            }

            // The daily bills: after each UK midnight, and once after a start so the sensors are not unknown for a day
            // (Quartz runs on the system clock here, as for every job above).
            q.AddJob<DailyBillsJob>(j => j.WithIdentity(DailyBillsJob.Key).StoreDurably().DisallowConcurrentExecution());
            q.AddTrigger(t => t.ForJob(DailyBillsJob.Key).WithIdentity("daily-bills-daily")
                .WithCronSchedule($"0 {DailyBillsJob.AfterMidnight.Minutes} {DailyBillsJob.AfterMidnight.Hours} * * ?", c => c.InTimeZone(UkTime.Zone).WithMisfireInstruction(CronTriggerMisfireInstruction.FireAndProceed)));
            q.AddTrigger(t => t.ForJob(DailyBillsJob.Key).WithIdentity("daily-bills-after-start").StartAt(TimeProvider.System.GetUtcNow() + DailyBillsJob.AfterStart));
            // The forecasts' skill: a few minutes after start (not beside the first planning cycle), then every interval.
            q.AddJob<ForecastSkillJob>(j => j.WithIdentity(ForecastSkillJob.Key).StoreDurably().DisallowConcurrentExecution());
            q.AddTrigger(t => t.ForJob(ForecastSkillJob.Key).WithIdentity("forecast-skill-every").StartAt(TimeProvider.System.GetUtcNow() + ForecastSkillJob.AfterStart)
                .WithSimpleSchedule(s => s.WithInterval(TimeSpan.FromMinutes(o.ForecastSkillMinutes)).RepeatForever()
                    .WithMisfireInstruction(SimpleTriggerMisfireInstruction.NowWithExistingCount)));
        });
        services.AddQuartzHostedService(h => h.WaitForJobsToComplete = true);
        services.TryAddSingleton<ReplanGate>();
        services.TryAddSingleton<IReplanRequester, QuartzReplanRequester>();
        services.TryAddSingleton<IClockStepListener, QuartzClockStepAdjuster>();
        return services;
    }

    // Quartz makes each job with its public constructor, found by reflection: the annotation keeps it in the AOT binary.
    private static void Every<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors | DynamicallyAccessedMemberTypes.PublicProperties | DynamicallyAccessedMemberTypes.Interfaces)] TJob>(
        IQuartzBuilder q, JobKey key, TimeSpan interval)
        where TJob : IJob
    {
        q.AddJob<TJob>(j => j.WithIdentity(key).StoreDurably().DisallowConcurrentExecution());
        q.AddTrigger(t => t.ForJob(key).WithIdentity($"{key.Name}-every").StartNow()
            .WithSimpleSchedule(s => s.WithInterval(interval).RepeatForever()
                .WithMisfireInstruction(SimpleTriggerMisfireInstruction.NowWithExistingCount)));
    }
}
