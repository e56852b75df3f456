using System.Globalization;
using EdgeEnergy.Domain.Status;
using EdgeEnergy.Host.Data;

namespace EdgeEnergy.Host.Web;

/// <summary>
/// <c>POST /api/v1/prices/update</c> over the price store's updater: fetches every missing Agile slot now (the same
/// work as the scheduled job, which also asks for a replan when anything changed) and reports it in one sentence.
/// </summary>
internal sealed class PriceUpdaterRefreshTrigger(PriceUpdater updater) : IPriceRefreshTrigger
{
    public async Task<PriceRefreshResult> RefreshAsync(CancellationToken cancellationToken)
    {
        var result = await updater.UpdateAsync(cancellationToken);
        var parts = result.Kinds.Select(k => string.Create(CultureInfo.InvariantCulture,
            $"{k.Kind.ToString().ToLowerInvariant()}: {k.Saved} saved, {k.Rejected} rejected, {k.StillMissing.Count} range(s) still missing{(k.Errors.Count > 0 ? " (" + string.Join("; ", k.Errors) + ")" : "")}"));
        var message = result.Kinds.Count == 0 ? "no price kind is configured" : string.Join("; ", parts);
        return new PriceRefreshResult(!result.Failed && result.Kinds.Count > 0, result.Saved, message);
    }
}
