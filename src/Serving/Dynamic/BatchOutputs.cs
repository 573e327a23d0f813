using MLPipeline.Shared.Manifest;

namespace MLPipeline.Serving.Dynamic;

/// <summary>
/// The answers for a <see cref="RowBatch"/>, row by row, whichever engine computed them: the score (regression,
/// binary), the probability and predicted side (binary), the class scores in the manifest's class order and the
/// predicted class (multiclass). Owned by one rented engine and reused like its batch.
/// </summary>
public sealed class BatchOutputs
{
    private float[] _score = new float[1];
    private float[] _probability = new float[1];
    private bool[] _positive = new bool[1];
    private ReadOnlyMemory<char>[] _label = new ReadOnlyMemory<char>[1];
    private float[] _scores = [];

    public ModelTask Task { get; private set; }

    public int Rows { get; private set; }

    /// <summary>Number of class scores per row (multiclass).</summary>
    public int Classes { get; private set; }

    public Span<float> Score => _score.AsSpan(0, Rows);

    public Span<float> Probability => _probability.AsSpan(0, Rows);

    public Span<bool> Positive => _positive.AsSpan(0, Rows);

    public Span<ReadOnlyMemory<char>> Label => _label.AsSpan(0, Rows);

    /// <summary>Row <paramref name="row"/>'s class scores.</summary>
    public Span<float> ScoresOf(int row) => _scores.AsSpan(row * Classes, Classes);

    public void Reset(ModelTask task, int rows, int classes)
    {
        Task = task;
        Rows = rows;
        Classes = task == ModelTask.Multiclass ? classes : 0;
        if (_score.Length < rows)
        {
            var capacity = Math.Max(rows, _score.Length * 2);
            _score = new float[capacity];
            _probability = new float[capacity];
            _positive = new bool[capacity];
            _label = new ReadOnlyMemory<char>[capacity];
        }

        if (_scores.Length < rows * Classes)
        {
            _scores = new float[Math.Max(rows * Classes, _scores.Length * 2)];
        }
    }
}
