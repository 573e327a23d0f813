using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace MLPipeline.Serving.OpenApi;

/// <summary>
/// The service document's top level: what the service is, the security schemes the configuration turns on, the
/// server URL without a trailing slash (linters and client generators join paths to it), and every tag described.
/// </summary>
internal sealed class ServiceDocumentTransformer(OpenApiSecurity security) : IOpenApiDocumentTransformer
{
    public const string PredictTag = "Predict";
    public const string ModelsTag = "Models";
    public const string InferenceTag = "Open Inference Protocol v2";
    public const string MonitoringTag = "Monitoring";

    private static readonly Dictionary<string, string> TagDescriptions = new(StringComparer.Ordinal)
    {
        [PredictTag] = "Predictions with `{\"instances\": [{column: value}]}` bodies, answered with one prediction per instance.",
        [ModelsTag] = "The served models: status, schema, metrics, reloads, and a typed OpenAPI document per model.",
        [InferenceTag] = "KServe's Open Inference Protocol v2: one input tensor per column, errors as `{\"error\"}`.",
        [MonitoringTag] = "Ground truth for monitored predictions, live quality and drift per version (docs/monitoring.md).",
    };

    public Task TransformAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        document.Info.Title = "MLPipeline prediction service";
        document.Info.Description = ServiceInfo.Description(security.Enabled);
        document.Info.License = ServiceInfo.License;
        foreach (var server in document.Servers ?? [])
        {
            server.Url = server.Url?.TrimEnd('/');
        }

        security.AddSchemes(document);

        // The service's own problem schema, with the `field` it names on a 400, in place of the framework's.
        document.Components ??= new OpenApiComponents();
        document.Components.Schemas ??= new Dictionary<string, IOpenApiSchema>();
        document.Components.Schemas[ProblemResponses.SchemaName] = ProblemResponses.Schema();
        foreach (var tag in document.Tags ?? new HashSet<OpenApiTag>())
        {
            if (tag.Name is { } name && TagDescriptions.TryGetValue(name, out var description))
            {
                tag.Description = description;
            }
        }

        return Task.CompletedTask;
    }
}
