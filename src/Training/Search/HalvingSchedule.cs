namespace MLPipeline.Training.Search;

/// <summary>
/// Successive halving's rungs for a number of trials: rung i has n_i configurations on eta^(i - last) of the rows,
/// n_(i+1) = max(1, n_i / eta), and the last rung (one or more survivors) gets all of them. The first rung is as
/// wide as the trials allow.
/// </summary>
public sealed record HalvingSchedule(IReadOnlyList<int> Sizes, int Eta)
{
    public static HalvingSchedule For(int trials, int eta)
    {
        IReadOnlyList<int> best = [1];
        for (var first = 1; first <= trials; first++)
        {
            var sizes = SizesFrom(first, eta);
            if (sizes.Sum() <= trials)
            {
                best = sizes;
            }
        }

        return new HalvingSchedule(best, eta);
    }

    /// <summary>The rungs that start from <paramref name="first"/> configurations.</summary>
    public static HalvingSchedule Starting(int first, int eta) => new(SizesFrom(first, eta), eta);

    public int Rungs => Sizes.Count;

    public int Trials => Sizes.Sum();

    /// <summary>Share of the rows a trial on this rung trains on.</summary>
    public double Fraction(int rung) => Math.Pow(Eta, rung - (Rungs - 1));

    private static List<int> SizesFrom(int first, int eta)
    {
        var sizes = new List<int> { first };
        while (sizes[^1] > 1)
        {
            sizes.Add(Math.Max(1, sizes[^1] / eta));
        }

        return sizes;
    }
}
