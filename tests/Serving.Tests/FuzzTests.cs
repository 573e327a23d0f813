using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace MLPipeline.Serving.Tests;

/// <summary>
/// No body answers 5xx. Valid requests of both protocols are mutated three ways: JSON escapes of any UTF-16 code unit
/// (lone surrogates included) in keys, numbers' and categories' values; structural damage; and raw bytes. Every
/// refusal is the protocol's error document, naming the field on the instances protocol.
/// </summary>
[Collection(ServingTestGroup.Name)]
public sealed class FuzzTests(TrainedModelsFixture fixture, FuzzTests.App shared) : IClassFixture<FuzzTests.App>
{
    private const int Bodies = 20_000;
    private const string Instances = "/models/house-prices/predict";
    private const string Infer = "/v2/models/house-prices/infer";
    private const string Structure = "{}[]\",:0123456789.eE-+ntrufalsNI\\ \u00e9\u0000x";

    public sealed class App() : SharedServingApp(new Dictionary<string, string?> { ["Serving:RateLimit:PermitsPerSecond"] = "0" });

    private readonly HttpClient _client = shared.Client;


    [Theory]
    [InlineData("""{"instances":[{"LSTAT":"\ud800"}]}""", "instances[0].LSTAT")]
    [InlineData("""{"instances":[{"CHAS":"\udfff"}]}""", "instances[0].CHAS")]
    [InlineData("""{"instances":[{"\ud800":1}]}""", "instances[0]")]
    [InlineData("""{"instances":[{"CH\ud83dAS":"0"}]}""", "instances[0]")]
    public async Task A_lone_surrogate_escape_is_a_400_naming_the_field(string body, string field)
    {
        // The other columns are valid, so the surrogate is the only fault wherever it stands.
        var row = TrainedModels.Instance(fixture.Models.HousePricesMain);
        var complete = body.Replace("}]}", "," + JsonSerializer.Serialize(row)[1..^1] + "}]}", StringComparison.Ordinal);
        var response = await _client.PostAsync(Instances, Json(Encoding.UTF8.GetBytes(complete)));

        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        response.Content.Headers.ContentType!.MediaType.Should().Be("application/problem+json");
        (await ServingApp.JsonAsync(response)).GetProperty("field").GetString().Should().Be(field);
    }

    [Theory]
    [InlineData("name")]
    [InlineData("datatype")]
    [InlineData("data")]
    [InlineData("id")]
    public async Task A_lone_surrogate_escape_in_an_inference_request_is_a_400(string where)
    {
        var body = InferBody(where == "id" ? "\\ud800" : null);
        body = where switch
        {
            "name" => body.Replace("\"name\":\"CHAS\"", "\"name\":\"CH\\udc00AS\"", StringComparison.Ordinal),
            "datatype" => body.Replace("\"datatype\":\"BYTES\"", "\"datatype\":\"BY\\ud800TES\"", StringComparison.Ordinal),
            "data" => body.Replace("\"data\":[\"0\"]", "\"data\":[\"\\ud800\"]", StringComparison.Ordinal),
            _ => body,
        };

        var response = await _client.PostAsync(Infer, Json(Encoding.UTF8.GetBytes(body)));

        response.StatusCode.Should().Be(HttpStatusCode.BadRequest, body);
        (await ServingApp.JsonAsync(response)).GetProperty("error").GetString().Should().NotBeNullOrEmpty();
    }

