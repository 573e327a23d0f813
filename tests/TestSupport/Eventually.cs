using System.Net;

namespace MLPipeline.TestSupport;

/// <summary>
/// Waits for a condition to hold, polling until a deadline: the one way tests wait for something that happens in the
/// background (a reload, a failure, a start). No fixed sleeps: a fast machine passes at once, a slow one gets the
/// whole deadline, and a timeout says what was last seen.
/// </summary>
public static class Eventually
{
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(50);

    /// <summary>
    /// Reads until <paramref name="until"/> holds and returns that value; at the deadline, a TimeoutException with the
    /// last value read (described by <paramref name="describe"/> when given). An exception from the read ends the wait.
    /// </summary>
    public static async Task<T> ValueAsync<T>(Func<Task<T>> read, Func<T, bool> until, TimeSpan deadline, Func<T, string>? describe = null)
    {
        var end = DateTime.UtcNow + deadline;
        while (true)
        {
            var value = await read();
            if (until(value))
            {
                return value;
            }

            if (DateTime.UtcNow > end)
            {
                throw new TimeoutException($"Still not there after {deadline}; last seen: {(describe is null ? value : describe(value))}");
            }

            await Task.Delay(Poll);
        }
    }

    /// <summary>Reads until the read gives something (not null) and returns it; a TimeoutException saying <paramref name="what"/> otherwise.</summary>
    public static async Task<T> SomeAsync<T>(Func<T?> read, TimeSpan deadline, Func<string> what)
        where T : class =>
        (await ValueAsync(() => Task.FromResult(read()), value => value is not null, deadline, _ => what()))!;

    public static async Task TrueAsync(Func<bool> condition, TimeSpan deadline, string what)
    {
        var end = DateTime.UtcNow + deadline;
        while (!condition())
        {
            if (DateTime.UtcNow > end)
            {
                throw new TimeoutException($"{what}: not within {deadline}.");
            }

            await Task.Delay(Poll);
        }
    }

    /// <summary>True once GET <paramref name="path"/> answers <paramref name="status"/>, false at the deadline.</summary>
    public static async Task<bool> StatusAsync(HttpClient client, string path, HttpStatusCode status, TimeSpan deadline)
    {
        try
        {
            await ValueAsync(async () => (await client.GetAsync(path)).StatusCode, s => s == status, deadline);
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
    }
}
