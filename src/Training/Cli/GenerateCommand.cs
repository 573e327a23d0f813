using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using MLPipeline.Shared.Manifest;
using MLPipeline.Training.Data;

namespace MLPipeline.Training.Cli;

/// <summary><c>generate</c>: a deterministic synthetic CSV with a known signal, for benchmarks and tests.</summary>
public static class GenerateCommand
{
    public static Command Create()
    {
        var task = new Option<ModelTask>("--task") { Description = "regression, binary or multiclass.", Required = true };
        var rows = new Option<long>("--rows") { Description = "Number of data rows.", Required = true };
        var features = new Option<int>("--features") { Description = "Number of feature columns.", DefaultValueFactory = _ => 20 };
        var categorical = new Option<int>("--categorical") { Description = "How many of the features are categorical.", DefaultValueFactory = _ => 5 };
        var missing = new Option<double>("--missing") { Description = "Fraction of feature values left empty.", DefaultValueFactory = _ => 0.01 };
        var seed = new Option<int>("--seed") { Description = "Seed: the same options and seed write the same bytes.", DefaultValueFactory = _ => 42 };
        var output = new Option<string>("--out") { Description = "CSV file to write.", Required = true };
        var command = new Command("generate", "Write a synthetic CSV whose label follows a known signal (for benchmarks and tests).")
        {
            task, rows, features, categorical, missing, seed, output,
        };
        command.SetAction((parse, _) => CliErrors.RunAsync(() => Task.FromResult(Run(
            new SyntheticDataOptions(parse.GetValue(task), parse.GetValue(rows), parse.GetValue(features), parse.GetValue(categorical), parse.GetValue(missing), parse.GetValue(seed)),
            parse.GetValue(output)!))));
        return command;
    }

    private static int Run(SyntheticDataOptions options, string path)
    {
        options.Validate();
        var clock = Stopwatch.StartNew();
        var full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        double best;
        using (var writer = new StreamWriter(full, append: false, new System.Text.UTF8Encoding(false), bufferSize: 1 << 20))
        {
            best = SyntheticDataGenerator.Write(options, writer, written =>
            {
                if (written % 1_000_000 == 0)
                {
                    Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {written:N0} rows ({written / clock.Elapsed.TotalSeconds:N0} rows/s)"));
                }
            });
        }

        var metric = options.Task == ModelTask.Regression ? "R²" : "accuracy";
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Wrote {options.Rows:N0} rows x {options.Features} features ({options.Categorical} categorical) to {full} ({new FileInfo(full).Length / 1e6:F1} MB, {clock.Elapsed.TotalSeconds:F1} s); best achievable {metric} ≈ {best:F3}"));
        return ExitCodes.Ok;
    }
}
