using System.Globalization;
using System.Text;
using System.Text.Json;
using MLPipeline.Serving.Pool;
using MLPipeline.Serving.Protocols;

namespace MLPipeline.Serving.Tests;

/// <summary>
/// A number in a request becomes the float that <c>float.Parse</c> makes of the same text: what training's CSV reader
/// and a typed System.Text.Json binding make of it, so a row sent to the service is the row the model was trained on.
/// </summary>
[Collection(ServingTestGroup.Name)]
public sealed class NumberReadingTests(TrainedModelsFixture fixture, NumberReadingTests.App shared) : IClassFixture<NumberReadingTests.App>
{
    public sealed class App() : SharedServingApp;

    [Theory]
    [InlineData("instances")]
    [InlineData("v2")]
    public void A_decimal_next_to_a_float_rounding_midpoint_is_read_straight_to_float(string protocol)
    {
        // The shortest text of a double that lies exactly halfway between two floats: read through a double, the tie
        // goes to the even float; read as a float, the text's own last digits decide.
        var text = MidpointText(6.575f);
        var expected = float.Parse(text, CultureInfo.InvariantCulture);
        expected.Should().NotBe((float)double.Parse(text, CultureInfo.InvariantCulture), "the text must tell the two readings apart");

        var row = TrainedModels.Instance(fixture.Models.HousePricesMain);
        var values = row.ToDictionary(p => p.Key, p => p.Key == "RM" ? text : JsonSerializer.Serialize(p.Value));
        var body = protocol == "v2"
            ? "{\"inputs\":[" + string.Join(",", row.Select(p => $"{{\"name\":\"{p.Key}\",\"shape\":[1],\"datatype\":\"{(p.Value is string ? "BYTES" : "FP32")}\",\"data\":[{values[p.Key]}]}}")) + "]}"
            : "{\"instances\":[{" + string.Join(",", row.Select(p => $"\"{p.Key}\":{values[p.Key]}")) + "}]}";

        using var lease = PredictionEnginePool.Rent(shared.App.Pool.Find(TrainedModels.HousePrices)!);
        IPredictProtocol reader = protocol == "v2" ? InferenceProtocol.Instance : InstancesProtocol.Instance;
        reader.Run(Encoding.UTF8.GetBytes(body), lease, TrainedModels.HousePrices, "id", 10, lease.Response.Start());

        var rows = lease.Engine.Rows;
        var rm = rows.Binding.Columns.Select((c, i) => (c.Name, i)).Single(c => c.Name == "RM").i;
        rows.Number(rm, 0).Should().Be(expected);
    }

    /// <summary>From <paramref name="start"/> up, the first float midpoint whose shortest double text float.Parse and a double read round apart.</summary>
    private static string MidpointText(float start)
    {
        for (var f = start; ; f = MathF.BitIncrement(f))
        {
            var midpoint = ((double)f + MathF.BitIncrement(f)) / 2;
            var text = midpoint.ToString("R", CultureInfo.InvariantCulture);
            if (float.Parse(text, CultureInfo.InvariantCulture) != (float)midpoint)
            {
                return text;
            }
        }
    }
}
