using Microsoft.ML.Calibrators;

namespace MLPipeline.Training.Onnx;

/// <summary>
/// Splits a calibrated binary model into its scoring sub-model and its Platt calibrator through the public
/// SubModel / Calibrator properties of CalibratedModelParametersBase&lt;,&gt; (whatever generic arguments a
/// loaded model carries).
/// </summary>
internal static class CalibratedModel
{
    private const System.Reflection.BindingFlags Flags = System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.DeclaredOnly;

    public static bool TrySplit(object parameters, out object subModel, out PlattCalibrator? calibrator)
    {
        for (var type = parameters.GetType(); type is not null; type = type.BaseType)
        {
            if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(CalibratedModelParametersBase<,>))
            {
                subModel = type.GetProperty("SubModel", Flags)!.GetValue(parameters)!;
                calibrator = type.GetProperty("Calibrator", Flags)!.GetValue(parameters) as PlattCalibrator;
                return true;
            }
        }

        subModel = parameters;
        calibrator = null;
        return false;
    }
}
