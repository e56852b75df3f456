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
            return Results.Json(new ApiError("Price refresh is not available in this host (no price source is configured)."), WebJson.Options, statusCode: StatusCodes.Status503ServiceUnavailable);
        }

        if (!await _one.WaitAsync(0, cancellationToken))
        {
            return Results.Json(new ApiError("A price refresh is already running; try again when it has finished."), WebJson.Options, statusCode: StatusCodes.Status409Conflict);
        }

        try
        {
            var result = await trigger.RefreshAsync(cancellationToken);
            logger.PriceRefreshRequested(result.Succeeded, result.SlotsStored, result.Message);
            return Results.Json(new PriceRefreshView(result.Succeeded, result.SlotsStored, result.Message), WebJson.Options,
                statusCode: result.Succeeded ? StatusCodes.Status200OK : StatusCodes.Status502BadGateway);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.PriceRefreshFailed(e);
            return Results.Json(new ApiError($"The price refresh failed: {e.Message}"), WebJson.Options, statusCode: StatusCodes.Status500InternalServerError);
        }
        finally
        {
            _one.Release();
        }
    }

    public void Dispose() => _one.Dispose();
}
