using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Json;

namespace MLPipeline.Serving.Tests;

/// <summary>
/// Clients that predict without pause until stopped, each remembering what every answer said: status, version, and
/// the time it arrived. Used to prove that a swap (or a failed reload, or an outage) costs no request.
/// </summary>
public sealed class PredictionLoad : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Task[] _clients;
    private readonly Stopwatch _clock = Stopwatch.StartNew();

    public PredictionLoad(Func<HttpClient> createClient, string model, object instance, int clients = 8)
    {
        Answers = [.. Enumerable.Range(0, clients).Select(_ => new ConcurrentQueue<Answer>())];
        _clients = [.. Enumerable.Range(0, clients).Select(i => Task.Run(() => RunAsync(createClient(), model, instance, Answers[i])))];
    }

    public sealed record Answer(TimeSpan At, int Status, string? Version, string? Error);

    /// <summary>Per client, in the order its answers arrived.</summary>
    public IReadOnlyList<ConcurrentQueue<Answer>> Answers { get; }

    public IEnumerable<Answer> All => Answers.SelectMany(a => a);

    public TimeSpan Now => _clock.Elapsed;

    /// <summary>Waits (bounded) until some client was answered by <paramref name="version"/>; returns when, on the load's clock.</summary>
    public async Task<TimeSpan> WaitForVersionAsync(string version, TimeSpan timeout)
    {
        var deadline = _clock.Elapsed + timeout;
        while (_clock.Elapsed < deadline)
        {
            if (All.FirstOrDefault(a => a.Version == version) is { } seen)
            {
                return seen.At;
            }

            await Task.Delay(50);
        }

        throw new TimeoutException($"No answer from version {version} within {timeout.TotalSeconds} s; versions seen: {string.Join(", ", All.Select(a => a.Version).Distinct())}.");
    }

    /// <summary>Stops the clients and returns every answer.</summary>
    public async Task<IReadOnlyList<Answer>> StopAsync()
    {
        await _stop.CancelAsync();
        await Task.WhenAll(_clients);
        return [.. All];
    }

    public async ValueTask DisposeAsync()
    {
        if (!_stop.IsCancellationRequested)
        {
            await StopAsync();
        }

        _stop.Dispose();
    }

    private async Task RunAsync(HttpClient client, string model, object instance, ConcurrentQueue<Answer> answers)
    {
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                using var response = await client.PostAsync($"/models/{model}/predict", JsonContent.Create(new { instances = new[] { instance } }), CancellationToken.None);
                var body = await response.Content.ReadAsStringAsync();
                var version = response.Headers.TryGetValues("X-Model-Version", out var values) ? values.First() : null;
                answers.Enqueue(new Answer(_clock.Elapsed, (int)response.StatusCode, version, response.IsSuccessStatusCode ? null : body));
            }
            catch (HttpRequestException ex)
            {
                answers.Enqueue(new Answer(_clock.Elapsed, 0, null, ex.Message));
            }
        }
    }
}
