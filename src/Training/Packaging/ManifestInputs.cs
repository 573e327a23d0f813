using MLPipeline.Shared.Manifest;
using MLPipeline.Training.Data;

namespace MLPipeline.Training.Packaging;

/// <summary>The manifest's <c>inputs</c>: each feature column with its type and role, and a categorical column's values when few.</summary>
public static class ManifestInputs
{
    public static IReadOnlyList<InputColumn> Of(DataProfile profile) =>
        [.. profile.Features.Select(f => new InputColumn(f.Name, f.TypeName, f.Role, profile.Categories.GetValueOrDefault(f.Name)))];
}
