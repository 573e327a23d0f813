using System.Collections.Concurrent;
using System.Runtime.ExceptionServices;
using nietras.SeparatedValues;

namespace MLPipeline.Training.Data;

/// <summary>
/// Reads the CSV's rows on a thread of its own, in batches, and has each batch's numbers parsed on the thread
/// pool while it reads the next: turning text into floats is most of the profile's work, and this puts it on
/// the machine's other cores. Batches come back in file order, so whoever takes them sees the rows (and the
/// first bad one) exactly as a sequential read would. A failure of the read itself is handed on after the
/// rows read before it. Disposing stops the reader and waits for it, so the file can be closed.
/// </summary>
internal sealed class RowBatchReader : IDisposable
{
    /// <summary>Batches in flight: being read, parsed or waiting to be taken. Bounds memory to a few MB.</summary>
    private const int BatchesInFlight = 4;

    private readonly BlockingCollection<RowBatch> _free = new(BatchesInFlight);
    private readonly BlockingCollection<(RowBatch Batch, Task Parse)> _ready = new(BatchesInFlight);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _reading;
    private ExceptionDispatchInfo? _failure;
    private RowBatch? _taken;
    private bool _disposed;

    /// <param name="numberColumns">The field index of each numeric column, in slot order.</param>
    /// <param name="fieldCount">The header's field count: rows with another count are not parsed (they are refused).</param>
    public RowBatchReader(SepReader reader, int[] numberColumns, int fieldCount)
    {
        for (var i = 0; i < BatchesInFlight; i++)
        {
            _free.Add(new RowBatch(numberColumns));
        }

        _reading = Task.Factory.StartNew(() => Read(reader, fieldCount), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
    }

    /// <summary>The next batch in file order with its numbers parsed, or null at the end of the file.</summary>
    public RowBatch? Next()
    {
        if (_taken is not null)
        {
            _free.Add(_taken);
            _taken = null;
        }

        if (!_ready.TryTake(out var next, Timeout.Infinite))
        {
            _failure?.Throw();
            return null;
        }

        next.Parse.GetAwaiter().GetResult();
        _taken = next.Batch;
        return next.Batch;
    }

    private void Read(SepReader reader, int fieldCount)
    {
        RowBatch? batch = null;
        try
        {
            batch = Take();
            while (reader.MoveNext())
            {
                var row = reader.Current;
                if (CsvFormat.IsBlank(row))
                {
                    continue;
                }

                batch.Add(row);
                if (batch.IsFull)
                {
                    Hand(batch, fieldCount);
                    batch = null;
                    batch = Take();
                }
            }

            Hand(batch, fieldCount);
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
            // Disposed before the end: whoever took the rows has stopped (a bad row, or a column to store as text).
        }
        catch (Exception ex)
        {
            // Handed on after the rows read before it, as a sequential read would meet them.
            _failure = ExceptionDispatchInfo.Capture(ex);
            if (batch is not null)
            {
                try
                {
                    Hand(batch, fieldCount);
                }
                catch (OperationCanceledException) when (_stop.IsCancellationRequested)
                {
                }
            }
        }
        finally
        {
            _ready.CompleteAdding();
        }
    }

    private RowBatch Take()
    {
        var batch = _free.Take(_stop.Token);
        batch.Clear();
        return batch;
    }

    private void Hand(RowBatch batch, int fieldCount)
    {
        if (batch.Count > 0)
        {
            _ready.Add((batch, Task.Run(() => batch.ParseNumbers(fieldCount))), _stop.Token);
        }
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _stop.Cancel();
        try
        {
            _reading.Wait();
        }
        finally
        {
            // Parses still running use their batch only, never the file; they finish on their own.
            _stop.Dispose();
            _free.Dispose();
            _ready.Dispose();
        }
    }
}
