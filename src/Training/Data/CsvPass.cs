using MLPipeline.Training.Specs;
using nietras.SeparatedValues;

namespace MLPipeline.Training.Data;

/// <summary>
/// One streaming read of the CSV's data rows after the header: checks each row's field count, parses every
/// stored value once (numbers to float, text kept as one string per distinct value), counts what the profile
/// needs, and keeps the current row's values for <see cref="CsvRowsView"/> to hand to ML.NET's binary saver.
/// The first rows, read ahead to choose how each column is stored, are replayed before the rest.
/// </summary>
internal sealed class CsvPass
{
    private readonly string _path;
    private readonly TrainingSpec _spec;
    private readonly IReadOnlyList<string> _header;
    private readonly IReadOnlyList<BufferedRow> _head;
    private readonly SepReader _reader;
    private readonly InvalidUtf8Line? _invalidUtf8;
    private readonly int[] _numberSlot;
    private readonly int[] _textSlot;
    private readonly bool[] _inferred;
    private int _headPosition;

    /// <param name="invalidUtf8">Where the file first holds bytes that are not UTF-8, when the reader knows.</param>
    public CsvPass(string path, TrainingSpec spec, IReadOnlyList<string> header, IReadOnlyList<StoredColumn> stored, IReadOnlyList<BufferedRow> head, SepReader reader, InvalidUtf8Line? invalidUtf8 = null)
    {
        _invalidUtf8 = invalidUtf8;
        _path = path;
        _spec = spec;
        _header = header;
        _head = head;
        _reader = reader;
        Stored = stored;
        Stats = header.Select(_ => new ColumnStats()).ToArray();
        _numberSlot = Enumerable.Repeat(-1, header.Count).ToArray();
        _textSlot = Enumerable.Repeat(-1, header.Count).ToArray();
        _inferred = new bool[header.Count];
        var numbers = 0;
        var texts = 0;
        foreach (var column in stored)
        {
            _inferred[column.Index] = !column.Declared;
            if (column.IsNumber)
            {
                _numberSlot[column.Index] = numbers++;
            }
            else
            {
                _textSlot[column.Index] = texts++;
            }
        }

        Numbers = new float[numbers];
        Texts = new ReadOnlyMemory<char>[texts];
        Ignored = header.Select(h => h != spec.Label && spec.Columns.TryGetValue(h, out var kind) && kind == ColumnKind.Ignore).ToArray();
    }

    public IReadOnlyList<StoredColumn> Stored { get; }

    public ColumnStats[] Stats { get; }

    /// <summary>The current row's stored numbers, in <see cref="Stored"/> order among the numeric columns (NaN = missing).</summary>
    public float[] Numbers { get; }

    /// <summary>The current row's stored texts, in <see cref="Stored"/> order among the text columns ("" = missing).</summary>
    public ReadOnlyMemory<char>[] Texts { get; }

    public bool[] Ignored { get; }

    public long Rows { get; private set; }

    /// <summary>The first row with every feature present, else the first row: the manifest's sample input.</summary>
    public Dictionary<string, string?>? SampleRow { get; private set; }

    private bool SampleComplete { get; set; }

    public bool MoveNext()
    {
        if (_headPosition < _head.Count)
        {
            var buffered = _head[_headPosition++];
            Process(new BufferedFields(buffered.Fields), buffered.Line, buffered.LastLine);
            return true;
        }

        while (CsvFormat.MoveNext(_reader, _path))
        {
            var row = _reader.Current;
            if (CsvFormat.IsBlank(row))
            {
                continue;
            }

            Process(new SepFields(row), CsvFormat.LineOf(row), Math.Max(CsvFormat.LineOf(row), row.LineNumberToExcl - 1));
            return true;
        }

        return false;
    }

    private void Process<TFields>(TFields fields, long line, long lastLine)
        where TFields : IFields, allows ref struct
    {
        if (fields.Count != _header.Count)
        {
            throw new DataException(RaggedRow(fields.Count, line, lastLine));
        }

        if (_invalidUtf8 is { Line: > 0 and var notUtf8 } && notUtf8 >= line && notUtf8 <= lastLine)
        {
            throw new DataException(NotUtf8(fields, notUtf8));
        }

        Rows++;
        for (var i = 0; i < fields.Count; i++)
        {
            if (Ignored[i])
            {
                continue;
            }

            var value = fields[i];
            var stats = Stats[i];
            var missing = stats.CountMissing(value, line);
            if (_numberSlot[i] is var slot and >= 0)
            {
                Numbers[slot] = missing ? float.NaN : Number(value, i, line);
            }
            else if (_textSlot[i] is var textSlot and >= 0)
            {
                // An inferred text column needs one value that is not a number to stay text in the profile.
                if (!missing && _inferred[i] && stats.FirstNonNumeric is null && !CsvNumbers.TryParse(value, out _))
                {
                    stats.NotANumber(value, line);
                }

                Texts[textSlot] = missing ? ReadOnlyMemory<char>.Empty : stats.Track(value).AsMemory();
            }
        }

        if (!SampleComplete)
        {
            KeepSample(fields);
        }
    }

