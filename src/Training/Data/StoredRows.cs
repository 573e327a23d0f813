using Microsoft.ML;
using MLPipeline.Training.Specs;

namespace MLPipeline.Training.Data;

/// <summary>
/// The training data after its one read: the profile, and the parsed rows in an ML.NET binary file in the temp
/// folder that every later pass of the run reads (featurization statistics, the split, the trainers' passes,
/// evaluation, feature importance, ONNX parity). Disposing deletes the file.
/// </summary>
public sealed class StoredRows : IDisposable
{
    private readonly List<IDisposable> _views = [];

    private StoredRows(DataProfile profile, string path)
    {
        Profile = profile;
        Path = path;
    }

    public DataProfile Profile { get; }

    public string Path { get; }

    public static StoredRows Read(TrainingSpec spec) => Read(spec, open: null);

    /// <param name="folder">Where the binary file goes (default: the system's temp folder).</param>
    internal static StoredRows Read(TrainingSpec spec, Func<string, Stream>? open, string? folder = null)
    {
        var path = System.IO.Path.Combine(folder ?? System.IO.Path.GetTempPath(), $"mlpipeline-rows-{Guid.NewGuid():N}.idv");
        try
        {
            return new StoredRows(CsvProfiler.Read(spec, path, open: open), path);
        }
        catch
        {
            File.Delete(path);
            throw;
        }
    }

    /// <summary>The rows as ML.NET reads them: numeric columns as float (NaN = missing), the others as text.</summary>
    public IDataView Load(MLContext ml)
    {
        var view = ml.Data.LoadFromBinary(Path);
        if (view is IDisposable disposable)
        {
            _views.Add(disposable);
        }

        return view;
    }

    public void Dispose()
    {
        foreach (var view in _views)
        {
            view.Dispose();
        }

        File.Delete(Path);
    }
}
