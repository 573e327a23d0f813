using System.Collections.Concurrent;
using System.Net.Http.Json;
using MLPipeline.TestSupport;

namespace MLPipeline.Serving.Tests;

/// <summary>
/// Clients that predict without pause until stopped (deliberate load, not a wait), each remembering what every answer
/// said: status and version. Used to prove that a swap (or a failed reload, or an outage) costs no request.
/// </summary>
public sealed class PredictionLoad : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Task[] _clients;

    public PredictionLoad(Func<HttpClient> createClient, string model, object instance, int clients = 8)
    {
        Answers = [.. Enumerable.Range(0, clients).Select(_ => new ConcurrentQueue<Answer>())];
        _clients = [.. Enumerable.Range(0, clients).Select(i => Task.Run(() => RunAsync(createClient(), model, instance, Answers[i])))];
    }

    public sealed record Answer(int Status, string? Version, string? Error);

    /// <summary>Per client, in the order its answers arrived.</summary>
    public IReadOnlyList<ConcurrentQueue<Answer>> Answers { get; }

    public IEnumerable<Answer> All => Answers.SelectMany(a => a);

    /// <summary>Waits (bounded) until some client was answered by <paramref name="version"/>.</summary>
    public Task WaitForVersionAsync(string version, TimeSpan timeout) =>
        Eventually.SomeAsync(() => All.FirstOrDefault(a => a.Version == version), timeout,
            () => $"no answer from version {version}; versions seen: {string.Join(", ", All.Select(a => a.Version).Distinct())}");

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
                answers.Enqueue(new Answer((int)response.StatusCode, version, response.IsSuccessStatusCode ? null : body));
            }
            catch (HttpRequestException ex)
            {
                answers.Enqueue(new Answer(0, null, ex.Message));
            }
        }
    }
}
