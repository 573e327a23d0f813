using System.Globalization;
using System.Text.Json;
using MLPipeline.Training.Specs;
using MLPipeline.Training.Trainers;

namespace MLPipeline.Training.Search;

/// <summary>
/// Draws configurations from the trainers' spaces (a grid's values count as a choice). Configuration i has its own
/// random stream from (seed, i), so it is the same whatever the number of trials, workers or threads. A trainer
/// with nothing to search gets one configuration; the others take turns; a repeated draw is drawn again.
/// </summary>
public static class ConfigurationSampler
{
    private const int Redraws = 50;

    /// <exception cref="SpecException">An option in a space is unknown or takes no such value.</exception>
    public static IReadOnlyList<TrainerCandidate> Sample(TrainingSpec spec, int count)
    {
        var trainers = spec.Trainers.Select(t => (Spec: t, Definition: TrainerCatalog.Find(t.Name, spec.Task, spec.SourcePath), Dimensions: Dimensions(t))).ToList();
        foreach (var trainer in trainers.Where(t => t.Dimensions.Count > 0))
        {
            // Fail on a bad option name or value now, before any data is read.
            new TrainerCandidate(trainer.Definition, Options(trainer.Spec, trainer.Dimensions.ToDictionary(d => d.Key, d => Lowest(d.Value))), trainer.Spec.MaxRows).CheckOptions(spec.SourcePath);
        }

        var drawn = new List<TrainerCandidate>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var fixedTrainer in trainers.Where(t => t.Dimensions.Count == 0))
        {
            if (drawn.Count < count)
            {
                var candidate = new TrainerCandidate(fixedTrainer.Definition, Options(fixedTrainer.Spec, new Dictionary<string, JsonElement>()), fixedTrainer.Spec.MaxRows);
                candidate.CheckOptions(spec.SourcePath);
                drawn.Add(candidate);
                seen.Add(candidate.DisplayName);
            }
        }

        var searched = trainers.Where(t => t.Dimensions.Count > 0).ToList();
        for (var draw = 0; drawn.Count < count && searched.Count > 0 && draw < (count + Redraws) * 4; draw++)
        {
            var trainer = searched[draw % searched.Count];
            var random = new Random(unchecked(spec.Search.Seed * 31 + draw));
            var values = trainer.Dimensions.ToDictionary(d => d.Key, d => Draw(d.Value, random));
            var candidate = new TrainerCandidate(trainer.Definition, Options(trainer.Spec, values), trainer.Spec.MaxRows);
            if (seen.Add(candidate.DisplayName))
            {
                candidate.CheckOptions(spec.SourcePath);
                drawn.Add(candidate);
            }
        }

        return drawn;
    }

    private static IReadOnlyDictionary<string, SpaceDimension> Dimensions(TrainerSpec trainer)
    {
        var dimensions = new Dictionary<string, SpaceDimension>(trainer.Space, StringComparer.OrdinalIgnoreCase);
        foreach (var (name, values) in trainer.Grid)
        {
            dimensions[name] = new SpaceDimension.Choice(values);
        }

        return dimensions;
    }

    private static Dictionary<string, JsonElement> Options(TrainerSpec trainer, IReadOnlyDictionary<string, JsonElement> drawn)
    {
        var options = new Dictionary<string, JsonElement>(trainer.Options, StringComparer.OrdinalIgnoreCase);
        foreach (var (name, value) in drawn.OrderBy(d => d.Key, StringComparer.Ordinal))
        {
            options[name] = value;
        }

        return options;
    }

    private static JsonElement Draw(SpaceDimension dimension, Random random) => dimension switch
    {
        SpaceDimension.Integers d => Number(d.Log
            ? Math.Min(d.Max, (long)Math.Floor(Math.Exp(Uniform(random, Math.Log(d.Min), Math.Log(d.Max + 1)))))
            : d.Min + (long)Math.Floor(random.NextDouble() * (d.Max - d.Min + 1))),
        // Four significant digits: a readable table, and nothing a model can tell apart.
        SpaceDimension.Reals d => Number(Round(d.Log ? Math.Exp(Uniform(random, Math.Log(d.Min), Math.Log(d.Max))) : Uniform(random, d.Min, d.Max), d.Min, d.Max)),
        SpaceDimension.Choice d => d.Values[random.Next(d.Values.Count)],
        _ => throw new InvalidOperationException(dimension.GetType().Name),
    };

    private static JsonElement Lowest(SpaceDimension dimension) => dimension switch
    {
        SpaceDimension.Integers d => Number(d.Min),
        SpaceDimension.Reals d => Number(d.Min),
        SpaceDimension.Choice d => d.Values[0],
        _ => throw new InvalidOperationException(dimension.GetType().Name),
    };

    private static double Uniform(Random random, double min, double max) => min + (random.NextDouble() * (max - min));

    private static double Round(double value, double min, double max) =>
        Math.Clamp(double.Parse(value.ToString("G4", CultureInfo.InvariantCulture), CultureInfo.InvariantCulture), min, max);

    private static JsonElement Number(long value) => JsonSerializer.SerializeToElement(value);

    private static JsonElement Number(double value) => JsonSerializer.SerializeToElement(value);
}
