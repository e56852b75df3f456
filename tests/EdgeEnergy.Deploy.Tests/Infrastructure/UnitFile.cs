namespace EdgeEnergy.Deploy.Tests.Infrastructure;

/// <summary>A systemd unit file read as systemd does: sections of ordered Key=Value lines, # and ; comments.</summary>
public sealed class UnitFile
{
    private readonly List<(string Section, string Key, string Value)> _entries = [];

    public UnitFile(string text)
    {
        var section = string.Empty;
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.Trim();
            if (line.Length == 0 || line[0] is '#' or ';')
            {
                continue;
            }

            if (line[0] == '[' && line[^1] == ']')
            {
                section = line[1..^1];
                continue;
            }

            var equals = line.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0)
            {
                throw new FormatException($"not Key=Value: '{line}'");
            }

            _entries.Add((section, line[..equals].Trim(), line[(equals + 1)..].Trim()));
        }
    }

    /// <summary>Every value given to a key, in order (some keys, like DeviceAllow, may repeat).</summary>
    public IReadOnlyList<string> All(string section, string key) =>
        _entries.Where(e => e.Section == section && e.Key == key).Select(e => e.Value).ToList();

    /// <summary>The effective value: the last assignment, as systemd takes it for single-valued keys.</summary>
    public string? Get(string section, string key)
    {
        var values = All(section, key);
        return values.Count == 0 ? null : values[^1];
    }
}
