using MLPipeline.Shared.Manifest;
using MLPipeline.TestSupport;
using MLPipeline.Training.Cli;
using MLPipeline.Training.Runs;
using MLPipeline.Training.Specs;

namespace MLPipeline.Training.Tests;

/// <summary>
/// A spec trained in this process (no store): the run's result, and its package folder (which the console would
/// publish, then delete) deleted when the test is done, so no run leaves a folder in the system's temp folder.
/// </summary>
public sealed class TrainedInProcess(TrainingResult result) : IDisposable
{
    public TrainingResult Result { get; } = result;

    public ModelManifest Manifest => Result.Manifest;

    public string ModelZip => Path.Combine(Result.PackageDirectory, ModelManifest.ModelFileName);

    public string ModelOnnx => Path.Combine(Result.PackageDirectory, ModelManifest.OnnxFileName);

    public static TrainedInProcess Train(TrainingSpec spec) => new(new TrainingRun(spec, SilentProgress.Instance).Execute());

    public static TrainedInProcess Train(string specPath) => Train(SpecLoader.Load(specPath));

    /// <summary>Writes the spec into a folder of its own (deleted after the run), as a user's file, and trains it.</summary>
    public static TrainedInProcess Train(TestSpec spec)
    {
        using var folder = new TempFolder();
        return Train(spec.WriteTo(folder));
    }

    public void Dispose()
    {
        if (Directory.Exists(Result.PackageDirectory))
        {
            Directory.Delete(Result.PackageDirectory, recursive: true);
        }
    }
}
