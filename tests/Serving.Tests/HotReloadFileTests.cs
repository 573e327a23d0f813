using Microsoft.Extensions.Logging.Abstractions;
using MLPipeline.Serving.Lifecycle;
using MLPipeline.Serving.Options;
using MLPipeline.Serving.Pool;
using MLPipeline.Serving.Sources;
using MLPipeline.Shared.Manifest;
using MLPipeline.TestSupport;

namespace MLPipeline.Serving.Tests;

/// <summary>
/// A file source under load: a new version written in place, and one copied beside and renamed over the old file,
/// are both seen by the file system watcher (the fallback poll is set far beyond the test) and swapped in; a version
/// written before the watcher started is seen by the watch's first check.
/// </summary>
[Collection(ServingTestGroup.Name)]
public sealed class HotReloadFileTests(TrainedModelsFixture fixture) : IDisposable
{
    private readonly VersionPackages _packages = new(fixture.Models);
    private readonly string _dir = Directory.CreateTempSubdirectory("mlpipeline-filesource-").FullName;

    private TrainedModels Models => fixture.Models;

    private string ModelFile => Path.Combine(_dir, ModelManifest.ModelFileName);

    private string ManifestFile => Path.Combine(_dir, ModelManifest.FileName);

    public void Dispose()
    {
        _packages.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public async Task Write_in_place_and_copy_then_rename_are_both_swapped_in_without_a_failed_request()
    {
        var first = _packages.Renamed(Models.HousePricesMain, "f1");
        File.Copy(Path.Combine(first, ModelManifest.FileName), ManifestFile);
        File.Copy(Path.Combine(first, ModelManifest.ModelFileName), ModelFile);
        await using var app = new ServingApp(Models, HotReloadSettings.With(
            ("Serving:Sources:0:Name", "local"), ("Serving:Sources:0:Path", ModelFile), ("Serving:Reload:FilePollInterval", "00:10:00")));
        await app.ReadyClientAsync();
        await using var load = new PredictionLoad(app.CreateClient, "local", TrainedModels.Instance(Models.HousePricesMain), clients: 6);
        await load.WaitForVersionAsync("f1", HotReloadSettings.SwapDeadline);

        // 1. Write in place, in chunks (a slow writer): the debounce waits for the end, a half-read file would fail the hash check.
        var second = _packages.Renamed(Models.HousePricesOther, "f2");
        File.WriteAllBytes(ManifestFile, VersionPackages.Manifest(second));
        await using (var stream = new FileStream(ModelFile, FileMode.Create, FileAccess.Write, FileShare.ReadWrite))
        {
            foreach (var chunk in VersionPackages.Model(second).Chunk(64 * 1024))
            {
                await stream.WriteAsync(chunk);
                await stream.FlushAsync();
                await Task.Delay(20);
            }
        }

        await load.WaitForVersionAsync("f2", HotReloadSettings.SwapDeadline);

        // 2. Copy beside, then rename over: the way deploy tools publish atomically.
        var third = _packages.Renamed(Models.HousePricesMain, "f3");
        File.Copy(Path.Combine(third, ModelManifest.FileName), ManifestFile + ".tmp");
        File.Copy(Path.Combine(third, ModelManifest.ModelFileName), ModelFile + ".tmp");
        File.Move(ManifestFile + ".tmp", ManifestFile, overwrite: true);
        File.Move(ModelFile + ".tmp", ModelFile, overwrite: true);
        await load.WaitForVersionAsync("f3", HotReloadSettings.SwapDeadline);
        var answers = await load.StopAsync();

        answers.Where(a => a.Status != 200).Should().BeEmpty();
        foreach (var perClient in load.Answers)
        {
            perClient.Select(a => a.Version).Should().BeInAscendingOrder(StringComparer.Ordinal, "f1, then f2, then f3, never back");
        }
    }

    [Fact]
    public async Task A_version_written_between_the_first_load_and_the_watch_start_is_swapped_in_at_once()
    {
        // At start the pool loads every model before the reload service starts its watches; a write in that gap
        // raises no file event, and the fallback poll here is ten minutes away.
        var first = _packages.Renamed(Models.HousePricesMain, "f1");
        File.Copy(Path.Combine(first, ModelManifest.FileName), ManifestFile);
        File.Copy(Path.Combine(first, ModelManifest.ModelFileName), ModelFile);
        using var pool = new PredictionEnginePool();
        var slot = pool.Register("local", new FileModelSource(ModelFile));
        await pool.LoadAsync(slot);
        var second = _packages.Renamed(Models.HousePricesOther, "f2");
        File.WriteAllBytes(ManifestFile, VersionPackages.Manifest(second));
        File.WriteAllBytes(ModelFile, VersionPackages.Model(second));

        var settings = new ServingOptions { Reload = { FilePollInterval = TimeSpan.FromMinutes(10) } };
        using var reloads = new ModelLifecycleService(pool, Microsoft.Extensions.Options.Options.Create(settings), NullLogger<ModelLifecycleService>.Instance);
        await reloads.StartAsync(CancellationToken.None);
        try
        {
            await Eventually.TrueAsync(() => slot.Current?.Version == "f2", HotReloadSettings.SwapDeadline, "version f2 swapped in");
        }
        finally
        {
            await reloads.StopAsync(CancellationToken.None);
        }
    }
}
