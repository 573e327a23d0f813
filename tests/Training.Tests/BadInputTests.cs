using System.Text.Json.Nodes;
using MLPipeline.TestSupport;

namespace MLPipeline.Training.Tests;

/// <summary>Every bad input through the real console: a clear message naming the place, the documented exit code, and nothing in the store.</summary>
public class BadInputTests
{
    private static async Task<ExternalTool.Result> Train(TempFolder dir, string spec, string? store = null)
    {
        store ??= Path.Combine(dir.Path, "store");
        return await CliRunner.RunAsync("train", spec, "--store", store);
    }

    /// <summary>A spec named m over <paramref name="dataPath"/> (relative to the spec's folder), FastTree by default, no cross-validation.</summary>
    private static string Spec(TempFolder dir, string dataPath, string label = "y", string task = "regression", JsonNode? trainers = null, Action<TestSpec>? change = null)
    {
        var spec = new TestSpec("m", dataPath, label, task, trainers ?? "FastTree").WithoutCrossValidation();
        change?.Invoke(spec);
        return spec.WriteTo(dir);
    }

    private static void StoreIsEmpty(TempFolder dir) =>
        Directory.Exists(Path.Combine(dir.Path, "store", "m")).Should().BeFalse("nothing may be written to the store");

    [Fact]
    public async Task Missing_data_file_exits_2_naming_the_file()
    {
        using var dir = new TempFolder();
        var result = await Train(dir, Spec(dir, "nope.csv"));

        result.ExitCode.Should().Be(2);
        result.StdErr.Should().Contain("nope.csv").And.Contain("not found");
        StoreIsEmpty(dir);
    }

    [Fact]
    public async Task Data_path_naming_a_folder_exits_2_saying_so()
    {
        using var dir = new TempFolder();
        Directory.CreateDirectory(Path.Combine(dir.Path, "data"));
        var result = await Train(dir, Spec(dir, "data"));

        result.ExitCode.Should().Be(2);
        result.StdErr.Should().Contain("data: is a folder, not a data file");
        StoreIsEmpty(dir);
    }

    [Fact]
    public async Task Empty_data_file_exits_2()
    {
        using var dir = new TempFolder();
        dir.File("d.csv", "");
        var result = await Train(dir, Spec(dir, "d.csv"));

        result.ExitCode.Should().Be(2);
        result.StdErr.Should().Contain("d.csv").And.Contain("empty");
        StoreIsEmpty(dir);
    }

    [Fact]
    public async Task Header_without_the_label_exits_2_naming_the_label()
    {
        using var dir = new TempFolder();
        dir.File("d.csv", "a,b\n1,2\n");
        var result = await Train(dir, Spec(dir, "d.csv", label: "price"));

        result.ExitCode.Should().Be(2);
        result.StdErr.Should().Contain("no label column 'price'");
        StoreIsEmpty(dir);
    }

    [Fact]
    public async Task Header_without_a_declared_column_exits_2_naming_it()
    {
        using var dir = new TempFolder();
        dir.File("d.csv", "a,y\n1,2\n");
        var result = await Train(dir, Spec(dir, "d.csv", change: s => s.With("columns", new { rooms = "numeric" })));

        result.ExitCode.Should().Be(2);
        result.StdErr.Should().Contain("no column 'rooms'");
        StoreIsEmpty(dir);
    }

    [Fact]
    public async Task Non_numeric_value_in_a_numeric_column_exits_2_naming_line_and_column()
    {
        using var dir = new TempFolder();
        dir.File("d.csv", "a,y\n1,2\n2,3\nthree,4\n");
        var result = await Train(dir, Spec(dir, "d.csv", change: s => s.With("columns", new { a = "numeric" })));

        result.ExitCode.Should().Be(2);
        result.StdErr.Should().Contain("line 4").And.Contain("column 'a'").And.Contain("'three' is not a number");
        StoreIsEmpty(dir);
    }

    [Fact]
    public async Task Non_numeric_regression_label_exits_2_naming_line_and_column()
    {
        using var dir = new TempFolder();
        dir.File("d.csv", "a,y\n1,2\n2,n/a\n");
        var result = await Train(dir, Spec(dir, "d.csv"));

        result.ExitCode.Should().Be(2);
        result.StdErr.Should().Contain("line 3").And.Contain("column 'y'").And.Contain("'n/a' is not a number");
    }

    [Fact]
    public async Task Duplicate_column_names_exit_2_naming_the_column_and_both_fields()
    {
        using var dir = new TempFolder();
        dir.File("d.csv", "a,b,a,y\n1,2,3,4\n");
        var result = await Train(dir, Spec(dir, "d.csv"));

        result.ExitCode.Should().Be(2);
        result.StdErr.Should().Contain("d.csv, line 1").And.Contain("column 'a' twice (fields 1 and 3)");
        StoreIsEmpty(dir);
    }

