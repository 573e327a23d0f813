using MLPipeline.Shared.Rollout;
using MLPipeline.Shared.Store;

namespace MLPipeline.Serving.Ui.Seams;

/// <summary>
/// A model's rollout as the store holds it: the record (<c>&lt;name&gt;/rollout.json</c>) and every replica's figures
/// for its current step, summed, read the way <c>mlpipeline rollout status</c> reads them. No record: the page says
/// the model has no rollout.
/// </summary>
public sealed class StoreRolloutView(StoreCatalog catalog) : IRolloutView
{
    public async Task<RolloutState?> FindAsync(string model, CancellationToken cancellationToken)
    {
        var rollouts = new RolloutStore(catalog.Store);
        RolloutRecord? record;
        try
        {
            record = await rollouts.ReadAsync(model, cancellationToken);
        }
        catch (InvalidRolloutException ex)
        {
            return new RolloutState($"unreadable record: {ex.Message}", []);
        }

        if (record is null)
        {
            return null;
        }

        var figures = await rollouts.SumFiguresAsync(record, cancellationToken);
        var state = record.State switch
        {
            Shared.Rollout.RolloutState.Running => $"{Word(record.Mode)} at {record.Weight}%",
            Shared.Rollout.RolloutState.RolledBack => "rolled back",
            var other => other.ToString().ToLowerInvariant(),
        };
        return new RolloutState(state, [Figures(record.Stable, "stable", 100 - record.Weight, figures), Figures(record.Candidate, "candidate", record.Weight, figures)], record.StepStartedUtc);

        static string Word(RolloutMode mode) => mode.ToString().ToLowerInvariant();
    }

    private static RolloutVersionFigures Figures(string version, string role, int share, RolloutFigures figures)
    {
        var of = figures.Of(version);
        var shown = new Dictionary<string, double> { ["traffic %"] = share, ["requests"] = of.Requests, ["error rate"] = of.ErrorRate };
        if (of.Requests > 0)
        {
            shown["p99 ms"] = of.LatencyMs.Quantile(0.99);
        }

        return new RolloutVersionFigures($"{version} ({role})", shown);
    }
}
