using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLPipeline.Training.Data;

/// <summary>
/// Passes a data view through unchanged and counts the rows its cursors read: the only way to see how far a
/// trainer's pass over a streamed file has got, for rows per second and the time left.
/// </summary>
public sealed class CountingDataView(IDataView inner) : IDataView
{
    private long _rowsRead;

    public long RowsRead => Interlocked.Read(ref _rowsRead);

    public bool CanShuffle => inner.CanShuffle;

    public DataViewSchema Schema => inner.Schema;

    public long? GetRowCount() => inner.GetRowCount();

    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null) =>
        new Cursor(inner.GetRowCursor(columnsNeeded, rand), this);

    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null) =>
        inner.GetRowCursorSet(columnsNeeded, n, rand).Select(c => (DataViewRowCursor)new Cursor(c, this)).ToArray();

    private sealed class Cursor(DataViewRowCursor inner, CountingDataView owner) : DataViewRowCursor
    {
        public override DataViewSchema Schema => inner.Schema;

        public override long Position => inner.Position;

        public override long Batch => inner.Batch;

        public override ValueGetter<DataViewRowId> GetIdGetter() => inner.GetIdGetter();

        public override bool IsColumnActive(DataViewSchema.Column column) => inner.IsColumnActive(column);

        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column) => inner.GetGetter<TValue>(column);

        public override bool MoveNext()
        {
            if (!inner.MoveNext())
            {
                return false;
            }

            Interlocked.Increment(ref owner._rowsRead);
            return true;
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                inner.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}
