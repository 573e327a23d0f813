using Microsoft.ML.Trainers;

namespace MLPipeline.Training.Onnx;

/// <summary>The catalog trainer name behind a model's parameters, for messages that must name the trainer.</summary>
internal static class TrainerNames
{
    private static readonly string[] TreeTrainers = ["FastForest", "FastTree", "LightGbm"];

    public static string Of(object parameters)
    {
        if (parameters is OneVersusAllModelParameters ova)
        {
            var subModels = InternalMembers.OneVersusAllSubModels(ova);
            var first = subModels.Count > 0 ? subModels[0] : null;
            var inner = first is null ? "?" : Of(first);
            return inner == "LightGbm" ? "LightGbm" : "OneVersusAll" + inner;
        }

        if (CalibratedModel.TrySplit(parameters, out var subModel, out _))
        {
            return Of(subModel);
        }

        var name = parameters.GetType().Name;
        return TreeTrainers.FirstOrDefault(name.StartsWith) ?? name.Replace("ModelParameters", "", StringComparison.Ordinal);
    }
}
