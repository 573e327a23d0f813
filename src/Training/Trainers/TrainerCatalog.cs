using Microsoft.ML;
using Microsoft.ML.Trainers;
using Microsoft.ML.Trainers.FastTree;
using Microsoft.ML.Trainers.LightGbm;
using MLPipeline.Shared.Manifest;
using MLPipeline.Training.Specs;

namespace MLPipeline.Training.Trainers;

/// <summary>The trainers the console offers, by task, under the names the spec uses.</summary>
public static class TrainerCatalog
{
    public static IReadOnlyList<TrainerDefinition> All { get; } =
    [
        Define<OnlineGradientDescentTrainer.Options>("OnlineGradientDescent", ModelTask.Regression, linear: true, (ml, o) => ml.Regression.Trainers.OnlineGradientDescent(o)),
        Define<SdcaRegressionTrainer.Options>("Sdca", ModelTask.Regression, linear: true, (ml, o) => ml.Regression.Trainers.Sdca(o)),
        Define<LbfgsPoissonRegressionTrainer.Options>("LbfgsPoissonRegression", ModelTask.Regression, linear: true, (ml, o) => ml.Regression.Trainers.LbfgsPoissonRegression(o)),
        Define<FastTreeRegressionTrainer.Options>("FastTree", ModelTask.Regression, linear: false, (ml, o) => ml.Regression.Trainers.FastTree(o)),
        Define<FastForestRegressionTrainer.Options>("FastForest", ModelTask.Regression, linear: false, (ml, o) => ml.Regression.Trainers.FastForest(o)),
        Define<LightGbmRegressionTrainer.Options>("LightGbm", ModelTask.Regression, linear: false, (ml, o) => ml.Regression.Trainers.LightGbm(o)),

        Define<SdcaLogisticRegressionBinaryTrainer.Options>("SdcaLogisticRegression", ModelTask.Binary, linear: true, (ml, o) => ml.BinaryClassification.Trainers.SdcaLogisticRegression(o)),
        Define<LbfgsLogisticRegressionBinaryTrainer.Options>("LbfgsLogisticRegression", ModelTask.Binary, linear: true, (ml, o) => ml.BinaryClassification.Trainers.LbfgsLogisticRegression(o)),
        Define<FastTreeBinaryTrainer.Options>("FastTree", ModelTask.Binary, linear: false, (ml, o) => ml.BinaryClassification.Trainers.FastTree(o)),
        Define<LightGbmBinaryTrainer.Options>("LightGbm", ModelTask.Binary, linear: false, (ml, o) => ml.BinaryClassification.Trainers.LightGbm(o)),

        Define<SdcaMaximumEntropyMulticlassTrainer.Options>("SdcaMaximumEntropy", ModelTask.Multiclass, linear: true, (ml, o) => ml.MulticlassClassification.Trainers.SdcaMaximumEntropy(o)),
        Define<LbfgsMaximumEntropyMulticlassTrainer.Options>("LbfgsMaximumEntropy", ModelTask.Multiclass, linear: true, (ml, o) => ml.MulticlassClassification.Trainers.LbfgsMaximumEntropy(o)),
        Define<LightGbmMulticlassTrainer.Options>("LightGbm", ModelTask.Multiclass, linear: false, (ml, o) => ml.MulticlassClassification.Trainers.LightGbm(o)),
        Define<FastTreeBinaryTrainer.Options>("OneVersusAllFastTree", ModelTask.Multiclass, linear: false,
            (ml, o) => ml.MulticlassClassification.Trainers.OneVersusAll(ml.BinaryClassification.Trainers.FastTree(o), labelColumnName: o.LabelColumnName)),
    ];

    public static TrainerDefinition Find(string name, ModelTask task, string specPath)
    {
        var match = All.FirstOrDefault(t => t.Task == task && string.Equals(t.Name, name, StringComparison.OrdinalIgnoreCase));
        if (match is not null)
        {
            return match;
        }

        var forTask = string.Join(", ", All.Where(t => t.Task == task).Select(t => t.Name));
        throw new SpecException($"{specPath}: trainer '{name}' is not available for a {task.ToString().ToLowerInvariant()} task (available: {forTask}).");
    }

    private static TrainerDefinition Define<TOptions>(string name, ModelTask task, bool linear, Func<MLContext, TOptions, IEstimator<ITransformer>> create)
        where TOptions : class, new() =>
        new(name, task, linear, typeof(TOptions), (ml, options) => create(ml, (TOptions)options));
}
