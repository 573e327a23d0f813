using Microsoft.ML.Data;
using MLPipeline.TestSupport;

namespace MLPipeline.Serving.Tests;

/// <summary>C# classes for the typed face and for ML.NET's own PredictionEngine, the reference the faces are checked against.</summary>
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

/// <summary>Rows of the bundled CSVs as both JSON instances and typed objects.</summary>
public static class CsvRows
{
    public static List<Dictionary<string, string>> Read(string file)
    {
        var lines = File.ReadAllLines(RepositoryRoot.Data(file));
        var header = lines[0].Split(',');
        return lines.Skip(1).Where(l => l.Length > 0)
            .Select(l => header.Zip(l.Split(',')).ToDictionary(p => p.First, p => p.Second))
            .ToList();
    }

    public static float F(string text) => float.Parse(text, System.Globalization.CultureInfo.InvariantCulture);

    public static HousePricesInput House(Dictionary<string, string> r) => new()
    {
        CRIM = F(r["CRIM"]),
        ZN = F(r["ZN"]),
        INDUS = F(r["INDUS"]),
        CHAS = r["CHAS"],
        NOX = F(r["NOX"]),
        RM = F(r["RM"]),
        AGE = F(r["AGE"]),
        DIS = F(r["DIS"]),
        RAD = F(r["RAD"]),
        TAX = F(r["TAX"]),
        PTRATIO = F(r["PTRATIO"]),
        LSTAT = F(r["LSTAT"]),
    };

    public static IrisInput Iris(Dictionary<string, string> r) => new()
    {
        SepalLength = F(r["sepal_length"]),
        SepalWidth = F(r["sepal_width"]),
        PetalLength = F(r["petal_length"]),
        PetalWidth = F(r["petal_width"]),
    };

    /// <summary>A JSON instance: numbers as numbers, categorical columns as strings, the label left out.</summary>
    public static Dictionary<string, object> Instance(Dictionary<string, string> r, IEnumerable<string> textColumns, string label)
    {
        var text = textColumns.ToHashSet();
        return r.Where(p => p.Key != label).ToDictionary(p => p.Key, p => text.Contains(p.Key) ? (object)p.Value : F(p.Value));
    }
}
