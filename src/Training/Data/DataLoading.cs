using Microsoft.ML;
using Microsoft.ML.Data;
using MLPipeline.Shared.Manifest;
using MLPipeline.Training.Specs;

namespace MLPipeline.Training.Data;

/// <summary>The model's input schema as the profile describes it.</summary>
public static class DataLoading
{
    /// <summary>The model's input schema: the raw feature columns only, no label.</summary>
    public static DataViewSchema FeatureSchema(DataProfile profile)
    {
        var builder = new DataViewSchema.Builder();
        foreach (var column in profile.Features)
        {
            builder.AddColumn(column.Name, column.Kind == ColumnKind.Numeric ? NumberDataViewType.Single : TextDataViewType.Instance);
        }

        return builder.ToSchema();
    }
}
