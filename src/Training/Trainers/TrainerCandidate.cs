using System.Globalization;
using System.Text.Json;
using Microsoft.ML;
using Microsoft.ML.Trainers;
using MLPipeline.Training.Featurization;
using MLPipeline.Training.Specs;

namespace MLPipeline.Training.Trainers;

/// <summary>One trainer with one set of option values: what cross-validation compares.</summary>
/// <param name="MaxRows">When set, the trainer sees a uniform sample of about this many training rows.</param>
public sealed record TrainerCandidate(TrainerDefinition Definition, IReadOnlyDictionary<string, JsonElement> Options, long? MaxRows = null)
{
    public string DisplayName =>
        (Options.Count == 0 ? Definition.Name : $"{Definition.Name}({string.Join(", ", Options.Select(o => $"{o.Key}={o.Value.ToString()}"))})")
        + (MaxRows is { } max ? string.Create(CultureInfo.InvariantCulture, $" (sample of {max:N0} rows)") : "");

    /// <summary>
    /// Whether the trainer reads its rows more than once, so that a cache pays for itself. Linear trainers iterate,
    /// except OnlineGradientDescent at its default of one iteration, where a cache would only write the featurized
    /// rows and read them back once; tree trainers read the rows once into their own binned dataset.
    /// </summary>
    public bool MultiPass => Definition.IsLinear && BuildOptions(seed: 0) is not OnlineLinearOptions { NumberOfIterations: <= 1 };

    /// <summary>Whether the fit is one streaming pass on one core: a linear trainer that reads its rows once.</summary>
    public bool StreamsOnce => Definition.IsLinear && !MultiPass;

    /// <summary>Builds the estimator once, so that an option ML.NET refuses fails the spec before any training time is spent.</summary>
    public void CheckOptions(string specPath)
    {
        try
        {
            CreateEstimator(new MLContext(0), 0);
        }
        catch (SpecException ex)
        {
            throw new SpecException($"{specPath}: {ex.Message}", ex);
        }
        catch (ArgumentException ex)
        {
            // ML.NET's own range checks, made when a trainer is built.
            throw OptionsRefused(specPath, ex);
        }
    }

    /// <summary>The spec error for options ML.NET or LightGBM refused, when the trainer was built or when it fitted.</summary>
    public SpecException OptionsRefused(string specPath, Exception refusal) =>
        new($"{specPath}: trainer {DisplayName} refused its options: {refusal.Message.ReplaceLineEndings(" ").Trim()}", refusal);

    /// <summary>A fresh estimator with the spec's options applied over ML.NET's defaults and the run's seed.</summary>
    public IEstimator<ITransformer> CreateEstimator(MLContext ml, int seed) => Definition.Create(ml, BuildOptions(seed));

    private object BuildOptions(int seed)
    {
        var options = Activator.CreateInstance(Definition.OptionsType)!;
        TrainerOptionsBinder.Set(options, "LabelColumnName", LabelPreparation.LabelColumn);
        TrainerOptionsBinder.Set(options, "FeatureColumnName", FeaturePipeline.FeaturesColumn);
        TrainerOptionsBinder.TrySet(options, "Seed", seed);

        // Multi-threaded SDCA is not reproducible; one thread keeps runs with the same seed identical.
        if (options is SdcaRegressionTrainer.Options or SdcaLogisticRegressionBinaryTrainer.Options or SdcaMaximumEntropyMulticlassTrainer.Options)
        {
            TrainerOptionsBinder.Set(options, "NumberOfThreads", 1);
        }

        foreach (var (name, value) in Options)
        {
            TrainerOptionsBinder.Apply(options, Definition.Name, name, value);
        }

        return options;
    }

    public override string ToString() => DisplayName.ToString(CultureInfo.InvariantCulture);
}
