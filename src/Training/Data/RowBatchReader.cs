using System.Collections.Concurrent;
using System.Runtime.ExceptionServices;
using nietras.SeparatedValues;

namespace MLPipeline.Training.Data;

/// <summary>
/// Reads the CSV's rows on a thread of its own, in batches, and has a second thread parse each batch's numbers
/// while it reads the next: turning text into floats is most of the profile's work, and this puts it on the
/// machine's other core. Batches come back in file order, so whoever takes them sees the rows (and the first bad
/// one) exactly as a sequential read would. A failure of the read itself is handed on after the rows read before
/// it. Disposing stops both threads and waits for them, so the file can be closed.
/// </summary>
/// <remarks>
/// Two dedicated threads rather than a thread-pool task per batch: idle pool workers spin looking for work after
/// every batch, which cost more CPU than the parse saved on a two-core machine.
/// </remarks>
internal sealed class RowBatchReader : IDisposable
{
    /// <summary>Batches in flight: being read, parsed or waiting to be taken. Bounds memory to a few MB.</summary>
    private const int BatchesInFlight = 4;

    private readonly BlockingCollection<RowBatch> _free = new(BatchesInFlight);
    private readonly BlockingCollection<RowBatch> _read = new(BatchesInFlight);
    private readonly BlockingCollection<RowBatch> _parsed = new(BatchesInFlight);
    private readonly CancellationTokenSource _stop = new();
    private readonly Thread _reading;
    private readonly Thread _parsing;
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

        _reading = new Thread(() => Read(reader)) { IsBackground = true, Name = "CSV rows" };
        _parsing = new Thread(() => Parse(fieldCount)) { IsBackground = true, Name = "CSV numbers" };
        _reading.Start();
        _parsing.Start();
    }

    /// <summary>The next batch in file order with its numbers parsed, or null at the end of the file.</summary>
    public RowBatch? Next()
    {
        if (_taken is not null)
        {
            _free.Add(_taken);
            _taken = null;
        }

        if (!_parsed.TryTake(out var next, Timeout.Infinite))
        {
            _failure?.Throw();
            return null;
        }

        _taken = next;
        return next;
    }

    private void Read(SepReader reader)
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
                    _read.Add(batch, _stop.Token);
                    batch = null;
                    batch = Take();
                }
            }

            Hand(batch);
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
            // Disposed before the end: whoever took the rows has stopped (a bad row, or a column to store as text).
        }
        catch (Exception ex)
        {
            // Handed on after the rows read before it, as a sequential read would meet them.
            _failure = ExceptionDispatchInfo.Capture(ex);
            try
            {
                Hand(batch);
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested)
            {
            }
        }
        finally
        {
            _read.CompleteAdding();
        }
    }

    private void Parse(int fieldCount)
    {
        try
        {
            foreach (var batch in _read.GetConsumingEnumerable(_stop.Token))
            {
                batch.ParseNumbers(fieldCount);
                _parsed.Add(batch, _stop.Token);
            }
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
        }
        finally
        {
            _parsed.CompleteAdding();
        }
    }

    private RowBatch Take()
    {
        var batch = _free.Take(_stop.Token);
        batch.Clear();
        return batch;
    }

    private void Hand(RowBatch? batch)
    {
        if (batch is { Count: > 0 })
        {
            _read.Add(batch, _stop.Token);
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
        _reading.Join();
        _parsing.Join();
        _stop.Dispose();
        _free.Dispose();
        _read.Dispose();
        _parsed.Dispose();
    }
}
