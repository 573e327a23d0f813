using Microsoft.ML;
using Microsoft.ML.Data;
using MLPipeline.Shared.Manifest;
using MLPipeline.Training.Data;
using MLPipeline.Training.Reports;
using MLPipeline.Training.Specs;

namespace MLPipeline.Training.Monitoring;

/// <summary>
/// The manifest's training profile: one cursor over the training split reads every numeric and categorical feature
/// column; numeric deciles come from a uniform reservoir sample of each column (exact below its size, bounded memory
/// for any data size), categorical shares are exact counts. The score's profile comes from the test split's predictions
/// the report already holds. Text columns get no profile (every value is its own category). The features' pass needs
/// only the training split, so a run makes it beside the final fit and adds the score once the test split is scored.
/// </summary>
public static class TrainingProfiler
{
    /// <summary>Values kept per numeric column to place the decile edges.</summary>
    public const int ReservoirSize = 100_000;

    /// <summary>The score's profile added to the features'. The test predictions are fewer than a reservoir holds, so they are all kept.</summary>
    public static TrainingProfile WithScore(TrainingProfile features, TestPredictions predictions, IReadOnlyList<string>? classes, int seed) =>
        features with { Score = ScoreProfile(predictions, classes, new Random(seed)) };

    /// <summary>One pass over the training split: every numeric and categorical feature column's profile, no score yet.</summary>
    public static TrainingProfile Features(IDataView train, DataProfile profile, int seed)
    {
        var random = new Random(seed);
        var columns = profile.Features.Where(f => f.Kind is ColumnKind.Numeric or ColumnKind.Categorical).ToList();
        var numeric = columns.Where(c => c.Kind == ColumnKind.Numeric).ToDictionary(c => c.Name, _ => new NumericSample(ReservoirSize));
        var categorical = columns.Where(c => c.Kind == ColumnKind.Categorical).ToDictionary(c => c.Name, _ => new CategoryCounts());
        var schema = train.Schema;
        long rows = 0;
        using (var cursor = train.GetRowCursor(columns.Select(c => schema[c.Name])))
        {
            var numberGetters = numeric.Keys.Select(n => (Sample: numeric[n], Get: cursor.GetGetter<float>(schema[n]))).ToList();
            var textGetters = categorical.Keys.Select(n => (Counts: categorical[n], Get: cursor.GetGetter<ReadOnlyMemory<char>>(schema[n]))).ToList();
            float number = 0;
            ReadOnlyMemory<char> text = default;
            while (cursor.MoveNext())
            {
                rows++;
                foreach (var (sample, get) in numberGetters)
                {
                    get(ref number);
                    sample.Add(number, random);
                }

                foreach (var (counts, get) in textGetters)
                {
                    get(ref text);
                    counts.Add(text.Span);
                }
            }
        }

        var profiles = new Dictionary<string, ColumnProfile>(StringComparer.Ordinal);
        foreach (var column in columns)
        {
            profiles[column.Name] = column.Kind == ColumnKind.Numeric ? numeric[column.Name].Profile() : categorical[column.Name].Profile();
        }

        return new TrainingProfile(rows, profiles, Score: null);
    }

    /// <summary>Regression: the score; binary: the probability; multiclass: the predicted class.</summary>
    private static ColumnProfile? ScoreProfile(TestPredictions predictions, IReadOnlyList<string>? classes, Random random)
    {
        switch (predictions.Task)
        {
            case ModelTask.Regression:
            case ModelTask.Binary:
                var values = predictions.Task == ModelTask.Regression ? predictions.Predicted : predictions.Probability;
                if (values.Length == 0)
                {
                    return null;
                }

                var sample = new NumericSample(ReservoirSize);
                foreach (var value in values)
                {
                    sample.Add((float)value, random);
                }

                return sample.Profile();
            default:
                if (predictions.PredictedClass.Length == 0 || classes is null)
                {
                    return null;
                }

                var counts = new CategoryCounts();
                foreach (var k in predictions.PredictedClass)
                {
                    counts.Add(classes[k]);
                }

                return counts.Profile();
        }
    }
}
