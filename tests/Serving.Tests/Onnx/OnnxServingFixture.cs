namespace MLPipeline.Serving.Tests.Onnx;

/// <summary>
/// The four imported models in one store and one app for a test class, plus a bare .onnx file served as a direct
/// source (no manifest: described from the graph).
/// </summary>
public sealed class OnnxServingFixture : IAsyncLifetime
{
    public const string DirectSource = "linear-file";

    private readonly OnnxStore _store = new();

    public OnnxServingApp App { get; private set; } = null!;

    public HttpClient Client { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        foreach (var model in OnnxSamples.All)
        {
            await _store.ImportAsync(model);
        }

        var bare = Path.Combine(_store.Scratch, "direct", "linear.onnx");
        Directory.CreateDirectory(Path.GetDirectoryName(bare)!);
        File.Copy(OnnxSamples.Of(OnnxSamples.Linear).File_, bare);
        var settings = new Dictionary<string, string?>
        {
            ["Serving:Sources:0:Name"] = DirectSource,
            ["Serving:Sources:0:Path"] = bare,
        };
        for (var i = 0; i < OnnxSamples.All.Length; i++)
        {
            settings[$"Serving:Models:{i}"] = OnnxSamples.All[i];
        }

        App = new OnnxServingApp(_store.Directory, settings);
        Client = await App.ReadyClientAsync();
    }

    public async Task DisposeAsync()
    {
        await App.DisposeAsync();
        _store.Dispose();
    }
}
