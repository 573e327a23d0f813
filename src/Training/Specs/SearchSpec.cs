namespace MLPipeline.Training.Specs;

/// <summary>How the candidates are chosen: the spec's <c>search</c> object.</summary>
/// <param name="Trials">Random: configurations to cross-validate. Halving: trials over all rungs together.</param>
/// <param name="Budget">Wall time after which no new trial starts (the run stops being reproducible when it bites).</param>
/// <param name="Seed">Seed of the sampler; the spec's seed when absent.</param>
/// <param name="Eta">Halving: each rung keeps the best 1/eta of its configurations and gives them eta times the rows.</param>
public sealed record SearchSpec(SearchStrategy Strategy, int Trials, TimeSpan? Budget, int Seed, int Eta)
{
    public const int DefaultTrials = 20;
    public const int DefaultEta = 3;
    public const int MaxTrials = 1000;
}

public enum SearchStrategy
{
    /// <summary>Every combination of the trainers' grids, on all rows (the default).</summary>
    Grid,

    /// <summary>Configurations drawn at random from the trainers' spaces, each on all rows.</summary>
    Random,

    /// <summary>Successive halving: many configurations on a fraction of the rows, the best promoted to more.</summary>
    Halving,
}

/// <summary>One option's range in a trainer's <c>space</c>: whole numbers, real numbers, or a list of values.</summary>
public abstract record SpaceDimension
{
    public sealed record Integers(long Min, long Max, bool Log) : SpaceDimension;

    public sealed record Reals(double Min, double Max, bool Log) : SpaceDimension;

    public sealed record Choice(IReadOnlyList<System.Text.Json.JsonElement> Values) : SpaceDimension;
}
