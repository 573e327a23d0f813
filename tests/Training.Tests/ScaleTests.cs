using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLPipeline.Shared.Manifest;
using MLPipeline.TestSupport;
using MLPipeline.Training.Cli;
using MLPipeline.Training.Data;
using MLPipeline.Training.Runs;
using MLPipeline.Training.Specs;
using MLPipeline.Training.Trainers;

namespace MLPipeline.Training.Tests;

public class ScaleTests
{
    private static string Generate(TempFolder dir, ModelTask task, long rows, int seed = 7, double missing = 0.01, string name = "data.csv")
    {
        var path = Path.Combine(dir.Path, name);
        using var writer = new StreamWriter(path);
        SyntheticDataGenerator.Write(new SyntheticDataOptions(task, rows, 8, 3, missing, seed), writer);
        return path;
    }

    [Fact]
    public void Generator_is_deterministic_per_seed()
    {
        using var dir = new TempFolder();
        var a = File.ReadAllBytes(Generate(dir, ModelTask.Binary, 500, seed: 1, name: "a.csv"));
        var b = File.ReadAllBytes(Generate(dir, ModelTask.Binary, 500, seed: 1, name: "b.csv"));
        var c = File.ReadAllBytes(Generate(dir, ModelTask.Binary, 500, seed: 2, name: "c.csv"));

        SHA256.HashData(a).Should().Equal(SHA256.HashData(b));
        SHA256.HashData(a).Should().NotEqual(SHA256.HashData(c));
    }

    [Theory]
    [InlineData(ModelTask.Regression)]
    [InlineData(ModelTask.Binary)]
    [InlineData(ModelTask.Multiclass)]
    public void Generator_writes_the_asked_shape_with_missing_values_and_labels_of_the_task(ModelTask task)
    {
        using var dir = new TempFolder();
        var lines = File.ReadAllLines(Generate(dir, task, 2000, missing: 0.1));

        lines[0].Should().Be("x0,x1,x2,x3,x4,cat0,cat1,cat2,label");
        lines.Should().HaveCount(2001);
        var fields = lines.Skip(1).Select(l => l.Split(',')).ToList();
        fields.Should().OnlyContain(f => f.Length == 9 && f[8].Length > 0, "labels are never missing");
        var missing = fields.Sum(f => f.Take(8).Count(v => v.Length == 0)) / (2000.0 * 8);
        missing.Should().BeInRange(0.08, 0.12);
        var labels = fields.Select(f => f[8]).Distinct().ToList();
        switch (task)
        {
            case ModelTask.Binary:
                labels.Should().BeEquivalentTo("true", "false");
                break;
            case ModelTask.Multiclass:
                labels.Should().BeEquivalentTo("class0", "class1", "class2", "class3");
                break;
            default:
                labels.Where(l => !double.TryParse(l, System.Globalization.CultureInfo.InvariantCulture, out var value)).Should().BeEmpty();
                break;
        }
    }

    [Fact]
    public void The_known_signal_is_learnable_up_to_the_best_achievable_fit()
    {
        using var dir = new TempFolder();
        var path = Path.Combine(dir.Path, "r.csv");
        double best;
        using (var writer = new StreamWriter(path))
        {
            best = SyntheticDataGenerator.Write(new SyntheticDataOptions(ModelTask.Regression, 5000, 8, 3, 0.0, 3), writer);
        }

        using var run = TrainedInProcess.Train(Spec(dir, path, "Sdca", "memory"));
        var result = run.Result;

        best.Should().BeInRange(0.5, 0.99);
        result.Manifest.Metrics.Test["RSquared"].Should().BeApproximately(best, 0.05);
    }

    [Theory]
    [InlineData("Sdca")]
    [InlineData("OnlineGradientDescent")]
    public void Training_streamed_from_the_disk_cache_equals_training_from_the_memory_cache(string trainer)
    {
        using var dir = new TempFolder();
        var path = Generate(dir, ModelTask.Regression, 3000);
        var scratch = Directory.CreateDirectory(Path.Combine(dir.Path, "scratch")).FullName;

        var models = new[] { "none", "memory", "disk" }.Select(cache =>
        {
            using var run = new TrainedInProcess(new TrainingRun(Spec(dir, path, trainer, cache), SilentProgress.Instance) { ScratchFolder = scratch }.Execute());
            return (run.Manifest.Metrics.Test, predictions: Score(run.Result.PackageDirectory, path));
        }).ToList();

        models[2].Test.Should().Equal(models[1].Test, "the disk cache must not change the model");
        models[2].predictions.Should().Equal(models[1].predictions);

        // Without a cache every pass re-reads the CSV, which cannot be shuffled: same data, rows in file order.
        models[0].Test["RSquared"].Should().BeApproximately(models[1].Test["RSquared"], 0.02);
        Directory.GetFiles(scratch).Should().BeEmpty("the disk cache and the stored rows are deleted after training");
    }

