using System.Globalization;
using System.Text.Json.Nodes;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace MLPipeline.Deploy.Tests;

/// <summary>
/// YAML to JSON the way the Azure Pipelines schema expects it: pipeline keywords take every scalar
/// as a string (the schema matches booleans as strings, e.g. <c>^true$</c>), while task inputs are
/// typed (<c>"type": "boolean"</c>), so plain true/false and integers under <c>inputs</c> stay typed.
/// </summary>
public static class YamlJson
{
    public static YamlNode Load(string text)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(text));
        return stream.Documents.Single().RootNode;
    }

    public static JsonNode? ToJson(YamlNode node) => ToJson(node, typedScalars: false);

    private static JsonNode? ToJson(YamlNode node, bool typedScalars) => node switch
    {
        YamlMappingNode mapping => new JsonObject(mapping.Children.Select(pair =>
        {
            var key = ((YamlScalarNode)pair.Key).Value!;
            return KeyValuePair.Create(key, ToJson(pair.Value, typedScalars || key == "inputs"));
        })),
        YamlSequenceNode sequence => new JsonArray(sequence.Children.Select(child => ToJson(child, typedScalars)).ToArray()),
        YamlScalarNode scalar => Scalar(scalar, typedScalars),
        _ => throw new NotSupportedException($"Unsupported YAML node {node.NodeType} at {node.Start}."),
    };

    private static JsonValue Scalar(YamlScalarNode scalar, bool typed)
    {
        var text = scalar.Value ?? string.Empty;
        if (typed && scalar.Style == ScalarStyle.Plain)
        {
            if (bool.TryParse(text, out var flag))
            {
                return JsonValue.Create(flag);
            }

            if (long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var number))
            {
                return JsonValue.Create(number);
            }
        }

        return JsonValue.Create(text);
    }
}
