using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using MLPipeline.Shared.Manifest;
using MLPipeline.Shared.Rollout;
using MLPipeline.Shared.Store;
using MLPipeline.TestSupport;

namespace MLPipeline.Serving.Tests.Rollout;

/// <summary>
/// Two replicas of the real service on one Azurite store, following its rollouts with short polls (0.3 s), and a
/// load generator that records which version answered every request on which replica. Each test publishes its
/// models under names of its own, so the tests share the replicas without seeing each other's rollouts.
/// </summary>
public sealed class RolloutReplicas : IAsyncLifetime
{
    private readonly List<ReplicaProcess> _replicas = [];
    private AzuriteServer _azurite = null!;

    public IModelStore Store { get; private set; } = null!;

    public RolloutStore Rollouts { get; private set; } = null!;

    public string Location { get; private set; } = "";

    public string ConnectionString => _azurite.ConnectionString;

    public Azure.Storage.Blobs.BlobContainerClient Container { get; private set; } = null!;

    public IReadOnlyList<ReplicaProcess> Replicas => _replicas;

    public string Logs => string.Join("\n", _replicas.Select((r, i) => $"--- replica {i} ---\n{r.Log}"));

    public async Task InitializeAsync()
    {
        _azurite = await AzuriteServer.StartAsync();
        var container = await _azurite.CreateContainerAsync();
        Container = _azurite.ServiceClient().GetBlobContainerClient(container);
        Location = _azurite.StoreUri(container);
        Store = ModelStoreFactory.Open(Location, new BlobStoreOptions { ConnectionString = _azurite.ConnectionString });
        Rollouts = new RolloutStore(Store);

        // An empty store is fine: the replicas list it every poll and serve what the tests publish.
        var starts = new[] { "replica-a", "replica-b" }.Select(name => ReplicaProcess.StartAsync(new Dictionary<string, string>
        {
            ["Serving__Store"] = Location,
            ["MLPIPELINE_STORAGE_CONNECTION_STRING"] = _azurite.ConnectionString,
            ["Serving__Reload__PollInterval"] = "00:00:00.300",
            ["Serving__Reload__MaxBackoff"] = "00:00:01",
            ["Serving__Rollout__StatsInterval"] = "00:00:00.300",
            ["Serving__Rollout__Replica"] = name,
            ["Serving__RateLimit__PermitsPerSecond"] = "0",
            ["Serving__Limits__MaxConcurrentRequests"] = "0",

            // The live-quality test's model is monitored (every request), so feedback measures each version.
            ["Serving__Monitoring__Models__quality__LogPercent"] = "100",
        }));
        _replicas.AddRange(await Task.WhenAll(starts));
    }

    public async Task DisposeAsync()
    {
        foreach (var replica in _replicas)
        {
            await replica.DisposeAsync();
        }

        await _azurite.DisposeAsync();
    }