    [Theory]
    [InlineData("a,,y\n1,2,3\n")]
    [InlineData("a,  ,y\n1,2,3\n")]
    [InlineData("a,\"\",y\n1,2,3\n")]
    public async Task Empty_column_name_exits_2_naming_the_field(string csv)
    {
        using var dir = new TempFolder();
        dir.File("d.csv", csv);
        var result = await Train(dir, Spec(dir, "d.csv"));

        result.ExitCode.Should().Be(2);
        result.StdErr.Should().Contain("d.csv, line 1: field 2 of the header is empty");
        StoreIsEmpty(dir);
    }

    [Theory]
    [InlineData("", 1)]
    [InlineData("a,y\n1,2\n\n", 4)]
    public async Task Row_longer_than_the_reader_can_hold_exits_2_naming_its_line(string before, int line)
    {
        // An unclosed quote early in a big file, or a file that is no CSV (/dev/zero): Sep gives up at 16M characters.
        using var dir = new TempFolder();
        dir.File("d.csv", before + "1,\"" + new string('x', 17_000_000) + "\n");
        var result = await Train(dir, Spec(dir, "d.csv"));

        result.ExitCode.Should().Be(2);
        result.StdErr.Should().Contain($"d.csv, line {line}: the row does not end within 16,777,216 characters").And.NotContain("Unhandled exception");
        StoreIsEmpty(dir);
    }

    [Theory]
    [InlineData(1, "test")]
    [InlineData(6, "training")]
    public async Task Too_few_rows_for_the_split_exit_2_naming_the_empty_split(int seed, string split)
    {
        // Two rows, half held out: these seeds put both on one side.
        using var dir = new TempFolder();
        dir.File("d.csv", "a,y\n1,2\n2,3\n");
        var result = await Train(dir, Spec(dir, "d.csv", change: s => s.With("testFraction", 0.5).With("seed", seed)));

        result.ExitCode.Should().Be(2);
        result.StdErr.Should().Contain($"d.csv: the {split} split has no rows (2 row(s) in all, testFraction 0.5, seed {seed})").And.NotContain("Unhandled exception");
        StoreIsEmpty(dir);
    }

    [Theory]
    [InlineData("a,c,y\n", "\n", 3, "c")]
    [InlineData("a,c,y\r\n", "\r\n", 3, "c")]
    [InlineData("a,c,y\r", "\r", 3, "c")]
    [InlineData("a,c\u00e9,y\n", "\n", 1, "c\uffff")]
    public async Task Text_that_is_not_utf8_exits_2_naming_line_and_column(string header, string lineEnd, int line, string column)
    {
        // Saved as Windows-1252 (Excel's plain "CSV"): 'é' is the single byte 0xE9, which is not UTF-8.
        using var dir = new TempFolder();
        var rows = string.Concat(Enumerable.Range(0, 40).Select(i => $"{i},{(i == 1 ? "caf\u00e9" : "tea")},{i % 7}{lineEnd}"));
        File.WriteAllBytes(Path.Combine(dir.Path, "d.csv"), System.Text.Encoding.Latin1.GetBytes(header + rows));
        var result = await Train(dir, Spec(dir, "d.csv"));

        result.ExitCode.Should().Be(2);
        result.StdErr.Should().Contain($"d.csv, line {line}, column '{column}': holds bytes that are not UTF-8").And.Contain("Save it as UTF-8");
        StoreIsEmpty(dir);
    }

    [Fact]
    public async Task Text_that_is_not_utf8_inside_a_quoted_field_names_its_line()
    {
        using var dir = new TempFolder();
        var rows = string.Concat(Enumerable.Range(0, 40).Select(i => i == 2 ? $"{i},\"two\nline caf\u00e9\",{i % 7}\n" : $"{i},tea,{i % 7}\n"));
        File.WriteAllBytes(Path.Combine(dir.Path, "d.csv"), System.Text.Encoding.Latin1.GetBytes("a,c,y\n" + rows));
        var result = await Train(dir, Spec(dir, "d.csv"));

        result.ExitCode.Should().Be(2);
        result.StdErr.Should().Contain("d.csv, line 5, column 'c': holds bytes that are not UTF-8");
        StoreIsEmpty(dir);
    }

