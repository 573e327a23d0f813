using MLPipeline.Shared.Manifest;
using MLPipeline.TestSupport;
using MLPipeline.Training.Specs;

namespace MLPipeline.Training.Tests;

public class SpecLoaderTests
{
    private const string Minimal = """
        { "name": "m", "data": { "path": "d.csv" }, "label": "y", "task": "regression", "trainers": "Sdca" }
        """;

    [Fact]
    public void Minimal_spec_gets_the_documented_defaults()
    {
        var spec = SpecLoader.Parse(Minimal, "/specs/m.json");

        spec.Name.Should().Be("m");
        spec.Task.Should().Be(ModelTask.Regression);
        spec.Trainers.Should().ContainSingle().Which.Name.Should().Be("Sdca");
        spec.TestFraction.Should().Be(0.2);
        spec.Folds.Should().Be(5);
        spec.Seed.Should().Be(42);
        spec.Data.SeparatorChar.Should().Be(',');
        spec.Data.HasHeader.Should().BeTrue();
        spec.Export.Onnx.Should().BeTrue();
        spec.Export.OnnxExplicit.Should().BeFalse();
        spec.DataPath.Should().Be(Path.GetFullPath("/specs/d.csv"));
    }

    [Fact]
    public void Full_spec_maps_every_field()
    {
        var spec = SpecLoader.Parse("""
            {
              "name": "credit", "data": { "path": "../data/c.csv", "separator": ";", "hasHeader": true, "allowQuoting": false },
              "label": "Status", "task": "binary", "positiveClass": "bad",
              "columns": { "Home": "categorical", "Note": "text", "Id": "ignore", "Age": "numeric" },
              "trainers": [ { "name": "LightGbm", "options": { "NumberOfLeaves": 8 }, "grid": { "LearningRate": [0.1, 0.2] } }, { "name": "FastTree", "maxRows": 250000 } ],
              "testFraction": 0.25, "folds": 3, "seed": 7, "cache": "none",
              "gates": { "AreaUnderRocCurve": ">= 0.8", "test:Accuracy": "> 0.7" },
              "export": { "onnx": true }
            }
            """, "/x/specs/credit.json");

        spec.Data.SeparatorChar.Should().Be(';');
        spec.Data.AllowQuoting.Should().BeFalse();
        spec.PositiveClass.Should().Be("bad");
        spec.Columns.Should().Contain(new KeyValuePair<string, ColumnKind>("Note", ColumnKind.Text));
        spec.Trainers.Should().HaveCount(2);
        spec.Trainers[0].Options["NumberOfLeaves"].GetInt32().Should().Be(8);
        spec.Trainers[0].Grid["LearningRate"].Should().HaveCount(2);
        spec.Trainers[0].MaxRows.Should().BeNull();
        spec.Trainers[1].MaxRows.Should().Be(250000);
        spec.Gates.Should().ContainKey("test:Accuracy");
        spec.Cache.Should().Be(CacheMode.None);
        spec.Export.OnnxExplicit.Should().BeTrue();
    }

