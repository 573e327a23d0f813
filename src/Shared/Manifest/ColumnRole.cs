using System.Text.Json.Serialization;

namespace MLPipeline.Shared.Manifest;

/// <summary>How a raw input column is featurized.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<ColumnRole>))]
public enum ColumnRole
{
    Numeric,
    Categorical,
    Text,
}
