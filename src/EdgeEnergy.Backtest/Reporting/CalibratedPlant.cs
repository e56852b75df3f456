using EdgeEnergy.Domain.Control;
using EdgeEnergy.Domain.Planning;

namespace EdgeEnergy.Backtest.Reporting;

/// <summary>
/// The one plant model of the report (issue 16 §2): <see cref="SiteSimulator"/> with the battery's efficiencies and power
/// limits fitted to the measured state of charge, plus a standby draw (kW) taken from the stored energy all the time.
/// Every bill of the report but the metered one goes through <see cref="Step"/>.
/// </summary>
public sealed record CalibratedPlant(BatterySpec Battery, GridSpec Grid, double StandbyKw)
{
    /// <summary>How the parameters were found: "fitted" (all three from the data) or why the configured efficiencies were kept.</summary>
    public string Fit { get; init; } = "configured";

    /// <summary>Half hours the fit used.</summary>
    public int FitSlots { get; init; }

    /// <summary>Root-mean-square of the fit's residual per half hour (kWh of stored energy).</summary>
    public double FitRmsKwh { get; init; }

    /// <summary>
    /// The fit's covariance of (ηc, 1/ηd, standby kW): the residual variance × (XᵀX)⁻¹ (zero rows and columns for
    /// parameters kept as configured). The report turns it into the error of a counterfactual's end-of-day energy.
    /// </summary>
    public double[,] Covariance { get; init; } = new double[3, 3];

    /// <summary>The standard deviation (kWh) of the stored energy after a run that charged <paramref name="chargeKwh"/>
    /// and discharged <paramref name="dischargeKwh"/> (AC side) over <paramref name="hours"/>, from the fit's uncertainty.</summary>
    public double EnergyUncertaintyKwh(double chargeKwh, double dischargeKwh, double hours)
    {
        double[] g = [chargeKwh, -dischargeKwh, -hours];
        var variance = 0.0;
        for (var i = 0; i < 3; i++)
        {
            for (var j = 0; j < 3; j++)
            {
                variance += g[i] * Covariance[i, j] * g[j];
            }
        }

        return Math.Sqrt(Math.Max(0, variance));
    }

    /// <summary>Efficiencies outside this range, or a standby draw outside [0, <see cref="MaxStandbyKw"/>], reject the fit.</summary>
    public const double MinEfficiency = 0.5;

    public const double MaxStandbyKw = 0.5;

    /// <summary>One interval: the simulator's flows with the standby draw taken from the stored energy (never below empty).</summary>
    public SiteFlows Step(BatterySpec battery, double socKwh, InverterCommand command, double loadKwh, double pvKwh, double hours)
    {
        var flows = SiteSimulator.Step(battery, Grid, socKwh, command, loadKwh, pvKwh, 0, hours);
        return flows with { SocAfterKwh = Math.Max(Math.Min(0, flows.SocAfterKwh), flows.SocAfterKwh - (StandbyKw * hours)) };
    }

    /// <summary>The battery as the cells allow, without EdgeEnergy's reserve or top limit: the incumbent's replay.</summary>
    public BatterySpec Physical => Battery with { MinSocKwh = 0, MaxSocKwh = Battery.CapacityKwh };

