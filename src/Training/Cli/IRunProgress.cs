namespace MLPipeline.Training.Cli;

/// <summary>Reports long steps (loading, each trainer, each fold) to whoever watches the run.</summary>
public interface IRunProgress
{
    IProgressStep Start(string description, int total = 1);

    /// <summary>A line of information that is not a step (e.g. a warning).</summary>
    void Note(string message);
}

public interface IProgressStep : IDisposable
{
    void Advance(string? detail = null);
}

/// <summary>Reports nothing: for tests and library callers.</summary>
public sealed class SilentProgress : IRunProgress
{
    public static SilentProgress Instance { get; } = new();

    public IProgressStep Start(string description, int total = 1) => new Step();

    public void Note(string message)
    {
    }

    private sealed class Step : IProgressStep
    {
        public void Advance(string? detail = null)
        {
        }

        public void Dispose()
        {
        }
    }
}