    [Fact]
    public async Task Twenty_thousand_mutated_bodies_never_produce_a_5xx()
    {
        var instances = Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new { instances = new[] { TrainedModels.Instance(fixture.Models.HousePricesMain) } }));
        var infer = Encoding.UTF8.GetBytes(InferBody(null));
        var random = new Random(20261129);
        var statuses = new Dictionary<HttpStatusCode, int>();
        for (var i = 0; i < Bodies; i++)
        {
            var toInfer = i % 2 == 1;
            var body = (i % 3) switch
            {
                0 => WithEscape(random, toInfer ? infer : instances),
                1 => Damaged(random, toInfer ? infer : instances),
                _ => RawBytes(random, toInfer ? infer : instances),
            };
            var response = await _client.PostAsync(toInfer ? Infer : Instances, Json(body));
            var status = response.StatusCode;
            statuses[status] = statuses.GetValueOrDefault(status) + 1;
            if ((int)status >= 500)
            {
                throw new Xunit.Sdk.XunitException($"{(int)status} for body {Convert.ToBase64String(body)}: {await response.Content.ReadAsStringAsync()}");
            }

            if (status != HttpStatusCode.OK)
            {
                var error = await ServingApp.JsonAsync(response);
                if (toInfer)
                {
                    error.GetProperty("error").GetString().Should().NotBeNullOrEmpty();
                }
                else
                {
                    response.Content.Headers.ContentType!.MediaType.Should().Be("application/problem+json");
                    error.GetProperty("field").GetString().Should().NotBeNullOrEmpty($"a {(int)status} must name the field");
                }
            }
        }

        statuses.Keys.Should().Contain([HttpStatusCode.OK, HttpStatusCode.BadRequest]);
    }

    /// <summary>A <c>\uXXXX</c> escape of any code unit (lone surrogates, controls, noncharacters) inside a string or a key.</summary>
    private static byte[] WithEscape(Random random, byte[] valid)
    {
        var text = Encoding.UTF8.GetString(valid);
        var quotes = Enumerable.Range(0, text.Length).Where(i => text[i] == '"').ToArray();
        var at = quotes[random.Next(quotes.Length)] + 1;
        var escapes = new StringBuilder();
        for (var n = random.Next(1, 3); n > 0; n--)
        {
            escapes.Append("\\u").Append(random.Next(0x10000).ToString("x4", CultureInfo.InvariantCulture));
        }

        return Encoding.UTF8.GetBytes(text.Insert(at, escapes.ToString()));
    }

    /// <summary>Replaced, inserted or dropped structural characters, and sometimes a cut-short body.</summary>
    private static byte[] Damaged(Random random, byte[] valid)
    {
        var chars = new StringBuilder(Encoding.UTF8.GetString(valid));
        for (var n = random.Next(1, 6); n > 0 && chars.Length > 0; n--)
        {
            var at = random.Next(chars.Length);
            switch (random.Next(3))
            {
                case 0:
                    chars[at] = Structure[random.Next(Structure.Length)];
                    break;
                case 1:
                    chars.Insert(at, Structure[random.Next(Structure.Length)]);
                    break;
                default:
                    chars.Remove(at, 1);
                    break;
            }
        }

        var text = chars.ToString();
        return Encoding.UTF8.GetBytes(random.Next(10) == 0 ? text[..random.Next(text.Length + 1)] : text);
    }

    /// <summary>Bytes overwritten at random: invalid UTF-8, stray NULs, bytes of multi-byte sequences out of place.</summary>
    private static byte[] RawBytes(Random random, byte[] valid)
    {
        var bytes = (byte[])valid.Clone();
        for (var n = random.Next(1, 4); n > 0; n--)
        {
            bytes[random.Next(bytes.Length)] = (byte)random.Next(256);
        }

        return bytes;
    }

    private string InferBody(string? id)
    {
        var manifest = fixture.Models.HousePricesMain;
        var inputs = manifest.Inputs.Select(c => c.Type == "String"
            ? $"{{\"name\":\"{c.Name}\",\"shape\":[1],\"datatype\":\"BYTES\",\"data\":[\"{manifest.SampleInput[c.Name]}\"]}}"
            : $"{{\"name\":\"{c.Name}\",\"shape\":[1],\"datatype\":\"FP32\",\"data\":[{manifest.SampleInput[c.Name]}]}}");
        return $"{{{(id is null ? "" : $"\"id\":\"{id}\",")}\"inputs\":[{string.Join(",", inputs)}]}}";
    }

    private static ByteArrayContent Json(byte[] body)
    {
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        return content;
    }
}
