using MLPipeline.Serving.Options;

namespace MLPipeline.Serving.Security;

/// <summary>
/// Reads <c>Serving:ApiKeys</c> from the raw configuration, because the binder silently drops the legacy form: a plain
/// string entry (<c>Serving:ApiKeys:0 = "&lt;key&gt;"</c>) becomes an admin key with id <c>key-&lt;index&gt;</c>, as it
/// could do everything before roles existed. Object entries are bound as they are.
/// </summary>
public static class ApiKeyConfiguration
{
    public const string Section = ServingOptions.Section + ":ApiKeys";

    public static List<ApiKeyOptions> Read(IConfiguration configuration)
    {
        var keys = new List<ApiKeyOptions>();
        foreach (var entry in configuration.GetSection(Section).GetChildren())
        {
            if (entry.Value is { } plainKey && !entry.GetChildren().Any())
            {
                keys.Add(new ApiKeyOptions { Id = "key-" + entry.Key, Key = plainKey, Role = ServingClaims.AdminRole, IsPlainKey = true });
            }
            else
            {
                keys.Add(entry.Get<ApiKeyOptions>() ?? new ApiKeyOptions());
            }
        }

        return keys;
    }
}
