using Microsoft.Extensions.Options;

namespace EdgeEnergy.Host.Scheduling;

/// <summary>The <c>Scheduling</c> section: how often each job wakes up (each job then decides if work is due).</summary>
public sealed class JobScheduleOptions
{
    public const string SectionName = "Scheduling";

    /// <summary><c>Scheduling:PlanningMinutes</c>: the regular planning cycle.</summary>
    public int PlanningMinutes { get; set; } = 5;

    /// <summary><c>Scheduling:PriceCheckMinutes</c>: how often the price job checks its poll schedule.</summary>
    public int PriceCheckMinutes { get; set; } = 5;

    /// <summary><c>Scheduling:ForecastCheckMinutes</c>: how often the Solcast job checks its refresh times and budget.</summary>
    public int ForecastCheckMinutes { get; set; } = 10;

    /// <summary><c>Scheduling:RetentionHours</c>: how often retention runs.</summary>
    public int RetentionHours { get; set; } = 6;

    /// <summary><c>Scheduling:LoadModelHours</c>: how often the load model is retrained (with <c>Control:LoadForecast</c> = learned).</summary>
    public int LoadModelHours { get; set; } = 24;

    /// <summary>
    /// <c>Scheduling:HeapCompactionMinutes</c>: how often the garbage collector is asked for a full compacting collection
    /// that gives its free memory back (<see cref="HeapCompactionJob"/>); 0 never.
    /// </summary>
    public int HeapCompactionMinutes { get; set; } = 30;

    /// <summary><c>Scheduling:ForecastSkillMinutes</c>: how often the forecasts planned on are scored against what was measured.</summary>
    public int ForecastSkillMinutes { get; set; } = 60;

    /// <summary><c>Scheduling:ForecastSkillDays</c>: the days scored, up to now (plans older than
    /// <c>Storage:PlanRetentionDays</c> are gone, so a longer window has no more to score).</summary>
    public int ForecastSkillDays { get; set; } = 14;
}

public sealed class JobScheduleOptionsValidator : IValidateOptions<JobScheduleOptions>
{
    public ValidateOptionsResult Validate(string? name, JobScheduleOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<string>();
        Check(errors, "Scheduling:PlanningMinutes", options.PlanningMinutes, 1, 60);
        Check(errors, "Scheduling:PriceCheckMinutes", options.PriceCheckMinutes, 1, 60);
        Check(errors, "Scheduling:ForecastCheckMinutes", options.ForecastCheckMinutes, 1, 240);
        Check(errors, "Scheduling:RetentionHours", options.RetentionHours, 1, 168);
        Check(errors, "Scheduling:LoadModelHours", options.LoadModelHours, 1, 168);
        Check(errors, "Scheduling:ForecastSkillMinutes", options.ForecastSkillMinutes, 5, 1440);
        if (options.HeapCompactionMinutes != 0)
        {
            Check(errors, "Scheduling:HeapCompactionMinutes", options.HeapCompactionMinutes, 5, 1440);
        }
        // 90: the default plan retention; beyond it there are no plans, and a longer read only costs the Pi.
        Check(errors, "Scheduling:ForecastSkillDays", options.ForecastSkillDays, 1, 90);
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    private static void Check(List<string> errors, string key, int value, int min, int max)
    {
        if (value < min || value > max)
        {
            errors.Add($"{key} must be between {min} and {max}, not {value}");
        }
    }
}
