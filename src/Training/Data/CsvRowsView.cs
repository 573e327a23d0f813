using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLPipeline.Training.Data;

/// <summary>
/// The CSV's rows as an ML.NET data view, read once: what <see cref="CsvProfiler"/> hands to ML.NET's binary
/// saver so the text is parsed in the same pass that profiles it. Every later pass of a run reads the binary
/// file instead; a second cursor is refused.
/// </summary>
internal sealed class CsvRowsView : IDataView
{
    private readonly CsvPass _pass;
    private bool _opened;

    public CsvRowsView(CsvPass pass)
    {
        _pass = pass;
        var builder = new DataViewSchema.Builder();
        foreach (var column in pass.Stored.Where(c => c.IsNumber))
        {
            builder.AddColumn(column.Name, NumberDataViewType.Single);
        }

        foreach (var column in pass.Stored.Where(c => !c.IsNumber))
        {
            builder.AddColumn(column.Name, TextDataViewType.Instance);
        }

        Schema = builder.ToSchema();
    }

    public bool CanShuffle => false;

    public DataViewSchema Schema { get; }

    public long? GetRowCount() => null;

    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null)
    {
        if (_opened)
        {
            throw new InvalidOperationException("The CSV rows stream once; read the binary file for another pass.");
        }

        _opened = true;
        return new Cursor(this);
    }

    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null) =>
        [GetRowCursor(columnsNeeded, rand)];

    private sealed class Cursor(CsvRowsView view) : DataViewRowCursor
    {
        private readonly int _numbers = view._pass.Numbers.Length;
        private long _position = -1;

        public override DataViewSchema Schema => view.Schema;

        public override long Position => _position;

        public override long Batch => 0;

        public override bool IsColumnActive(DataViewSchema.Column column) => true;

        public override bool MoveNext()
        {
            if (!view._pass.MoveNext())
            {
                return false;
            }

            _position++;
            return true;
        }

        public override ValueGetter<DataViewRowId> GetIdGetter() => (ref DataViewRowId id) => id = new DataViewRowId((ulong)_position, 0);

        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
        {
            var pass = view._pass;
            Delegate getter = column.Index < _numbers
                ? (ValueGetter<float>)((ref float value) => value = pass.Numbers[column.Index])
                : (ValueGetter<ReadOnlyMemory<char>>)((ref ReadOnlyMemory<char> value) => value = pass.Texts[column.Index - _numbers]);
            return getter as ValueGetter<TValue>
                ?? throw new InvalidOperationException($"Column '{column.Name}' is {column.Type}, not {typeof(TValue).Name}.");
        }
    }
}
