using System.Buffers;
using System.Text;
using System.Text.Json;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLPipeline.Serving.Pool;
using MLPipeline.Shared.Manifest;

namespace MLPipeline.Serving.Dynamic;

/// <summary>
/// The dynamic face's engine: a model's row-to-row mapper over one reusable <see cref="BufferRow"/>, with the output
/// getters fetched once. Like ML.NET's PredictionEngine it is used by one thread at a time (rented from a pool), and
/// it owns the buffers that carry one request's JSON answer, so a prediction allocates nothing per row.
/// </summary>
public sealed class DynamicPredictor : IDisposable
{
    private static readonly string[] OutputNames = ["Score", "Probability", "PredictedLabel"];
    private readonly BufferRow _input;
    private readonly DataViewRow _output;
    private readonly char[][] _text;
    private readonly int[] _seenStamp;
    private readonly ValueGetter<float>? _score;
    private readonly ValueGetter<float>? _probability;
    private readonly ValueGetter<bool>? _binaryLabel;
    private readonly ValueGetter<VBuffer<float>>? _scores;
    private readonly ValueGetter<ReadOnlyMemory<char>>? _textLabel;
    private VBuffer<float> _scoreVector;
    private int _stamp;
    private int _seen;

    internal DynamicPredictor(ITransformer model, DataViewSchema inputSchema, InputBinding binding, ModelTask task)
    {
        Binding = binding;
        Task = task;
        _input = new BufferRow(inputSchema);
        foreach (var column in inputSchema)
        {
            // Columns the manifest does not name stay missing: NaN or empty text.
            _input.SetNumber(column.Index, float.NaN);
        }

        _text = binding.Columns.Select(_ => new char[64]).ToArray();
        _seenStamp = new int[binding.Columns.Count];

        var mapper = model.GetRowToRowMapper(inputSchema);
        var outputs = mapper.OutputSchema;
        var wanted = OutputNames
            .Select(outputs.GetColumnOrNull).Where(c => c is not null).Select(c => c!.Value).ToList();
        _output = mapper.GetRow(_input, wanted);

        var score = outputs.GetColumnOrNull("Score") ?? throw new InvalidDataException("The model has no Score output column.");
        switch (task)
        {
            case ModelTask.Regression:
                _score = _output.GetGetter<float>(score);
                break;
            case ModelTask.Binary:
                _score = _output.GetGetter<float>(score);
                _probability = _output.GetGetter<float>(outputs.GetColumnOrNull("Probability") ?? throw new InvalidDataException("A binary model needs a Probability output."));
                _binaryLabel = _output.GetGetter<bool>(outputs.GetColumnOrNull("PredictedLabel") ?? throw new InvalidDataException("A binary model needs a PredictedLabel output."));
                break;
            case ModelTask.Multiclass:
                _scores = _output.GetGetter<VBuffer<float>>(score);
                _textLabel = _output.GetGetter<ReadOnlyMemory<char>>(outputs.GetColumnOrNull("PredictedLabel") ?? throw new InvalidDataException("A multiclass model needs a PredictedLabel output."));
                ScoreCount = (score.Type as VectorDataViewType)?.Size ?? 0;
                break;
            default:
                throw new InvalidDataException($"Task {task} cannot be served.");
        }
    }

    public InputBinding Binding { get; }

    public ModelTask Task { get; }

    /// <summary>Number of class scores of a multiclass model.</summary>
    public int ScoreCount { get; }

    public float Score { get; private set; }

    public float Probability { get; private set; }

    public bool PositiveLabel { get; private set; }

    public ReadOnlyMemory<char> TextLabel { get; private set; }

    /// <summary>Class scores in the manifest's class order (dense even when the model hands out a sparse vector).</summary>
    public ReadOnlySpan<float> Scores
    {
        get
        {
            if (_scoreVector.IsDense)
            {
                return _scoreVector.GetValues();
            }

            _denseScores ??= new float[ScoreCount];
            _scoreVector.CopyTo(_denseScores);
            return _denseScores;
        }
    }

    private float[]? _denseScores;

    /// <summary>The rows of the request being answered (parsed by a protocol), owned by this engine while it is rented.</summary>
    internal RowBatch Rows => _rows ??= new RowBatch(Binding);

