using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLPipeline.Training.Featurization;

/// <summary>
/// A few in-memory rows of named float and text columns. ML.NET's own estimators are fitted on these
/// summary rows (one row of means, two rows of minimum and maximum, the categories once each), so the fitted
/// transformers are exactly ML.NET's, with statistics gathered in <see cref="FeatureStatistics"/>'s single pass.
/// </summary>
public sealed class SummaryDataView : IDataView
{
    private readonly Array[] _columns;

    public SummaryDataView(IReadOnlyList<(string Name, float[] Values)> numbers, IReadOnlyList<(string Name, string[] Values)> texts)
    {
        var builder = new DataViewSchema.Builder();
        foreach (var (name, _) in numbers)
        {
            builder.AddColumn(name, NumberDataViewType.Single);
        }

        foreach (var (name, _) in texts)
        {
            builder.AddColumn(name, TextDataViewType.Instance);
        }

        Schema = builder.ToSchema();
        _columns = [.. numbers.Select(n => (Array)n.Values), .. texts.Select(t => (Array)t.Values)];
        RowCount = _columns.Length == 0 ? 0 : _columns[0].Length;
        if (_columns.Any(c => c.Length != RowCount))
        {
            throw new ArgumentException("Every summary column needs the same number of rows.");
        }
    }

    public long RowCount { get; }

    public bool CanShuffle => false;

    public DataViewSchema Schema { get; }

    public long? GetRowCount() => RowCount;

    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null) => new Cursor(this);

    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null) => [new Cursor(this)];

    private sealed class Cursor(SummaryDataView view) : DataViewRowCursor
    {
        private long _position = -1;

        public override DataViewSchema Schema => view.Schema;

        public override long Position => _position;

        public override long Batch => 0;

        public override bool IsColumnActive(DataViewSchema.Column column) => true;

        public override bool MoveNext() => ++_position < view.RowCount;

        public override ValueGetter<DataViewRowId> GetIdGetter() => (ref DataViewRowId id) => id = new DataViewRowId((ulong)_position, 0);

        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
        {
            Delegate getter = view._columns[column.Index] switch
            {
                float[] numbers => (ValueGetter<float>)((ref float value) => value = numbers[_position]),
                string[] texts => (ValueGetter<ReadOnlyMemory<char>>)((ref ReadOnlyMemory<char> value) => value = texts[_position].AsMemory()),
                _ => throw new InvalidOperationException($"Column '{column.Name}' has no values."),
            };
            return getter as ValueGetter<TValue>
                ?? throw new InvalidOperationException($"Column '{column.Name}' is {column.Type}, not {typeof(TValue).Name}.");
        }
    }
}
