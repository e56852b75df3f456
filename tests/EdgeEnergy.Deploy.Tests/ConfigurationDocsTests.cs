using System.Text.RegularExpressions;
using EdgeEnergy.Deploy.Tests.Infrastructure;
using Microsoft.Extensions.Configuration;

namespace EdgeEnergy.Deploy.Tests;

/// <summary>Every configuration key the deploy files use, and every key of docs/contracts.md section 4, is in the configuration table of docs/configuration.md.</summary>
public sealed partial class ConfigurationDocsTests
{
    private static readonly string[] s_contractKeys =
    [
        "Storage:Path",
        "Octopus:BaseUrl", "Octopus:ImportProduct", "Octopus:ExportProduct", "Octopus:Region",
        "Solcast:BaseUrl", "Solcast:ApiKey", "Solcast:Sites",
        "HomeAssistant:BaseUrl", "HomeAssistant:Token",
        "Inverter:Endpoint", "Inverter:Family", "Inverter:Unit",
        "Mqtt:Host", "Mqtt:Port", "Mqtt:Username", "Mqtt:Password", "Mqtt:DiscoveryPrefix", "Mqtt:BaseTopic",
        "Http:Urls", "Http:Token",
    ];

    private static readonly string[] s_deployFiles =
    [
        "deploy/systemd/edgeenergy.service",
        "deploy/systemd/appsettings.example.json",
        "deploy/balena/Dockerfile.template",
        "deploy/balena/docker-compose.yml",
        "deploy/balena/balena.yml",
        "deploy/balena/healthcheck.sh",
        "deploy/balena/mosquitto/entrypoint.sh",
        "deploy/balena/mosquitto/mqtt-health.sh",
    ];

    /// <summary>The configuration table of docs/configuration.md (its rows from "## Reference table" on): key → its environment variable column.</summary>
    private static Dictionary<string, string> Table()
    {
        var page = Repository.Read("docs/configuration.md");
        var section = page[page.IndexOf("## Reference table", StringComparison.Ordinal)..];
        return TableRow().Matches(section).ToDictionary(m => m.Groups[1].Value, m => m.Groups[2].Value, StringComparer.Ordinal);
    }

    [Fact]
    public void Every_contract_key_has_a_row_with_its_environment_variable()
    {
        var table = Table();

        foreach (var key in s_contractKeys)
        {
            Assert.True(table.TryGetValue(key, out var variable), $"{key} is not in the configuration table of docs/configuration.md");
            Assert.StartsWith(EnvironmentName(key), variable, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Every_environment_variable_the_deploy_files_set_is_documented()
    {
        var documented = Table().Keys.Select(EnvironmentName).ToHashSet(StringComparer.Ordinal);

        foreach (var file in s_deployFiles)
        {
            foreach (Match match in EdgeEnergyVariable().Matches(Repository.Read(file)))
            {
                Assert.True(documented.Contains(match.Value), $"{file} uses {match.Value}, which the configuration table of docs/configuration.md lacks");
            }
        }
    }

    [Fact]
    public void Example_appsettings_uses_only_documented_sections()
    {
        var sections = Table().Keys.Select(k => k.Split(':')[0]).ToHashSet(StringComparer.Ordinal);
        var text = Repository.Read("deploy/systemd/appsettings.example.json");

        foreach (Match match in TopLevelSection().Matches(text))
        {
            Assert.Contains(match.Groups[1].Value, sections);
        }
    }

    [Fact]
    public void Example_appsettings_loads_as_dotnet_configuration_with_comments()
    {
        // The installer copies this file to /etc/edgeenergy/appsettings.json; a syntax error would stop the service.
        var configuration = new ConfigurationBuilder().AddJsonFile(Repository.PathOf("deploy/systemd/appsettings.example.json")).Build();

        Assert.StartsWith("rtu:///dev/ttyUSB0?", configuration["Inverter:Endpoint"], StringComparison.Ordinal);
        Assert.Equal("J", configuration["Octopus:Region"]);
        Assert.Equal("http://127.0.0.1:8080", configuration["Http:Urls"]);
        Assert.Null(configuration["Mqtt:Host"]);
    }

    private static string EnvironmentName(string key) => "EDGEENERGY__" + key.Replace(":", "__", StringComparison.Ordinal).ToUpperInvariant();

    [GeneratedRegex(@"^\| `([A-Za-z]+:[A-Za-z]+)` \| `(EDGEENERGY__[A-Z_0-9]+)`", RegexOptions.Multiline)]
    private static partial Regex TableRow();

    [GeneratedRegex(@"EDGEENERGY__[A-Z]+__[A-Z]+")]
    private static partial Regex EdgeEnergyVariable();

    [GeneratedRegex(@"^  ""([A-Za-z]+)"": \{", RegexOptions.Multiline)]
    private static partial Regex TopLevelSection();
}