    private float Number(ReadOnlySpan<char> value, int column, long line)
    {
        var name = _header[column];
        var isLabel = name == _spec.Label;
        if (!CsvNumbers.TryParse(value, out var number))
        {
            Stats[column].NotANumber(value, line);
            var stored = Stored.First(s => s.Index == column);
            if (isLabel)
            {
                throw new DataException($"{_path}, line {line}, column '{name}': label '{value}' is not a number, but the task is regression.");
            }

            if (stored.Declared)
            {
                throw new DataException($"{_path}, line {line}, column '{name}': '{value}' is not a number, but the column is numeric in the spec.");
            }

            throw new StoredAsTextException(column);
        }

        if (isLabel && !float.IsFinite(number))
        {
            throw new DataException($"{_path}, line {line}, column '{name}': label '{value}' has no usable value; a regression label must be a finite number.");
        }

        if (isLabel)
        {
            Stats[column].CountNumber(number);
        }

        if (float.IsNaN(number))
        {
            Stats[column].NotANumberIsMissing(line);
        }
        else if (float.IsInfinity(number))
        {
            throw new DataException($"{_path}, line {line}, column '{name}': '{value}' is infinite; a numeric feature must be finite or empty (missing).");
        }

        return number;
    }

    private string NotUtf8<TFields>(TFields fields, long line)
        where TFields : IFields, allows ref struct
    {
        for (var i = 0; i < fields.Count; i++)
        {
            if (fields[i].Contains(InvalidUtf8Line.Marker))
            {
                return InvalidUtf8Line.Message(_path, line, _header[i]);
            }
        }

        return InvalidUtf8Line.Message(_path, line, column: null);
    }

    private string RaggedRow(int count, long line, long lastLine)
    {
        var where = lastLine > line ? $"lines {line}-{lastLine}" : $"line {line}";
        var detail = count < _header.Count
            ? $"column '{_header[count]}' and after are missing"
            : $"field {_header.Count + 1} is beyond the last column '{_header[^1]}'";
        var quote = lastLine > line ? " A quoted field spans several lines here: is a closing quote missing?" : "";
        return $"{_path}, {where}: {count} fields, but the header has {_header.Count} ({detail}).{quote}";
    }

    private void KeepSample<TFields>(TFields fields)
        where TFields : IFields, allows ref struct
    {
        var row = new Dictionary<string, string?>(StringComparer.Ordinal);
        var complete = true;
        for (var i = 0; i < _header.Count; i++)
        {
            if (_header[i] == _spec.Label || Ignored[i])
            {
                continue;
            }

            var value = fields[i];
            complete &= value.Length > 0;
            row[_header[i]] = value.Length == 0 ? null : value.ToString();
        }

        if (complete || SampleRow is null)
        {
            SampleRow = row;
        }

        SampleComplete = complete;
    }

    /// <summary>A row read ahead to choose how each column is stored, with the lines it starts and ends on.</summary>
    internal sealed record BufferedRow(string[] Fields, long Line, long LastLine)
    {
        public static BufferedRow From(SepReader.Row row)
        {
            var fields = new string[row.ColCount];
            for (var i = 0; i < fields.Length; i++)
            {
                fields[i] = row[i].ToString();
            }

            return new BufferedRow(fields, CsvFormat.LineOf(row), Math.Max(CsvFormat.LineOf(row), row.LineNumberToExcl - 1));
        }
    }

    internal interface IFields
    {
        int Count { get; }

        ReadOnlySpan<char> this[int index] { get; }
    }

    private readonly ref struct SepFields(SepReader.Row row) : IFields
    {
        private readonly SepReader.Row _row = row;

        public int Count => _row.ColCount;

        public ReadOnlySpan<char> this[int index] => _row[index].Span;
    }

    private readonly struct BufferedFields(string[] fields) : IFields
    {
        public int Count => fields.Length;

        public ReadOnlySpan<char> this[int index] => fields[index];
    }
}

/// <summary>An inferred column stored as a number met a value that is not one: the pass starts again, storing it as text.</summary>
internal sealed class StoredAsTextException(int column) : Exception($"Column {column} holds text after its first rows.")
{
    public int Column { get; } = column;
}
