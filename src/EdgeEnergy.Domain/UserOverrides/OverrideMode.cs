namespace EdgeEnergy.Domain.UserOverrides;

/// <summary>What a user override asks the inverter to do instead of the plan.</summary>
public enum OverrideMode
{
    /// <summary>No override: the plan decides.</summary>
    Auto,
    /// <summary>Charge the battery (from the grid if need be) at the override power or the battery's maximum.</summary>
    ForceCharge,
    /// <summary>Discharge the battery (exporting any surplus) at the override power or the battery's maximum.</summary>
    ForceDischarge,
    /// <summary>Keep the battery idle: neither charge nor discharge.</summary>
    Hold,
    /// <summary>The inverter's own self-use: the battery covers the deficit and absorbs the surplus.</summary>
    SelfUse,
}

/// <summary>The wire names of <see cref="OverrideMode"/> (MQTT select options, REST API, SQLite).</summary>
public static class OverrideModeNames
{
    private static readonly (OverrideMode Mode, string Name)[] s_names =
    [
        (OverrideMode.Auto, "auto"),
        (OverrideMode.ForceCharge, "force-charge"),
        (OverrideMode.ForceDischarge, "force-discharge"),
        (OverrideMode.Hold, "hold"),
        (OverrideMode.SelfUse, "self-use"),
    ];

    /// <summary>Every wire name, in display order.</summary>
    public static IReadOnlyList<string> All { get; } = s_names.Select(n => n.Name).ToArray();

    public static string ToWire(this OverrideMode mode) => s_names.First(n => n.Mode == mode).Name;

    /// <summary>Parses a wire name exactly (lower case, hyphenated); false for anything else.</summary>
    public static bool TryParse(string? text, out OverrideMode mode)
    {
        foreach (var (m, name) in s_names)
        {
            if (string.Equals(name, text, StringComparison.Ordinal))
            {
                mode = m;
                return true;
            }
        }

        mode = OverrideMode.Auto;
        return false;
    }
}
