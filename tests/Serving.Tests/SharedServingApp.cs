namespace MLPipeline.Serving.Tests;

/// <summary>
/// One app per test class (an xunit class fixture), ready before the first test: for classes whose tests only read
/// from the app, so the models load once per class rather than once per test.
/// </summary>
public abstract class SharedServingApp(IReadOnlyDictionary<string, string?>? settings = null) : IAsyncLifetime
{
    public ServingApp App { get; } = new(TrainedModels.Current, settings);

    public HttpClient Client { get; private set; } = null!;

    public async Task InitializeAsync() => Client = await App.ReadyClientAsync();

    public async Task DisposeAsync() => await App.DisposeAsync();
}
