namespace MLPipeline.Serving.Monitoring;

/// <summary>
/// The bytes of monitored rows held in memory between a request and the store (<c>Serving:Monitoring:QueueBytes</c>):
/// rows queued for the background loop, then files the store has not taken yet. Counted beside the rows
/// (<c>QueueCapacity</c>), because one row of long texts weighs as much as thousands of rows of numbers: without it, a
/// slow store and large text inputs could hold gigabytes.
/// </summary>
public sealed class LogMemoryBudget(long limit)
{
    private long _held;

    public long Held => Interlocked.Read(ref _held);

    /// <summary>Takes <paramref name="bytes"/> if they fit under the limit; false (and nothing taken) if not.</summary>
    public bool TryTake(long bytes)
    {
        if (Interlocked.Add(ref _held, bytes) <= limit)
        {
            return true;
        }

        Interlocked.Add(ref _held, -bytes);
        return false;
    }

    public void Give(long bytes) => Interlocked.Add(ref _held, -bytes);
}
