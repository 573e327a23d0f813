using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace MLPipeline.Deploy.Tests;

/// <summary>
/// One template in a compiled ARM document: the main template or a module's nested template, with
/// the parameter values its parent passes. Resolves the simple references Bicep emits
/// (<c>[parameters('x')]</c>, <c>[variables('x')]</c>) to literals where they have one.
/// </summary>
public sealed partial class ArmScope
{
    private ArmScope(JsonObject template, string name, JsonObject? passedParameters, ArmScope? parent)
    {
        Template = template;
        Name = name;
        PassedParameters = passedParameters;
        Parent = parent;
    }

    public JsonObject Template { get; }

    /// <summary>The module's symbolic name (main for the root).</summary>
    public string Name { get; }

    public JsonObject? PassedParameters { get; }

    public ArmScope? Parent { get; }

    public static ArmScope Root(JsonObject template) => new(template, "main", null, null);

    /// <summary>This template's own resources (not those of its modules).</summary>
    public IEnumerable<(string SymbolicName, JsonObject Resource)> Resources =>
        Template["resources"] switch
        {
            JsonObject symbolic => symbolic.Select(pair => (pair.Key, pair.Value!.AsObject())),
            JsonArray list => list.Select((resource, index) => (index.ToString(System.Globalization.CultureInfo.InvariantCulture), resource!.AsObject())),
            _ => [],
        };

    /// <summary>Modules (nested deployments) declared by this template.</summary>
    public IEnumerable<ArmScope> Modules =>
        Resources
            .Where(entry => (string?)entry.Resource["type"] == "Microsoft.Resources/deployments")
            .Select(entry => new ArmScope(
                entry.Resource["properties"]!["template"]!.AsObject(),
                entry.SymbolicName,
                entry.Resource["properties"]!["parameters"]?.AsObject(),
                this));

    /// <summary>Every resource of the given type this template and all its modules deploy (references to existing ones left out).</summary>
    public IEnumerable<(ArmScope Scope, JsonObject Resource)> FindAll(string type) =>
        Resources.Where(entry => string.Equals((string?)entry.Resource["type"], type, StringComparison.OrdinalIgnoreCase) && entry.Resource["existing"] is null)
            .Select(entry => (this, entry.Resource))
            .Concat(Modules.SelectMany(module => module.FindAll(type)));

    public ArmScope Module(string symbolicName) =>
        Modules.SingleOrDefault(module => module.Name == symbolicName)
        ?? throw new InvalidOperationException($"No module '{symbolicName}' in {Name}.");

    /// <summary>The literal a value stands for, following parameter and variable references; anything else as it is.</summary>
    public JsonNode? Resolve(JsonNode? value)
    {
        if (value is not JsonValue scalar || !scalar.TryGetValue<string>(out var text) || SimpleReference().Match(text) is not { Success: true } match)
        {
            return value;
        }

        var name = match.Groups["name"].Value;
        if (match.Groups["kind"].Value == "variables")
        {
            return Resolve(Template["variables"]?[name]);
        }

        if (PassedParameters?[name] is JsonObject passed && Parent is not null)
        {
            return Parent.Resolve(passed["value"]);
        }

        return Resolve(Template["parameters"]?[name]?["defaultValue"]);
    }

    /// <summary>The literal value this template's parameter gets (passed by the parent, else its default).</summary>
    public JsonNode? ResolveParameter(string name) => Resolve(JsonValue.Create($"[parameters('{name}')]"));

    public string? ResolveString(JsonNode? value) => Resolve(value) is JsonValue resolved && resolved.TryGetValue<string>(out var text) ? text : value?.ToJsonString();

    /// <summary>The names of the variables an expression refers to, in order (e.g. the parts of a <c>concat(...)</c>).</summary>
    public static IReadOnlyList<string> ReferencedVariables(string expression) =>
        VariableReference().Matches(expression).Select(match => match.Groups["name"].Value).ToList();

    /// <summary>A variable Bicep made from a for-expression: the loop's count expression and the object it makes per item.</summary>
    public (string Count, JsonObject Input)? CopyVariable(string name) =>
        (Template["variables"]?["copy"] as JsonArray ?? [])
            .OfType<JsonObject>()
            .Where(loop => (string?)loop["name"] == name)
            .Select(loop => ((string)loop["count"]!, loop["input"]!.AsObject()))
            .Cast<(string, JsonObject)?>()
            .SingleOrDefault();

    [GeneratedRegex(@"^\[(?<kind>parameters|variables)\('(?<name>[^']+)'\)\]$")]
    private static partial Regex SimpleReference();

    [GeneratedRegex(@"variables\('(?<name>[^']+)'\)")]
    private static partial Regex VariableReference();
}
