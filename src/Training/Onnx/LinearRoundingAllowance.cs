using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Trainers;
using MLPipeline.Training.Featurization;

namespace MLPipeline.Training.Onnx;

/// <summary>
/// How far two correct float evaluations of a linear model may lie apart, per parity row. A linear score is
/// b + sum(w_i * x_i) in float: ML.NET sums it in its SIMD lanes, ONNX Runtime's Gemm in another order, and each is
/// within gamma_n * (|b| + sum|w_i * x_i|) of the exact sum (n terms, gamma_n = n*u / (1 - n*u), u = 2^-24; Higham,
/// "Accuracy and Stability of Numerical Algorithms", 3.1). Where large terms cancel to a small score (a large bias
/// against large weights on features of one size) that is more than 1e-5 of the score itself, and a correct file
/// would fail the parity check. The allowance is the two evaluations' bounds added, carried through the output's
/// function (Platt's sigmoid, Poisson's exp, softmax), computed from the row's own featurized values.
/// </summary>
internal sealed class LinearRoundingAllowance
{
    private const double UnitRoundoff = 1.0 / (1 << 24);

    private readonly double[] _score;
    private readonly double[]? _probability;
    private readonly float? _threshold;

    private LinearRoundingAllowance(double[] score, double[]? probability, float? threshold)
    {
        _score = score;
        _probability = probability;
        _threshold = threshold;
    }

    /// <summary>The allowance for one row's score (every class's score in a multiclass model).</summary>
    public double Score(int row) => _score[row];

    /// <summary>The allowance for one row's probability (a binary model).</summary>
    public double Probability(int row) => _probability?[row] ?? 0;

    /// <summary>
    /// Whether the two engines' predicted labels may differ on this row through rounding alone: a binary score within the
    /// row's allowance of the threshold the label turns at, or (multiclass) ML.NET's best class score within twice the
    /// allowance of the score of another class ONNX Runtime chose (either score may move by the allowance).
    /// </summary>
    public bool LabelsMayDiffer(int row, ReadOnlySpan<float> mlnetScores, ReadOnlySpan<float> onnxScores)
    {
        if (_threshold is { } threshold)
        {
            return Math.Abs((double)mlnetScores[0] - threshold) <= _score[row];
        }

        var best = ArgMax(mlnetScores);
        var chosen = ArgMax(onnxScores);
        // The same class under two names is no rounding: the file's class names are wrong.
        return best != chosen && (double)mlnetScores[best] - mlnetScores[chosen] <= 2 * _score[row];
    }

    /// <summary>The allowance for each row, or null when the model's predictor is not linear (trees have no long sum to reorder).</summary>
    public static LinearRoundingAllowance? Of(ITransformer model, RawRows rows)
    {
        if (TransformerChains.Predictor(model) is not { } predictor)
        {
            return null;
        }

        CalibratedModel.TrySplit(predictor.Model, out var scorer, out var calibrator);
        var (weights, biases, output) = Linear(scorer);
        if (weights is null)
        {
            return null;
        }

        var scored = model.Transform(rows.ToDataView());
        var featureColumn = scored.Schema[predictor.FeatureColumnName];
        var scoreColumn = scored.Schema["Score"];
        using var cursor = scored.GetRowCursor([featureColumn, scoreColumn]);
        var getFeatures = cursor.GetGetter<VBuffer<float>>(featureColumn);
        var getScore = output == Output.Exp ? cursor.GetGetter<float>(scoreColumn) : null;
        var features = default(VBuffer<float>);
        var score = 0f;
        var terms = weights[0].Length + 1;
        var gamma = terms * UnitRoundoff / (1 - (terms * UnitRoundoff));
        var allowances = new double[rows.Count];
        for (var row = 0; cursor.MoveNext(); row++)
        {
            getFeatures(ref features);
            var values = features.GetValues();
            var indices = features.IsDense ? default : features.GetIndices();
            var bound = 0.0;
            for (var k = 0; k < weights.Length; k++)
            {
                // |b| + sum|w_i * x_i|, in double: the largest value either float sum may have passed through. A one-hot
                // vector is sparse; its zeros add nothing.
                var magnitude = Math.Abs((double)biases[k]);
                for (var j = 0; j < values.Length; j++)
                {
                    var i = features.IsDense ? j : indices[j];
                    magnitude += i < weights[k].Length ? Math.Abs((double)weights[k][i] * values[j]) : 0;
                }

                bound = Math.Max(bound, 2 * gamma * magnitude);
            }

            if (getScore is not null)
            {
                // exp(s + d) - exp(s) is exp(s) * d to first order; 1% more covers the rest for any d this small.
                getScore(ref score);
                bound *= Math.Abs((double)score) * 1.01;
            }

            // Softmax moves no probability by more than half the largest change of a raw score.
            allowances[row] = output == Output.Softmax ? bound / 2 : bound;
        }

        // Platt's sigmoid(a * s + b) moves by at most |a| / 4 per unit of s.
        var probability = calibrator is null ? null : allowances.Select(a => a * Math.Abs((double)calibrator.Slope) / 4).ToArray();
        var threshold = predictor.GetType() is { IsGenericType: true } type && type.GetGenericTypeDefinition() == typeof(BinaryPredictionTransformer<>)
            ? InternalMembers.BinaryThreshold(predictor).Threshold
            : (float?)null;
        return new LinearRoundingAllowance(allowances, probability, threshold);
    }

    /// <summary>The first largest score's index, as ONNX's ArgMax (select_last_index 0) picks it.</summary>
    private static int ArgMax(ReadOnlySpan<float> scores)
    {
        var best = 0;
        for (var k = 1; k < scores.Length; k++)
        {
            best = scores[k] > scores[best] ? k : best;
        }

        return best;
    }

    private enum Output
    {
        Raw,
        Exp,
        Softmax,
    }

    /// <summary>Per class (one for regression and binary): the weights and bias of a linear predictor, else nulls.</summary>
    private static (float[][]? Weights, float[] Biases, Output Output) Linear(object parameters)
    {
        switch (parameters)
        {
            case LinearModelParameters linear:
                return ([linear.Weights.ToArray()], [linear.Bias], parameters is PoissonRegressionModelParameters ? Output.Exp : Output.Raw);
            case LinearMulticlassModelParametersBase multiclass:
                VBuffer<float>[] perClass = [];
                multiclass.GetWeights(ref perClass, out _);
                var weights = perClass.Select(w => w.DenseValues().ToArray()).ToArray();
                return (weights, multiclass.GetBiases().ToArray(), parameters is MaximumEntropyModelParameters ? Output.Softmax : Output.Raw);
            default:
                return (null, [], Output.Raw);
        }
    }
}
