using EdgeEnergy.Domain.History;
using EdgeEnergy.Domain.Prices;

namespace EdgeEnergy.Adapters.Http.Octopus;

/// <summary>Which tariff a kind is priced on and why: <c>configured</c> (set explicitly), <c>account</c> (discovered) or <c>default</c> (the built-in default, no account read yet).</summary>
public sealed record EffectiveTariff(RateKind Kind, string? Product, string Region, string Source)
{
    public string? Code => Product is null ? null : $"E-1R-{Product}-{Region}";

    public override string ToString() => Product is null ? $"{Kind.ToString().ToLowerInvariant()}: none ({Source})" : $"{Kind.ToString().ToLowerInvariant()}: {Product} region {Region} ({Source})";
}

/// <summary>
/// The last account read (singleton, shared by the price and consumption sources). Precedence of a kind's product:
/// <c>Octopus:ImportProduct</c>/<c>ExportProduct</c> set explicitly in configuration win; else the product (and its
/// region) of the account's agreement valid now; else the configured default. The meters: <c>Octopus:ImportMpan</c>/
/// <c>ImportSerial</c> (and export) when set, else the account's.
/// </summary>
public sealed class OctopusAccountState(bool importProductExplicit = false, bool exportProductExplicit = false)
{
    private volatile OctopusAccount? _account;

    public bool ImportProductExplicit { get; } = importProductExplicit;

    public bool ExportProductExplicit { get; } = exportProductExplicit;

    /// <summary>The last account read successfully; null before one.</summary>
    public OctopusAccount? Account
    {
        get => _account;
        set => _account = value;
    }

    public EffectiveTariff Effective(RateKind kind, OctopusOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var configured = (kind == RateKind.Import ? options.ImportProduct : options.ExportProduct)?.Trim().ToUpperInvariant();
        var region = options.Region.Trim().ToUpperInvariant();
        var isExplicit = kind == RateKind.Import ? ImportProductExplicit : ExportProductExplicit;
        if (isExplicit)
        {
            return new EffectiveTariff(kind, string.IsNullOrEmpty(configured) ? null : configured, region, "configured");
        }

        var point = kind == RateKind.Import ? _account?.Import : _account?.Export;
        if (point?.CurrentTariff is { } discovered)
        {
            return new EffectiveTariff(kind, discovered.Product, discovered.Region, "account");
        }

        return new EffectiveTariff(kind, string.IsNullOrEmpty(configured) ? null : configured, region, "default");
    }

    /// <summary>The meter of <paramref name="direction"/>: configured, else the account's; null when neither.</summary>
    public OctopusMeter? Meter(MeterDirection direction, OctopusOptions options) => options?.Meter(direction) ?? _account?.Meter(direction);
}
