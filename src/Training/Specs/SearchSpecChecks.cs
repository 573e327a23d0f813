namespace MLPipeline.Training.Specs;

/// <summary>What the schema cannot say about a search: ranges in order, log scales above zero, one source per option.</summary>
public static class SearchSpecChecks
{
    /// <exception cref="SpecException">The message names the spec file and the field.</exception>
    public static void Check(TrainingSpec spec)
    {
        var trainers = spec.Raw.TryGetProperty("trainers", out var raw) && raw.ValueKind == System.Text.Json.JsonValueKind.Array;
        for (var i = 0; i < spec.Trainers.Count; i++)
        {
            var trainer = spec.Trainers[i];
            var field = trainers ? $"trainers[{i}].space" : "trainers.space";
            if (trainer.Space.Count > 0 && spec.Search.Strategy == SearchStrategy.Grid)
            {
                throw new SpecException($"{spec.SourcePath}: {field}: a space is searched by \"search\": {{\"strategy\": \"random\"}} or \"halving\"; the grid strategy uses \"grid\".");
            }

            foreach (var (option, dimension) in trainer.Space)
            {
                var where = $"{spec.SourcePath}: {field}.{option}";
                if (trainer.Options.Keys.Concat(trainer.Grid.Keys).Contains(option, StringComparer.OrdinalIgnoreCase))
                {
                    throw new SpecException($"{where}: the option is also in \"options\" or \"grid\"; give it in one place only.");
                }

                var (min, max, log) = dimension switch
                {
                    SpaceDimension.Integers d => ((double)d.Min, (double)d.Max, d.Log),
                    SpaceDimension.Reals d => (d.Min, d.Max, d.Log),
                    _ => (0d, 0d, false),
                };
                // JSON numbers beyond the double range read as infinities: no range to draw from, nor to record.
                if (!double.IsFinite(min) || !double.IsFinite(max))
                {
                    throw new SpecException($"{where}: the range [{min}, {max}] needs finite bounds.");
                }

                if (min > max)
                {
                    throw new SpecException($"{where}: the range [{min}, {max}] has its minimum above its maximum.");
                }

                if (log && min <= 0)
                {
                    throw new SpecException($"{where}: a log scale needs a minimum above 0 (got {min}).");
                }
            }
        }
    }
}
