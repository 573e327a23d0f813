using System.Net;

namespace MLPipeline.Serving.Tests;

/// <summary>
/// Two roles: a predict key predicts and reads model state; reload and on-demand versions need an admin key (403 with
/// problem details otherwise); a legacy plain-string key is an admin key. Admin POSTs take only application/json.
/// </summary>
[Collection(ServingTestGroup.Name)]
public sealed class RoleTests(TrainedModelsFixture fixture, RoleTests.App shared) : IClassFixture<RoleTests.App>
{
    private const string PredictKey = "predict-key-0123456789";
    private const string AdminKey = "admin-key-0123456789ab";
    private const string LegacyKey = "legacy-key-0123456789";

    public sealed class App() : SharedServingApp(new Dictionary<string, string?>
    {
        ["Serving:Models:0"] = TrainedModels.HousePrices,
        ["Serving:ApiKeys:0:Id"] = "ci-predict",
        ["Serving:ApiKeys:0:Key"] = PredictKey,
        ["Serving:ApiKeys:0:Role"] = "predict",
        ["Serving:ApiKeys:1:Id"] = "ops",
        ["Serving:ApiKeys:1:Key"] = AdminKey,
        ["Serving:ApiKeys:1:Role"] = "admin",
        ["Serving:ApiKeys:2"] = LegacyKey,
    });

    private readonly ServingApp _app = shared.App;


    private HttpContent Row() => ServingApp.Instances(TrainedModels.Instance(fixture.Models.HousePricesMain));

    private string OtherVersion => fixture.Models.HousePricesOther.Version;

    [Fact]
    public async Task A_predict_key_predicts_and_reads_but_is_403_on_reload_and_on_demand_versions()
    {
        var client = _app.WithKey(PredictKey);

        (await client.PostAsync("/models/house-prices/predict", Row())).StatusCode.Should().Be(HttpStatusCode.OK);
        (await client.PostAsync("/v2/models/house-prices/infer", Row())).StatusCode.Should().NotBe(HttpStatusCode.Forbidden);
        (await client.GetAsync("/models")).StatusCode.Should().Be(HttpStatusCode.OK);
        (await client.GetAsync("/models/house-prices")).StatusCode.Should().Be(HttpStatusCode.OK);
        (await client.GetAsync("/v2/models/house-prices")).StatusCode.Should().Be(HttpStatusCode.OK);
        (await client.GetAsync("/v2/models/house-prices/ready")).StatusCode.Should().Be(HttpStatusCode.OK);

        var reload = await client.PostAsync("/models/house-prices/reload", SecurityTestSupport.EmptyJson());
        reload.StatusCode.Should().Be(HttpStatusCode.Forbidden);
        reload.Content.Headers.ContentType!.MediaType.Should().Be("application/problem+json");
        (await ServingApp.JsonAsync(reload)).GetProperty("detail").GetString().Should().Contain("admin role").And.Contain("ci-predict").And.NotContain(PredictKey);

        (await client.PostAsync($"/models/house-prices/versions/{OtherVersion}/predict", Row())).StatusCode.Should().Be(HttpStatusCode.Forbidden);
        (await client.PostAsync("/models/house-prices/aliases/canary/predict", Row())).StatusCode.Should().Be(HttpStatusCode.Forbidden);
        (await client.PostAsync($"/v2/models/house-prices/versions/{OtherVersion}/infer", Row())).StatusCode.Should().Be(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task Model_details_show_the_full_source_and_a_sample_row_to_the_admin_role_only()
    {
        var asPredict = await ServingApp.JsonAsync(await _app.WithKey(PredictKey).GetAsync("/models/house-prices"));
        var asAdmin = await ServingApp.JsonAsync(await _app.WithKey(AdminKey).GetAsync("/models/house-prices"));

        asPredict.GetProperty("source").ValueKind.Should().Be(System.Text.Json.JsonValueKind.Null);
        asPredict.GetProperty("sampleInput").ValueKind.Should().Be(System.Text.Json.JsonValueKind.Null);
        asPredict.ToString().Should().NotContain(fixture.Models.StoreDirectory);
        asAdmin.GetProperty("source").GetString().Should().Contain(fixture.Models.StoreDirectory, "operators see where the model comes from");
        asAdmin.GetProperty("sampleInput").EnumerateObject().Should().NotBeEmpty();
    }

    [Theory]
    [InlineData(AdminKey)]
    [InlineData(LegacyKey)]
    public async Task An_admin_key_and_a_plain_string_key_may_do_everything(string key)
    {
        var client = _app.WithKey(key);

        (await client.PostAsync("/models/house-prices/predict", Row())).StatusCode.Should().Be(HttpStatusCode.OK);
        (await client.PostAsync($"/models/house-prices/versions/{OtherVersion}/predict", Row())).StatusCode.Should().Be(HttpStatusCode.OK);
        (await client.PostAsync("/models/house-prices/aliases/canary/predict", Row())).StatusCode.Should().Be(HttpStatusCode.OK);
        (await client.PostAsync($"/v2/models/house-prices/versions/{OtherVersion}/infer", Row())).StatusCode.Should().NotBe(HttpStatusCode.Forbidden);
        (await client.PostAsync("/models/house-prices/reload", SecurityTestSupport.EmptyJson())).StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("text/plain")]
    [InlineData("application/x-www-form-urlencoded")]
    [InlineData("multipart/form-data; boundary=x")]
    public async Task Reload_without_application_json_is_415(string? contentType)
    {
        var content = new ByteArrayContent("acceptSchemaChange=true"u8.ToArray());
        if (contentType is not null)
        {
            content.Headers.ContentType = System.Net.Http.Headers.MediaTypeHeaderValue.Parse(contentType);
        }

        var response = await _app.WithKey(AdminKey).PostAsync("/models/house-prices/reload", content);

        response.StatusCode.Should().Be(HttpStatusCode.UnsupportedMediaType);
        response.Content.Headers.ContentType!.MediaType.Should().Be("application/problem+json");
        (await ServingApp.JsonAsync(response)).GetProperty("field").GetString().Should().Be("Content-Type");
    }

    [Fact]
    public async Task Reload_with_json_and_a_charset_is_accepted()
    {
        var content = new StringContent("{}", System.Text.Encoding.UTF8, "application/json");

        (await _app.WithKey(AdminKey).PostAsync("/models/house-prices/reload", content)).StatusCode.Should().Be(HttpStatusCode.OK);
    }
}
