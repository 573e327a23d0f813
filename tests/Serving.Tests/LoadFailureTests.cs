using System.IO.Compression;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Primitives;
using MLPipeline.Serving.Lifecycle;
using MLPipeline.Serving.Options;
using MLPipeline.Serving.Pool;
using MLPipeline.Serving.Sources;
using MLPipeline.Shared.Manifest;
using MLPipeline.TestSupport;

namespace MLPipeline.Serving.Tests;

/// <summary>
/// Whatever a source throws, whatever bytes it hands over, the load fails for that model only: status, last error,
/// the failure count, a retry with backoff, and the lifecycle loop goes on until the model loads.
/// </summary>
[Collection(ServingTestGroup.Name)]
public sealed class LoadFailureTests(TrainedModelsFixture fixture) : IDisposable
{
    private readonly TempFolder _dir = new("mlpipeline-failure-");

    private TrainedModels Models => fixture.Models;

    public void Dispose() => _dir.Dispose();

    /// <summary>Throws each exception once, in order, then delivers the real model; its change events cannot be watched.</summary>
    private sealed class UnreliableSource(IModelSource real, Queue<Exception> failures) : IModelSource
    {
        public string Location => "unreliable";

        public TimeSpan PollInterval => TimeSpan.FromMilliseconds(50);

        public Task<ModelPackage> FetchAsync(CancellationToken cancellationToken) =>
            failures.TryDequeue(out var failure) ? throw failure : real.FetchAsync(cancellationToken);

        public IChangeToken Watch() => throw new IOException("The configured user limit (128) on the number of inotify instances has been reached.");
    }

    [Fact]
    public async Task A_source_that_throws_anything_fails_the_load_and_the_lifecycle_retries_until_it_loads()
    {
        Exception[] failures =
        [
            new AggregateException(new TimeoutException("attempt 1"), new TimeoutException("attempt 2")),
            new TaskCanceledException("The request timed out."),
            new InvalidCastException("a custom source got its types wrong"),
            new InvalidDataException("manifest.json: not a valid manifest"),
        ];
        using var pool = new PredictionEnginePool();
        var slot = pool.Register("hp", new UnreliableSource(new FileModelSource(Models.ModelPath(Models.HousePricesMain)), new Queue<Exception>(failures)));
        var settings = new ServingOptions { Reload = { PollInterval = TimeSpan.FromMilliseconds(50), MaxBackoff = TimeSpan.FromMilliseconds(100) } };
        using var lifecycles = new ModelLifecycleService(pool, Microsoft.Extensions.Options.Options.Create(settings), NullLogger<ModelLifecycleService>.Instance);
        await lifecycles.StartAsync(CancellationToken.None);
        try
        {
            await Eventually.TrueAsync(() => slot.Current is not null, TimeSpan.FromSeconds(30), "the model loads after the failures");
        }
        finally
        {
            await lifecycles.StopAsync(CancellationToken.None);
        }

        slot.Current!.Version.Should().Be(Models.HousePricesMain.Version);
        slot.LoadFailures.Should().BeGreaterThanOrEqualTo(failures.Length, "each failure is counted (and the watcher that cannot start once more)");
        slot.Status.Should().Be(ModelSlotStatus.Ready);
    }

    [Fact]
    public async Task A_zip_bomb_is_refused_before_ml_net_inflates_it()
    {
        var path = _dir.Combine(ModelManifest.ModelFileName);
        using (var archive = ZipFile.Open(path, ZipArchiveMode.Create))
        {
            // 64 MiB of zeros compress to a few dozen KiB.
            await using var entry = archive.CreateEntry("Model/Data", CompressionLevel.SmallestSize).Open();
            var zeros = new byte[1024 * 1024];
            for (var i = 0; i < 64; i++)
            {
                await entry.WriteAsync(zeros);
            }
        }

        new FileInfo(path).Length.Should().BeLessThan(1024 * 1024);
        using var pool = new PredictionEnginePool(limits: new LimitOptions { MaxModelUncompressedBytes = 16 * 1024 * 1024 });
        var slot = pool.Register("bomb", new FileModelSource(path));

        var refused = await FluentActions.Awaiting(() => pool.LoadAsync(slot)).Should().ThrowAsync<ModelSourceException>();

        refused.Which.Message.Should().Be($"model.zip: the model archive inflates to more than Serving:Limits:MaxModelUncompressedBytes ({16 * 1024 * 1024} bytes); it is not loaded.");
        slot.Status.Should().Be(ModelSlotStatus.Failed);
    }

    [Fact]
    public async Task A_model_larger_than_the_download_limit_is_not_read()
    {
        var model = Models.ModelPath(Models.HousePricesMain);
        using var pool = new PredictionEnginePool();
        var slot = pool.Register("big", new FileModelSource(model, TimeSpan.FromMinutes(1), TimeSpan.Zero, new ModelSizeLimits(MaxModelBytes: 1000, MaxUncompressedBytes: long.MaxValue)));

        var refused = await FluentActions.Awaiting(() => pool.LoadAsync(slot)).Should().ThrowAsync<ModelSourceException>();

        refused.Which.Message.Should().Be($"model.zip: the model file has {new FileInfo(model).Length} bytes, more than Serving:Limits:MaxModelBytes (1000); it is not downloaded.");
    }

    [Fact]
    public async Task A_manifest_beside_a_direct_model_that_does_not_list_it_is_refused()
    {
        var folder = Directory.CreateDirectory(_dir.Combine("unlisted")).FullName;
        var model = Path.Combine(folder, ModelManifest.ModelFileName);
        File.Copy(Models.ModelPath(Models.HousePricesMain), model);
        var onnxOnly = Models.HousePricesMain with
        {
            Artifacts = new Dictionary<string, ArtifactInfo> { ["model.onnx"] = Models.HousePricesMain.Artifacts[ModelManifest.ModelFileName] },
        };
        File.WriteAllBytes(Path.Combine(folder, ModelManifest.FileName), ManifestJson.Serialize(onnxOnly));
        using var pool = new PredictionEnginePool();
        var slot = pool.Register("unlisted", new FileModelSource(model));

        var refused = await FluentActions.Awaiting(() => pool.LoadAsync(slot)).Should().ThrowAsync<ModelSourceException>();

        refused.Which.Message.Should().StartWith("model.zip: ").And.Contain("model.zip");
        slot.Current.Should().BeNull();
    }
}
