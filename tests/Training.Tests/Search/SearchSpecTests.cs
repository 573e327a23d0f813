using System.Text.Json.Nodes;
using MLPipeline.TestSupport;
using MLPipeline.Training.Search;
using MLPipeline.Training.Specs;

namespace MLPipeline.Training.Tests.Search;

/// <summary>The spec's search and spaces: read as written, and every mistake named by its field.</summary>
public class SearchSpecTests
{
    /// <summary>The JSON of a spec with Sdca and <paramref name="trainer"/>, and <paramref name="search"/> unless empty.</summary>
    private static string Spec(string search, string trainer)
    {
        var spec = new TestSpec("m", "d.csv", "y", "regression", new JsonArray("Sdca", JsonNode.Parse(trainer))).With("seed", 9);
        return (search.Length > 0 ? spec.WithJson("search", search) : spec).Json;
    }

    private const string Space = """{ "name": "LightGbm", "options": { "NumberOfIterations": 50 }, "space": { "NumberOfLeaves": { "int": [4, 256], "log": true }, "LearningRate": { "float": [0.005, 0.3], "log": true }, "L2CategoricalRegularization": { "float": [0.5, 1.0] }, "UseCategoricalSplit": { "choice": [true, false] } } }""";

    [Fact]
    public void Search_and_space_are_read_with_their_defaults()
    {
        var spec = SpecLoader.Parse(Spec("""{ "strategy": "halving", "trials": 60, "budget": "15m" }""", Space), "/s/m.json");

        spec.Search.Should().Be(new SearchSpec(SearchStrategy.Halving, 60, TimeSpan.FromMinutes(15), 9, 3));
        spec.Trainers[1].Space["NumberOfLeaves"].Should().Be(new SpaceDimension.Integers(4, 256, true));
        spec.Trainers[1].Space["L2CategoricalRegularization"].Should().Be(new SpaceDimension.Reals(0.5, 1.0, false));
        spec.Trainers[1].Space["UseCategoricalSplit"].Should().BeOfType<SpaceDimension.Choice>().Which.Values.Should().HaveCount(2);
        SpecLoader.Parse(Spec("", "\"FastTree\""), "/s/m.json").Search.Strategy.Should().Be(SearchStrategy.Grid);
    }

    [Theory]
    [InlineData("""{ "strategy": "bayes" }""", "", "search.strategy: value is not one of: grid, random, halving")]
    [InlineData("""{ "strategy": "random", "trials": 0 }""", "", "search.trials")]
    [InlineData("""{ "strategy": "random", "budget": "15 minutes" }""", "", "search.budget")]
    [InlineData("""{ "trials": 5 }""", "", "search.strategy: required field 'strategy' is missing")]
    [InlineData("""{ "strategy": "random" }""", """{ "name": "LightGbm", "space": { "NumberOfLeaves": { "int": [4] } } }""", "trainers[1].space.NumberOfLeaves")]
    [InlineData("""{ "strategy": "random" }""", """{ "name": "LightGbm", "space": { "NumberOfLeaves": { "ints": [4, 8] } } }""", "trainers[1].space.NumberOfLeaves")]
    [InlineData("""{ "strategy": "random" }""", """{ "name": "LightGbm", "space": { "NumberOfLeaves": { "int": [64, 4] } } }""", "trainers[1].space.NumberOfLeaves: the range [64, 4] has its minimum above its maximum")]
    [InlineData("""{ "strategy": "random" }""", """{ "name": "LightGbm", "space": { "LearningRate": { "float": [0, 0.3], "log": true } } }""", "trainers[1].space.LearningRate: a log scale needs a minimum above 0")]
    [InlineData("""{ "strategy": "random" }""", """{ "name": "LightGbm", "options": { "NumberOfLeaves": 8 }, "space": { "NumberOfLeaves": { "int": [4, 8] } } }""", "trainers[1].space.NumberOfLeaves: the option is also in")]
    [InlineData("", """{ "name": "LightGbm", "space": { "NumberOfLeaves": { "int": [4, 8] } } }""", "trainers[1].space: a space is searched by")]
    [InlineData("""{ "strategy": "random", "budget": "99999999999999h" }""", "", "search.budget")]
    [InlineData("""{ "strategy": "random", "seed": 99999999999 }""", "", "search.seed: NumberTooBig")]
    [InlineData("""{ "strategy": "random" }""", """{ "name": "LightGbm", "space": { "LearningRate": { "float": [0.1, 1e400] } } }""", "trainers[1].space.LearningRate: the range [0.1, Infinity] needs finite bounds")]
    [InlineData("""{ "strategy": "random" }""", """{ "name": "LightGbm", "space": { "NumberOfLeaves": { "int": [4, 99999999999999999999] } } }""", "a number is out of range for its field")]
    public void A_bad_search_or_space_names_its_field(string search, string trainer, string expected)
    {
        var act = () => SpecLoader.Parse(Spec(search, trainer.Length > 0 ? trainer : "\"FastTree\""), "/s/m.json");

        act.Should().Throw<SpecException>().Which.Message.Should().Contain("/s/m.json").And.Contain(expected);
    }

