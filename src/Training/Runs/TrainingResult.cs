using MLPipeline.Shared.Manifest;
using MLPipeline.Training.Trainers;

namespace MLPipeline.Training.Runs;

/// <summary>What a run produced: the package folder (not yet published), its manifest and the comparison.</summary>
public sealed record TrainingResult(
    ModelManifest Manifest,
    string PackageDirectory,
    IReadOnlyList<CandidateResult> Comparison,
    TrainerCandidate Winner,
    IReadOnlyList<GateOutcome> Gates,
    TimeSpan Duration);

public sealed record GateOutcome(string Gate, double Actual, bool Passed);
