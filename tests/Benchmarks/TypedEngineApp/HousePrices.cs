namespace MLPipeline.Benchmarks.TypedEngineApp;

/// <summary>The classes a developer writes by hand for house-prices: one property per model input (the in-process benchmarks use them too).</summary>
public sealed class HousePricesInput
{
    public float CRIM { get; set; }
    public float ZN { get; set; }
    public float INDUS { get; set; }
    public string CHAS { get; set; } = "";
    public float NOX { get; set; }
    public float RM { get; set; }
    public float AGE { get; set; }
    public float DIS { get; set; }
    public float RAD { get; set; }
    public float TAX { get; set; }
    public float PTRATIO { get; set; }
    public float LSTAT { get; set; }
}

public sealed class RegressionOutput
{
    public float Score { get; set; }
}

public sealed class TypedRequest
{
    public List<HousePricesInput> Instances { get; set; } = [];
}

public sealed record TypedPrediction(float Score);

public sealed record TypedResponse(string Model, string Version, List<TypedPrediction> Predictions);
