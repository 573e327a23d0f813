using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using MLPipeline.Serving.Monitoring;
using MLPipeline.TestSupport;

namespace MLPipeline.Serving.Tests.Monitoring;

/// <summary>
/// Feedback as a careless or hostile caller sends it, against the real service: every refusal is a 4xx naming the
/// field, never a 500, and what is accepted joins at most once.
/// </summary>
[Collection(ServingTestGroup.Name)]
public sealed class HostileFeedbackTests(TrainedModelsFixture fixture)
{
    private TrainedModels Models => fixture.Models;

    public static TheoryData<string, HttpStatusCode, string> Bodies => new()
    {
        { "", HttpStatusCode.BadRequest, "$" },
        { "not json", HttpStatusCode.BadRequest, "$" },
        { "[]", HttpStatusCode.BadRequest, "items" },
        { """{"items":{}}""", HttpStatusCode.BadRequest, "items" },
        { """{"items":[]}""", HttpStatusCode.BadRequest, "items" },
        { """{"items":[1]}""", HttpStatusCode.BadRequest, "items[0]" },
        { """{"items":[{"id":42,"label":1}]}""", HttpStatusCode.BadRequest, "items[0].id" },
        { """{"items":[{"id":"","label":1}]}""", HttpStatusCode.BadRequest, "items[0].id" },
        { """{"items":[{"id":"a b","label":1}]}""", HttpStatusCode.BadRequest, "items[0].id" },
        { """{"items":[{"id":"../../x","label":1}]}""", HttpStatusCode.BadRequest, "items[0].id" },
        { $$"""{"items":[{"id":"{{new string('a', 65)}}","label":1}]}""", HttpStatusCode.BadRequest, "items[0].id" },
        { """{"items":[{"id":"ok","label":null}]}""", HttpStatusCode.BadRequest, "items[0].label" },
        { """{"items":[{"id":"ok"}]}""", HttpStatusCode.BadRequest, "items[0].label" },
        { """{"items":[{"id":"ok","label":{"a":1}}]}""", HttpStatusCode.BadRequest, "items[0].label" },
        { """{"items":[{"id":"ok","label":[1]}]}""", HttpStatusCode.BadRequest, "items[0].label" },
        { $$"""{"items":[{"id":"ok","label":"{{new string('x', 2000)}}"}]}""", HttpStatusCode.BadRequest, "items[0].label" },
        { $$"""{"items":[{"id":"ok","label":{{new string('9', 2000)}}}]}""", HttpStatusCode.BadRequest, "items[0].label" },
        { "{\"items\":" + new string('[', 100) + new string(']', 100) + "}", HttpStatusCode.BadRequest, "$" },
        { $$"""{"items":[{{string.Join(",", Enumerable.Repeat("""{"id":"a","label":1}""", 1001))}}]}""", HttpStatusCode.BadRequest, "items" },
    };

    [Theory]
    [MemberData(nameof(Bodies))]
    public async Task A_malformed_feedback_body_is_a_400_naming_the_field(string body, HttpStatusCode status, string field)
    {
        await using var app = MonitoringApp.Create(Models, null, ("Serving:Monitoring:Models:house-prices:LogPercent", "100"));
        var client = await app.ReadyClientAsync();

        using var response = await client.PostAsync("/models/house-prices/feedback", new StringContent(body, Encoding.UTF8, "application/json"));

        response.StatusCode.Should().Be(status, await response.Content.ReadAsStringAsync());
        (await ServingApp.JsonAsync(response)).GetProperty("field").GetString().Should().Be(field);
    }

    [Fact]
    public async Task Labels_that_do_not_fit_are_listed_ids_join_once_and_unknown_ids_are_only_counted()
    {
        await using var app = MonitoringApp.Create(Models, null, ("Serving:Monitoring:Models:house-prices:LogPercent", "100"));
        var client = await app.ReadyClientAsync();
        var ids = new List<string>();
        for (var i = 0; i < 6; i++)
        {
            using var predicted = await client.PostAsync("/models/house-prices/predict", ServingApp.Instances(TrainedModels.Instance(Models.HousePricesMain)));
            ids.Add(predicted.Headers.GetValues("X-Request-Id").Single());
        }

        await Eventually.TrueAsync(() => app.Registry().Versions(TrainedModels.HousePrices).SingleOrDefault()?.Joins.Count == 6, TimeSpan.FromSeconds(30), "every prediction to wait for feedback");
        var items = new object[]
        {
            new { id = ids[0], label = 24.5 },
            new { id = ids[0], label = 24.5 },
            new { id = ids[1], label = "NaN" },
            new { id = ids[2], label = "Infinity" },
            new { id = ids[3], label = "twenty" },
            new { id = ids[4], label = true },
            new { id = "never-issued", label = 1 },
            new { id = Guid.NewGuid().ToString("N"), label = 1 },
        };
        var body = JsonSerializer.Serialize(new { items });

        using var response = await client.PostAsync("/models/house-prices/feedback", new StringContent(body, Encoding.UTF8, "application/json"));

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        var answer = (await response.Content.ReadFromJsonAsync<FeedbackResponse>())!;
        answer.Received.Should().Be(8);
        answer.Joined.Should().Be(1);
        answer.Unknown.Should().Be(3, "the second feedback for an id, and two ids never issued");
        answer.Invalid.Select(p => p.Index).Should().Equal(2, 3, 4, 5);
        answer.Invalid.Should().OnlyContain(p => p.Reason == "must be a finite number for a regression model");

        using var overflow = await client.PostAsync("/models/house-prices/feedback", new StringContent($$"""{"items":[{"id":"{{ids[5]}}","label":1e400}]}""", Encoding.UTF8, "application/json"));
        overflow.StatusCode.Should().Be(HttpStatusCode.OK);
        (await overflow.Content.ReadFromJsonAsync<FeedbackResponse>())!.Invalid.Should().ContainSingle().Which.Reason.Should().Contain("finite number");
    }