    /// <summary>Publishes a copy of a version folder under <paramref name="name"/>:<paramref name="version"/>.</summary>
    public async Task PublishAsync(string folder, string name, string version)
    {
        var source = VersionFolder.ReadVerified(folder);
        var dir = Directory.CreateTempSubdirectory("rollout-pkg-").FullName;
        try
        {
            foreach (var artifact in source.Artifacts.Keys)
            {
                File.Copy(Path.Combine(folder, artifact), Path.Combine(dir, artifact));
            }

            File.WriteAllBytes(Path.Combine(dir, ModelManifest.FileName), ManifestJson.Serialize(source with { Name = name, Version = version }));
            await Store.PublishAsync(dir);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>Waits until both replicas serve <paramref name="name"/> with <paramref name="version"/>.</summary>
    public Task WaitServedAsync(string name, string version) =>
        Eventually.ValueAsync(
            async () =>
            {
                var served = new List<string?>();
                foreach (var replica in _replicas)
                {
                    using var response = await replica.Client.GetAsync(new Uri($"/models/{name}", UriKind.Relative));
                    served.Add(response.IsSuccessStatusCode ? JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("model").GetProperty("version").GetString() : null);
                }

                return served;
            },
            served => served.All(v => v == version),
            TimeSpan.FromSeconds(60));

    public async Task<RolloutRecord> StartAsync(string name, string candidate, RolloutMode mode, IReadOnlyList<int> steps, TimeSpan stepTime, RolloutCriteria criteria, string? stickyHeader = null)
    {
        var stable = (await Store.FindAliasAsync(name, "production"))!.Version;
        var record = RolloutTransitions.Start(name, "production", stable, candidate, mode, steps, stepTime, stickyHeader, criteria, "test", DateTimeOffset.UtcNow);
        return await Rollouts.WriteAsync(record, await Rollouts.ReadAsync(name));
    }

    /// <summary>Waits until every replica routes the model through the rollout: some answer of each comes from the candidate.</summary>
    public async Task WaitRoutedAsync(string name, string candidate, IReadOnlyList<string> bodies)
    {
        for (var i = 0; i < _replicas.Count; i++)
        {
            var replica = i;
            await Eventually.ValueAsync(
                async () => (await LoadAsync(name, bodies, 50, 4, only: replica)).Count(a => a.Version == candidate),
                candidateAnswers => candidateAnswers > 0,
                TimeSpan.FromSeconds(60));
        }
    }

    /// <summary>
    /// Sends <paramref name="requests"/> predictions, <paramref name="concurrency"/> at a time, alternating replicas
    /// (or only one), cycling through <paramref name="bodies"/>; the sticky key, when given, from the request number.
    /// </summary>
    public async Task<List<Answer>> LoadAsync(string name, IReadOnlyList<string> bodies, int requests, int concurrency, Func<int, string?>? stickyKey = null, string stickyHeader = "X-User-Id", int? only = null)
    {
        var answers = new List<Answer>(requests);
        var next = -1;
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async _ =>
        {
            while (true)
            {
                var i = Interlocked.Increment(ref next);
                if (i >= requests)
                {
                    return;
                }

                var replica = only ?? (i % _replicas.Count);
                using var request = new HttpRequestMessage(HttpMethod.Post, new Uri($"/models/{name}/predict", UriKind.Relative))
                {
                    Content = new StringContent(bodies[i % bodies.Count], Encoding.UTF8, "application/json"),
                };
                var key = stickyKey?.Invoke(i);
                if (key is not null)
                {
                    request.Headers.Add(stickyHeader, key);
                }

                using var response = await _replicas[replica].Client.SendAsync(request);
                var version = response.Headers.TryGetValues("X-Model-Version", out var values) ? values.First() : null;
                var body = await response.Content.ReadAsStringAsync();
                lock (answers)
                {
                    answers.Add(new Answer(i, replica, response.StatusCode, version, key, body));
                }
            }
        }));
        return answers;
    }

    /// <summary>Request bodies of one instance each, from the rows of a bundled CSV, typed by the manifest's inputs.</summary>
    public static IReadOnlyList<string> Bodies(ModelManifest manifest, string csv)
    {
        var lines = File.ReadAllLines(RepositoryRoot.Data(csv));
        var header = lines[0].Split(',');
        var columns = manifest.Inputs.ToDictionary(c => c.Name, c => c.Type == "String");
        return lines.Skip(1).Where(l => l.Length > 0).Select(line =>
        {
            var values = line.Split(',');
            var instance = new Dictionary<string, object?>();
            for (var c = 0; c < header.Length && c < values.Length; c++)
            {
                if (columns.TryGetValue(header[c], out var isText))
                {
                    instance[header[c]] = isText ? values[c] : float.Parse(values[c], CultureInfo.InvariantCulture);
                }
            }

            return JsonSerializer.Serialize(new { instances = new[] { instance } });
        }).ToList();
    }

    /// <summary>The answer to request number <paramref name="Request"/> (its body is <c>bodies[Request % bodies.Count]</c>).</summary>
    public sealed record Answer(int Request, int Replica, HttpStatusCode Status, string? Version, string? Key, string Body);
}
