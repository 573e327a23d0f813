using System.Text.Json;
using MLPipeline.Shared.Manifest;
using MLPipeline.Training.Specs;

namespace MLPipeline.Training.Trainers;

/// <summary>Turns the spec's trainers (each with options and an optional grid) into the candidates to compare.</summary>
public static class CandidateExpansion
{
    public const int MaxCandidates = 64;

    public static IReadOnlyList<TrainerCandidate> Expand(TrainingSpec spec)
    {
        var candidates = new List<TrainerCandidate>();
        foreach (var trainer in spec.Trainers)
        {
            var definition = TrainerCatalog.Find(trainer.Name, spec.Task, spec.SourcePath);
            foreach (var point in GridPoints(trainer.Grid))
            {
                var options = new Dictionary<string, JsonElement>(trainer.Options, StringComparer.OrdinalIgnoreCase);
                foreach (var (name, value) in point)
                {
                    options[name] = value;
                }

                var candidate = new TrainerCandidate(definition, options, trainer.MaxRows);

                candidate.CheckOptions(spec.SourcePath);

                candidates.Add(candidate);
            }
        }

        return candidates.Count <= MaxCandidates
            ? candidates
            : throw new SpecException($"{spec.SourcePath}: the trainers and grids make {candidates.Count} candidates; at most {MaxCandidates} are allowed.");
    }

    private static IEnumerable<IReadOnlyList<(string Name, JsonElement Value)>> GridPoints(IReadOnlyDictionary<string, IReadOnlyList<JsonElement>> grid)
    {
        IEnumerable<IReadOnlyList<(string, JsonElement)>> points = [[]];
        foreach (var (name, values) in grid)
        {
            points = points.SelectMany(p => values.Select(v => (IReadOnlyList<(string, JsonElement)>)[.. p, (name, v)])).ToList();
        }

        return points;
    }
}
