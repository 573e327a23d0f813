namespace MLPipeline.Serving.OpenApi;

/// <summary>
/// The service's OpenAPI document (<c>/openapi/v1.json</c>) with security per role and described refusals, and the
/// per-model documents built from the version each model serves.
/// </summary>
public static class ServingOpenApi
{
    public static IServiceCollection AddServingOpenApi(this IServiceCollection services)
    {
        services.AddSingleton<OpenApiSecurity>();
        services.AddSingleton<ModelDocuments>();
        return services.AddOpenApi(options =>
        {
            options.AddDocumentTransformer<ServiceDocumentTransformer>();
            options.AddOperationTransformer<RoleOperationTransformer>();
        });
    }
}
