using MLPipeline.Shared.Manifest;
using MLPipeline.Shared.Store;

namespace MLPipeline.Benchmarks;

/// <summary>
/// The model the benchmarks run on: house-prices (its production alias, else its newest version) from the store in
/// $MLPIPELINE_STORE, else ./models, the folder the train command writes to.
/// </summary>
internal static class BenchmarkModel
{
    public const string Name = "house-prices";

    public static string StoreLocation =>
        Path.GetFullPath(Environment.GetEnvironmentVariable("MLPIPELINE_STORE") is { Length: > 0 } store ? store : ModelStoreFactory.DefaultLocation);

    public static ModelManifest Manifest()
    {
        var store = ModelStoreFactory.Open(StoreLocation);
        try
        {
            return store.ResolveAsync(new ModelReference(Name, null, "production")).GetAwaiter().GetResult();
        }
        catch (ModelNotFoundException)
        {
            return store.ResolveAsync(new ModelReference(Name, null, null)).GetAwaiter().GetResult();
        }
    }

    public static string ModelPath(ModelManifest manifest) =>
        Path.Combine(StoreLocation, manifest.Name, "versions", manifest.Version, ModelManifest.ModelFileName);

    /// <summary>The manifest's sample row as a one-instance request body.</summary>
    public static byte[] SingleRowBody(ModelManifest manifest)
    {
        var values = manifest.Inputs.Select(c => c.Type == "String"
            ? $"\"{c.Name}\":\"{manifest.SampleInput[c.Name]}\""
            : $"\"{c.Name}\":{manifest.SampleInput[c.Name]}");
        return System.Text.Encoding.UTF8.GetBytes("{\"instances\":[{" + string.Join(",", values) + "}]}");
    }

    /// <summary>The first <paramref name="rows"/> rows of data/house-prices.csv (the training data) as one request body.</summary>
    public static byte[] BatchBody(ModelManifest manifest, int rows)
    {
        var csv = Path.Combine(RepositoryRoot(), "data", "house-prices.csv");
        var lines = File.ReadLines(csv).Take(rows + 1).ToList();
        var header = lines[0].Split(',');
        var instances = lines.Skip(1).Select(line =>
        {
            var cells = line.Split(',');
            var values = manifest.Inputs.Select(c =>
            {
                var cell = cells[Array.IndexOf(header, c.Name)];
                return c.Type == "String" ? $"\"{c.Name}\":\"{cell}\"" : $"\"{c.Name}\":{cell}";
            });
            return "{" + string.Join(",", values) + "}";
        });
        return System.Text.Encoding.UTF8.GetBytes("{\"instances\":[" + string.Join(",", instances) + "]}");
    }

    private static string RepositoryRoot()
    {
        foreach (var start in new[] { AppContext.BaseDirectory, Directory.GetCurrentDirectory() })
        {
            for (var folder = new DirectoryInfo(start); folder is not null; folder = folder.Parent)
            {
                if (File.Exists(Path.Combine(folder.FullName, "MLPipeline.sln")))
                {
                    return folder.FullName;
                }
            }
        }

        throw new DirectoryNotFoundException($"No MLPipeline.sln above {AppContext.BaseDirectory} or the current directory: run the benchmarks from the repository.");
    }
}