    /// <summary>The answers for <see cref="Rows"/>, from whichever engine scored them.</summary>
    internal BatchOutputs Outputs { get; } = new();

    private RowBatch? _rows;

    /// <summary>Scores every row of <paramref name="rows"/> with ML.NET, one row after the other, into <paramref name="outputs"/>.</summary>
    internal void PredictRows(RowBatch rows, BatchOutputs outputs, int classes)
    {
        outputs.Reset(Task, rows.Count, classes);
        var columns = Binding.Columns;
        for (var r = 0; r < rows.Count; r++)
        {
            for (var c = 0; c < columns.Count; c++)
            {
                if (columns[c].IsText)
                {
                    _input.SetText(columns[c].SchemaIndex, rows.Text(c, r));
                }
                else
                {
                    _input.SetNumber(columns[c].SchemaIndex, rows.Number(c, r));
                }
            }

            Predict();
            switch (Task)
            {
                case ModelTask.Regression:
                    outputs.Score[r] = Score;
                    break;
                case ModelTask.Binary:
                    outputs.Score[r] = Score;
                    outputs.Probability[r] = Probability;
                    outputs.Positive[r] = PositiveLabel;
                    break;
                default:
                    outputs.Label[r] = TextLabel;
                    var scores = Scores;
                    var destination = outputs.ScoresOf(r);
                    destination.Fill(float.NaN);
                    scores[..Math.Min(scores.Length, destination.Length)].CopyTo(destination);
                    break;
            }
        }
    }

    /// <summary>Where an endpoint writes its answer; reset per request, owned by this engine while it is rented.</summary>
    internal ResponseBuffer Response { get; } = new();

    internal ArrayBufferWriter<byte> OutputBuffer => Response.Buffer;

    internal Utf8JsonWriter StartOutput() => Response.Start();

    /// <summary>Starts a new instance: every bound column must be set before <see cref="Predict"/>.</summary>
    public void BeginInstance()
    {
        _stamp++;
        _seen = 0;
    }

    public void SetNumber(int column, float value)
    {
        MarkSeen(column);
        _input.SetNumber(Binding.Columns[column].SchemaIndex, value);
    }

    public void SetText(int column, ReadOnlySpan<char> value)
    {
        MarkSeen(column);
        var buffer = _text[column];
        if (buffer.Length < value.Length)
        {
            _text[column] = buffer = new char[Math.Max(value.Length, buffer.Length * 2)];
        }

        value.CopyTo(buffer);
        _input.SetText(Binding.Columns[column].SchemaIndex, buffer.AsMemory(0, value.Length));
    }

    public void SetTextUtf8(int column, ReadOnlySpan<byte> utf8)
    {
        MarkSeen(column);
        var buffer = _text[column];
        var needed = Encoding.UTF8.GetMaxCharCount(utf8.Length);
        if (buffer.Length < needed)
        {
            _text[column] = buffer = new char[Math.Max(needed, buffer.Length * 2)];
        }

        var length = Encoding.UTF8.GetChars(utf8, buffer);
        _input.SetText(Binding.Columns[column].SchemaIndex, buffer.AsMemory(0, length));
    }

    /// <summary>The first bound column not set since <see cref="BeginInstance"/>, or null when all are.</summary>
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
                return Binding.Columns[i].Name;
            }
        }

        return null;
    }

    /// <summary>Runs the model on the values set since <see cref="BeginInstance"/>.</summary>
    public void Predict()
    {
        _input.Advance();
        switch (Task)
        {
            case ModelTask.Regression:
                Score = Read(_score!);
                break;
            case ModelTask.Binary:
                Score = Read(_score!);
                Probability = Read(_probability!);
                var label = false;
                _binaryLabel!(ref label);
                PositiveLabel = label;
                break;
            default:
                _scores!(ref _scoreVector);
                var text = default(ReadOnlyMemory<char>);
                _textLabel!(ref text);
                TextLabel = text;
                break;
        }
    }

    public void Dispose()
    {
        _output.Dispose();
        Response.Dispose();
    }

    private static float Read(ValueGetter<float> getter)
    {
        var value = 0f;
        getter(ref value);
        return value;
    }

    private void MarkSeen(int column)
    {
        if (_seenStamp[column] != _stamp)
        {
            _seenStamp[column] = _stamp;
            _seen++;
        }
    }
}
