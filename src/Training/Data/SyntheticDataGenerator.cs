using System.Globalization;
using System.Text;
using MLPipeline.Shared.Manifest;

namespace MLPipeline.Training.Data;

/// <summary>
/// Writes a deterministic CSV (same options and seed, same bytes) whose label follows a known signal: a
/// weighted sum of standardized numeric features plus per-category effects. Regression adds Gaussian noise;
/// binary draws the label from the logistic of the signal; multiclass takes the class whose signal plus
/// Gumbel noise is largest (a softmax draw). Rows stream to disk: memory does not grow with the row count.
/// </summary>
public static class SyntheticDataGenerator
{
    public const double RegressionNoise = 1.0;

    /// <returns>The best metric a model can expect on this data: R² for regression, accuracy otherwise.</returns>
    public static double Write(SyntheticDataOptions options, TextWriter output, Action<long>? rowsWritten = null)
    {
        options.Validate();
        var random = new Random(options.Seed);
        var outputs = options.Task == ModelTask.Multiclass ? SyntheticDataOptions.Classes : 1;
        var scales = Enumerable.Range(0, options.Numeric).Select(_ => Math.Round(1 + (random.NextDouble() * 9), 2)).ToArray();
        var offsets = Enumerable.Range(0, options.Numeric).Select(_ => Math.Round((random.NextDouble() - 0.5) * 100, 1)).ToArray();
        var weights = Enumerable.Range(0, outputs).Select(_ => Enumerable.Range(0, options.Numeric).Select(_ => Gaussian(random)).ToArray()).ToArray();
        var levels = Enumerable.Range(0, options.Categorical).Select(k => 3 + (k * 2 % 10)).ToArray();
        var effects = Enumerable.Range(0, outputs).Select(_ => levels.Select(l => Enumerable.Range(0, l).Select(_ => Gaussian(random)).ToArray()).ToArray()).ToArray();

        var header = Enumerable.Range(0, options.Numeric).Select(j => $"x{j}")
            .Concat(Enumerable.Range(0, options.Categorical).Select(k => $"cat{k}"))
            .Append(SyntheticDataOptions.LabelColumn);
        output.Write(string.Join(',', header));
        output.Write('\n');

        var line = new StringBuilder(options.Features * 12);
        var signal = new double[outputs];
        var (sum, sumSquares, bestGuesses) = (0.0, 0.0, 0L);
        for (var row = 0L; row < options.Rows; row++)
        {
            line.Clear();
            Array.Clear(signal);
            for (var j = 0; j < options.Numeric; j++)
            {
                var z = Gaussian(random);
                for (var o = 0; o < outputs; o++)
                {
                    signal[o] += weights[o][j] * z;
                }

                var missing = random.NextDouble() < options.Missing;
                if (!missing)
                {
                    line.Append((offsets[j] + (z * scales[j])).ToString("0.####", CultureInfo.InvariantCulture));
                }

                line.Append(',');
            }

            for (var k = 0; k < options.Categorical; k++)
            {
                var level = random.Next(levels[k]);
                for (var o = 0; o < outputs; o++)
                {
                    signal[o] += effects[o][k][level];
                }

                if (random.NextDouble() >= options.Missing)
                {
                    line.Append(CultureInfo.InvariantCulture, $"c{k}_{level}");
                }

                line.Append(',');
            }

            string label;
            switch (options.Task)
            {
                case ModelTask.Regression:
                    var y = 10 + signal[0] + (RegressionNoise * Gaussian(random));
                    (sum, sumSquares) = (sum + signal[0], sumSquares + (signal[0] * signal[0]));
                    label = y.ToString("0.####", CultureInfo.InvariantCulture);
                    break;
                case ModelTask.Binary:
                    var positive = random.NextDouble() < 1 / (1 + Math.Exp(-signal[0]));
                    bestGuesses += positive == signal[0] > 0 ? 1 : 0;
                    label = positive ? "true" : "false";
                    break;
                default:
                    var drawn = Enumerable.Range(0, outputs).MaxBy(o => signal[o] - Math.Log(-Math.Log(random.NextDouble() + double.Epsilon)));
                    bestGuesses += drawn == Enumerable.Range(0, outputs).MaxBy(o => signal[o]) ? 1 : 0;
                    label = $"class{drawn}";
                    break;
            }

            line.Append(label).Append('\n');
            output.Write(line);
            if ((row + 1) % 100_000 == 0)
            {
                rowsWritten?.Invoke(row + 1);
            }
        }

        rowsWritten?.Invoke(options.Rows);
        if (options.Task != ModelTask.Regression)
        {
            return (double)bestGuesses / options.Rows;
        }

        // R² of the true signal: its variance over the variance of signal plus noise.
        var mean = sum / options.Rows;
        var variance = (sumSquares / options.Rows) - (mean * mean);
        return variance / (variance + (RegressionNoise * RegressionNoise));
    }

    /// <summary>Box-Muller: a standard normal draw from two uniform draws.</summary>
    private static double Gaussian(Random random)
    {
        var u1 = 1.0 - random.NextDouble();
        var u2 = random.NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }
}