    [Theory]
    [InlineData("NumberOfLeaves", 1, "LightGBM Error")]
    [InlineData("NumberOfIterations", -5, "must be >= 0")]
    public async Task Trainer_options_ML_NET_refuses_exit_1_naming_the_spec_and_the_trainer(string option, int value, string reason)
    {
        // ML.NET checks its options when the trainer is built; LightGBM checks some of its own only when it fits.
        using var dir = new TempFolder();
        dir.File("d.csv", "a,y\n" + string.Concat(Enumerable.Range(0, 60).Select(i => $"{i},{i % 7}\n")));
        var spec = Spec(dir, "d.csv", trainers: new JsonObject { ["name"] = "LightGbm", ["options"] = new JsonObject { [option] = value } });
        var result = await Train(dir, spec);

        result.ExitCode.Should().Be(1);
        result.StdErr.Should().Contain($"spec error: {spec}: trainer LightGbm({option}={value}) refused its options").And.Contain(reason).And.NotContain("Unhandled exception");
        StoreIsEmpty(dir);
    }

    [Fact]
    public async Task Constant_regression_label_exits_2_naming_the_column()
    {
        using var dir = new TempFolder();
        dir.File("d.csv", "a,y\n" + string.Concat(Enumerable.Range(0, 40).Select(i => $"{i},5\n")));
        var result = await Train(dir, Spec(dir, "d.csv"));

        result.ExitCode.Should().Be(2);
        result.StdErr.Should().Contain("d.csv, column 'y': every label is 5; a regression task needs at least two different values");
        StoreIsEmpty(dir);
    }

    [Fact]
    public async Task Test_split_too_small_to_measure_exits_2_naming_the_metric()
    {
        // Six rows, a fifth held out: this seed's test split is one row, whose R-squared ML.NET cannot compute.
        using var dir = new TempFolder();
        dir.File("d.csv", "a,y\n" + string.Concat(Enumerable.Range(0, 6).Select(i => $"{i},{(2 * i) + 1}\n")));
        var result = await Train(dir, Spec(dir, "d.csv", trainers: "Sdca", change: s => s.With("testFraction", 0.2).With("seed", 1)));

        result.ExitCode.Should().Be(2);
        result.StdErr.Should().Contain("d.csv: the test split (1 row(s)) gives RSquared = NaN").And.NotContain("Unhandled exception");
        StoreIsEmpty(dir);
    }

    [Fact]
    public async Task Binary_test_split_of_one_class_exits_2_naming_the_split()
    {
        // Eight rows, a fifth held out: this seed's test split is one row, of one class, and ML.NET refuses its AUC.
        using var dir = new TempFolder();
        dir.File("d.csv", "a,y\n" + string.Concat(Enumerable.Range(0, 8).Select(i => $"{i},{"ab"[i % 2]}\n")));
        var result = await Train(dir, Spec(dir, "d.csv", task: "binary", change: s => s.With("testFraction", 0.2).With("seed", 1).With("positiveClass", "a")));

        result.ExitCode.Should().Be(2);
        result.StdErr.Should().Contain("d.csv: the test split (1 row(s)) cannot be measured (AUC is not defined").And.NotContain("Unhandled exception");
        StoreIsEmpty(dir);
    }

    [Fact]
    public async Task Cross_validation_folds_too_small_to_measure_exit_2_naming_the_metric()
    {
        // Ten folds of about nine training rows: a fold of one row has no R-squared.
        using var dir = new TempFolder();
        dir.File("d.csv", "a,y\n" + string.Concat(Enumerable.Range(0, 12).Select(i => $"{i},{i * 7 % 5}\n")));
        var result = await Train(dir, Spec(dir, "d.csv", change: s => s.With("testFraction", 0.2).With("folds", 10)));

        result.ExitCode.Should().Be(2);
        result.StdErr.Should().Contain("d.csv: cross-validation in 10 folds gives RSquared = NaN").And.NotContain("Unhandled exception");
        StoreIsEmpty(dir);
    }

    [Theory]
    [InlineData("NaN")]
    [InlineData("Infinity")]
    public async Task Regression_label_without_a_usable_value_exits_2_naming_line_and_column(string label)
    {
        using var dir = new TempFolder();
        dir.File("d.csv", $"a,y\n1,2\n2,3\n3,{label}\n4,5\n");
        var result = await Train(dir, Spec(dir, "d.csv"));

        result.ExitCode.Should().Be(2);
        result.StdErr.Should().Contain("d.csv, line 4, column 'y'").And.Contain($"label '{label}' has no usable value");
        result.StdErr.Should().NotContain("Unhandled exception");
        StoreIsEmpty(dir);
    }

