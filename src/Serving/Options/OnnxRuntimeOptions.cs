using Microsoft.ML.OnnxRuntime;

namespace MLPipeline.Serving.Options;

/// <summary>
/// <c>Serving:Onnx</c>: the ONNX Runtime session options of imported ONNX models (one session per loaded version,
/// shared by every request). The defaults keep each request on its own thread: requests already run in parallel, so
/// more threads per call would only compete with them. Raise <see cref="IntraOpThreads"/> for few large requests.
/// </summary>
public sealed class OnnxRuntimeOptions
{
    /// <summary>Threads one call may use inside an operator (0 = ONNX Runtime's default, one per core).</summary>
    public int IntraOpThreads { get; set; } = 1;

    /// <summary>Threads that run independent operators at once (only with <see cref="ExecutionMode"/> ORT_PARALLEL).</summary>
    public int InterOpThreads { get; set; } = 1;

    public GraphOptimizationLevel GraphOptimizationLevel { get; set; } = GraphOptimizationLevel.ORT_ENABLE_ALL;

    public ExecutionMode ExecutionMode { get; set; } = ExecutionMode.ORT_SEQUENTIAL;

    /// <summary>Session configuration entries passed as they are (ONNX Runtime's session.* keys).</summary>
    public Dictionary<string, string> ConfigEntries { get; set; } = new(StringComparer.Ordinal)
    {
        // No idle spinning between calls: the cores belong to the requests.
        ["session.intra_op.allow_spinning"] = "0",
    };

    /// <summary>New session options from these settings (the caller disposes them).</summary>
    public Microsoft.ML.OnnxRuntime.SessionOptions CreateSessionOptions()
    {
        var options = new Microsoft.ML.OnnxRuntime.SessionOptions
        {
            IntraOpNumThreads = IntraOpThreads,
            InterOpNumThreads = InterOpThreads,
            GraphOptimizationLevel = GraphOptimizationLevel,
            ExecutionMode = ExecutionMode,
        };
        foreach (var (key, value) in ConfigEntries)
        {
            options.AddSessionConfigEntry(key, value);
        }

        return options;
    }
}
