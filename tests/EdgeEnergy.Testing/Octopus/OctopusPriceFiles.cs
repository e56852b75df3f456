using System.Text.Json.Nodes;

namespace EdgeEnergy.Testing.Octopus;

/// <summary>
/// Writes a <c>tariffs compare --prices DIR</c> directory: per product the API's product document and each rate list
/// as one page, in the layout <c>OctopusDirectoryHandler</c> reads (DIR/{P}/product.json, DIR/{P}/{T}/{list}.json).
/// </summary>
public static class OctopusPriceFiles
{
    public static void Write(string directory, string product, string region, IEnumerable<JsonObject> unitRates, IEnumerable<JsonObject>? standingCharges = null)
    {
        var tariff = $"E-1R-{product}-{region}";
        var tariffDirectory = Path.Combine(directory, product, tariff);
        Directory.CreateDirectory(tariffDirectory);
        var links = new JsonArray(new JsonObject { ["rel"] = "standard_unit_rates", ["method"] = "GET", ["href"] = $"https://api.octopus.energy/v1/products/{product}/electricity-tariffs/{tariff}/standard-unit-rates/" });
        File.WriteAllText(Path.Combine(tariffDirectory, "standard-unit-rates.json"), Page(unitRates));
        if (standingCharges is not null)
        {
            links.Add(new JsonObject { ["rel"] = "standing_charges", ["method"] = "GET", ["href"] = $"https://api.octopus.energy/v1/products/{product}/electricity-tariffs/{tariff}/standing-charges/" });
            File.WriteAllText(Path.Combine(tariffDirectory, "standing-charges.json"), Page(standingCharges));
        }

        var document = new JsonObject
        {
            ["code"] = product,
            ["single_register_electricity_tariffs"] = new JsonObject { ["_" + region] = new JsonObject { ["direct_debit_monthly"] = new JsonObject { ["code"] = tariff, ["links"] = links } } },
        };
        File.WriteAllText(Path.Combine(directory, product, "product.json"), document.ToJsonString());
    }

    private static string Page(IEnumerable<JsonObject> rows)
    {
        var results = new JsonArray([.. rows.Select(r => (JsonNode)r.DeepClone())]);
        return new JsonObject { ["count"] = results.Count, ["next"] = null, ["previous"] = null, ["results"] = results }.ToJsonString();
    }
}