    [Theory]
    [InlineData("a,b,y\n1,2,3\n4,5\n", "line 3: 2 fields, but the header has 3 (column 'y' and after are missing)")]
    [InlineData("a,b,y\n1,2,3\n4,5,6,7\n", "line 3: 4 fields, but the header has 3 (field 4 is beyond the last column 'y')")]
    public async Task Ragged_row_exits_2_naming_line_and_column(string csv, string message)
    {
        using var dir = new TempFolder();
        dir.File("d.csv", csv);
        var result = await Train(dir, Spec(dir, "d.csv"));

        result.ExitCode.Should().Be(2);
        result.StdErr.Should().Contain("d.csv, " + message);
        StoreIsEmpty(dir);
    }

    [Fact]
    public async Task Single_class_label_exits_2()
    {
        using var dir = new TempFolder();
        dir.File("d.csv", "a,y\n1,yes\n2,yes\n3,yes\n");
        var result = await Train(dir, Spec(dir, "d.csv", task: "binary", trainers: "LbfgsLogisticRegression"));

        result.ExitCode.Should().Be(2);
        result.StdErr.Should().Contain("single class 'yes'");
        StoreIsEmpty(dir);
    }

    [Fact]
    public async Task Unknown_trainer_exits_1()
    {
        using var dir = new TempFolder();
        dir.File("d.csv", "a,y\n1,2\n");
        var result = await Train(dir, Spec(dir, "d.csv", trainers: "NeuralNet"));

        result.ExitCode.Should().Be(1);
        result.StdErr.Should().Contain("trainers").And.Contain("value is not one of");
        StoreIsEmpty(dir);
    }

    [Fact]
    public async Task Unknown_trainer_option_exits_1_naming_it()
    {
        using var dir = new TempFolder();
        dir.File("d.csv", "a,y\n1,2\n");
        var result = await Train(dir, Spec(dir, "d.csv", trainers: JsonNode.Parse("""{ "name": "FastTree", "options": { "Leaves": 3 } }""")));

        result.ExitCode.Should().Be(1);
        result.StdErr.Should().Contain("unknown option 'Leaves'");
        StoreIsEmpty(dir);
    }

    [Fact]
    public async Task Spec_failing_the_schema_exits_1_naming_the_field()
    {
        using var dir = new TempFolder();
        var spec = dir.File("m.json", """{ "name": "m", "data": { "path": "d.csv" }, "task": "regression", "trainers": "FastTree" }""");
        var result = await Train(dir, spec);

        result.ExitCode.Should().Be(1);
        result.StdErr.Should().Contain("required field 'label' is missing");
    }

    [Fact]
    public async Task Unwritable_store_exits_4_naming_the_store()
    {
        using var dir = new TempFolder();
        var blocker = dir.File("not-a-folder", "a file where the store folder should be");
        var result = await Train(dir, RepositoryRoot.Spec("linear-2x-minus-1"), store: blocker);

        result.ExitCode.Should().Be(4);
        result.StdErr.Should().Contain(blocker);
    }

    [Fact]
    public async Task Failed_gate_exits_3_and_publishes_nothing()
    {
        using var dir = new TempFolder();
        var spec = Spec(dir, RepositoryRoot.Data("iris.csv"), label: "species", task: "multiclass", trainers: "LbfgsMaximumEntropy", change: s => s.WithJson("gates", """{ "MacroAccuracy": ">= 1.5" }"""));
        var result = await Train(dir, spec);

        result.ExitCode.Should().Be(3);
        result.StdErr.Should().Contain("test:MacroAccuracy >= 1.5").And.Contain("Nothing was published");
        StoreIsEmpty(dir);
    }

    [Fact]
    public async Task A_search_whose_every_trial_fails_exits_8_with_each_error_and_publishes_nothing()
    {
        using var dir = new TempFolder();
        // LightGbm refuses one leaf only once it trains: every fold of the one trial throws.
        var spec = Spec(dir, RepositoryRoot.Data("iris.csv"), label: "species", task: "multiclass",
            trainers: JsonNode.Parse("""{ "name": "LightGbm", "options": { "NumberOfLeaves": 1 } }"""), change: s => s.With("folds", 2));
        var result = await Train(dir, spec);

        result.ExitCode.Should().Be(8, result.Output);
        result.StdErr.Should().Contain("every one of the search's 1 trial(s) failed").And.Contain("LightGBM");
        StoreIsEmpty(dir);
    }

    [Fact]
    public async Task Unknown_command_option_is_bad_usage_and_help_works_everywhere()
    {
        var bad = await CliRunner.RunAsync("train", "x.json", "--no-such-option");
        var help = await CliRunner.RunAsync("train", "--help");

        bad.ExitCode.Should().Be(1);
        help.ExitCode.Should().Be(0);
        help.StdOut.Should().Contain("--store").And.Contain("--alias");
    }
}
