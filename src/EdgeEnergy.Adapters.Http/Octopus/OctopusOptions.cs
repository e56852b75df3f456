using System.Text.RegularExpressions;
using EdgeEnergy.Domain.History;
using EdgeEnergy.Domain.Prices;
using Microsoft.Extensions.Options;

namespace EdgeEnergy.Adapters.Http.Octopus;

/// <summary>The <c>Octopus</c> configuration section: public tariff data (no key needed) and, with the account's key,
/// the billed half-hourly consumption of the import and export meters.</summary>
public sealed partial class OctopusOptions
{
    public const string SectionName = "Octopus";

    /// <summary>The GSP region letters (A–P without I and O).</summary>
    public const string Regions = "ABCDEFGHJKLMNP";

    /// <summary><c>Octopus:BaseUrl</c>: the API root (the <c>v1/</c> path is added).</summary>
    public string BaseUrl { get; set; } = "https://api.octopus.energy/";

    /// <summary><c>Octopus:ImportProduct</c>: any Octopus import product code (Agile, Go, Flux, Cosy, Tracker, fixed…).</summary>
    public string ImportProduct { get; set; } = "AGILE-24-10-01";

    /// <summary><c>Octopus:ExportProduct</c>: any Octopus export product code (Agile Outgoing, Outgoing Fixed…); empty for no export tariff.</summary>
    public string ExportProduct { get; set; } = "AGILE-OUTGOING-19-05-13";

    /// <summary><c>Octopus:Region</c>: the GSP region letter (A–P without I and O; C = London, J = South Eastern).</summary>
    public string Region { get; set; } = "C";

    /// <summary>
    /// <c>Octopus:NightHoursUtc</c>: for two-register (day/night) products whose rows do not say the hours, the night
    /// register's hours as <c>HH:mm-HH:mm</c> UTC (Economy 7 meters mostly keep GMT all year).
    /// </summary>
    public string NightHoursUtc { get; set; } = "00:30-07:30";

    internal DailyWindow NightHours => DailyWindow.TryParse(NightHoursUtc, out var window) ? window : throw new InvalidOperationException($"Octopus:NightHoursUtc '{NightHoursUtc}' is not HH:mm-HH:mm");

    /// <summary><c>Octopus:PageSize</c>: results per page (Octopus allows up to 1500).</summary>
    public int PageSize { get; set; } = 1500;

    /// <summary><c>Octopus:MaxPages</c>: a bound on pages followed in one fetch.</summary>
    public int MaxPages { get; set; } = 50;

    /// <summary><c>Octopus:BackfillDays</c>: how far back the gap detector looks for missing stored slots.</summary>
    public int BackfillDays { get; set; } = 7;

    /// <summary><c>Octopus:PollMinutes</c>: the normal interval between fetches.</summary>
    public int PollMinutes { get; set; } = 30;

    /// <summary><c>Octopus:AfternoonPollMinutes</c>: the interval from 16:00 UK until tomorrow's prices are in.</summary>
    public int AfternoonPollMinutes { get; set; } = 5;

    /// <summary><c>Octopus:RetryAttempts</c>: attempts per request on network errors, 5xx and 429.</summary>
    public int RetryAttempts { get; set; } = 4;

