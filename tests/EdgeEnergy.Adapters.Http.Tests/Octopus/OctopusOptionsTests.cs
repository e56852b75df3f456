using EdgeEnergy.Adapters.Http.Octopus;

namespace EdgeEnergy.Adapters.Http.Tests.Octopus;

public class OctopusOptionsTests
{
    [Fact]
    public void Defaults_are_valid_and_build_region_tariff_codes()
    {
        var options = new OctopusOptions { Region = "j", ImportProduct = "agile-24-10-01" };
        Assert.True(new OctopusOptionsValidator().Validate(null, options).Succeeded);
        Assert.Equal("E-1R-AGILE-24-10-01-J", options.ImportTariff);
        Assert.Equal("E-1R-AGILE-OUTGOING-19-05-13-J", options.ExportTariff);
    }

    [Fact]
    public void Every_bad_key_is_named()
    {
        var options = new OctopusOptions { BaseUrl = "not a url", ImportProduct = "AGILE 24", Region = "I", PageSize = 5000, MinPence = 10, MaxPence = 5 };
        var failures = new OctopusOptionsValidator().Validate(null, options).Failures!;
        Assert.Contains(failures, f => f.StartsWith("Octopus:BaseUrl"));
        Assert.Contains(failures, f => f.StartsWith("Octopus:ImportProduct"));
        Assert.Contains(failures, f => f.StartsWith("Octopus:Region 'I'"));
        Assert.Contains(failures, f => f.StartsWith("Octopus:PageSize"));
        Assert.Contains(failures, f => f.StartsWith("Octopus:MinPence"));
    }

    [Fact]
    public void An_empty_export_product_means_no_export_tariff()
    {
        Assert.Null(new OctopusOptions { ExportProduct = "" }.ExportTariff);
    }
}
