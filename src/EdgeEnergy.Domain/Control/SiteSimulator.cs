using EdgeEnergy.Domain.Planning;
using EdgeEnergy.Domain.Units;

namespace EdgeEnergy.Domain.Control;

/// <summary>
/// The energy flows of one interval at a site, in kWh (all ≥ 0), and the stored energy at its end (kWh).
/// Balance: <c>PvUsed + Import + Discharge = Load + Charge + Export + Immersion + Ev</c> (<c>Ev</c>: an electric car's
/// charger draw, 0 without one).
/// </summary>
public readonly record struct SiteFlows(
    double ImportKwh, double ExportKwh, double ChargeKwh, double DischargeKwh, double PvUsedKwh, double ImmersionKwh,
    double LoadKwh, double SocAfterKwh, double EvKwh = 0);

/// <summary>
/// Pure physics of a hybrid inverter site over one interval: given the stored energy, a command and the actual load,
/// solar and immersion energy, what the battery, grid and panels do. It keeps every limit: state of charge within
/// [max(reserve, min), max], charge/discharge power, the export limit (the inverter lowers a forced discharge, then
/// curtails solar) and never charges and discharges, or imports and exports, at once. The backtest and the Fox
/// simulator both run commands through it.
/// </summary>
public static class SiteSimulator
{
    public static SiteFlows Step(
        BatterySpec battery, GridSpec grid, double socKwh, InverterCommand command,
        double loadKwh, double pvKwh, double immersionKwh, double hours, double evKwh = 0)
    {
        ArgumentNullException.ThrowIfNull(battery);
        ArgumentNullException.ThrowIfNull(grid);
        ArgumentNullException.ThrowIfNull(command);
        loadKwh = Math.Max(0, loadKwh);
        pvKwh = Math.Max(0, pvKwh);
        immersionKwh = Math.Max(0, immersionKwh);
        evKwh = Math.Max(0, evKwh);
        var reserveKwh = Math.Max(battery.MinSocKwh, command.ReserveSocPercent / 100.0 * battery.CapacityKwh);
        var maxChargeKwh = battery.MaxChargeKw * hours;
        var maxDischargeKwh = battery.MaxDischargeKw * hours;
        var maxExportKwh = grid.MaxExportKw * hours;
        // Energy the cells can take in / give out from here, measured at the AC side.
        var roomKwh = Math.Max(0, battery.MaxSocKwh - socKwh) / battery.ChargeEfficiency;
        var availableKwh = Math.Max(0, socKwh - reserveKwh) * battery.DischargeEfficiency;
        // The car's charger is house load to the inverter (its meter sees it like any other): self-use covers it too.
        var demandKwh = loadKwh + immersionKwh + evKwh;
        var requestedKwh = command.PowerW is { } w ? Energy.Kwh(Math.Max(0, w), hours) : double.PositiveInfinity;

        double charge = 0, discharge = 0;
        switch (command.Kind)
        {
            case InverterCommandKind.SelfUse:
                var net = pvKwh - demandKwh;
                if (net >= 0)
                {
                    charge = Math.Min(net, Math.Min(maxChargeKwh, roomKwh));
                }
                else
                {
                    discharge = Math.Min(-net, Math.Min(Math.Min(maxDischargeKwh, requestedKwh), availableKwh));
                }

                break;
            case InverterCommandKind.ForceCharge:
                charge = Math.Min(requestedKwh, Math.Min(maxChargeKwh, roomKwh));
                // The import limit: charging gives way so the house and the battery together stay within it.
                charge = Math.Min(charge, Math.Max(0, grid.MaxImportKw * hours + pvKwh - demandKwh));
                break;
            case InverterCommandKind.ForceDischarge:
                discharge = Math.Min(requestedKwh, Math.Min(maxDischargeKwh, availableKwh));
                // The export limit: the inverter lowers the discharge so battery exports stay within it.
                discharge = Math.Min(discharge, Math.Max(0, demandKwh - pvKwh) + maxExportKwh);
                break;
            case InverterCommandKind.Hold:
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(command), command.Kind, "unknown command kind");
        }

        // Whatever remains is met by the grid; surplus solar is exported up to the limit and curtailed beyond it.
        var supplyWithoutGrid = pvKwh + discharge;
        var need = demandKwh + charge;
        double import = 0, export = 0, pvUsed = pvKwh;
        if (supplyWithoutGrid >= need)
        {
            export = Math.Min(supplyWithoutGrid - need, maxExportKwh);
            pvUsed = need + export - discharge;
        }
        else
        {
            import = need - supplyWithoutGrid;
        }

        var socAfter = socKwh + battery.ChargeEfficiency * charge - discharge / battery.DischargeEfficiency;
        socAfter = Math.Clamp(socAfter, Math.Min(battery.MinSocKwh, socKwh), Math.Max(battery.MaxSocKwh, socKwh));
        return new SiteFlows(import, export, charge, discharge, pvUsed, immersionKwh, loadKwh, socAfter, evKwh);
    }
}
