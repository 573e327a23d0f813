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
}
