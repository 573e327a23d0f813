using Microsoft.ML.Data;

namespace MLPipeline.TestSupport;

/// <summary>A row of the bundled iris CSV's features, as ML.NET's typed PredictionEngine and the typed pool take it.</summary>
public sealed class IrisInput
{
    [ColumnName("sepal_length")]
    public float SepalLength { get; set; }

    [ColumnName("sepal_width")]
    public float SepalWidth { get; set; }

    [ColumnName("petal_length")]
    public float PetalLength { get; set; }

    [ColumnName("petal_width")]
    public float PetalWidth { get; set; }
}

/// <summary>What a multiclass model answers: a score per class and the predicted class name.</summary>
public sealed class MulticlassOutput
{
    public float[] Score { get; set; } = [];

    public string PredictedLabel { get; set; } = "";
}
