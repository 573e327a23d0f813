using Microsoft.ML;
using Microsoft.ML.Data;
using MLPipeline.Shared.Manifest;
using MLPipeline.Training.Specs;

namespace MLPipeline.Training.Data;

/// <summary>Builds ML.NET's streaming TextLoader from the profile: nothing holds the CSV in managed objects.</summary>
public static class DataLoading
{
    public static TextLoader CreateLoader(MLContext ml, TrainingSpec spec, DataProfile profile)
    {
        var columns = profile.Features
            .Select(c => new TextLoader.Column(c.Name, c.Kind == ColumnKind.Numeric ? DataKind.Single : DataKind.String, c.Index))
            .Append(new TextLoader.Column(spec.Label, spec.Task == ModelTask.Regression ? DataKind.Single : DataKind.String, profile.LabelIndex))
            .ToArray();
        return ml.Data.CreateTextLoader(new TextLoader.Options
        {
            Columns = columns,
            Separators = [spec.Data.SeparatorChar],
            HasHeader = spec.Data.HasHeader,
            AllowQuoting = spec.Data.AllowQuoting,
            MissingRealsAsNaNs = true,
            TrimWhitespace = false,
        });
    }

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
