using MLPipeline.Serving.Dynamic;
using MLPipeline.Shared.Manifest;
using MLPipeline.Shared.Rollout;

namespace MLPipeline.Serving.Rollout;

/// <summary>
/// This replica's figures for one step of one rollout, per version, added to by requests and shadow copies and read
/// as a snapshot by the figure writer. One small lock per version: only requests of a model in a rollout come here.
/// </summary>
public sealed class RolloutCollector(string stable, string candidate)
{
    private readonly VersionFigures _stable = new();
    private readonly VersionFigures _candidate = new();
    private long _shadowDropped;

    public long ShadowDropped => Interlocked.Read(ref _shadowDropped);

    /// <summary>A request (or shadow copy) the version answered in <paramref name="elapsedMs"/>, with its rows' scores.</summary>
    public void Answered(string version, double elapsedMs, BatchOutputs outputs)
    {
        var figures = Of(version);
        lock (figures)
        {
            figures.Requests++;
            figures.LatencyMs.Add(elapsedMs);
            for (var row = 0; row < outputs.Rows; row++)
            {
                figures.Scores.Add(RowScore(outputs, row));
            }
        }
    }

    /// <summary>A request the version failed while the other version could answer it.</summary>
    public void Failed(string version)
    {
        var figures = Of(version);
        lock (figures)
        {
            figures.Requests++;
            figures.Errors++;
        }
    }

    /// <summary>A shadow copy's rows compared with stable's answer: score differences and, for classification, label agreement.</summary>
    public void Compared(BatchOutputs candidate, ShadowAnswer stable)
    {
        lock (_candidate)
        {
            var rows = Math.Min(candidate.Rows, stable.Scores.Length);
            for (var row = 0; row < rows; row++)
            {
                _candidate.ComparedRows++;
                var difference = Math.Abs(RowScore(candidate, row) - stable.Scores[row]);
                _candidate.ScoreDifferenceSum += double.IsFinite(difference) ? difference : 0;
                if (stable.Labels is { } labels)
                {
                    _candidate.LabelledRows++;
                    if (string.Equals(RowLabel(candidate, row), labels[row], StringComparison.Ordinal))
                    {
                        _candidate.AgreedRows++;
                    }
                }
            }
        }
    }

    public void Dropped() => Interlocked.Increment(ref _shadowDropped);

    public Dictionary<string, VersionFigures> Snapshot()
    {
        var snapshot = new Dictionary<string, VersionFigures>(StringComparer.Ordinal);
        lock (_stable)
        {
            snapshot[stable] = _stable.Copy();
        }

        lock (_candidate)
        {
            snapshot[candidate] = _candidate.Copy();
        }

        return snapshot;
    }

    /// <summary>The row's score: regression the score, binary the probability, multiclass the top class's score.</summary>
    public static double RowScore(BatchOutputs outputs, int row) => outputs.Task switch
    {
        ModelTask.Regression => outputs.Score[row],
        ModelTask.Binary => outputs.Probability[row],
        _ => Max(outputs.ScoresOf(row)),
    };

    /// <summary>The row's label (binary: the predicted side; multiclass: the class); null for regression.</summary>
    public static string? RowLabel(BatchOutputs outputs, int row) => outputs.Task switch
    {
        ModelTask.Binary => outputs.Positive[row] ? "1" : "0",
        ModelTask.Multiclass => outputs.Label[row].ToString(),
        _ => null,
    };

    /// <summary>Whatever the served slot answers with counts as stable (normally the record's stable version).</summary>
    private VersionFigures Of(string version) =>
        string.Equals(version, candidate, StringComparison.Ordinal) ? _candidate : _stable;

    private static double Max(ReadOnlySpan<float> scores)
    {
        var max = double.NaN;
        foreach (var score in scores)
        {
            if (double.IsNaN(max) || score > max)
            {
                max = score;
            }
        }

        return max;
    }
}