    [Theory]
    [InlineData("OnlineGradientDescent", "{}", false)]
    [InlineData("OnlineGradientDescent", "{\"NumberOfIterations\": 3}", true)]
    [InlineData("Sdca", "{}", true)]
    [InlineData("LightGbm", "{}", false)]
    [InlineData("FastTree", "{}", false)]
    public void Only_a_trainer_that_reads_its_rows_more_than_once_gets_a_cache(string trainer, string options, bool multiPass)
    {
        var values = JsonNode.Parse(options)!.AsObject().ToDictionary(o => o.Key, o => System.Text.Json.JsonSerializer.SerializeToElement(o.Value));
        new TrainerCandidate(TrainerCatalog.Find(trainer, ModelTask.Regression, "spec.json"), values).MultiPass.Should().Be(multiPass);
    }

    [Fact]
    public void One_iteration_of_online_gradient_descent_reads_the_rows_once_whatever_the_cache()
    {
        using var dir = new TempFolder();
        var path = Generate(dir, ModelTask.Regression, 3000);

        // A cache shuffles differently from the stored rows: equal predictions show that no cache was made.
        var predictions = new[] { "none", "memory", "disk" }.Select(cache =>
        {
            var spec = new TestSpec("s", path, "label", "regression", new JsonObject { ["name"] = "OnlineGradientDescent" })
                .WithoutCrossValidation().With("cache", cache);
            using var run = TrainedInProcess.Train(SpecLoader.Load(spec.WriteTo(dir, $"ogd-{cache}.json")));
            return Score(run.Result.PackageDirectory, path);
        }).ToList();

        predictions[1].Should().Equal(predictions[0]);
        predictions[2].Should().Equal(predictions[0]);
    }

    [Fact]
    public void The_drift_profile_made_beside_a_one_pass_fit_equals_the_one_made_after_a_multi_pass_fit()
    {
        using var dir = new TempFolder();
        var path = Generate(dir, ModelTask.Regression, 3000);

        var profiles = new[] { new JsonObject(), new JsonObject { ["NumberOfIterations"] = 2 } }.Select((options, i) =>
        {
            var spec = new TestSpec("s", path, "label", "regression", new JsonObject { ["name"] = "OnlineGradientDescent", ["options"] = options })
                .WithoutCrossValidation();
            using var run = TrainedInProcess.Train(SpecLoader.Load(spec.WriteTo(dir, $"ogd-{i}.json")));
            run.Manifest.Timings!.Select(t => t.Step).Should().Contain(i == 0 ? "training profile (beside the final fit)" : "training profile");
            return run.Manifest.Profile!;
        }).ToList();

        profiles[0].Rows.Should().Be(profiles[1].Rows);
        profiles[0].Columns.Should().BeEquivalentTo(profiles[1].Columns, "the same training split is profiled the same way");
    }

    [Fact]
    public void Row_sample_keeps_about_max_rows_uniformly_and_the_same_rows_for_the_same_seed()
    {
        var ml = new MLContext();
        var rows = ml.Data.LoadFromEnumerable(Enumerable.Range(0, 20_000).Select(i => new IndexRow { Index = i }));

        var first = RowSample.AtMost(ml, rows, 20_000, 5_000, seed: 3).GetColumn<int>("Index").ToArray();
        var again = RowSample.AtMost(ml, rows, 20_000, 5_000, seed: 3).GetColumn<int>("Index").ToArray();
        var other = RowSample.AtMost(ml, rows, 20_000, 5_000, seed: 4).GetColumn<int>("Index").ToArray();

        first.Length.Should().BeInRange(4_700, 5_300, "each row is kept with probability 5,000 / 20,000");
        first.Should().BeInAscendingOrder().And.OnlyHaveUniqueItems();
        first.Count(i => i >= 10_000).Should().BeInRange(first.Length * 45 / 100, first.Length * 55 / 100, "the sample covers the whole file");
        again.Should().Equal(first);
        other.Should().NotEqual(first);
        RowSample.AtMost(ml, rows, 20_000, 20_000, seed: 3).Should().BeSameAs(rows, "nothing to drop");
        RowSample.AtMost(ml, rows, 20_000, null, seed: 3).Should().BeSameAs(rows);
    }

    [Fact]
    public void MaxRows_fits_the_trainer_on_a_sample_while_the_cross_validation_test_folds_stay_whole()
    {
        using var run = TrainOnGeneratedRows("""[{ "name": "FastTree", "maxRows": 1000, "options": { "NumberOfTrees": 20 } }, { "name": "FastTree", "options": { "NumberOfTrees": 20 } }]""", folds: 2);
        var result = run.Result;

        result.Comparison.Select(c => c.Candidate.DisplayName).Should().Equal("FastTree(NumberOfTrees=20) (sample of 1,000 rows)", "FastTree(NumberOfTrees=20)");
        var sampled = result.Comparison[0].CrossValidation!["RSquared"].Mean;
        var whole = result.Comparison[1].CrossValidation!["RSquared"].Mean;
        sampled.Should().BeGreaterThan(0.5).And.BeLessThan(whole, "fewer rows fit a weaker model on the same test folds");
        result.Winner.MaxRows.Should().BeNull();
        result.Manifest.Trainer.MaxRows.Should().BeNull();
    }

