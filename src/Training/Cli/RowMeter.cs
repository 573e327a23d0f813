using MLPipeline.Training.Data;

namespace MLPipeline.Training.Cli;

/// <summary>
/// While a step streams rows, reports every few seconds how many rows have been read, at what rate, and the
/// time left in the current pass over the data (multi-pass trainers read it several times).
/// </summary>
public sealed class RowMeter : IDisposable
{
    private readonly Timer _timer;

    public RowMeter(IProgressStep step, CountingDataView rows, long rowsPerPass, TimeSpan? interval = null)
    {
        var start = rows.RowsRead;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var period = interval ?? TimeSpan.FromSeconds(5);
        _timer = new Timer(_ =>
        {
            var read = rows.RowsRead - start;
            if (read > 0 && rowsPerPass > 0)
            {
                step.ReportRows(read, clock.Elapsed, rowsPerPass);
            }
        }, null, period, period);
    }

    public void Dispose() => _timer.Dispose();
}