    [Fact]
    public async Task Feedback_for_a_model_not_served_is_404_and_for_one_not_monitored_409()
    {
        await using var app = MonitoringApp.Create(Models, null, ("Serving:Monitoring:Models:house-prices:LogPercent", "100"));
        var client = await app.ReadyClientAsync();
        var body = """{"items":[{"id":"a","label":1}]}""";

        using var unknown = await client.PostAsync("/models/no-such-model/feedback", new StringContent(body, Encoding.UTF8, "application/json"));
        using var unmonitored = await client.PostAsync($"/models/{TrainedModels.Iris}/feedback", new StringContent(body, Encoding.UTF8, "application/json"));

        unknown.StatusCode.Should().Be(HttpStatusCode.NotFound);
        unmonitored.StatusCode.Should().Be(HttpStatusCode.Conflict);
        (await unmonitored.Content.ReadAsStringAsync()).Should().Contain($"Serving:Monitoring:Models:{TrainedModels.Iris}:LogPercent");
    }

    [Fact]
    public async Task Predictions_of_a_version_that_gets_no_more_traffic_still_leave_the_join_window_at_its_age()
    {
        await using var app = MonitoringApp.Create(Models, null,
            ("Serving:Monitoring:Models:house-prices:LogPercent", "100"),
            ("Serving:Monitoring:JoinWindowAge", "00:00:01"),
            ("Serving:Monitoring:FlushInterval", "00:00:00.2"));
        var client = await app.ReadyClientAsync();
        for (var i = 0; i < 3; i++)
        {
            using var predicted = await client.PostAsync("/models/house-prices/predict", ServingApp.Instances(TrainedModels.Instance(Models.HousePricesMain)));
            predicted.StatusCode.Should().Be(HttpStatusCode.OK);
        }

        await Eventually.TrueAsync(() => app.Registry().Versions(TrainedModels.HousePrices).SingleOrDefault()?.Logged == 3, TimeSpan.FromSeconds(30), "the rows to be monitored");

        // No more predictions and no feedback, as for a version reloaded away: nothing else would ever touch its window.
        await Eventually.TrueAsync(() => app.Registry().Versions(TrainedModels.HousePrices).Single().Joins.Count == 0, TimeSpan.FromSeconds(30), "the predictions to expire");
    }

    [Fact]
    public async Task Feedback_racing_the_predictions_it_names_joins_each_prediction_exactly_once()
    {
        await using var app = MonitoringApp.Create(Models, null, ("Serving:Monitoring:Models:house-prices:LogPercent", "100"));
        var client = await app.ReadyClientAsync();
        var instance = TrainedModels.Instance(Models.HousePricesMain);
        var ids = Enumerable.Range(0, 4).SelectMany(t => Enumerable.Range(0, 25).Select(i => $"t{t}-{i}")).ToList();
        var joined = 0;

        async Task<int> FeedbackAsync(IEnumerable<string> named)
        {
            using var response = await client.PostAsJsonAsync("/models/house-prices/feedback", new { items = named.Select(id => new { id, label = 20.5 }) });
            response.StatusCode.Should().Be(HttpStatusCode.OK);
            return (await response.Content.ReadFromJsonAsync<FeedbackResponse>())!.Joined;
        }

        // Four callers predict and send the truth at once, while the rows are still on their way to the join window.
        await Task.WhenAll(ids.Chunk(25).Select(chunk => Task.Run(async () =>
        {
            foreach (var id in chunk)
            {
                using var request = new HttpRequestMessage(HttpMethod.Post, "/models/house-prices/predict") { Content = ServingApp.Instances(instance) };
                request.Headers.Add("X-Request-Id", id);
                using var predicted = await client.SendAsync(request);
                predicted.StatusCode.Should().Be(HttpStatusCode.OK);
                Interlocked.Add(ref joined, await FeedbackAsync([id]));
            }
        })));

        await Eventually.TrueAsync(() => app.Registry().Versions(TrainedModels.HousePrices).Single().Logged == ids.Count, TimeSpan.FromSeconds(30), "every row to be monitored");
        joined += await FeedbackAsync(ids);
        joined += await FeedbackAsync(ids);

        joined.Should().Be(ids.Count, "each prediction joins once, whichever request came first");
        app.Registry().Versions(TrainedModels.HousePrices).Single().FeedbackJoined.Should().Be(ids.Count);
    }
}
