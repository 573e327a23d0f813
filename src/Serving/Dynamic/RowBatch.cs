using System.Text;

namespace MLPipeline.Serving.Dynamic;

/// <summary>
/// A request's rows, column by column, as the protocols read them: one float array per numeric column and the text of
/// every text value in one shared character buffer. Either engine scores from here (ML.NET row by row, ONNX Runtime
/// the whole batch at once), so a protocol parses a body once whatever engine answers. Owned by one rented engine and
/// reused by its next request: a request allocates nothing here once the buffers have grown to its size.
/// </summary>
public sealed class RowBatch
{
    private readonly InputBinding _binding;
    private readonly float[][] _numbers;
    private readonly int[][] _textStart;
    private readonly int[][] _textLength;
    private readonly int[] _seenStamp;
    private char[] _chars = new char[256];
    private int _charCount;
    private int _stamp;
    private int _seen;
    private int _capacity;

    public RowBatch(InputBinding binding)
    {
        _binding = binding;
        var columns = binding.Columns.Count;
        _numbers = new float[columns][];
        _textStart = new int[columns][];
        _textLength = new int[columns][];
        _seenStamp = new int[columns];
        Grow(1);
    }

    public InputBinding Binding => _binding;

    public int Count { get; private set; }

    /// <summary>Empties the batch for the next request (the buffers stay).</summary>
    public void Clear()
    {
        Count = 0;
        _charCount = 0;
    }

    /// <summary>Makes the batch hold exactly <paramref name="rows"/> rows, to be filled column by column.</summary>
    public void Resize(int rows)
    {
        Clear();
        Grow(rows);
        Count = rows;
    }

    /// <summary>Appends a row: every bound column must be set before <see cref="FirstMissingColumn"/> says it is complete.</summary>
    public int AddRow()
    {
        Grow(Count + 1);
        _stamp++;
        _seen = 0;
        return Count++;
    }

    public void SetNumber(int column, int row, float value)
    {
        MarkSeen(column);
        _numbers[column][row] = value;
    }

    public void SetText(int column, int row, ReadOnlySpan<char> value)
    {
        MarkSeen(column);
        EnsureChars(value.Length);
        value.CopyTo(_chars.AsSpan(_charCount));
        Place(column, row, value.Length);
    }

    public void SetTextUtf8(int column, int row, ReadOnlySpan<byte> utf8)
    {
        MarkSeen(column);
        EnsureChars(Encoding.UTF8.GetMaxCharCount(utf8.Length));
        Place(column, row, Encoding.UTF8.GetChars(utf8, _chars.AsSpan(_charCount)));
    }

    /// <summary>Whether the last added row has set <paramref name="column"/> already.</summary>
    public bool IsSet(int column) => _seenStamp[column] == _stamp;

    /// <summary>The first bound column the last added row did not set, or null when it set them all.</summary>
    public string? FirstMissingColumn()
    {
        if (_seen == _seenStamp.Length)
        {
            return null;
        }

        for (var i = 0; i < _seenStamp.Length; i++)
        {
            if (_seenStamp[i] != _stamp)
            {
                return _binding.Columns[i].Name;
            }
        }

        return null;
    }

    public float Number(int column, int row) => _numbers[column][row];

    /// <summary>A numeric column's values for every row (ONNX Runtime reads them in place).</summary>
    public Memory<float> Numbers(int column) => _numbers[column].AsMemory(0, Count);

    /// <summary>A text value; a missing one (JSON null) is empty, as in the CSV the model was trained on.</summary>
    public ReadOnlyMemory<char> Text(int column, int row) => _chars.AsMemory(_textStart[column][row], _textLength[column][row]);

    private void Place(int column, int row, int length)
    {
        _textStart[column][row] = _charCount;
        _textLength[column][row] = length;
        _charCount += length;
    }

    private void MarkSeen(int column)
    {
        if (_seenStamp[column] != _stamp)
        {
            _seenStamp[column] = _stamp;
            _seen++;
        }
    }

    private void EnsureChars(int more)
    {
        if (_charCount + more > _chars.Length)
        {
            Array.Resize(ref _chars, Math.Max(_charCount + more, _chars.Length * 2));
        }
    }

    private void Grow(int rows)
    {
        if (rows <= _capacity)
        {
            return;
        }

        var capacity = Math.Max(rows, _capacity * 2);
        for (var c = 0; c < _numbers.Length; c++)
        {
            Array.Resize(ref _numbers[c], capacity);
            Array.Resize(ref _textStart[c], capacity);
            Array.Resize(ref _textLength[c], capacity);
        }

        _capacity = capacity;
    }
}
