using System.CommandLine;
using MLPipeline.Shared.Store;

namespace MLPipeline.Training.Cli;

/// <summary>The <c>--store</c> option every command shares.</summary>
public static class StoreOptions
{
    public const string EnvironmentVariable = "MLPIPELINE_STORE";

    public static Option<string?> Store() => new("--store")
    {
        Description = $"Model store: a folder path, file:// URI or blob container URI (default: ${EnvironmentVariable}, else ./{ModelStoreFactory.DefaultLocation}).",
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable(EnvironmentVariable),
    };
}
