using System.Text.Json.Serialization;

namespace MLPipeline.Shared.Manifest;

/// <summary>What the version's model file is and which runtime serves it. A manifest without <c>format</c> is ML.NET.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<ModelFormat>))]
public enum ModelFormat
{
    /// <summary>model.zip, trained here and served by ML.NET (with model.onnx for batches when it passed parity).</summary>
    [JsonStringEnumMemberName("mlnet")]
    MLNet,

    /// <summary>model.onnx from any framework (PyTorch, TensorFlow, scikit-learn), imported and served by ONNX Runtime.</summary>
    [JsonStringEnumMemberName("onnx")]
    Onnx,
}