    /// <summary><c>Octopus:RetryBaseDelay</c>: the first back-off, doubled each retry.</summary>
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary><c>Octopus:RetryMaxDelay</c>: the longest back-off or Retry-After we wait.</summary>
    public TimeSpan RetryMaxDelay { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary><c>Octopus:Timeout</c>: per request.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary><c>Octopus:MinPence</c> / <c>Octopus:MaxPence</c>: prices outside are rejected as absurd.</summary>
    public double MinPence { get; set; } = -150;

    public double MaxPence { get; set; } = 500;

    /// <summary><c>Octopus:ApiKey</c>: the account's API key (secret), sent as the HTTP Basic user to the consumption endpoint only.</summary>
    public string? ApiKey { get; set; }

    /// <summary><c>Octopus:ImportMpan</c>: the import meter point's 13-digit MPAN (with <c>ImportSerial</c>; empty: no billed consumption).</summary>
    public string? ImportMpan { get; set; }

    /// <summary><c>Octopus:ImportSerial</c>: the import meter's serial number, as on the bill.</summary>
    public string? ImportSerial { get; set; }

    /// <summary><c>Octopus:ExportMpan</c>: the export meter point's 13-digit MPAN (with <c>ExportSerial</c>; optional).</summary>
    public string? ExportMpan { get; set; }

    /// <summary><c>Octopus:ExportSerial</c>: the export meter's serial number (often the import meter's own).</summary>
    public string? ExportSerial { get; set; }

    /// <summary><c>Octopus:AccountNumber</c>: the account (e.g. <c>A-1234ABCD</c>) whose current tariffs, meters and Intelligent Octopus Go dispatches are read with <c>Octopus:ApiKey</c>; empty: no account calls.</summary>
    public string? AccountNumber { get; set; }

    /// <summary><c>Octopus:AccountPollHours</c>: how often the account (tariffs, meters) is read.</summary>
    public double AccountPollHours { get; set; } = 6;

    /// <summary><c>Octopus:DispatchPollMinutes</c>: how often Intelligent Octopus Go dispatches are read while no car is plugged in (or no evcc).</summary>
    public int DispatchPollMinutes { get; set; } = 30;

    /// <summary><c>Octopus:DispatchPluggedInPollMinutes</c>: how often dispatches are read while evcc says a car is plugged in.</summary>
    public int DispatchPluggedInPollMinutes { get; set; } = 5;

    /// <summary><c>Octopus:DispatchDeviceId</c>: the smart-charge device whose dispatches are read; empty: the account's first device, found with the <c>devices</c> query.</summary>
    public string? DispatchDeviceId { get; set; }

    /// <summary>
    /// <c>Octopus:SmartChargeCapHours</c>: the daily cap on cheap smart-charge time (<c>IOG-SMB</c>-style accounts: 6);
    /// 0: no cap. Time dispatched beyond it in a UK day stays at the peak rate.
    /// </summary>
    public double SmartChargeCapHours { get; set; }

    /// <summary><c>Octopus:CallsPerHour</c>: the most Octopus API calls made in any 60 minutes, across prices, consumption, account and dispatches.</summary>
    public int CallsPerHour { get; set; } = 100;

    /// <summary>True with both <c>Octopus:ApiKey</c> and <c>Octopus:AccountNumber</c> set.</summary>
    public bool AccountConfigured => !string.IsNullOrWhiteSpace(ApiKey) && !string.IsNullOrWhiteSpace(AccountNumber);

    /// <summary>The configured meter of <paramref name="direction"/> (MPAN, serial, and the keys they came from), or null.</summary>
    public OctopusMeter? Meter(MeterDirection direction)
    {
        var (mpan, serial, name) = direction == MeterDirection.Import ? (ImportMpan, ImportSerial, "Import") : (ExportMpan, ExportSerial, "Export");
        return string.IsNullOrWhiteSpace(mpan) || string.IsNullOrWhiteSpace(serial)
            ? null
            : new OctopusMeter(direction, mpan.Trim(), serial.Trim().ToUpperInvariant(), $"Octopus:{name}Mpan", $"Octopus:{name}Serial");
    }

    public string ImportTariff => TariffCode(ImportProduct);

    /// <summary>When each kind's prices are known (<see cref="TariffKnowledge.ForProduct"/> on the configured product).</summary>
    public TariffKnowledge Knowledge(RateKind kind) => TariffKnowledge.ForProduct(kind == RateKind.Import ? ImportProduct : ExportProduct);

    public string? ExportTariff => string.IsNullOrWhiteSpace(ExportProduct) ? null : TariffCode(ExportProduct);

    /// <summary>Electricity, single register: <c>E-1R-{product}-{region}</c>.</summary>
    public string TariffCode(string product) => $"E-1R-{product.Trim().ToUpperInvariant()}-{Region.Trim().ToUpperInvariant()}";

    /// <summary>An Octopus product code: upper-case letters and digits in dash-separated groups.</summary>
    [GeneratedRegex("^[A-Z0-9]+(-[A-Z0-9]+)*$")]
    public static partial Regex ProductPattern();

    /// <summary>An Octopus account number: <c>A-</c> and eight letters or digits.</summary>
    [GeneratedRegex("^A-[A-Z0-9]{8}$")]
    public static partial Regex AccountPattern();

    /// <summary>An MPAN's core: 13 digits.</summary>
    [GeneratedRegex("^[0-9]{13}$")]
    public static partial Regex MpanPattern();

    /// <summary>A meter serial: letters and digits (e.g. 21L3456789, Z16N123456).</summary>
    [GeneratedRegex("^[A-Za-z0-9]{4,20}$")]
    public static partial Regex SerialPattern();

    /// <summary><c>Octopus:SavingSessions</c>: Saving Sessions (docs/tariffs.md); <c>AutoJoinMinPencePerKwh</c> absent = never join automatically.</summary>
    public EdgeEnergy.Domain.SavingSessions.SavingSessionOptions SavingSessions { get; set; } = new();
}

/// <summary>One configured Octopus meter: its MPAN and serial and the configuration keys they came from (for messages).</summary>
public sealed record OctopusMeter(MeterDirection Direction, string Mpan, string Serial, string MpanKey, string SerialKey)
{
    public override string ToString() => $"{MpanKey} '{Mpan}' with {SerialKey} '{Serial}'";
}

/// <summary>Checks <see cref="OctopusOptions"/>; every message names the configuration key.</summary>
public sealed class OctopusOptionsValidator : IValidateOptions<OctopusOptions>
{
    public ValidateOptionsResult Validate(string? name, OctopusOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<string>();
        HttpOptionsChecks.BaseUrl(errors, "Octopus:BaseUrl", options.BaseUrl);
        if (string.IsNullOrWhiteSpace(options.ImportProduct) || !OctopusOptions.ProductPattern().IsMatch(options.ImportProduct.Trim().ToUpperInvariant()))
        {
            errors.Add($"Octopus:ImportProduct '{options.ImportProduct}' is not a product code like AGILE-24-10-01");
        }

        if (!string.IsNullOrWhiteSpace(options.ExportProduct) && !OctopusOptions.ProductPattern().IsMatch(options.ExportProduct.Trim().ToUpperInvariant()))
        {
            errors.Add($"Octopus:ExportProduct '{options.ExportProduct}' is not a product code like AGILE-OUTGOING-19-05-13");
        }

        var region = options.Region?.Trim().ToUpperInvariant() ?? string.Empty;
        if (region.Length != 1 || !OctopusOptions.Regions.Contains(region[0], StringComparison.Ordinal))
        {
            errors.Add($"Octopus:Region '{options.Region}' must be one GSP region letter of {OctopusOptions.Regions}");
        }

        if (!DailyWindow.TryParse(options.NightHoursUtc, out _))
        {
            errors.Add($"Octopus:NightHoursUtc '{options.NightHoursUtc}' is not a window like 00:30-07:30 (HH:mm-HH:mm, UTC)");
        }

        Meters(errors, options);
        HttpOptionsChecks.Range(errors, "Octopus:PageSize", options.PageSize, 1, 1500);
        HttpOptionsChecks.Range(errors, "Octopus:MaxPages", options.MaxPages, 1, 10_000);
        HttpOptionsChecks.Range(errors, "Octopus:BackfillDays", options.BackfillDays, 0, 3650);
        HttpOptionsChecks.Range(errors, "Octopus:PollMinutes", options.PollMinutes, 1, 24 * 60);
        HttpOptionsChecks.Range(errors, "Octopus:AfternoonPollMinutes", options.AfternoonPollMinutes, 1, 24 * 60);
        Account(errors, options);
        HttpOptionsChecks.Retry(errors, "Octopus", options.RetryAttempts, options.RetryBaseDelay, options.RetryMaxDelay, options.Timeout);
        if (options.SavingSessions?.Problem() is { } sessions)
        {
            errors.Add(sessions);
        }

        if (!(options.MinPence < options.MaxPence))
        {
            errors.Add($"Octopus:MinPence ({options.MinPence}) must be below Octopus:MaxPence ({options.MaxPence})");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    /// <summary>The account number's shape and the key it needs; the account's and dispatches' poll intervals; the call budget.</summary>
    private static void Account(List<string> errors, OctopusOptions options)
    {
        if (!string.IsNullOrWhiteSpace(options.AccountNumber))
        {
            if (!OctopusOptions.AccountPattern().IsMatch(options.AccountNumber.Trim().ToUpperInvariant()))
            {
                errors.Add($"Octopus:AccountNumber '{options.AccountNumber}' is not an account number like A-1234ABCD (Octopus dashboard, top of the page)");
            }

            if (string.IsNullOrWhiteSpace(options.ApiKey))
            {
                errors.Add("Octopus:ApiKey is required with Octopus:AccountNumber (the account endpoint needs the account's key)");
            }
        }

        if (!(options.AccountPollHours >= 1 && options.AccountPollHours <= 7 * 24))
        {
            errors.Add($"Octopus:AccountPollHours ({options.AccountPollHours}) must be 1 to 168 hours");
        }

        HttpOptionsChecks.Range(errors, "Octopus:DispatchPollMinutes", options.DispatchPollMinutes, 1, 24 * 60);
        HttpOptionsChecks.Range(errors, "Octopus:DispatchPluggedInPollMinutes", options.DispatchPluggedInPollMinutes, 1, 24 * 60);
        HttpOptionsChecks.Range(errors, "Octopus:CallsPerHour", options.CallsPerHour, 5, 10_000);
        if (!(options.SmartChargeCapHours >= 0 && options.SmartChargeCapHours <= 24) || options.SmartChargeCapHours * 2 % 1 != 0)
        {
            errors.Add($"Octopus:SmartChargeCapHours ({options.SmartChargeCapHours}) must be 0 (no cap) to 24 hours in half hours, e.g. 6");
        }
    }

    /// <summary>Each meter whole (MPAN and serial together, well formed), export only beside import, and the key they need.</summary>
    private static void Meters(List<string> errors, OctopusOptions options)
    {
        var configured = new List<string>();
        foreach (var (name, mpan, serial) in new[] { ("Import", options.ImportMpan, options.ImportSerial), ("Export", options.ExportMpan, options.ExportSerial) })
        {
            var (hasMpan, hasSerial) = (!string.IsNullOrWhiteSpace(mpan), !string.IsNullOrWhiteSpace(serial));
            if (hasMpan && !OctopusOptions.MpanPattern().IsMatch(mpan!.Trim()))
            {
                errors.Add($"Octopus:{name}Mpan '{mpan}' must be the meter point's 13 digits (MPAN, on the bill as the bottom line of the S box)");
            }

            if (hasSerial && !OctopusOptions.SerialPattern().IsMatch(serial!.Trim()))
            {
                errors.Add($"Octopus:{name}Serial '{serial}' must be the meter's serial number: 4 to 20 letters and digits, as on the bill");
            }

            if (hasMpan != hasSerial)
            {
                errors.Add(hasMpan
                    ? $"Octopus:{name}Serial is required with Octopus:{name}Mpan (the consumption endpoint needs both)"
                    : $"Octopus:{name}Mpan is required with Octopus:{name}Serial (the consumption endpoint needs both)");
            }

            if (hasMpan || hasSerial)
            {
                configured.Add($"Octopus:{name}Mpan");
            }
        }

        if (configured.Contains("Octopus:ExportMpan") && !configured.Contains("Octopus:ImportMpan"))
        {
            errors.Add("Octopus:ImportMpan is required with Octopus:ExportMpan (the export meter is compared beside the import meter)");
        }

        if (configured.Count > 0 && string.IsNullOrWhiteSpace(options.ApiKey))
        {
            errors.Add($"Octopus:ApiKey is required with {configured[0]} (the consumption endpoint needs the account's key)");
        }

        if (!string.IsNullOrWhiteSpace(options.ImportMpan) && string.Equals(options.ImportMpan.Trim(), options.ExportMpan?.Trim(), StringComparison.Ordinal))
        {
            errors.Add($"Octopus:ExportMpan '{options.ExportMpan}' is Octopus:ImportMpan's: an export meter point has its own MPAN");
        }
    }
}
