using MLPipeline.TestSupport;
using MLPipeline.Training.Data;
using MLPipeline.Training.Specs;

namespace MLPipeline.Training.Tests;

public class CsvProfilerTests
{
    private static DataProfile Profile(TempFolder dir, string csv, string columns = "", string task = "regression", string label = "y")
    {
        var spec = new TestSpec("m", dir.File("data.csv", csv), label, task, "FastTree");
        return CsvProfiler.Profile(SpecLoader.Load((columns.Length > 0 ? spec.WithJson("columns", columns) : spec).WriteTo(dir)));
    }

    [Fact]
    public void Infers_numeric_categorical_and_text_columns()
    {
        using var dir = new TempFolder();
        var rows = Enumerable.Range(0, 200).Select(i =>
            $"{i * 0.5},{(i % 3 == 0 ? "red" : "blue")},\"free text number {i} with words\",{i}");
        var profile = Profile(dir, "size,colour,note,y\n" + string.Join("\n", rows) + "\n");

        profile.Rows.Should().Be(200);
        profile.Features.Select(f => (f.Name, f.Kind, f.Inferred)).Should().Equal(
            ("size", ColumnKind.Numeric, true),
            ("colour", ColumnKind.Categorical, true),
            ("note", ColumnKind.Text, true));
    }

    [Fact]
    public void Declared_roles_win_over_inference_and_ignored_columns_are_dropped()
    {
        using var dir = new TempFolder();
        var profile = Profile(dir, "zip,id,y\n1000,1,1.5\n2000,2,2.5\n1000,3,3.5\n", """{ "zip": "categorical", "id": "ignore" }""");

        profile.Features.Should().ContainSingle().Which.Should().Be(new ColumnPlan("zip", 0, ColumnKind.Categorical, false));
    }

    [Fact]
    public void Counts_missing_values_and_picks_a_complete_sample_row()
    {
        using var dir = new TempFolder();
        var profile = Profile(dir, "a,b,y\n,x,1\n2,,2\n3,z,3\n");

        profile.MissingByColumn.Should().Equal(new Dictionary<string, long> { ["a"] = 1, ["b"] = 1 });
        profile.SampleRow.Should().Equal(new Dictionary<string, string?> { ["a"] = "3", ["b"] = "z" });
    }

    [Fact]
    public void Handles_quoted_fields_with_separators_and_escaped_quotes()
    {
        using var dir = new TempFolder();
        var profile = Profile(dir, "name,y\n\"Smith, \"\"J\"\"\",1\n\"Doe\",2\n");

        profile.SampleRow["name"].Should().Be("Smith, \"J\"");
    }

    [Fact]
    public void Lists_a_categorical_columns_values_in_ordinal_order_when_they_are_few()
    {
        using var dir = new TempFolder();
        var rows = Enumerable.Range(0, 300).Select(i => $"{(i % 3 == 0 ? "red" : i % 3 == 1 ? "blue" : "")},z{i},{i},{i}");
        var profile = Profile(dir, "colour,code,n,y\n" + string.Join("\n", rows) + "\n", """{ "code": "categorical" }""");

        // Missing values are not a category; 300 distinct codes are more than a manifest lists; numbers list nothing.
        profile.Categories.Should().ContainKey("colour").WhoseValue.Should().Equal("blue", "red");
        profile.Categories.Should().NotContainKey("code").And.NotContainKey("n");
    }

    [Fact]
    public void Classification_label_classes_are_sorted_ordinally()
    {
        using var dir = new TempFolder();
        var profile = Profile(dir, "x,species\n1,b\n2,a\n3,c\n4,a\n", task: "multiclass", label: "species");

        profile.LabelClasses.Should().Equal("a", "b", "c");
    }

    [Fact]
    public void A_row_with_the_wrong_number_of_fields_names_its_line()
    {
        using var dir = new TempFolder();
        var act = () => Profile(dir, "a,y\n1,2\n3\n");

        act.Should().Throw<DataException>().Which.Message.Should().Contain("line 3").And.Contain("1 fields");
    }

    [Fact]
    public void A_missing_label_value_names_its_line()
    {
        using var dir = new TempFolder();
        var act = () => Profile(dir, "a,y\n1,2\n3,\n");

        act.Should().Throw<DataException>().Which.Message.Should().Contain("line 3").And.Contain("column 'y'").And.Contain("label is missing");
    }

    [Fact]
    public void Binary_task_with_three_label_values_is_refused()
    {
        using var dir = new TempFolder();
        var act = () => Profile(dir, "a,y\n1,x\n2,y\n3,z\n", task: "binary");

        act.Should().Throw<DataException>().Which.Message.Should().Contain("exactly two label values, found 3");
    }
}
