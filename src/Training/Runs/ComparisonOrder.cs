namespace MLPipeline.Training.Runs;

/// <summary>
/// The order of the comparison tables: trials with a metric first, the highest rung first, best first, then trial
/// number. The first row is the winner, exactly as the search picks it.
/// </summary>
public static class ComparisonOrder
{
    public static IReadOnlyList<CandidateResult> Ranked(IEnumerable<CandidateResult> trials, string mainMetric) =>
        trials.OrderBy(t => t.Failed).ThenByDescending(t => t.Rung).ThenByDescending(t => t.Rank(mainMetric)).ThenBy(t => t.Trial).ToList();
}
