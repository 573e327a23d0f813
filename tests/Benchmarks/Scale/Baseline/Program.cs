using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms;

// The hand-written ML.NET program the training console is measured against (../compare.sh): the same
// regression job written directly against ML.NET, with no profile, hash, report, ONNX or store. It reads the
// CSV with LoadFromTextFile, splits 10% off for testing, imputes and one-hot encodes like the console,
// normalizes for linear trainers, fits, evaluates on the test split and saves the model.
//
//   scale-baseline <csv> <trainer> <model.zip> [maxRows]
//
// Columns named cat* are categorical, the column "label" is the label, every other column is a float feature.
if (args.Length is < 3 or > 4)
{
    Console.Error.WriteLine("usage: scale-baseline <csv> <OnlineGradientDescent|Sdca|LightGbm|FastTree> <model.zip> [maxRows]");
    return 1;
}

var (path, trainerName, modelPath) = (args[0], args[1], args[2]);
long? maxRows = args.Length == 4 ? long.Parse(args[3], CultureInfo.InvariantCulture) : null;
var clock = System.Diagnostics.Stopwatch.StartNew();
const string Label = "label";

var header = File.ReadLines(path).First().Split(',');
var numeric = header.Where(h => h != Label && !h.StartsWith("cat", StringComparison.Ordinal)).ToArray();
var categorical = header.Where(h => h.StartsWith("cat", StringComparison.Ordinal)).ToArray();
var columns = header.Select((name, i) => new TextLoader.Column(
    name, categorical.Contains(name) ? DataKind.String : DataKind.Single, i)).ToArray();

var ml = new MLContext(seed: 42);
// An empty field is a missing value (NaN, imputed with the mean), as in the console; TextLoader's default reads it as 0.
var data = ml.Data.LoadFromTextFile(path, new TextLoader.Options
{
    Columns = columns,
    Separators = [','],
    HasHeader = true,
    AllowQuoting = true,
    MissingRealsAsNaNs = true,
});
var split = ml.Data.TrainTestSplit(data, testFraction: 0.1, seed: 42);
var train = split.TrainSet;
if (maxRows is { } max)
{
    // FastTree with maxRows: keep about max of the 90% training rows, as the console's sample does.
    var rows = CountRows(train);
    train = rows > max ? ml.Data.TrainTestSplit(train, testFraction: 1 - ((double)max / rows), seed: 42 + 7919).TrainSet : train;
}

var linear = trainerName is "OnlineGradientDescent" or "Sdca";
IEstimator<ITransformer> pipeline = ml.Transforms.ReplaceMissingValues(numeric.Select(n => new InputOutputColumnPair(n)).ToArray(), MissingValueReplacingEstimator.ReplacementMode.Mean)
    .Append(ml.Transforms.Concatenate("Numeric", numeric));
if (linear)
{
    pipeline = pipeline.Append(ml.Transforms.NormalizeMinMax("Numeric"));
}

var parts = new List<string> { "Numeric" };
if (categorical.Length > 0)
{
    pipeline = pipeline.Append(ml.Transforms.Categorical.OneHotEncoding(categorical.Select(c => new InputOutputColumnPair(c + ".OneHot", c)).ToArray()));
    parts.AddRange(categorical.Select(c => c + ".OneHot"));
}

pipeline = pipeline.Append(ml.Transforms.Concatenate("Features", [.. parts]));
IEstimator<ITransformer> trainer = trainerName switch
{
    "OnlineGradientDescent" => ml.Regression.Trainers.OnlineGradientDescent(Label),
    "Sdca" => ml.Regression.Trainers.Sdca(Label),
    "LightGbm" => ml.Regression.Trainers.LightGbm(Label),
    "FastTree" => ml.Regression.Trainers.FastTree(Label),
    _ => throw new ArgumentException($"unknown trainer '{trainerName}'"),
};

var model = pipeline.Append(trainer).Fit(train);
var metrics = ml.Regression.Evaluate(model.Transform(split.TestSet), Label);
ml.Model.Save(model, data.Schema, modelPath);
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"baseline {trainerName}: test R² {metrics.RSquared:F4}, {clock.Elapsed.TotalSeconds:F1} s"));
return 0;

static long CountRows(IDataView view)
{
    var rows = 0L;
    using var cursor = view.GetRowCursor([]);
    while (cursor.MoveNext())
    {
        rows++;
    }

    return rows;
}
