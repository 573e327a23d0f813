using MLPipeline.Training.Specs;
using MLPipeline.Training.Trainers;

namespace MLPipeline.Training.Search;

/// <summary>What a search will try, known from the spec alone: the first rung's configurations and, for halving, the rungs.</summary>
public sealed record SearchPlan(SearchStrategy Strategy, IReadOnlyList<TrainerCandidate> Configurations, HalvingSchedule? Halving)
{
    /// <exception cref="SpecException">A trainer, option or value the spec names does not exist.</exception>
    public static SearchPlan For(TrainingSpec spec)
    {
        switch (spec.Search.Strategy)
        {
            case SearchStrategy.Random:
                return new SearchPlan(SearchStrategy.Random, ConfigurationSampler.Sample(spec, spec.Search.Trials), null);
            case SearchStrategy.Halving:
                var schedule = HalvingSchedule.For(spec.Search.Trials, spec.Search.Eta);
                var configurations = ConfigurationSampler.Sample(spec, schedule.Sizes[0]);

                // A small space may hold fewer configurations than the first rung has room for.
                return new SearchPlan(SearchStrategy.Halving, configurations, configurations.Count < schedule.Sizes[0] ? HalvingSchedule.Starting(configurations.Count, spec.Search.Eta) : schedule);
            default:
                return new SearchPlan(SearchStrategy.Grid, CandidateExpansion.Expand(spec), null);
        }
    }

    /// <summary>Trials the search runs when none fails and the budget does not bite.</summary>
    public int Trials => Halving?.Trials ?? Configurations.Count;

    public IReadOnlyList<TrialRequest> FirstRung() =>
        Configurations.Select((c, i) => new TrialRequest(i + 1, c, 0, Halving?.Fraction(0) ?? 1)).ToList();
}