    [Theory]
    [InlineData("""{ "data": { "path": "d.csv" }, "label": "y", "task": "regression", "trainers": "Sdca" }""", "required field 'name' is missing")]
    [InlineData("""{ "name": "m", "data": { "path": "d.csv" }, "label": "y", "task": "regresion", "trainers": "Sdca" }""", "task: value is not one of")]
    [InlineData("""{ "name": "m", "data": { "path": "d.csv" }, "label": "y", "task": "regression", "trainers": "Sdca", "colums": {} }""", "'colums' is not a known field")]
    [InlineData("""{ "name": "m", "data": { "path": "d.csv" }, "label": "y", "task": "regression", "trainers": "Sdca", "gates": { "RSquared": "at least 0.8" } }""", "gates.RSquared")]
    [InlineData("""{ "name": "m", "data": { "path": "d.csv" }, "label": "y", "task": "regression", "trainers": "Sdca", "testFraction": 1.5 }""", "testFraction")]
    [InlineData("""{ "name": "bad name!", "data": { "path": "d.csv" }, "label": "y", "task": "regression", "trainers": "Sdca" }""", "name")]
    [InlineData("""{ "name": "m", "data": { "path": "d.csv" }, "label": "y", "task": "regression", "trainers": { "name": "FastTree", "maxRows": 0 } }""", "trainers.maxRows")]
    [InlineData("""{ "name": "m", "data": { "path": "d.csv" }, "label": "y", "task": "regression", "trainers": [{ "name": "FastTree", "maxRows": "1M" }] }""", "trainers[0].maxRows")]
    [InlineData("""{ "name": "m", "data": { "path": "d.csv" }, "label": "y", "task": "regression", "trainers": "Sdca", "seed": 99999999999 }""", "seed: NumberTooBig")]
    [InlineData("""{ "name": "m", "data": { "path": "d.csv", "separator": "ab" }, "label": "y", "task": "regression", "trainers": "Sdca" }""", "data.separator")]
    [InlineData("""{ "name": "m", "data": { "path": "d.csv", "separator": "\n" }, "label": "y", "task": "regression", "trainers": "Sdca" }""", "data.separator")]
    [InlineData("""{ "name": "m", "data": { "path": "d.csv", "separator": "\"" }, "label": "y", "task": "regression", "trainers": "Sdca" }""", "data.separator")]
    public void Spec_that_fails_the_schema_is_refused_naming_the_field(string json, string expected)
    {
        var act = () => SpecLoader.Parse(json, "/specs/bad.json");

        act.Should().Throw<SpecException>()
            .Which.Message.Should().Contain("/specs/bad.json").And.Contain("spec.schema.json").And.Contain(expected);
    }

    [Theory]
    [InlineData("CON", "device name on Windows")]
    [InlineData("com7.house", "device name on Windows")]
    [InlineData("house.", "must not end with '.'")]
    public void A_name_no_folder_store_on_Windows_can_hold_is_refused_naming_it(string name, string expected)
    {
        var act = () => SpecLoader.Parse($$"""{ "name": "{{name}}", "data": { "path": "d.csv" }, "label": "y", "task": "regression", "trainers": "Sdca" }""", "/specs/bad.json");

        act.Should().Throw<SpecException>()
            .Which.Message.Should().Contain("/specs/bad.json").And.Contain($"name '{name}'").And.Contain(expected);
    }

    [Theory]
    [InlineData(";", ';')]
    [InlineData(" ", ' ')]
    [InlineData("\\t", '\t')]
    [InlineData("\\\\t", '\t')]
    public void Separator_is_one_printable_character_or_a_tab(string separator, char expected) =>
        SpecLoader.Parse(Minimal.Replace("\"path\": \"d.csv\"", $"\"path\": \"d.csv\", \"separator\": \"{separator}\"", StringComparison.Ordinal), "/specs/m.json")
            .Data.SeparatorChar.Should().Be(expected);

    [Fact]
    public void Unknown_trainer_name_is_refused_by_the_schema_with_the_known_names()
    {
        var act = () => SpecLoader.Parse(Minimal.Replace("\"Sdca\"", "\"Sdcaa\"", StringComparison.Ordinal), "/specs/bad.json");

        act.Should().Throw<SpecException>().Which.Message.Should().Contain("trainers").And.Contain("OnlineGradientDescent");
    }

    [Fact]
    public void Invalid_json_names_the_line()
    {
        var act = () => SpecLoader.Parse("{\n  \"name\": \"m\",\n  oops\n}", "/specs/bad.json");

        act.Should().Throw<SpecException>().Which.Message.Should().Contain("not valid JSON at line 3");
    }

    [Fact]
    public void Missing_spec_file_is_a_spec_error()
    {
        var act = () => SpecLoader.Load("/nonexistent/spec.json");

        act.Should().Throw<SpecException>().Which.Message.Should().Contain("/nonexistent/spec.json");
    }

    [Fact]
    public void Every_bundled_spec_is_valid_and_names_existing_data()
    {
        var specs = Directory.GetFiles(RepositoryRoot.Pipelines, "*.json").Where(f => !f.EndsWith("schema.json", StringComparison.Ordinal)).ToList();

        specs.Should().NotBeEmpty();
        foreach (var path in specs)
        {
            var spec = SpecLoader.Load(path);
            File.Exists(spec.DataPath).Should().BeTrue($"{path} points at {spec.DataPath}");
            Path.GetFileNameWithoutExtension(path).Should().Be(spec.Name, "a spec file is named after its model");
        }
    }
}
