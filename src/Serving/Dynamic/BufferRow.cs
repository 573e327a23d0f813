using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLPipeline.Serving.Dynamic;

/// <summary>
/// One reusable input row over plain arrays: the dynamic face writes a request's values here, then the model's
/// row-to-row mapper reads them through getters. Each new instance advances <see cref="Position"/>, which tells
/// caching transforms that the row changed.
/// </summary>
internal sealed class BufferRow : DataViewRow
{
    private readonly float[] _numbers;
    private readonly ReadOnlyMemory<char>[] _texts;
    private long _position = -1;

    public BufferRow(DataViewSchema schema)
    {
        Schema = schema;
        _numbers = new float[schema.Count];
        _texts = new ReadOnlyMemory<char>[schema.Count];
    }

    public override DataViewSchema Schema { get; }

    public override long Position => _position;

    public override long Batch => 0;

    public void Advance() => _position++;

    public void SetNumber(int column, float value) => _numbers[column] = value;

    public void SetText(int column, ReadOnlyMemory<char> value) => _texts[column] = value;

    public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
    {
        var index = column.Index;
        if (typeof(TValue) == typeof(float))
        {
            ValueGetter<float> getter = (ref float value) => value = _numbers[index];
            return (ValueGetter<TValue>)(Delegate)getter;
        }

        if (typeof(TValue) == typeof(ReadOnlyMemory<char>))
        {
            ValueGetter<ReadOnlyMemory<char>> getter = (ref ReadOnlyMemory<char> value) => value = _texts[index];
            return (ValueGetter<TValue>)(Delegate)getter;
        }

        throw new InvalidOperationException($"Input column '{column.Name}' of type {column.Type} is not supported: inputs are Single or String.");
    }

    public override ValueGetter<DataViewRowId> GetIdGetter() =>
        (ref DataViewRowId value) => value = new DataViewRowId((ulong)_position, 0);

    public override bool IsColumnActive(DataViewSchema.Column column) => true;
}
