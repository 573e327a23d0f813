using System.Net;
using System.Net.Http.Headers;

namespace MLPipeline.Serving.Tests;

/// <summary>The benchmark's <c>POST /baseline</c> (Serving:BaselineEndpoint): a constant answer, and a bad body is the client's error, never a 500.</summary>
[Collection(ServingTestGroup.Name)]
public sealed class BaselineEndpointTests(TrainedModelsFixture fixture)
{
    [Fact]
    public async Task The_baseline_answers_a_constant_and_refuses_a_bad_body_with_a_4xx()
    {
        await using var app = new ServingApp(fixture.Models, new Dictionary<string, string?>
        {
            ["Serving:Store"] = SecurityTestSupport.EmptyStore(),
            ["Serving:BaselineEndpoint"] = "true",
        });
        var client = app.CreateClient();

        var answer = await client.PostAsync("/baseline", Json("""{"instances":[{}]}"""u8.ToArray()));
        answer.StatusCode.Should().Be(HttpStatusCode.OK);
        (await answer.Content.ReadAsStringAsync()).Should().Contain("\"model\":\"baseline\"");

        (await client.PostAsync("/baseline", Json([0x7B, 0xFF, 0xFE, 0x7D]))).StatusCode.Should().Be(HttpStatusCode.BadRequest, "the body is not UTF-8");
        (await client.PostAsync("/baseline", Json(new byte[(1024 * 1024) + 1]))).StatusCode.Should().Be(HttpStatusCode.RequestEntityTooLarge);
    }

    private static ByteArrayContent Json(byte[] bytes) => new(bytes) { Headers = { ContentType = new MediaTypeHeaderValue("application/json") } };
}
