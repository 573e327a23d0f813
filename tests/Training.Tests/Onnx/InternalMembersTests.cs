using System.Reflection;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Trainers;
using Microsoft.ML.Transforms;
using MLPipeline.Shared.Manifest;
using MLPipeline.TestSupport;
using MLPipeline.Training.Onnx;

namespace MLPipeline.Training.Tests.Onnx;

/// <summary>
/// Guards for what the exporter reads from ML.NET internals: these fail loudly when an ML.NET upgrade moves a
/// member, instead of the exporter silently producing a wrong graph.
/// </summary>
public sealed class InternalMembersTests
{
    private const BindingFlags Instance = BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic;
    private static readonly string[] IrisFeatures = ["sepal_length", "sepal_width", "petal_length", "petal_width"];

    [Fact]
    public void The_internal_members_the_exporter_reads_still_exist()
    {
        typeof(OneVersusAllModelParameters).GetProperty("SubModelParameters", Instance).Should().NotBeNull("OneVersusAllModelParameters.SubModelParameters holds the per-class models");
        typeof(OneVersusAllModelParameters).GetField("_impl", Instance).Should().NotBeNull("OneVersusAllModelParameters._impl says how classes are combined");
        var binary = typeof(BinaryPredictionTransformer<>);
        ((object?)binary.GetField("Threshold", Instance) ?? binary.GetProperty("Threshold", Instance)).Should().NotBeNull("BinaryPredictionTransformer.Threshold decides the label");
        ((object?)binary.GetField("ThresholdColumn", Instance) ?? binary.GetProperty("ThresholdColumn", Instance)).Should().NotBeNull();
    }

    [Fact]
    public void A_transformed_view_still_names_the_view_it_was_computed_from()
    {
        // IDataTransform.Source: how the text fallback reaches FeaturizeText's normalized column inside a model.
        var ml = new MLContext(3);
        var data = Iris(ml);
        var transformed = ml.Transforms.Concatenate("Features", IrisFeatures).Fit(data).Transform(data);

        InternalMembers.SourceOf(transformed).Should().BeSameAs(data);
    }

    [Fact]
    public void One_versus_all_models_expose_one_calibrated_model_per_class_and_their_formula()
    {
        var ml = new MLContext(3);
        var data = Iris(ml);
        var features = ml.Transforms.Concatenate("Features", IrisFeatures);
        var lightGbm = (OneVersusAllModelParameters)features.Append(ml.MulticlassClassification.Trainers.LightGbm()).Fit(data).LastTransformer.Model;
        var fastTree = features.Append(ml.MulticlassClassification.Trainers.OneVersusAll(ml.BinaryClassification.Trainers.FastTree(numberOfTrees: 5))).Fit(data).LastTransformer.Model;
        var softmax = (OneVersusAllModelParameters)features.Append(ml.MulticlassClassification.Trainers.LightGbm(new Microsoft.ML.Trainers.LightGbm.LightGbmMulticlassTrainer.Options { UseSoftmax = true })).Fit(data).LastTransformer.Model;

        InternalMembers.OneVersusAllSubModels(lightGbm).Should().HaveCount(3);
        InternalMembers.OneVersusAllFormula(lightGbm).Should().Be(InternalMembers.OvaFormula.ProbabilityNormalization);
        InternalMembers.OneVersusAllSubModels(fastTree).Should().HaveCount(3).And.AllSatisfy(m => CalibratedModel.TrySplit(m, out _, out var platt).Should().BeTrue());
        InternalMembers.OneVersusAllFormula(fastTree).Should().Be(InternalMembers.OvaFormula.ProbabilityNormalization);
        InternalMembers.OneVersusAllFormula(softmax).Should().Be(InternalMembers.OvaFormula.Softmax);
    }

    [Fact]
    public void Binary_prediction_uses_score_greater_than_zero_by_default()
    {
        var ml = new MLContext(3);
        var data = ml.Transforms.Conversion.MapValue("Label", new Dictionary<string, bool> { ["setosa"] = true, ["versicolor"] = false, ["virginica"] = false }, "species").Fit(Iris(ml)).Transform(Iris(ml));
        var transformer = ml.Transforms.Concatenate("Features", IrisFeatures).Append(ml.BinaryClassification.Trainers.LbfgsLogisticRegression()).Fit(data).LastTransformer;

        InternalMembers.BinaryThreshold(transformer).Should().Be((0f, "Score"));
    }

    [Fact]
    public void The_probed_mean_replacement_values_are_the_training_means()
    {
        var ml = new MLContext(3);
        var data = ml.Data.CreateTextLoader(new TextLoader.Options
        {
            Columns = [new TextLoader.Column("bill_length_mm", DataKind.Single, 2), new TextLoader.Column("body_mass_g", DataKind.Single, 5)],
            Separators = [','],
            HasHeader = true,
            AllowQuoting = true,
            MissingRealsAsNaNs = true,
        }).Load(RepositoryRoot.Data("penguins.csv"));
        var imputer = ml.Transforms.ReplaceMissingValues([new("bill_length_mm"), new("body_mass_g")], MissingValueReplacingEstimator.ReplacementMode.Mean).Fit(data);
        var inputs = new[] { new FeatureInput("bill_length_mm", ColumnRole.Numeric), new FeatureInput("body_mass_g", ColumnRole.Numeric) };

        var probed = MeanImputationMapper.ProbeReplacementValues(imputer, inputs);

        var bill = data.GetColumn<float>("bill_length_mm").Where(v => !float.IsNaN(v)).Average(v => (double)v);
        var mass = data.GetColumn<float>("body_mass_g").Where(v => !float.IsNaN(v)).Average(v => (double)v);
        data.GetColumn<float>("bill_length_mm").Should().Contain(float.NaN, "the probe must be tested on a column with missing values");
        probed[0].Should().BeApproximately((float)bill, 1e-3f);
        probed[1].Should().BeApproximately((float)mass, 1e-1f);
    }

    private static IDataView Iris(MLContext ml) => ml.Transforms.Conversion.MapValueToKey("Label", "species").Fit(Load(ml)).Transform(Load(ml));

    private static IDataView Load(MLContext ml) => ml.Data.LoadFromTextFile(RepositoryRoot.Data("iris.csv"), [
        new TextLoader.Column("sepal_length", DataKind.Single, 0),
        new TextLoader.Column("sepal_width", DataKind.Single, 1),
        new TextLoader.Column("petal_length", DataKind.Single, 2),
        new TextLoader.Column("petal_width", DataKind.Single, 3),
        new TextLoader.Column("species", DataKind.String, 4)], separatorChar: ',', hasHeader: true);
}
