namespace MLPipeline.Training.Cli;

/// <summary>Reports long steps (loading, each trainer, each fold) to whoever watches the run.</summary>
public interface IRunProgress
{
    IProgressStep Start(string description, int total = 1);

    /// <summary>A line of information that is not a step (e.g. a warning).</summary>
    void Note(string message);
}

public interface IProgressStep : IDisposable
{
    void Advance(string? detail = null);

    /// <summary>Rows streamed so far in this step, for rows per second and the time left in the current pass.</summary>
    void ReportRows(long rowsRead, TimeSpan elapsed, long rowsPerPass);
}

/// <summary>The figures every display shows for a streaming step.</summary>
public static class RowRate
{
    public static string Describe(long rowsRead, TimeSpan elapsed, long rowsPerPass)
    {
        var rate = rowsRead / Math.Max(elapsed.TotalSeconds, 1e-3);
        var pass = (rowsRead / rowsPerPass) + 1;
        var left = TimeSpan.FromSeconds((rowsPerPass - (rowsRead % rowsPerPass)) / Math.Max(rate, 1));
        return string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"{rowsRead:N0} rows read, {rate:N0} rows/s, pass {pass}: about {left:hh\\:mm\\:ss} left");
    }
}

/// <summary>Reports nothing: for tests and library callers.</summary>
public sealed class SilentProgress : IRunProgress
{
    public static SilentProgress Instance { get; } = new();

    public IProgressStep Start(string description, int total = 1) => new Step();

    public void Note(string message)
    {
    }

    private sealed class Step : IProgressStep
    {
        public void Advance(string? detail = null)
        {
        }

        public void ReportRows(long rowsRead, TimeSpan elapsed, long rowsPerPass)
        {
        }

        public void Dispose()
        {
        }
    }
}
