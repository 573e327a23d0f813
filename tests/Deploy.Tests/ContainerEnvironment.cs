using System.Text.Json.Nodes;

namespace MLPipeline.Deploy.Tests;

/// <summary>
/// A container's <c>env</c> in the compiled template: a literal list, or <c>[concat(variables('a'), ...)]</c> over
/// literal lists and for-expression variables. A for-expression entry stands for one entry per item of its loop.
/// </summary>
public sealed record ContainerEnvironment(IReadOnlyList<ContainerEnvironment.Entry> Entries)
{
    public static ContainerEnvironment Of(ArmScope scope, JsonNode container)
    {
        var env = container["env"]!;
        if (env is JsonArray literal)
        {
            return new ContainerEnvironment(literal.Select(item => new Entry(item!.AsObject(), null)).ToList());
        }

        var expression = (string)env!;
        expression.Should().StartWith("[concat(variables(", "env is a literal list or a concat of variables");
        var entries = new List<Entry>();
        foreach (var name in ArmScope.ReferencedVariables(expression))
        {
            if (scope.CopyVariable(name) is { } loop)
            {
                entries.Add(new Entry(loop.Input, loop.Count));
            }
            else
            {
                entries.AddRange(scope.Template["variables"]![name]!.AsArray().Select(item => new Entry(item!.AsObject(), null)));
            }
        }

        return new ContainerEnvironment(entries);
    }

    /// <summary>The one literal entry with this name.</summary>
    public JsonObject Named(string name) => Entries.Single(entry => entry.Loop is null && (string?)entry.Value["name"] == name).Value;

    /// <param name="Value">The entry (for a loop: the object each item makes).</param>
    /// <param name="Loop">The loop's count expression, or null for a literal entry.</param>
    public sealed record Entry(JsonObject Value, string? Loop);
}