    /// <summary>
    /// Fits, by least squares over every fully sampled half hour whose start and end state of charge are measured,
    /// ΔSoC = ηc·charge − discharge/ηd − standby·h. When the data cannot tell the efficiencies apart (no charging or no
    /// discharging seen) or the fit is implausible, the configured efficiencies stay and only the standby draw is fitted.
    /// Power limits: the configured ones, raised to the largest half-hour mean power measured (the plant showed it can).
    /// </summary>
    public static CalibratedPlant Calibrate(BatterySpec configured, GridSpec grid, IEnumerable<MeteredDay> days)
    {
        ArgumentNullException.ThrowIfNull(configured);
        ArgumentNullException.ThrowIfNull(days);
        const double H = Metering.SlotMinutes / 60.0;
        var rows = new List<(double Charge, double Discharge, double Delta)>();
        double maxCharge = 0, maxDischarge = 0;
        foreach (var day in days)
        {
            for (var t = 0; t < day.Slots.Count; t++)
            {
                var slot = day.Slots[t];
                maxCharge = Math.Max(maxCharge, slot.ChargeKwh / H);
                maxDischarge = Math.Max(maxDischarge, slot.DischargeKwh / H);
                var next = t + 1 < day.Slots.Count ? day.Slots[t + 1].SocStartKwh : day.EndSocKwh;
                if (slot.Minutes == Metering.SlotMinutes && slot.SocStartKwh is { } before && next is { } after)
                {
                    rows.Add((slot.ChargeKwh, slot.DischargeKwh, after - before));
                }
            }
        }

        var battery = configured with
        {
            MaxChargeKw = Math.Max(configured.MaxChargeKw, maxCharge),
            MaxDischargeKw = Math.Max(configured.MaxDischargeKw, maxDischarge),
        };
        if (rows.Count == 0)
        {
            return new CalibratedPlant(battery, grid, 0) { Fit = "configured: no fully sampled half hour with its state of charge measured" };
        }

        // Unknowns x = (ηc, 1/ηd, standby kW); each row: charge·x0 − discharge·x1 − h·x2 = ΔSoC.
        var normal = new double[3, 4];
        foreach (var (c, d, delta) in rows)
        {
            double[] row = [c, -d, -H];
            for (var i = 0; i < 3; i++)
            {
                for (var j = 0; j < 3; j++)
                {
                    normal[i, j] += row[i] * row[j];
                }

                normal[i, 3] += row[i] * delta;
            }
        }

        string fit;
        double chargeEfficiency, dischargeEfficiency, standby;
        var inverse = new double[3, 3];
        if (Solve3((double[,])normal.Clone()) is [var a, var b, var s] && a is >= MinEfficiency and <= 1 && b >= 1 && 1 / b >= MinEfficiency && s is >= 0 and <= MaxStandbyKw)
        {
            (fit, chargeEfficiency, dischargeEfficiency, standby) = ("fitted", a, 1 / b, s);
            for (var k = 0; k < 3; k++)
            {
                var unit = (double[,])normal.Clone();
                for (var i = 0; i < 3; i++)
                {
                    unit[i, 3] = i == k ? 1 : 0;
                }

                var column = Solve3(unit)!;
                for (var i = 0; i < 3; i++)
                {
                    inverse[i, k] = column[i];
                }
            }
        }
        else
        {
            (chargeEfficiency, dischargeEfficiency) = (configured.ChargeEfficiency, configured.DischargeEfficiency);
            // Standby alone: the mean of what the efficiencies leave unexplained, per hour.
            standby = Math.Clamp(rows.Average(r => (chargeEfficiency * r.Charge) - (r.Discharge / dischargeEfficiency) - r.Delta) / H, 0, MaxStandbyKw);
            fit = "configured efficiencies (the measured charging and discharging do not determine them), standby fitted";
            inverse[2, 2] = 1 / (rows.Count * H * H);
        }

        var rms = Math.Sqrt(rows.Average(r =>
            Math.Pow((chargeEfficiency * r.Charge) - (r.Discharge / dischargeEfficiency) - (standby * H) - r.Delta, 2)));
        var covariance = new double[3, 3];
        for (var i = 0; i < 3; i++)
        {
            for (var j = 0; j < 3; j++)
            {
                covariance[i, j] = rms * rms * inverse[i, j];
            }
        }

        return new CalibratedPlant(battery with { ChargeEfficiency = chargeEfficiency, DischargeEfficiency = dischargeEfficiency }, grid, standby)
        {
            Fit = fit, FitSlots = rows.Count, FitRmsKwh = rms, Covariance = covariance,
        };
    }

    /// <summary>Gaussian elimination with partial pivoting on a 3×4 augmented matrix; null when singular.</summary>
    private static double[]? Solve3(double[,] m)
    {
        for (var col = 0; col < 3; col++)
        {
            var pivot = col;
            for (var r = col + 1; r < 3; r++)
            {
                if (Math.Abs(m[r, col]) > Math.Abs(m[pivot, col]))
                {
                    pivot = r;
                }
            }

            if (Math.Abs(m[pivot, col]) < 1e-9)
            {
                return null;
            }

            for (var k = 0; k < 4; k++)
            {
                (m[col, k], m[pivot, k]) = (m[pivot, k], m[col, k]);
            }

            for (var r = 0; r < 3; r++)
            {
                if (r != col)
                {
                    var f = m[r, col] / m[col, col];
                    for (var k = col; k < 4; k++)
                    {
                        m[r, k] -= f * m[col, k];
                    }
                }
            }
        }

        return [m[0, 3] / m[0, 0], m[1, 3] / m[1, 1], m[2, 3] / m[2, 2]];
    }
}
