using EdgeEnergy.Domain.Prices;

namespace EdgeEnergy.Domain.Tests.Prices;

public sealed class TariffKnowledgeTests
{
    private static DateTimeOffset Utc(string text) => DateTimeOffset.Parse(text, System.Globalization.CultureInfo.InvariantCulture).ToUniversalTime();

    [Theory]
    [InlineData("AGILE-24-10-01", TariffPublication.DayAhead)]
    [InlineData("AGILE-OUTGOING-19-05-13", TariffPublication.DayAhead)]
    [InlineData("SILVER-FLEX-22-11-25", TariffPublication.Daily)]
    [InlineData("GO-VAR-22-10-14", TariffPublication.KnownAhead)]
    [InlineData("COSY-22-12-08", TariffPublication.KnownAhead)]
    [InlineData("OUTGOING-FIX-12M-19-05-13", TariffPublication.KnownAhead)]
    public void The_product_code_says_how_prices_become_known(string product, TariffPublication expected) =>
        Assert.Equal(expected, TariffKnowledge.ForProduct(product).Publication);

    [Fact]
    public void Agile_keeps_its_sixteen_hundred_rule()
    {
        var agile = TariffKnowledge.ForProduct("AGILE-24-10-01");
        Assert.Equal(Utc("2022-06-01T22:00:00Z"), agile.KnownUntil(Utc("2022-06-01T14:59:00Z"), UkTime.Zone)); // 15:59 BST
        Assert.Equal(Utc("2022-06-02T22:00:00Z"), agile.KnownUntil(Utc("2022-06-01T15:00:00Z"), UkTime.Zone));
    }

    [Fact]
    public void Tracker_knows_tomorrow_from_eleven_uk()
    {
        var tracker = TariffKnowledge.ForProduct("SILVER-FLEX-22-11-25");
        Assert.Equal(Utc("2022-06-01T23:00:00Z"), tracker.KnownUntil(Utc("2022-06-01T09:59:00Z"), UkTime.Zone)); // 10:59 BST: today only
        Assert.Equal(Utc("2022-06-02T23:00:00Z"), tracker.KnownUntil(Utc("2022-06-01T10:00:00Z"), UkTime.Zone)); // 11:00 BST: tomorrow too
    }

    [Fact]
    public void Window_tariffs_are_known_to_the_end_of_tomorrow_at_any_hour()
    {
        var go = TariffKnowledge.ForProduct("GO-VAR-22-10-14");
        Assert.Equal(Utc("2022-01-12T00:00:00Z"), go.KnownUntil(Utc("2022-01-10T00:30:00Z"), UkTime.Zone));
        Assert.Equal(Utc("2022-01-12T00:00:00Z"), go.KnownUntil(Utc("2022-01-10T23:30:00Z"), UkTime.Zone));
        Assert.Equal(go.KnownUntil(Utc("2022-01-10T08:00:00Z"), UkTime.Zone), go.EstimatedUntil(Utc("2022-01-10T08:00:00Z"), UkTime.Zone));
    }

    [Fact]
    public void A_pair_knows_what_both_tariffs_know()
    {
        var at = Utc("2022-06-01T09:00:00Z"); // 10:00 BST
        var until = TariffKnowledge.KnownUntilForPair(at, UkTime.Zone, TariffKnowledge.ForProduct("GO-VAR-22-10-14"), TariffKnowledge.ForProduct("AGILE-OUTGOING-19-05-13"));
        Assert.Equal(Utc("2022-06-01T22:00:00Z"), until);
    }

    [Fact]
    public void Tracker_polls_fast_from_eleven_until_tomorrow_is_stored()
    {
        var tracker = TariffKnowledge.ForProduct("SILVER-FLEX-22-11-25");
        var fast = TimeSpan.FromMinutes(5);
        var normal = TimeSpan.FromMinutes(30);
        Assert.Equal(normal, tracker.PollInterval(Utc("2022-06-01T09:30:00Z"), Utc("2022-06-01T23:00:00Z"), fast, normal));
        Assert.Equal(fast, tracker.PollInterval(Utc("2022-06-01T10:30:00Z"), Utc("2022-06-01T23:00:00Z"), fast, normal));
        Assert.Equal(normal, tracker.PollInterval(Utc("2022-06-01T10:30:00Z"), Utc("2022-06-02T23:00:00Z"), fast, normal));
        Assert.Equal(normal, TariffKnowledge.ForProduct("GO-VAR-22-10-14").PollInterval(Utc("2022-06-01T16:30:00Z"), null, fast, normal));
    }
}
