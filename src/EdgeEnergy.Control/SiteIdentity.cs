namespace EdgeEnergy.Control;

/// <summary>
/// The home's name in fleet topics and metrics (<c>Site:Id</c>, docs/contracts.md section 9): as configured, else the
/// machine id (<c>/etc/machine-id</c>, stable across reboots and unique per install), else the host name.
/// </summary>
public static class SiteIdentity
{
    public static string Of(SiteOptions site, string machineIdPath = "/etc/machine-id")
    {
        ArgumentNullException.ThrowIfNull(site);
        if (!string.IsNullOrWhiteSpace(site.Id))
        {
            return site.Id;
        }

        try
        {
            var id = File.Exists(machineIdPath) ? File.ReadAllText(machineIdPath).Trim() : string.Empty;
            if (id.Length > 0)
            {
                return id;
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // an unreadable machine id: the host name below
        }

        return Environment.MachineName;
    }
}
