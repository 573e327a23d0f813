using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;

namespace MLPipeline.Training.Distributed;

/// <summary>
/// Keeps a received message invisible while its trial trains, by pushing its visibility timeout forward every third
/// of the timeout. A worker that dies stops renewing, and the message comes back for another worker.
/// </summary>
public sealed class MessageLease : IAsyncDisposable
{
    private readonly QueueClient _queue;
    private readonly string _messageId;
    private readonly TimeSpan _timeout;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _renewing;
    private string _popReceipt;

    public MessageLease(QueueClient queue, QueueMessage message, TimeSpan timeout)
    {
        _queue = queue;
        _messageId = message.MessageId;
        _popReceipt = message.PopReceipt;
        _timeout = timeout;
        _renewing = RenewAsync();
    }

    /// <summary>Removes the message for good (the trial is recorded).</summary>
    public async Task DeleteAsync(CancellationToken cancellationToken)
    {
        await StopAsync();
        await _queue.DeleteMessageAsync(_messageId, _popReceipt, cancellationToken);
    }

    /// <summary>Lets the message come back after <paramref name="delay"/>, for another attempt.</summary>
    public async Task ReleaseAsync(TimeSpan delay, CancellationToken cancellationToken)
    {
        await StopAsync();
        await _queue.UpdateMessageAsync(_messageId, _popReceipt, visibilityTimeout: delay, cancellationToken: cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _stop.Dispose();
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
        try
        {
            while (true)
            {
                await Task.Delay(_timeout / 3, _stop.Token);
                var receipt = await _queue.UpdateMessageAsync(_messageId, _popReceipt, visibilityTimeout: _timeout, cancellationToken: _stop.Token);
                _popReceipt = receipt.Value.PopReceipt;
            }
        }
        catch (OperationCanceledException)
        {
        }
    }
}
