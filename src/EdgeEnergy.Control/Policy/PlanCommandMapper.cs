using EdgeEnergy.Domain.Control;
using EdgeEnergy.Domain.Planning;
using EdgeEnergy.Domain.Units;

namespace EdgeEnergy.Control.Policy;

/// <summary>
/// Turns a plan slot's mode and energies into the inverter command that carries it out, as the live service and
/// the backtest both do. The command states powers, not energies, so the inverter still follows the real load:
/// <list type="bullet">
/// <item><c>charge</c> → force charge at the planned charge power;</item>
/// <item><c>export</c> → force discharge at the planned discharge power;</item>
/// <item><c>discharge</c> → self-use with discharge capped at the planned power (energy kept for later);</item>
/// <item><c>hold</c> → battery idle;</item>
/// <item><c>self-use</c> → self-use down to the reserve.</item>
/// </list>
/// </summary>
public static class PlanCommandMapper
{
    public static InverterCommand FromSlot(PlanSlot slot, double slotHours, double reserveSocPercent)
    {
        ArgumentNullException.ThrowIfNull(slot);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(slotHours);
        double Watts(double kwh) => Energy.Watts(kwh, slotHours);
        return slot.Mode switch
        {
            SlotMode.Charge => InverterCommand.ForceCharge(Watts(slot.ChargeKwh), reserveSocPercent),
            SlotMode.Export => InverterCommand.ForceDischarge(Watts(slot.DischargeKwh), reserveSocPercent),
            SlotMode.Discharge => InverterCommand.SelfUse(reserveSocPercent, Watts(slot.DischargeKwh)),
            SlotMode.Hold => InverterCommand.Hold(reserveSocPercent),
            _ => InverterCommand.SelfUse(reserveSocPercent),
        };
    }
}
