using System.Diagnostics;
using System.Globalization;

namespace MLPipeline.Training.Cli;

/// <summary>One line per step and per advance, with elapsed time: readable in CI logs and redirected output.</summary>
public sealed class PlainProgress(TextWriter writer) : IRunProgress
{
    public IProgressStep Start(string description, int total = 1)
    {
        writer.WriteLine($"> {description}");
        return new Step(writer, description, total);
    }

    public void Note(string message) => writer.WriteLine($"! {message}");

    private sealed class Step(TextWriter writer, string description, int total) : IProgressStep
    {
        private readonly Stopwatch _clock = Stopwatch.StartNew();
        private int _done;

        public void Advance(string? detail = null)
        {
            _done++;
            if (total > 1)
            {
                writer.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {description}: {_done}/{total}{(detail is null ? "" : " " + detail)} ({_clock.Elapsed.TotalSeconds:F1} s)"));
            }
        }

        public void ReportRows(long rowsRead, TimeSpan elapsed, long rowsPerPass) =>
            writer.WriteLine($"  {description}: {RowRate.Describe(rowsRead, elapsed, rowsPerPass)}");

        public void Dispose() => writer.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  done: {description} ({_clock.Elapsed.TotalSeconds:F1} s)"));
    }
}
