namespace MLPipeline.Shared.Manifest;

/// <summary>What is wrong with a manifest: the field as a path (e.g. <c>artifacts["model.zip"].sha256</c>) and why.</summary>
public sealed record ManifestProblem(string Field, string Problem)
{
    public override string ToString() => $"{Field}: {Problem}";
}
