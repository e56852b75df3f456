using EdgeEnergy.Domain.Status;

namespace EdgeEnergy.Host.Web;

/// <summary>Runs <see cref="IPriceRefreshTrigger"/> for <c>POST /api/v1/prices/update</c>, one fetch at a time.</summary>
internal sealed class PriceRefreshGate(IServiceProvider services, ILogger<PriceRefreshGate> logger) : IDisposable
{
    private readonly SemaphoreSlim _one = new(1, 1);

    public async Task<IResult> RefreshAsync(CancellationToken cancellationToken)
    {
        var trigger = services.GetService<IPriceRefreshTrigger>();
        if (trigger is null)
        {
            return WebJson.Error("Price refresh is not available in this host (no price source is configured).", StatusCodes.Status503ServiceUnavailable);
        }

        if (!await _one.WaitAsync(0, cancellationToken))
        {
            return WebJson.Error("A price refresh is already running; try again when it has finished.", StatusCodes.Status409Conflict);
        }

        try
        {
            var result = await trigger.RefreshAsync(cancellationToken);
            logger.PriceRefreshRequested(result.Succeeded, result.SlotsStored, result.Message);
            return WebJson.Result(new PriceRefreshView(result.Succeeded, result.SlotsStored, result.Message), result.Succeeded ? StatusCodes.Status200OK : StatusCodes.Status502BadGateway);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.PriceRefreshFailed(e);
            return WebJson.Error($"The price refresh failed: {e.Message}", StatusCodes.Status500InternalServerError);
        }
        finally
        {
            _one.Release();
        }
    }

    public void Dispose() => _one.Dispose();
}
