namespace MLPipeline.Shared.Monitoring;

/// <summary>
/// The population stability index between a reference distribution and observed counts over the same bins:
/// sum over bins of (p_live - p_ref) * ln(p_live / p_ref). Usual reading: below 0.1 stable, 0.1 to 0.25 a moderate
/// shift, above 0.25 a large one. Empty bins on either side get a small floor so the log stays finite.
/// </summary>
public static class PopulationStability
{
    public const double Floor = 1e-4;

    public static double Index(IReadOnlyList<double> expectedShares, IReadOnlyList<long> observedCounts)
    {
        var total = observedCounts.Sum();
        if (total == 0)
        {
            return 0;
        }

        double index = 0;
        for (var i = 0; i < expectedShares.Count; i++)
        {
            var expected = Math.Max(expectedShares[i], Floor);
            var observed = Math.Max((double)observedCounts[i] / total, Floor);
            index += (observed - expected) * Math.Log(observed / expected);
        }

        return index;
    }
}
