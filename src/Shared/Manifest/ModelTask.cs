using System.Text.Json.Serialization;

namespace MLPipeline.Shared.Manifest;

/// <summary>The kind of prediction a model makes.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<ModelTask>))]
public enum ModelTask
{
    Regression,
    Binary,
    Multiclass,
}
