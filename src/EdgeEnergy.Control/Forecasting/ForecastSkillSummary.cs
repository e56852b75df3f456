using EdgeEnergy.Domain.Status;

namespace EdgeEnergy.Control.Forecasting;

/// <summary>
/// <see cref="ForecastEvaluation.SkillOfPlanned"/>'s scores as the status shows them (API, dashboard, metrics): one band
/// per quantity and lead, its figures null below <see cref="ForecastSkillReport.MinimumSlots"/> scored slots, so too
/// little history reads as "not enough history", never as a perfect 0.
/// </summary>
public static class ForecastSkillSummary
{
    public static ForecastSkillReport Of(IReadOnlyList<SkillAgainstPersistence> skills, DateTimeOffset computedUtc, DateTimeOffset fromUtc, DateTimeOffset toUtc)
    {
        ArgumentNullException.ThrowIfNull(skills);
        var bands = new List<ForecastSkillBand>();
        foreach (var skill in skills)
        {
            for (var i = 0; i < skill.Planned.ByLead.Count; i++)
            {
                var planned = skill.Planned.ByLead[i];
                var persistence = skill.Persistence.ByLead[i];
                var enough = planned.Slots >= ForecastSkillReport.MinimumSlots;
                bands.Add(new ForecastSkillBand(
                    skill.Quantity, planned.FromHours, planned.ToHours, planned.Slots,
                    enough ? planned.MaeKwh : null, enough ? planned.BiasKwh : null, enough ? persistence.MaeKwh : null));
            }
        }

        return new ForecastSkillReport(computedUtc, fromUtc, toUtc, bands);
    }
}
