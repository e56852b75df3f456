namespace EdgeEnergy.Domain.Units;

/// <summary>
/// The one place power (W, the inverter's unit) and energy (kWh, the plan's and the bill's unit) are converted. A power
/// held for some hours is that many kWh; an energy spread over some hours is that mean power.
/// </summary>
public static class Energy
{
    /// <summary>kWh delivered by <paramref name="watts"/> held for <paramref name="hours"/>.</summary>
    public static double Kwh(double watts, double hours) => watts / 1000.0 * hours;

    /// <summary>The mean power, W, that delivers <paramref name="kwh"/> in <paramref name="hours"/>.</summary>
    public static double Watts(double kwh, double hours) => kwh / hours * 1000.0;
}
