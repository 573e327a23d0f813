using nietras.SeparatedValues;

namespace MLPipeline.Training.Data;

/// <summary>
/// A run of CSV rows copied out of Sep's buffer (Sep reuses it for the next rows) so that another thread can
/// turn their numeric fields into floats while the reader goes on. Reused batch after batch: its arrays only grow.
/// </summary>
internal sealed class RowBatch(int[] numberColumns)
{
    public const int Capacity = 4_096;

    private readonly int[] _numberColumns = numberColumns;
    private readonly int[] _firstField = new int[Capacity + 1];
    private readonly long[] _lines = new long[Capacity];
    private readonly long[] _lastLines = new long[Capacity];
    private readonly float[] _numbers = new float[Capacity * numberColumns.Length];
    private readonly bool[] _parsed = new bool[Capacity * numberColumns.Length];
    private char[] _chars = new char[Capacity * 64];
    private int[] _fieldEnds = new int[Capacity * 8];
    private int _charCount;

    public int Count { get; private set; }

    public bool IsFull => Count == Capacity;

    public void Clear()
    {
        Count = 0;
        _charCount = 0;
    }

    /// <summary>Copies a row's (unescaped) fields with the lines it starts and ends on.</summary>
    public void Add(SepReader.Row row)
    {
        var fields = row.ColCount;
        var first = _firstField[Count];
        if (_fieldEnds.Length < first + fields)
        {
            Array.Resize(ref _fieldEnds, Math.Max(_fieldEnds.Length * 2, first + fields));
        }

        for (var i = 0; i < fields; i++)
        {
            var value = row[i].Span;
            if (_chars.Length < _charCount + value.Length)
            {
                Array.Resize(ref _chars, Math.Max(_chars.Length * 2, _charCount + value.Length));
            }

            value.CopyTo(_chars.AsSpan(_charCount));
            _charCount += value.Length;
            _fieldEnds[first + i] = _charCount;
        }

        var line = CsvFormat.LineOf(row);
        _lines[Count] = line;
        _lastLines[Count] = Math.Max(line, row.LineNumberToExcl - 1);
        _firstField[++Count] = first + fields;
    }

    /// <summary>
    /// Parses every numeric field of rows that have <paramref name="fieldCount"/> fields (others are refused in
    /// order by the reading side, which also re-parses any field that fails here, to name it).
    /// </summary>
    public void ParseNumbers(int fieldCount)
    {
        var slots = _numberColumns.Length;
        for (var row = 0; row < Count; row++)
        {
            if (FieldCount(row) != fieldCount)
            {
                continue;
            }

            for (var slot = 0; slot < slots; slot++)
            {
                var value = Field(row, _numberColumns[slot]);
                var at = (row * slots) + slot;
                _parsed[at] = value.Length > 0 && CsvNumbers.TryParse(value, out _numbers[at]);
            }
        }
    }

    public int FieldCount(int row) => _firstField[row + 1] - _firstField[row];

    public ReadOnlySpan<char> Field(int row, int column)
    {
        var at = _firstField[row] + column;
        var start = at == 0 ? 0 : _fieldEnds[at - 1];
        return _chars.AsSpan(start, _fieldEnds[at] - start);
    }

    public long Line(int row) => _lines[row];

    public long LastLine(int row) => _lastLines[row];

    /// <summary>The number <see cref="ParseNumbers"/> found in a row's numeric slot, or false when it found none.</summary>
    public bool TryNumber(int row, int slot, out float value)
    {
        var at = (row * _numberColumns.Length) + slot;
        value = _numbers[at];
        return _parsed[at];
    }
}
