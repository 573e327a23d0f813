using System.Text.Json.Nodes;
using NJsonSchema;
using NJsonSchema.Validation;

namespace MLPipeline.Deploy.Tests;

/// <summary>
/// The Azure Pipelines JSON Schema copied into this project (Schemas/, see PROVENANCE.md), loaded
/// once: it is 1.6 MB. Pipelines validate against the root; templates against their definition.
/// </summary>
public static class PipelineSchema
{
    private static readonly Lazy<JsonSchema> Schema = new(() =>
        JsonSchema.FromJsonAsync(File.ReadAllText(RepoRoot.Combine("tests/Deploy.Tests/Schemas/azure-pipelines.schema.json"))).GetAwaiter().GetResult());

    public static JsonSchema Root => Schema.Value;

    /// <summary>Every task name@version the schema knows.</summary>
    public static IReadOnlySet<string> KnownTaskNames => TaskNames.Value;

    private static readonly Lazy<IReadOnlySet<string>> TaskNames = new(() =>
        Root.Definitions["task"].Properties["task"].AnyOf
            .SelectMany(option => option.Enumeration)
            .OfType<string>()
            .ToHashSet(StringComparer.Ordinal));

    /// <summary>
    /// Current task versions the copied schema predates (it knows only the deprecated @1). Steps
    /// using them are left out of schema validation; PipelineTaskTests checks their inputs instead.
    /// </summary>
    public static IReadOnlySet<string> TasksNewerThanSchema { get; } = new HashSet<string>(StringComparer.Ordinal) { "PublishCodeCoverageResults@2" };

    private static void RemoveStepsOfTasksNewerThanSchema(JsonNode node)
    {
        switch (node)
        {
            case JsonArray array:
                foreach (var item in array.ToList())
                {
                    if (item is JsonObject step && step["task"] is JsonValue task && TasksNewerThanSchema.Contains(task.GetValue<string>()))
                    {
                        array.Remove(item);
                    }
                    else if (item is not null)
                    {
                        RemoveStepsOfTasksNewerThanSchema(item);
                    }
                }

                break;
            case JsonObject obj:
                foreach (var (_, value) in obj.ToList())
                {
                    if (value is not null)
                    {
                        RemoveStepsOfTasksNewerThanSchema(value);
                    }
                }

                break;
        }
    }

    /// <summary>The innermost errors (anyOf/oneOf nest theirs), one line each, for test messages.</summary>
    public static IEnumerable<string> Describe(IEnumerable<ValidationError> errors) =>
        errors.SelectMany(error => error is ChildSchemaValidationError child && child.Errors.Count > 0
            ? child.Errors.SelectMany(branch => Describe(branch.Value))
            : [$"{error.Path} (line {error.LineNumber}): {error.Kind} {error.Property}"]);

    public static ICollection<ValidationError> Validate(PipelineFile file)
    {
        // Template expressions stand in for values the schema constrains (e.g. a step name's
        // pattern): validate what a run with the parameters' defaults sees.
        var document = YamlJson.ToJson(YamlJson.Load(file.ExpandedParametersText()))!;
        RemoveStepsOfTasksNewerThanSchema(document);
        var json = document.ToJsonString();
        if (!file.IsTemplate)
        {
            return Root.Validate(json);
        }

        var definition = file.Json.ContainsKey("stages") ? "stagesTemplate"
            : file.Json.ContainsKey("jobs") ? "jobsTemplate"
            : file.Json.ContainsKey("steps") ? "stepsTemplate"
            : "variablesTemplate";
        return Root.Definitions[definition].Validate(json);
    }
}
