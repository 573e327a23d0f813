using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLPipeline.Training.Featurization;

/// <summary>
/// Everything the featurization learns from the training rows, gathered in one streaming pass: per numeric
/// column the mean, minimum and maximum of its present values; per categorical column its values in order
/// of first occurrence (the order ML.NET's key mapping gives them).
/// </summary>
public sealed class FeatureStatistics
{
    // ML.NET's ValueToKeyMapping keeps at most this many keys per column by default; so do we.
    private const int MaxCategories = 1_000_000;

    public required IReadOnlyDictionary<string, NumericSummary> Numeric { get; init; }

    public required IReadOnlyDictionary<string, IReadOnlyList<string>> Categories { get; init; }

    public static FeatureStatistics Collect(IDataView rows, IReadOnlyList<string> numeric, IReadOnlyList<string> categorical)
    {
        var numericColumns = numeric.Select(n => rows.Schema[n]).ToArray();
        var categoricalColumns = categorical.Select(c => rows.Schema[c]).ToArray();
        var sums = new NumericAccumulator[numeric.Count];
        var seen = categorical.Select(_ => new HashSet<string>(StringComparer.Ordinal).GetAlternateLookup<ReadOnlySpan<char>>()).ToArray();
        var ordered = categorical.Select(_ => new List<string>()).ToArray();

        using (var cursor = rows.GetRowCursor([.. numericColumns, .. categoricalColumns]))
        {
            var numberGetters = numericColumns.Select(c => cursor.GetGetter<float>(c)).ToArray();
            var textGetters = categoricalColumns.Select(c => cursor.GetGetter<ReadOnlyMemory<char>>(c)).ToArray();
            float number = 0;
            ReadOnlyMemory<char> text = default;
            while (cursor.MoveNext())
            {
                for (var i = 0; i < numberGetters.Length; i++)
                {
                    numberGetters[i](ref number);
                    sums[i].Add(number);
                }

                for (var i = 0; i < textGetters.Length; i++)
                {
                    textGetters[i](ref text);
                    // Adding through the span lookup allocates a string only for a value not seen before.
                    if (ordered[i].Count < MaxCategories && seen[i].Add(text.Span))
                    {
                        ordered[i].Add(text.ToString());
                    }
                }
            }
        }

        return new FeatureStatistics
        {
            Numeric = Enumerable.Range(0, numeric.Count).ToDictionary(i => numeric[i], i => sums[i].Summary),
            Categories = Enumerable.Range(0, categorical.Count).ToDictionary(i => categorical[i], i => (IReadOnlyList<string>)ordered[i]),
        };
    }

    private struct NumericAccumulator
    {
        private double _sum;
        private long _count;
        private float _min;
        private float _max;

        public void Add(float value)
        {
            if (float.IsNaN(value))
            {
                return;
            }

            _min = _count == 0 ? value : Math.Min(_min, value);
            _max = _count == 0 ? value : Math.Max(_max, value);
            _sum += value;
            _count++;
        }

        public readonly NumericSummary Summary => _count == 0
            ? new NumericSummary(float.NaN, float.NaN, float.NaN)
            : new NumericSummary((float)(_sum / _count), _min, _max);
    }
}

/// <summary>The present values of one numeric column; NaN throughout when every value is missing.</summary>
public sealed record NumericSummary(float Mean, float Min, float Max);
