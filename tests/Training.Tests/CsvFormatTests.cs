using Microsoft.ML;
using Microsoft.ML.Data;
using MLPipeline.TestSupport;
using MLPipeline.Training.Data;
using MLPipeline.Training.Specs;

namespace MLPipeline.Training.Tests;

/// <summary>
/// RFC 4180 files are read field for field, by the profile and in the stored rows the training reads (they are
/// the same read), and errors after a quoted line break still name the right line.
/// </summary>
public class CsvFormatTests
{
    private static TrainingSpec Spec(TempFolder dir, string csvPath, string columns = "")
    {
        var spec = new TestSpec("m", csvPath, "y", "regression", "Sdca");
        return SpecLoader.Load((columns.Length > 0 ? spec.WithJson("columns", columns) : spec).WriteTo(dir));
    }

    private static string Csv(TempFolder dir, string text, bool byteOrderMark = false)
    {
        var path = Path.Combine(dir.Path, "data.csv");
        File.WriteAllText(path, text, new System.Text.UTF8Encoding(byteOrderMark));
        return path;
    }

    private static List<(string Note, float X, float Y)> RowsOf(StoredRows data)
    {
        var view = data.Load(new MLContext(1));
        var notes = view.GetColumn<ReadOnlyMemory<char>>("note").Select(n => n.ToString()).ToList();
        var xs = view.GetColumn<float>("x").ToList();
        var ys = view.GetColumn<float>("y").ToList();
        return notes.Select((n, i) => (n, xs[i], ys[i])).ToList();
    }

    [Fact]
    public void Quoted_separators_doubled_quotes_line_breaks_CRLF_and_a_byte_order_mark_are_read_as_RFC_4180_says()
    {
        using var dir = new TempFolder();
        var csv = Csv(dir, string.Join("\r\n",
            "note,x,y",
            "\"Smith, J\",1.5,10",
            "\"said \"\"hi\"\"\",2,20",
            "\"first line\r\nsecond line\",3,30",
            "plain,,40",
            ""), byteOrderMark: true);

        using var data = StoredRows.Read(Spec(dir, csv, """{ "note": "text" }"""));

        data.Profile.Header.Should().Equal("note", "x", "y");
        data.Profile.Rows.Should().Be(4);
        data.Profile.MissingByColumn.Should().Equal(new Dictionary<string, long> { ["x"] = 1 });
        RowsOf(data).Should().Equal(
            ("Smith, J", 1.5f, 10f),
            ("said \"hi\"", 2f, 20f),
            ("first line\r\nsecond line", 3f, 30f),
            ("plain", float.NaN, 40f));
    }

    [Fact]
    public void A_bad_value_after_a_quoted_line_break_names_its_own_line()
    {
        using var dir = new TempFolder();
        var csv = Csv(dir, "note,x,y\n\"two\nlines\",1,10\nok,2,20\nok,three,30\n");

        var act = () => CsvProfiler.Profile(Spec(dir, csv, """{ "x": "numeric" }"""));

        act.Should().Throw<DataException>().Which.Message.Should().Contain("line 5").And.Contain("column 'x'").And.Contain("'three' is not a number");
    }

    [Fact]
    public void An_unclosed_quote_is_a_ragged_row_that_names_the_lines_it_spans()
    {
        using var dir = new TempFolder();
        var csv = Csv(dir, "note,x,y\nok,1,10\n\"open,2,20\nok,3,30\n");

        var act = () => CsvProfiler.Profile(Spec(dir, csv));

        act.Should().Throw<DataException>().Which.Message.Should().Contain("data.csv, lines 3-5: 1 fields, but the header has 3")
            .And.Contain("column 'x' and after are missing").And.Contain("closing quote");
    }

