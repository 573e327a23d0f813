using System.Net;
using System.Text.RegularExpressions;
using MLPipeline.Serving.Tests.Onnx;

namespace MLPipeline.Serving.Tests.Ui;

/// <summary>An imported ONNX model in the pages: its graph on the version page, and Try it with one JSON value per graph input.</summary>
[Collection(ServingTestGroup.Name)]
public sealed partial class UiOnnxModelTests(TrainedModelsFixture fixture) : IDisposable
{
    private readonly OnnxStore _store = new();

    [Fact]
    public async Task The_version_page_shows_the_graph_and_try_it_predicts_from_the_graphs_sample()
    {
        await _store.ImportAsync(OnnxSamples.Iris);
        await using var app = new ServingApp(fixture.Models, new Dictionary<string, string?> { ["Serving:Store"] = _store.Directory });
        var client = await app.ReadyClientAsync();
        var version = app.Pool.Find(OnnxSamples.Iris)!.Current!.Version;

        var versionPage = await client.GetStringAsync($"/ui/models/{OnnxSamples.Iris}/versions/{version}");
        versionPage.Should().Contain("id=\"graph\"").And.Contain("float_input").And.Contain("[-1, 4]");

        var form = await client.GetStringAsync($"/ui/models/{OnnxSamples.Iris}/try");
        var sample = WebUtility.HtmlDecode(Textarea().Match(form).Groups[1].Value);
        sample.Should().StartWith("[").And.NotStartWith("[[", "one instance: the batch dimension is left out");
        var answer = await client.PostAsync($"/ui/models/{OnnxSamples.Iris}/try", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["in.float_input"] = sample,
            ["__RequestVerificationToken"] = Token().Match(form).Groups[1].Value,
        }));
        answer.StatusCode.Should().Be(HttpStatusCode.OK);
        WebUtility.HtmlDecode(await answer.Content.ReadAsStringAsync()).Should().Contain("\"label\": \"setosa\"");
    }

    public void Dispose() => _store.Dispose();

    [GeneratedRegex("<textarea[^>]*>([^<]*)</textarea>")]
    private static partial Regex Textarea();

    [GeneratedRegex("name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"")]
    private static partial Regex Token();
}