    [Fact]
    public void An_unknown_option_in_a_space_fails_before_any_data_is_read()
    {
        var spec = SpecLoader.Parse(Spec("""{ "strategy": "random", "trials": 4 }""", """{ "name": "LightGbm", "space": { "NumberOfLeafs": { "int": [4, 8] } } }"""), "/s/missing-data.json");

        var act = () => SearchPlan.For(spec);

        act.Should().Throw<SpecException>().Which.Message.Should().Contain("/s/missing-data.json").And.Contain("unknown option 'NumberOfLeafs'");
    }

    [Fact]
    public void The_same_seed_draws_the_same_configurations_whatever_the_number_of_trials()
    {
        var few = SearchPlan.For(SpecLoader.Parse(Spec("""{ "strategy": "random", "trials": 4, "seed": 5 }""", Space), "/s/m.json"));
        var more = SearchPlan.For(SpecLoader.Parse(Spec("""{ "strategy": "random", "trials": 9, "seed": 5 }""", Space), "/s/m.json"));
        var otherSeed = SearchPlan.For(SpecLoader.Parse(Spec("""{ "strategy": "random", "trials": 9, "seed": 6 }""", Space), "/s/m.json"));

        few.Configurations.Select(c => c.DisplayName).Should().Equal(more.Configurations.Take(4).Select(c => c.DisplayName));
        more.Configurations.Select(c => c.DisplayName).Should().OnlyHaveUniqueItems();
        otherSeed.Configurations.Skip(1).Select(c => c.DisplayName).Should().NotIntersectWith(more.Configurations.Skip(1).Select(c => c.DisplayName));
        more.Configurations[0].DisplayName.Should().Be("Sdca", "a trainer with nothing to search is tried once");
        more.Configurations.Skip(1).Should().OnlyContain(c => c.Options["NumberOfIterations"].GetInt32() == 50
            && c.Options["NumberOfLeaves"].GetInt32() >= 4 && c.Options["NumberOfLeaves"].GetInt32() <= 256
            && c.Options["LearningRate"].GetDouble() >= 0.005 && c.Options["LearningRate"].GetDouble() <= 0.3);
    }

    [Theory]
    [InlineData(7, 2, new[] { 4, 2, 1 })]
    [InlineData(13, 3, new[] { 9, 3, 1 })]
    [InlineData(60, 3, new[] { 41, 13, 4, 1 })]
    [InlineData(1, 3, new[] { 1 })]
    public void Halving_makes_the_first_rung_as_wide_as_the_trials_allow(int trials, int eta, int[] sizes)
    {
        var schedule = HalvingSchedule.For(trials, eta);

        schedule.Sizes.Should().Equal(sizes);
        schedule.Fraction(schedule.Rungs - 1).Should().Be(1);
        schedule.Fraction(0).Should().BeApproximately(Math.Pow(eta, 1 - sizes.Length), 1e-12);
    }
}
