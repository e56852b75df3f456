using EdgeEnergy.Domain.Prices;

namespace EdgeEnergy.Host.Demo;

/// <summary>
/// The demo's standing charges (it has no Octopus account): an illustrative import charge of
/// <see cref="ImportPencePerDay"/> pence per day, open-ended, as tools/build_octopus_prices.py uses; no export charge.
/// </summary>
internal sealed class ReplayStandingCharges : IStandingChargeSource
{
    public const double ImportPencePerDay = 46.0;

    public Task<StandingCharges> FetchStandingChargesAsync(RateKind kind, TimeRange range, CancellationToken cancellationToken) =>
        Task.FromResult(kind == RateKind.Import
            ? new StandingCharges("demo import tariff", true, [new TariffRow(range.FromUtc.AddYears(-1), null, ImportPencePerDay)])
            : StandingCharges.None("demo export tariff"));
}