    [Fact]
    public void A_column_that_turns_to_text_after_the_rows_read_ahead_is_stored_as_text()
    {
        using var dir = new TempFolder();
        var rows = Enumerable.Range(0, 30).Select(i => $"{(i < 20 ? i.ToString(System.Globalization.CultureInfo.InvariantCulture) : "code" + (i % 3))},{i},{i * 2}");
        var csv = Csv(dir, "note,x,y\n" + string.Join("\n", rows) + "\n");
        var binary = Path.Combine(dir.Path, "rows.idv");

        // Only the first 5 rows are read ahead: 'note' looks numeric there and holds text from row 21 on.
        var profile = CsvProfiler.Read(Spec(dir, csv), binary, headRows: 5);

        profile.Features.Single(f => f.Name == "note").Kind.Should().Be(ColumnKind.Categorical);
        var notes = new MLContext(1).Data.LoadFromBinary(binary).GetColumn<ReadOnlyMemory<char>>("note").Select(n => n.ToString()).ToList();
        notes.Should().HaveCount(30);
        notes[0].Should().Be("0");
        notes[29].Should().Be("code2");
    }

    [Fact]
    public void The_stored_rows_file_is_deleted_with_the_run_data()
    {
        using var dir = new TempFolder();
        var data = StoredRows.Read(Spec(dir, Csv(dir, "note,x,y\na,1,2\nb,2,3\n")));
        File.Exists(data.Path).Should().BeTrue();
        data.Load(new MLContext(1)).GetColumn<float>("x").Should().Equal(1f, 2f);

        data.Dispose();

        File.Exists(data.Path).Should().BeFalse();
    }

    [Theory]
    [InlineData("a,b,a,y", "column 'a' twice (fields 1 and 3)")]
    [InlineData("a, b ,b,y", "column 'b' twice (fields 2 and 3)")]
    public void Duplicate_column_names_are_refused_naming_both_fields(string header, string message)
    {
        using var dir = new TempFolder();
        var act = () => CsvProfiler.Profile(Spec(dir, Csv(dir, header + "\n1,2,3,4\n")));

        act.Should().Throw<DataException>().Which.Message.Should().Contain("data.csv, line 1").And.Contain(message);
    }

    [Theory]
    [InlineData("NaN", "label 'NaN' has no usable value")]
    [InlineData("Infinity", "label 'Infinity' has no usable value")]
    [InlineData("-inf", "label '-inf' has no usable value")]
    public void A_regression_label_that_is_not_a_finite_number_is_refused_naming_line_and_column(string label, string message)
    {
        using var dir = new TempFolder();
        var act = () => CsvProfiler.Profile(Spec(dir, Csv(dir, $"note,x,y\na,1,2\nb,2,{label}\n")));

        act.Should().Throw<DataException>().Which.Message.Should().Contain("line 3").And.Contain("column 'y'").And.Contain(message);
    }

    [Fact]
    public void NaN_in_a_numeric_feature_is_a_missing_value()
    {
        using var dir = new TempFolder();
        var profile = CsvProfiler.Profile(Spec(dir, Csv(dir, "note,x,y\na,NaN,2\nb,2,3\n")));

        profile.Features.Single(f => f.Name == "x").Kind.Should().Be(ColumnKind.Numeric);
        profile.MissingByColumn.Should().Equal(new Dictionary<string, long> { ["x"] = 1 });
    }

    [Fact]
    public void An_infinite_feature_value_is_refused_naming_line_and_column()
    {
        using var dir = new TempFolder();
        var act = () => CsvProfiler.Profile(Spec(dir, Csv(dir, "note,x,y\na,1,2\nb,-Infinity,3\n")));

        act.Should().Throw<DataException>().Which.Message.Should().Contain("line 3").And.Contain("column 'x'").And.Contain("infinite");
    }

    [Fact]
    public void A_number_with_trailing_text_is_not_a_number()
    {
        using var dir = new TempFolder();
        var act = () => CsvProfiler.Profile(Spec(dir, Csv(dir, "note,x,y\na,1,2\nb,1.5kg,3\n"), """{ "x": "numeric" }"""));

        act.Should().Throw<DataException>().Which.Message.Should().Contain("line 3").And.Contain("'1.5kg' is not a number");
    }
}
