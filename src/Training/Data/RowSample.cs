using Microsoft.ML;

namespace MLPipeline.Training.Data;

/// <summary>
/// A uniform random sample of about <c>maxRows</c> rows, taken while the rows stream: each row is kept with
/// probability maxRows / expected rows. It bounds trainers that copy every training row into memory
/// (FastTree's binned dataset) without a pass to count the rows first.
/// </summary>
public static class RowSample
{
    // The split and the folds already draw random numbers from the run's seed; the sample draws its own.
    private const int SeedOffset = 7919;

    public static IDataView AtMost(MLContext ml, IDataView rows, long expectedRows, long? maxRows, int seed)
    {
        if (maxRows is not { } max || expectedRows <= max)
        {
            return rows;
        }

        var keep = (double)max / expectedRows;
        return ml.Data.TrainTestSplit(rows, testFraction: 1 - keep, seed: seed + SeedOffset).TrainSet;
    }
}
