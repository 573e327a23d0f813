using MLPipeline.Shared.Manifest;
using MLPipeline.Shared.Monitoring;

namespace MLPipeline.Serving.Monitoring;

/// <summary>
/// The last monitored rows of one version, kept as their bins against the training profile (one ring of bin numbers
/// per column and for the score, with running counts), so adding a row is O(columns) and the population stability
/// index of every column is available at any time. A version whose manifest has no profile has no drift figures.
/// </summary>
public sealed class DriftWindow
{
    private readonly Tracked[] _tracked;
    private readonly int _capacity;
    private readonly int _minimumRows;
    private readonly double _threshold;
    private readonly ModelTask _task;
    private readonly Lock _lock = new();
    private long _added;

    public DriftWindow(ModelManifest manifest, int capacity, int minimumRows, double threshold)
    {
        _capacity = capacity;
        _minimumRows = minimumRows;
        _threshold = threshold;
        _task = manifest.Task;
        var tracked = new List<Tracked>();
        if (manifest.Profile is { } profile)
        {
            for (var i = 0; i < manifest.Inputs.Count; i++)
            {
                if (profile.Columns.TryGetValue(manifest.Inputs[i].Name, out var column))
                {
                    tracked.Add(new Tracked(manifest.Inputs[i].Name, i, column, capacity));
                }
            }

            if (profile.Score is { } score)
            {
                tracked.Add(new Tracked(ScoreName, -1, score, capacity));
            }
        }

        _tracked = [.. tracked];
    }

    /// <summary>The score's name among the drift figures.</summary>
    public const string ScoreName = "(score)";

    public bool HasProfile => _tracked.Length > 0;

    public void Add(ObservedPrediction prediction)
    {
        if (_tracked.Length == 0)
        {
            return;
        }

        lock (_lock)
        {
            var slot = (int)(_added % _capacity);
            var full = _added >= _capacity;
            foreach (var tracked in _tracked)
            {
                var bin = tracked.Input >= 0 ? BinOf(tracked.Profile, prediction.Inputs[tracked.Input]) : ScoreBin(tracked.Profile, prediction.Output);
                if (full)
                {
                    tracked.Counts[tracked.Bins[slot]]--;
                }

                tracked.Bins[slot] = (short)bin;
                tracked.Counts[bin]++;
            }

            _added++;
        }
    }

    public DriftFigures Figures()
    {
        lock (_lock)
        {
            var rows = (int)Math.Min(_added, _capacity);
            var columns = _tracked.Where(t => t.Input >= 0).ToDictionary(t => t.Name, t => PopulationStability.Index(t.Expected, t.Counts), StringComparer.Ordinal);
            double? score = _tracked.FirstOrDefault(t => t.Input < 0) is { } s ? PopulationStability.Index(s.Expected, s.Counts) : null;
            var status = !HasProfile ? "no-profile"
                : rows < _minimumRows ? "warming-up"
                : columns.Values.Append(score ?? 0).Any(v => v > _threshold) ? "drifting"
                : "stable";
            return new DriftFigures(status, rows, _capacity, _threshold, columns, score);
        }
    }

    private static int BinOf(ColumnProfile profile, object? value) => profile.IsNumeric
        ? profile.BinOf(value is float number ? number : double.NaN)
        : profile.BinOf(value as string ?? (value is float f ? f.ToString(System.Globalization.CultureInfo.InvariantCulture) : null));

    private int ScoreBin(ColumnProfile profile, PredictedValue output) => _task switch
    {
        ModelTask.Regression => profile.BinOf(output.Score),
        ModelTask.Binary => profile.BinOf(output.Probability),
        _ => profile.BinOf(output.Label),
    };

    private sealed class Tracked(string name, int input, ColumnProfile profile, int capacity)
    {
        public string Name { get; } = name;
        public int Input { get; } = input;
        public ColumnProfile Profile { get; } = profile;
        public double[] Expected { get; } = profile.ExpectedShares();
        public short[] Bins { get; } = new short[capacity];
        public long[] Counts { get; } = new long[profile.BinCount];
    }
}

/// <summary>Drift of one version: the PSI of every profiled input column and of the score over the last <c>WindowRows</c> rows.</summary>
/// <param name="Status"><c>stable</c>, <c>drifting</c> (a PSI above the threshold), <c>warming-up</c> (too few rows yet) or <c>no-profile</c> (an older manifest).</param>
public sealed record DriftFigures(string Status, int WindowRows, int WindowCapacity, double Threshold, IReadOnlyDictionary<string, double> Columns, double? Score);
