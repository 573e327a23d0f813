using System.Diagnostics;
using System.Globalization;

namespace MLPipeline.Benchmarks;

/// <summary>
/// Benchmark 1 for a noisy machine: the same four operations as <see cref="DynamicVsTypedBenchmarks"/>, measured in
/// short interleaved batches (order shuffled every round), so load from other processes hits both sides alike.
/// Reports the median time per operation and the median of the per-round ratios to the typed engine.
/// </summary>
internal static class PairedRatio
{
    public static int Run(int rounds, int batch)
    {
        var bench = new DynamicVsTypedBenchmarks();
        bench.Setup();
        try
        {
            // Name, the operation, rows it predicts, and the operation its ratio is taken to.
            var operations = new (string Name, Func<float> Run, int Rows, int Reference)[]
            {
                ("typed PredictionEngine.Predict", bench.TypedEngine, 1, 0),
                ("dynamic pool: rent, set row, predict, return", bench.DynamicEngine, 1, 0),
                ("dynamic engine alone (no rent)", bench.DynamicEngineHeld, 1, 0),
                ("typed JSON: deserialize, predict, serialize", () => bench.TypedJson(), 1, 3),
                ("dynamic JSON: Utf8JsonReader in, predict, Utf8JsonWriter out", () => bench.DynamicJson(), 1, 3),
                ("typed PredictionEngine.Predict, 100 rows", bench.TypedEngineBatch, ThroughputComparison.BatchRows, 0),
                ("service: 100-row body to answer, engine chosen at load", () => bench.ServiceBatch(), ThroughputComparison.BatchRows, 0),
                ("service: 100-row body to answer, ML.NET only", () => bench.ServiceBatchMLNet(), ThroughputComparison.BatchRows, 0),
            };
            Console.WriteLine($"Engines chosen at load: {bench.BatchEngines}");
            foreach (var (_, run, rows, _) in operations)
            {
                for (var i = 0; i < 20_000 / rows; i++)
                {
                    run();
                }
            }

            var perOp = operations.Select(_ => new List<double>()).ToArray();
            var random = new Random(1);
            for (var round = 0; round < rounds; round++)
            {
                foreach (var index in Enumerable.Range(0, operations.Length).OrderBy(_ => random.Next()))
                {
                    var (_, run, rows, _) = operations[index];
                    var calls = Math.Max(1, batch / rows);
                    var started = Stopwatch.GetTimestamp();
                    for (var i = 0; i < calls; i++)
                    {
                        run();
                    }

                    // Time per predicted row, so a 100-row call compares with one typed prediction.
                    perOp[index].Add(Stopwatch.GetElapsedTime(started).TotalMicroseconds / (calls * rows));
                }
            }

            Console.WriteLine($"{rounds} rounds x {batch} operations each, interleaved in random order per round");
            Console.WriteLine();
            Console.WriteLine("| operation | median (us per row) | p10 (us) | p90 (us) | median ratio | ratio p10 | ratio p90 |");
            Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|");
            for (var o = 0; o < operations.Length; o++)
            {
                var reference = operations[o].Reference;
                var ratios = perOp[o].Zip(perOp[reference], (a, b) => a / b).Order().ToList();
                var times = perOp[o].Order().ToList();
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"| {operations[o].Name} | {At(times, 0.5):F3} | {At(times, 0.1):F3} | {At(times, 0.9):F3} | {At(ratios, 0.5):F2}{(reference == 3 ? " (to typed JSON)" : "")} | {At(ratios, 0.1):F2} | {At(ratios, 0.9):F2} |"));
            }

            return 0;
        }
        finally
        {
            bench.Cleanup();
        }
    }

    private static double At(List<double> sorted, double p) => sorted[Math.Min(sorted.Count - 1, (int)(p * sorted.Count))];
}
