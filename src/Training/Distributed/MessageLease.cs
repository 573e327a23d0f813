using Azure.Storage.Queues.Models;

namespace MLPipeline.Training.Distributed;

/// <summary>
/// Keeps a received message invisible while its trial trains, by pushing its visibility timeout forward every third
/// of the timeout. A worker that dies stops renewing, and the message comes back for another worker. A message found
/// gone (deleted by another worker, or taken again after this worker stalled past its timeout) is no error: the trial's
/// result is written create-only, so whoever finishes first records it.
/// </summary>
public sealed class MessageLease : IAsyncDisposable
{
    private readonly TrialQueues _queues;
    private readonly string _messageId;
    private readonly TimeSpan _timeout;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _renewing;
    private string _popReceipt;
    private volatile bool _lost;

    public MessageLease(TrialQueues queues, QueueMessage message, TimeSpan timeout)
    {
        _queues = queues;
        _messageId = message.MessageId;
        _popReceipt = message.PopReceipt;
        _timeout = timeout;
        _renewing = RenewAsync();
    }

    /// <summary>A renewal found the message gone: another worker may be running the same trial now.</summary>
    public bool Lost => _lost;

    /// <summary>Removes the message for good (the trial is recorded); false when it was already gone.</summary>
    public async Task<bool> DeleteAsync(CancellationToken cancellationToken)
    {
        await StopAsync();
        return await GoneIsFineAsync("delete a message from", () => _queues.Trials.DeleteMessageAsync(_messageId, _popReceipt, cancellationToken));
    }

    /// <summary>Lets the message come back after <paramref name="delay"/>, for another attempt; false when it was already gone.</summary>
    public async Task<bool> ReleaseAsync(TimeSpan delay, CancellationToken cancellationToken)
    {
        await StopAsync();
        return await GoneIsFineAsync("put a message back on", () => _queues.Trials.UpdateMessageAsync(_messageId, _popReceipt, visibilityTimeout: delay, cancellationToken: cancellationToken));
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _stop.Dispose();
    }

    private async Task<bool> GoneIsFineAsync(string what, Func<Task> call)
    {
        if (_lost)
        {
            return false;
        }

        try
        {
            await _queues.CallAsync(what, call);
            return true;
        }
        catch (QueueFailedException ex) when (TrialQueues.IsMessageGone(ex))
        {
            _lost = true;
            return false;
        }
    }

    private async Task StopAsync()
    {
        if (!_stop.IsCancellationRequested)
        {
            await _stop.CancelAsync();
        }

        await _renewing;
    }

    private async Task RenewAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(_timeout / 3, _stop.Token);
                var receipt = await _queues.Trials.UpdateMessageAsync(_messageId, _popReceipt, visibilityTimeout: _timeout, cancellationToken: _stop.Token);
                _popReceipt = receipt.Value.PopReceipt;
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (Exception ex) when (TrialQueues.IsMessageGone(ex))
            {
                // Nothing left to renew; the trial goes on and its result is written create-only.
                _lost = true;
                return;
            }
            catch (Exception ex) when (ex is Azure.RequestFailedException or AggregateException)
            {
                // The queue did not answer this time (after the SDK's retries): try again at the next third.
            }
        }
    }
}
