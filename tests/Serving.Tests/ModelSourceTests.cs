using System.Net;
using Microsoft.Extensions.Options;
using MLPipeline.Serving.Options;
using MLPipeline.Serving.Pool;
using MLPipeline.Serving.Sources;
using MLPipeline.Shared.Manifest;
using MLPipeline.TestSupport;

namespace MLPipeline.Serving.Tests;

/// <summary>Direct sources, and the checks every load passes before a swap (a failed load keeps the old version).</summary>
[Collection(ServingTestGroup.Name)]
public sealed class ModelSourceTests(TrainedModelsFixture fixture) : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("mlpipeline-source-").FullName;

    private TrainedModels Models => fixture.Models;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task A_bare_model_zip_without_manifest_is_served_with_the_schema_read_from_the_model()
    {
        var path = Path.Combine(_dir, "bare", "model.zip");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.Copy(Models.ModelPath(Models.IrisModel), path);
        await using var app = new ServingApp(Models, new Dictionary<string, string?>
        {
            ["Serving:Sources:0:Name"] = "bare-iris",
            ["Serving:Sources:0:Path"] = path,
        });
        var client = await app.ReadyClientAsync();

        var response = await client.PostAsync("/models/bare-iris/predict", ServingApp.Instances(new { sepal_length = 5.1, sepal_width = 3.5, petal_length = 1.4, petal_width = 0.2 }));

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        var body = await ServingApp.JsonAsync(response);
        body.GetProperty("version").GetString().Should().StartWith("sha256-");
        body.GetProperty("predictions")[0].GetProperty("label").GetString().Should().Be("setosa");
        (await ServingApp.JsonAsync(await client.GetAsync("/models"))).GetArrayLength().Should().Be(1, "direct sources alone replace store discovery");
    }

    [Fact]
    public async Task A_model_zip_that_does_not_match_its_manifest_is_refused_and_the_old_version_keeps_serving()
    {
        var folder = Path.Combine(_dir, "tampered");
        Directory.CreateDirectory(folder);
        var model = Path.Combine(folder, ModelManifest.ModelFileName);
        File.Copy(Models.ModelPath(Models.HousePricesMain), model);
        File.Copy(Path.Combine(Path.GetDirectoryName(Models.ModelPath(Models.HousePricesMain))!, ModelManifest.FileName), Path.Combine(folder, ModelManifest.FileName));
        var pool = new PredictionEnginePool();
        var slot = pool.Register("hp", new FileModelSource(model));
        var first = await pool.LoadAsync(slot);

        File.Copy(Models.ModelPath(Models.HousePricesOther), model, overwrite: true);
        var act = () => pool.LoadAsync(slot);

        await act.Should().ThrowAsync<ModelSourceException>().WithMessage("*SHA-256*");
        slot.Current.Should().BeSameAs(first);
        slot.Status.Should().Be(ModelSlotStatus.Degraded, "the old version serves, but the last load failed");
        slot.LastError.Should().Contain("SHA-256");
        slot.LoadFailures.Should().Be(1);
    }

    [Fact]
    public async Task Bytes_that_are_not_a_model_are_refused_with_the_source_named()
    {
        var path = Path.Combine(_dir, "model.zip");
        await File.WriteAllTextAsync(path, "<Error><Code>AuthenticationFailed</Code></Error>");
        var pool = new PredictionEnginePool();
        var slot = pool.Register("bad", new FileModelSource(path));

        var act = () => pool.LoadAsync(slot);

        await act.Should().ThrowAsync<ModelSourceException>().WithMessage("model.zip: not a valid zip archive, so not an ML.NET model*");
        slot.Status.Should().Be(ModelSlotStatus.Failed);
        slot.Current.Should().BeNull();
    }

    [Fact]
    public async Task A_blob_source_that_cannot_be_reached_fails_the_load_without_reaching_model_load()
    {
        // A loopback port that resets every connection: reported as a source failure.
        using var endpoint = new RefusingListener();
        var pool = new PredictionEnginePool();
        var slot = pool.Register("blob", new BlobModelSource(new Uri($"http://127.0.0.1:{endpoint.Port}/devstoreaccount1/models/m/model.zip?sv=2024-01-01&sig=abc")));

        var act = () => pool.LoadAsync(slot, new CancellationTokenSource(TimeSpan.FromSeconds(60)).Token);

        await act.Should().ThrowAsync<ModelSourceException>().WithMessage($"*127.0.0.1:{endpoint.Port}*did not answer*");
        slot.Current.Should().BeNull();
    }

    [Theory]
    [InlineData("Serving:Alias", "bad alias!", "Serving:Alias")]
    [InlineData("Serving:Models:0", "../etc", "Serving:Models:0")]
    [InlineData("Serving:ApiKeys:0", "short", "at least 16")]
    [InlineData("Serving:Limits:MaxBatchSize", "0", "MaxBatchSize")]
    [InlineData("Serving:Jwt:Authority", "https://login.microsoftonline.com/tenant/v2.0", "Audience")]
    public async Task Invalid_configuration_stops_the_app_at_start_naming_the_setting(string key, string value, string message)
    {
        // The real app as its own process: a start-time failure must end it with the reason, before it serves.
        var start = new System.Diagnostics.ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, "MLPipeline.Serving.dll")])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = _dir,
        };
        start.Environment["ASPNETCORE_URLS"] = "http://127.0.0.1:0";
        start.Environment["Serving__Store"] = Models.StoreDirectory;
        start.Environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
        using var process = System.Diagnostics.Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }

        process.ExitCode.Should().NotBe(0);
        ((await output) + (await errors)).Should().Contain("OptionsValidationException").And.Contain(message);
    }

    [Fact]
    public void A_source_needs_exactly_one_of_path_and_uri()
    {
        var result = new ServingOptionsValidator().Validate(null, new ServingOptions
        {
            Sources = [new ModelSourceOptions { Name = "x" }, new ModelSourceOptions { Name = "y", Uri = "ftp://host/model.zip" }],
        });

        result.Failed.Should().BeTrue();
        result.Failures.Should().Contain(f => f.Contains("Serving:Sources:0: set exactly one of Path or Uri"))
            .And.Contain(f => f.Contains("Serving:Sources:1:Uri"));
    }

    [Fact]
    public void A_refused_source_uri_is_reported_without_its_sas()
    {
        var result = new ServingOptionsValidator().Validate(null, new ServingOptions
        {
            Sources = [new ModelSourceOptions { Name = "y", Uri = "ftp://acct.blob.core.windows.net/c/model.zip?sv=2024-01-01&sig=SECRETSIGNATURE" }],
        });

        result.Failures.Should().ContainSingle(f => f.Contains("Serving:Sources:0:Uri 'ftp://acct.blob.core.windows.net/c/model.zip?<redacted>'"));
        string.Join("\n", result.Failures!).Should().NotContain("SECRETSIGNATURE").And.NotContain("sig=");
    }

    [Fact]
    public void The_default_store_is_models_in_the_current_directory()
    {
        var previous = Environment.GetEnvironmentVariable(ServingOptions.StoreEnvironmentVariable);
        new ServingOptions { Store = null }.ResolveStoreLocation()
            .Should().Be(previous is null ? Path.Combine(Directory.GetCurrentDirectory(), "models") : Path.GetFullPath(previous));
        new ServingOptions { Store = "relative/store" }.ResolveStoreLocation().Should().Be(Path.Combine(Directory.GetCurrentDirectory(), "relative", "store"));
        new ServingOptions { Store = "relative/store", WorkingDirectory = "/launched/here" }.ResolveStoreLocation().Should().Be("/launched/here/relative/store");
    }
}
