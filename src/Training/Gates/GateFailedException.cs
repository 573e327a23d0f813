namespace MLPipeline.Training.Gates;

/// <summary>The model missed one or more quality gates; nothing is published. Exit code 3.</summary>
public sealed class GateFailedException(IReadOnlyList<string> failures)
    : Exception($"Quality gates failed:{Environment.NewLine}{string.Join(Environment.NewLine, failures.Select(f => "  " + f))}")
{
    public IReadOnlyList<string> Failures { get; } = failures;
}
