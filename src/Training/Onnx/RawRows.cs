using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLPipeline.Training.Onnx;

/// <summary>
/// Raw feature rows held column by column (numeric as float, NaN = missing; categorical as string, "" =
/// missing): the same values go to ONNX Runtime as tensors and to ML.NET as an <see cref="IDataView"/>.
/// </summary>
internal sealed class RawRows
{
    private readonly Dictionary<string, float[]> _numeric;
    private readonly Dictionary<string, string[]> _text;

    public RawRows(IReadOnlyList<FeatureInput> columns, int count, Dictionary<string, float[]> numeric, Dictionary<string, string[]> text)
    {
        Columns = columns;
        Count = count;
        _numeric = numeric;
        _text = text;
    }

    public IReadOnlyList<FeatureInput> Columns { get; }

    public int Count { get; }

    public float[] Numeric(string column) => _numeric[column];

    public string[] Text(string column) => _text[column];

    /// <summary>Reads the feature columns of a data view (extra columns such as the label are ignored).</summary>
    public static RawRows Read(IDataView view, IReadOnlyList<FeatureInput> columns)
    {
        var numeric = columns.Where(c => c.IsNumeric).ToDictionary(c => c.Name, _ => new List<float>());
        var text = columns.Where(c => !c.IsNumeric).ToDictionary(c => c.Name, _ => new List<string>());
        var schemaColumns = columns.Select(c => view.Schema.GetColumnOrNull(c.Name)
            ?? throw new OnnxExportException($"The parity data has no column '{c.Name}'.")).ToList();
        using var cursor = view.GetRowCursor(schemaColumns);
        var floatGetters = columns.Select((c, i) => c.IsNumeric ? cursor.GetGetter<float>(schemaColumns[i]) : null).ToArray();
        var textGetters = columns.Select((c, i) => c.IsNumeric ? null : cursor.GetGetter<ReadOnlyMemory<char>>(schemaColumns[i])).ToArray();
        var rows = 0;
        while (cursor.MoveNext())
        {
            for (var i = 0; i < columns.Count; i++)
            {
                if (floatGetters[i] is { } getFloat)
                {
                    var value = 0f;
                    getFloat(ref value);
                    numeric[columns[i].Name].Add(value);
                }
                else
                {
                    var value = default(ReadOnlyMemory<char>);
                    textGetters[i]!(ref value);
                    text[columns[i].Name].Add(value.ToString());
                }
            }

            rows++;
        }

        return new RawRows(columns, rows, numeric.ToDictionary(p => p.Key, p => p.Value.ToArray()), text.ToDictionary(p => p.Key, p => p.Value.ToArray()));
    }

    /// <summary>Rows from raw string values by column (null or "" = missing), as in a manifest's sample input.</summary>
    public static RawRows FromStrings(IReadOnlyList<FeatureInput> columns, IReadOnlyList<IReadOnlyDictionary<string, string?>> rows)
    {
        var numeric = columns.Where(c => c.IsNumeric).ToDictionary(c => c.Name, c => rows.Select(r => ParseFloat(r.GetValueOrDefault(c.Name), c.Name)).ToArray());
        var text = columns.Where(c => !c.IsNumeric).ToDictionary(c => c.Name, c => rows.Select(r => r.GetValueOrDefault(c.Name) ?? "").ToArray());
        return new RawRows(columns, rows.Count, numeric, text);
    }

    /// <summary>These rows followed by <paramref name="other"/>'s.</summary>
    public RawRows Append(RawRows other) => new(
        Columns,
        Count + other.Count,
        _numeric.ToDictionary(p => p.Key, p => p.Value.Concat(other._numeric[p.Key]).ToArray()),
        _text.ToDictionary(p => p.Key, p => p.Value.Concat(other._text[p.Key]).ToArray()));

    /// <summary>Rows <paramref name="start"/> .. start+count-1.</summary>
    public RawRows Slice(int start, int count) => new(
        Columns,
        count,
        _numeric.ToDictionary(p => p.Key, p => p.Value.AsSpan(start, count).ToArray()),
        _text.ToDictionary(p => p.Key, p => p.Value.AsSpan(start, count).ToArray()));

    public IDataView ToDataView()
    {
        var builder = new DataViewSchema.Builder();
        foreach (var column in Columns)
        {
            builder.AddColumn(column.Name, column.IsNumeric ? NumberDataViewType.Single : TextDataViewType.Instance);
        }

        return new View(this, builder.ToSchema());
    }

    private static float ParseFloat(string? raw, string column)
    {
        if (string.IsNullOrWhiteSpace(raw))
        {
            return float.NaN;
        }

        return float.TryParse(raw, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var value)
            ? value
            : throw new OnnxExportException($"Column '{column}': '{raw}' is not a number.");
    }

    private sealed class View(RawRows rows, DataViewSchema schema) : IDataView
    {
        public bool CanShuffle => false;

        public DataViewSchema Schema { get; } = schema;

        public long? GetRowCount() => rows.Count;

        public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null) => new Cursor(rows, Schema);

        public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null) => [new Cursor(rows, Schema)];
    }

    private sealed class Cursor(RawRows rows, DataViewSchema schema) : DataViewRowCursor
    {
        private long _position = -1;

        public override DataViewSchema Schema => schema;

        public override long Position => _position;

        public override long Batch => 0;

        public override bool MoveNext()
        {
            if (_position + 1 >= rows.Count)
            {
                _position = rows.Count;
                return false;
            }

            _position++;
            return true;
        }

        public override bool IsColumnActive(DataViewSchema.Column column) => true;

        public override ValueGetter<DataViewRowId> GetIdGetter() =>
            (ref DataViewRowId value) => value = new DataViewRowId((ulong)_position, 0);

        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
        {
            var input = rows.Columns[column.Index];
            if (input.IsNumeric && typeof(TValue) == typeof(float))
            {
                var values = rows.Numeric(input.Name);
                ValueGetter<float> getter = (ref float value) => value = values[_position];
                return (ValueGetter<TValue>)(Delegate)getter;
            }

            if (!input.IsNumeric && typeof(TValue) == typeof(ReadOnlyMemory<char>))
            {
                var values = rows.Text(input.Name);
                ValueGetter<ReadOnlyMemory<char>> getter = (ref ReadOnlyMemory<char> value) => value = values[_position].AsMemory();
                return (ValueGetter<TValue>)(Delegate)getter;
            }

            throw new InvalidOperationException($"Column '{input.Name}' cannot be read as {typeof(TValue).Name}.");
        }
    }
}
