namespace EdgeEnergy.Domain.UserOverrides;

/// <summary>
/// The hard limits every command is checked against, as values (from the battery and site configuration).
/// Powers in W (positive), SoC in %, durations in minutes.
/// </summary>
public sealed record OverrideLimits
{
    // Settable, not init-only: the configuration binder's generated code binds Overrides:* into an instance that
    // starts from the site's limits, and it cannot set init-only properties of an existing object.
    public double MaxChargePowerW { get; set; } = 3000;
    public double MaxDischargePowerW { get; set; } = 3000;
    /// <summary>The lowest reserve a user may set (the battery's own minimum SoC on grid).</summary>
    public double MinReserveSocPercent { get; set; } = 10;
    public double MaxReserveSocPercent { get; set; } = 100;
    public int MinDurationMinutes { get; set; } = 1;
    /// <summary>The longest override a user may ask for; an override never lasts longer than this.</summary>
    public int MaxDurationMinutes { get; set; } = 24 * 60;
    public int DefaultDurationMinutes { get; set; } = 60;

    /// <summary>Problems with the limits themselves (empty when they are consistent).</summary>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        if (!(MaxChargePowerW > 0))
        {
            problems.Add($"MaxChargePowerW must be > 0 W, got {MaxChargePowerW}");
        }

        if (!(MaxDischargePowerW > 0))
        {
            problems.Add($"MaxDischargePowerW must be > 0 W, got {MaxDischargePowerW}");
        }

        if (!(MinReserveSocPercent >= 0 && MinReserveSocPercent < MaxReserveSocPercent && MaxReserveSocPercent <= 100))
        {
            problems.Add($"reserve SoC limits must satisfy 0 <= min < max <= 100, got {MinReserveSocPercent}..{MaxReserveSocPercent}");
        }

        if (!(MinDurationMinutes >= 1 && MinDurationMinutes < MaxDurationMinutes))
        {
            problems.Add($"duration limits must satisfy 1 <= min < max, got {MinDurationMinutes}..{MaxDurationMinutes} min");
        }

        if (DefaultDurationMinutes < MinDurationMinutes || DefaultDurationMinutes > MaxDurationMinutes)
        {
            problems.Add($"DefaultDurationMinutes {DefaultDurationMinutes} is outside {MinDurationMinutes}..{MaxDurationMinutes}");
        }

        return problems;
    }
}
