using System.Text.RegularExpressions;
using Microsoft.OpenApi;

namespace MLPipeline.Serving.OpenApi;

/// <summary>
/// Names of schemas made from column names: OpenAPI allows only letters, digits, '.', '_' and '-' in a component's
/// name, and two columns must not end up on one name.
/// </summary>
internal static partial class ComponentNames
{
    [GeneratedRegex("[^A-Za-z0-9._-]")]
    private static partial Regex NotAllowed();

    /// <summary><paramref name="prefix"/> + the column name with other characters as '_', numbered when already taken.</summary>
    public static string For(OpenApiDocument document, string prefix, string column)
    {
        var name = prefix + NotAllowed().Replace(column, "_");
        var unique = name;
        for (var i = 2; document.Components?.Schemas?.ContainsKey(unique) == true; i++)
        {
            unique = $"{name}_{i}";
        }

        return unique;
    }
}
