namespace EdgeEnergy.Adapters.Mqtt.Fleet;

/// <summary>
/// One home's fleet topics, <c>&lt;base&gt;/fleet/&lt;siteId&gt;/...</c> (docs/contracts.md section 9): what is
/// published there, retained or not, and what is subscribed.
/// </summary>
public sealed class FleetTopics(string baseTopic, string siteId)
{
    private readonly string _root = $"{baseTopic.TrimEnd('/')}/fleet/{siteId}";

    public string SiteId { get; } = siteId;

    /// <summary>5-minute means with a sequence number (JSON, QoS 1, not retained).</summary>
    public string State => $"{_root}/state";

    /// <summary>The plan in force, summarised (JSON, QoS 1, retained: the desired state).</summary>
    public string Plan => $"{_root}/plan";

    /// <summary><c>online</c>/<c>offline</c>, retained; <c>offline</c> is the last will.</summary>
    public string Availability => $"{_root}/availability";

    /// <summary>Each fleet command's outcome (JSON, QoS 1, not retained).</summary>
    public string Result => $"{_root}/result";

    public string CommandFilter => $"{_root}/cmd/+";

    public string CommandPrefix => $"{_root}/cmd/";

    public string Command(string key) => $"{_root}/cmd/{key}";

    /// <summary>Site ids are one topic level: 1–64 of <c>A-Z a-z 0-9 . _ -</c> (no <c>/ + #</c>).</summary>
    public static bool IsValidSiteId(string? siteId) =>
        !string.IsNullOrEmpty(siteId) && siteId.Length <= 64 && siteId.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-');
}
