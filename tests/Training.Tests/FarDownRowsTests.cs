using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLPipeline.TestSupport;
using MLPipeline.Training.Data;
using MLPipeline.Training.Specs;

namespace MLPipeline.Training.Tests;

/// <summary>
/// Whatever the profile finds far down a file is told in file order: the first bad line is the one named, and
/// every row is stored once, in place. (Guards any reading ahead or in parallel: batches of up to 4,096 rows
/// were tried, see tests/Benchmarks/Scale/RESULTS.md, run 4.)
/// </summary>
public class FarDownRowsTests
{
    /// <summary>The size of a read-ahead batch the file must span several of.</summary>
    private const int Batch = 4_096;

    // Several batches and a partly filled last one.
    private const int Rows = (3 * Batch) + 100;

    private static string Line(int row) => string.Create(CultureInfo.InvariantCulture, $"n{row % 7},{row},{row * 0.5}");

    /// <summary>The file's text, with some data rows (0-based) replaced; returns the path and the spec.</summary>
    private static TrainingSpec Spec(TempFolder dir, Dictionary<int, string> replaced)
    {
        var lines = Enumerable.Range(0, Rows).Select(r => replaced.TryGetValue(r, out var text) ? text : Line(r));
        var csv = dir.File("data.csv", "note,x,y\n" + string.Join("\n", lines) + "\n");
        return SpecLoader.Load(new TestSpec("m", csv, "y", "regression", "Sdca").With("columns", new { x = "numeric" }).WriteTo(dir));
    }

    [Fact]
    public void Every_row_of_several_batches_is_stored_once_in_file_order()
    {
        using var dir = new TempFolder();
        var binary = Path.Combine(dir.Path, "rows.idv");

        var profile = CsvProfiler.ProfileAndStore(Spec(dir, []), binary);

        profile.Rows.Should().Be(Rows);
        var view = new MLContext(1).Data.LoadFromBinary(binary);
        view.GetColumn<float>("x").Should().Equal(Enumerable.Range(0, Rows).Select(r => (float)r));
        view.GetColumn<ReadOnlyMemory<char>>("note").Select(n => n.ToString()).Should().Equal(Enumerable.Range(0, Rows).Select(r => $"n{r % 7}"));
    }

    [Fact]
    public void A_bad_value_far_down_names_its_line_and_column()
    {
        using var dir = new TempFolder();
        var row = (2 * Batch) + 321;

        var act = () => CsvProfiler.Profile(Spec(dir, new() { [row] = "a,12kg,1" }));

        act.Should().Throw<DataException>().Which.Message.Should()
            .Contain($"data.csv, line {row + 2}, column 'x': '12kg' is not a number");
    }

    [Theory]
    [InlineData(Batch + 5, 3 * Batch)] // in different batches
    [InlineData((3 * Batch) + 10, (3 * Batch) + 11)] // in the same batch, the last one
    public void Of_two_bad_lines_the_first_is_named(int first, int second)
    {
        using var dir = new TempFolder();

        // The later line holds an error met earlier in a row (the x column) and one that no parse can miss (a ragged row).
        foreach (var later in new[] { "a,oops,1", "a,1" })
        {
            var act = () => CsvProfiler.Profile(Spec(dir, new() { [first] = "a,1,not-a-label", [second] = later }));

            act.Should().Throw<DataException>().Which.Message.Should()
                .Contain($"data.csv, line {first + 2}, column 'y': label 'not-a-label' is not a number");
        }
    }
}
