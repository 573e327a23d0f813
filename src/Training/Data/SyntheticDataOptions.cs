using MLPipeline.Shared.Manifest;

namespace MLPipeline.Training.Data;

/// <summary>What <c>generate</c> writes: a CSV of the given shape whose label follows a known signal.</summary>
public sealed record SyntheticDataOptions(ModelTask Task, long Rows, int Features, int Categorical, double Missing, int Seed)
{
    public const int Classes = 4;
    public const string LabelColumn = "label";

    public int Numeric => Features - Categorical;

    public void Validate()
    {
        if (Rows < 1)
        {
            throw new ArgumentException($"--rows must be at least 1, not {Rows}.");
        }

        if (Features < 1 || Categorical < 0 || Categorical > Features)
        {
            throw new ArgumentException($"--features must be at least 1 and --categorical between 0 and --features (got {Features} and {Categorical}).");
        }

        if (Missing is < 0 or >= 1)
        {
            throw new ArgumentException($"--missing is a fraction in [0, 1), not {Missing}.");
        }
    }
}
