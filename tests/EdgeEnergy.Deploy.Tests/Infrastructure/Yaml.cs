using YamlDotNet.RepresentationModel;

namespace EdgeEnergy.Deploy.Tests.Infrastructure;

/// <summary>Small navigation over a parsed YAML document, failing with the path that was missing.</summary>
public static class Yaml
{
    public static YamlMappingNode Load(string path)
    {
        var stream = new YamlStream();
        using var reader = new StringReader(File.ReadAllText(path));
        stream.Load(reader);
        return Assert.IsType<YamlMappingNode>(Assert.Single(stream.Documents).RootNode);
    }

    public static YamlMappingNode Map(this YamlNode node, string key) => Assert.IsType<YamlMappingNode>(node.Child(key));

    public static YamlSequenceNode Seq(this YamlNode node, string key) => Assert.IsType<YamlSequenceNode>(node.Child(key));

    public static string Scalar(this YamlNode node, string key) => Assert.IsType<YamlScalarNode>(node.Child(key)).Value ?? string.Empty;

    public static IReadOnlyList<string> Scalars(this YamlSequenceNode sequence) =>
        sequence.Children.Select(c => Assert.IsType<YamlScalarNode>(c).Value ?? string.Empty).ToList();

    public static bool Has(this YamlNode node, string key) =>
        node is YamlMappingNode map && map.Children.ContainsKey(new YamlScalarNode(key));

    private static YamlNode Child(this YamlNode node, string key)
    {
        var map = Assert.IsType<YamlMappingNode>(node);
        Assert.True(map.Children.TryGetValue(new YamlScalarNode(key), out var child), $"no '{key}' at line {node.Start.Line}");
        return child;
    }
}