    [Fact]
    public void MaxRows_is_recorded_in_the_manifest_and_the_report_and_the_test_split_is_not_sampled()
    {
        // maxRows below the test split's 1,500 rows, so a sampled test split would show in its count.
        using var run = TrainOnGeneratedRows("""{ "name": "FastTree", "maxRows": 1000, "options": { "NumberOfTrees": 20 } }""", folds: 0);
        var result = run.Result;

        result.Manifest.Trainer.MaxRows.Should().Be(1000);
        result.Manifest.TrainingData.TestRows.Should().BeInRange(1350, 1650, "the test split is never sampled");
        result.Manifest.Metrics.Test["RSquared"].Should().BeGreaterThan(0.5);
        File.ReadAllText(Path.Combine(result.PackageDirectory, "report.md")).Should().Contain("uniform random sample of about 1,000 of the training rows");
    }

    [Fact]
    public void Counting_view_counts_every_row_a_cursor_reads()
    {
        using var dir = new TempFolder();
        var path = Generate(dir, ModelTask.Binary, 1234);
        var ml = new MLContext();
        var counted = new CountingDataView(ml.Data.LoadFromTextFile(path, [new("x0", Microsoft.ML.Data.DataKind.Single, 0)], ',', hasHeader: true));

        counted.GetColumn<float>("x0").Count().Should().Be(1234);
        counted.GetColumn<float>("x0").Count().Should().Be(1234);

        counted.RowsRead.Should().Be(2468);
        RowRate.Describe(2468, TimeSpan.FromSeconds(2), 1234).Should().Be("2,468 rows read, 1,234 rows/s, pass 3: about 00:00:01 left");
    }

    [Fact]
    public async Task Generate_command_writes_the_file_and_refuses_bad_arguments()
    {
        using var dir = new TempFolder();
        var output = Path.Combine(dir.Path, "g.csv");

        var ok = await CliRunner.RunAsync("generate", "--task", "multiclass", "--rows", "100", "--features", "6", "--categorical", "2", "--seed", "5", "--out", output);
        var bad = await CliRunner.RunAsync("generate", "--task", "binary", "--rows", "10", "--features", "3", "--categorical", "4", "--out", output);

        ok.ExitCode.Should().Be(0, ok.Output);
        ok.StdOut.Should().Contain("Wrote 100 rows x 6 features (2 categorical)").And.Contain("best achievable accuracy");
        File.ReadAllLines(output).Should().HaveCount(101);
        bad.ExitCode.Should().Be(1);
        bad.StdErr.Should().Contain("--categorical between 0 and --features");
    }

    /// <summary>Trains the given trainers on 6,000 generated regression rows with a quarter held out for the test split.</summary>
    private static TrainedInProcess TrainOnGeneratedRows(string trainers, int folds)
    {
        using var dir = new TempFolder();
        var path = Generate(dir, ModelTask.Regression, 6000);
        return TrainedInProcess.Train(new TestSpec("s", path, "label", "regression", JsonNode.Parse(trainers)!).With("folds", folds).With("testFraction", 0.25));
    }

    private static TrainingSpec Spec(TempFolder dir, string data, string trainer, string cache)
    {
        var options = trainer == "Sdca" ? new JsonObject { ["MaximumNumberOfIterations"] = 5 } : new JsonObject { ["NumberOfIterations"] = 3 };
        var spec = new TestSpec("s", data, "label", "regression", new JsonObject { ["name"] = trainer, ["options"] = options })
            .WithoutCrossValidation().With("cache", cache);
        return SpecLoader.Load(spec.WriteTo(dir, $"{trainer}-{cache}.json"));
    }

    private static float[] Score(string packageDirectory, string data)
    {
        var ml = new MLContext();
        var model = ml.Model.Load(Path.Combine(packageDirectory, ModelManifest.ModelFileName), out var schema);
        var columns = schema.Select((c, i) => new Microsoft.ML.Data.TextLoader.Column(c.Name,
            c.Type is Microsoft.ML.Data.TextDataViewType ? Microsoft.ML.Data.DataKind.String : Microsoft.ML.Data.DataKind.Single, i)).ToArray();
        var view = ml.Data.LoadFromTextFile(data, columns, ',', hasHeader: true);
        return ml.Data.TakeRows(model.Transform(view), 200).GetColumn<float>("Score").ToArray();
    }

    private sealed class IndexRow
    {
        public int Index { get; set; }
    }
}
