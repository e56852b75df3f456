namespace EdgeEnergy.Control.Forecasting;

/// <summary>
/// A forecast service's stored forecasts as a forecaster (the backtest's <c>pv_forecast_kwh</c> column, or the forecasts
/// the service gave live for past slots): what it said for each slot, either as given or, with the measured solar,
/// calibrated to the roof on the slots before now (<see cref="SolarCalibration"/>). Stateless, so threads share one.
/// </summary>
public sealed class ForecastColumn(double[] provided, double[]? measured) : ISlotForecaster
{
    public string Name => measured is null ? "pv_forecast_kwh as given" : "pv_forecast_kwh calibrated to the roof";

    public void Forecast(ReadOnlySpan<double> known, int firstTarget, Span<double> forecastKwh)
    {
        var factors = measured is null ? null : SolarCalibration.Factors(provided, measured, known.Length);
        for (var i = 0; i < forecastKwh.Length; i++)
        {
            var t = firstTarget + i;
            forecastKwh[i] = t < provided.Length ? provided[t] * (factors?[t % SlotGrid.SlotsPerDay] ?? 1) : 0;
        }
    }
}
