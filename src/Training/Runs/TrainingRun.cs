using System.Diagnostics;
using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLPipeline.Shared.Manifest;
using MLPipeline.Training.Cli;
using MLPipeline.Training.Data;
using MLPipeline.Training.Evaluation;
using MLPipeline.Training.Featurization;
using MLPipeline.Training.Gates;
using MLPipeline.Training.Onnx;
using MLPipeline.Training.Packaging;
using MLPipeline.Training.Reports;
using MLPipeline.Training.Specs;
using MLPipeline.Training.Trainers;

namespace MLPipeline.Training.Runs;

/// <summary>
/// One training run from a spec: profile the data, compare the candidates by cross-validation, fit the
/// winner on the training split, evaluate it on the test split, check the gates, and write the version
/// folder. Publishing is the caller's step, so a failed gate never touches a store.
/// </summary>
public sealed class TrainingRun(TrainingSpec spec, IRunProgress progress)
{
    // Counts the rows streamed from the CSV, so long steps can show rows per second and the time left.
    private CountingDataView? _rows;
    private long _rowsPerPass;

    /// <exception cref="SpecException">Exit code 1.</exception>
    /// <exception cref="DataException">Exit code 2.</exception>
    /// <exception cref="GateFailedException">Exit code 3; the package folder is deleted.</exception>
    public TrainingResult Execute(string? version = null, ChampionModel? champion = null)
    {
        var clock = Stopwatch.StartNew();

        // Everything the spec alone can get wrong fails before any data is read.
        var candidates = CandidateExpansion.Expand(spec);
        var gates = QualityGate.ParseAll(spec);
        var mainMetric = MetricNames.MainMetric(spec.Task);

        DataProfile profile;
        using (progress.Start($"Reading {Path.GetFileName(spec.DataPath)}"))
        {
            profile = CsvProfiler.Profile(spec);
        }

        progress.Note($"{profile.Rows} rows, {profile.Features.Count} features: " + string.Join(", ", profile.Features
            .GroupBy(f => f.Kind)
            .Select(g => $"{g.Count()} {g.Key.ToString().ToLowerInvariant()} ({g.Count(f => f.Inferred)} inferred)")));

        var ml = new MLContext(spec.Seed);
        var raw = _rows = new CountingDataView(DataLoading.CreateLoader(ml, spec, profile).Load(profile.Path));
        _rowsPerPass = profile.Rows;
        var label = LabelPreparation.Create(ml, spec, profile);
        var prepared = label.Estimator.Fit(raw).Transform(raw);
        var (train, test) = Split(ml, prepared);
        var trainRows = spec.TestFraction > 0 ? (long)(profile.Rows * (1 - spec.TestFraction)) : profile.Rows;
        WarnAboutInMemoryTrainers(candidates, trainRows);

        // A lone candidate without cross-validation has nothing to be compared with: fit it once, below.
        var results = candidates.Count == 1 && spec.Folds < 2
            ? []
            : candidates.Select(c => CrossValidate(ml, c, train, trainRows, test, profile, label.Classes)).ToList();
        var best = results.Count == 0 ? new CandidateResult(candidates[0], null, null, TimeSpan.Zero) : results.MaxBy(r => r.Score(mainMetric))!;
        if (results.Count > 1)
        {
            progress.Note($"Winner: {best.Candidate.DisplayName} ({mainMetric} {best.Score(mainMetric):F4})");
        }

        ITransformer model;
        EvaluationResult evaluation;
        TestPredictions predictions;
        IReadOnlyDictionary<string, double>? importance;
        using (var step = progress.Start($"Fitting {best.Candidate.DisplayName} on {(spec.TestFraction > 0 ? "the training split" : "all rows")}"))
        using (Meter(step))
        {
            var scoring = Fit(ml, best.Candidate, profile, train, trainRows);
            var scored = scoring.Transform(test);
            evaluation = ModelEvaluator.Evaluate(ml, spec.Task, scored, label.Classes);
            predictions = TestPredictions.From(spec.Task, ml.Data.TakeRows(scored, TestPredictions.MaxRows));
            importance = FeatureImportance.Compute(ml, spec.Task, scoring, test, profile.Features);
            model = spec.Task == ModelTask.Multiclass
                ? scoring.Append(ml.Transforms.Conversion.MapKeyToValue("PredictedLabel").Fit(scored))
                : scoring;
        }

        var championResult = champion is null ? null : ChampionCheck.Compare(
            ml, spec.Task, champion, test, label.Classes, evaluation.Metrics[mainMetric], mainMetric, spec.ChampionTolerance);

        var gateOutcomes = gates.Select(g =>
        {
            var (passed, actual) = g.Check(evaluation.Metrics, best.CrossValidation);
            return new GateOutcome(g.Describe(best.CrossValidation is not null && g.Source != GateSource.Test), actual, passed);
        }).Concat(ExpectationChecker.Check(ml, spec, profile, model)).ToList();
        if (championResult is { Champion: { } championValue })
        {
            gateOutcomes.Add(new GateOutcome(
                $"test:{mainMetric} vs champion {championResult.Alias} ({championResult.Version}: {championValue:G6}, tolerance {championResult.Tolerance:G6})",
                championResult.Challenger,
                championResult.Passed));
        }

        var failed = gateOutcomes.Where(g => !g.Passed).Select(g => $"{g.Gate}: got {g.Actual:G6}").ToList();
        if (failed.Count > 0)
        {
            throw new GateFailedException(failed);
        }

        var directory = ModelPackageWriter.CreateStagingDirectory();
        var inputSchema = DataLoading.FeatureSchema(profile);
        ModelPackageWriter.SaveModel(ml, model, inputSchema, directory);
        var onnx = OnnxExportStep.Run(ml, model, profile, spec, test, directory, progress);
        var created = DateTimeOffset.UtcNow;
        var modelHash = Shared.Store.ArtifactHash.Describe(Path.Combine(directory, ModelManifest.ModelFileName)).Sha256;
        var draft = new ModelManifest
        {
            Name = spec.Name,
            Version = version ?? ModelPackageWriter.NewVersion(created, modelHash),
            Task = spec.Task,
            CreatedUtc = created,
            Inputs = ManifestInputs.Of(profile),
            Outputs = OutputsOf(model, inputSchema),
            Label = new LabelInfo(spec.Label, label.Classes, label.PositiveClass),
            Trainer = new TrainerDescription(best.Candidate.Definition.Name, best.Candidate.Options.Count > 0 ? best.Candidate.Options : null, best.Candidate.MaxRows),
            Metrics = new ModelMetrics
            {
                MainMetric = mainMetric,
                Test = evaluation.Metrics,
                CrossValidation = best.CrossValidation,
                ConfusionMatrix = evaluation.ConfusionMatrix,
                PerClassRecall = evaluation.PerClassRecall,
            },
            TrainingData = new TrainingDataInfo(spec.Data.Path, profile.Rows, profile.Sha256, CountRows(train), CountRows(test)),
            Artifacts = new Dictionary<string, ArtifactInfo>(),
            Lineage = Lineage.Describe(spec.SourcePath),
            SampleInput = profile.SampleRow,
            Spec = spec.Raw,
            Onnx = onnx,
            Champion = championResult,
            FeatureImportance = importance,
        };
        using (progress.Start("Writing the report and plots"))
        {
            TrainingReport.Write(directory, draft, predictions, profile, results, gateOutcomes);
        }

        var manifest = ModelPackageWriter.WriteManifest(directory, draft);

        return new TrainingResult(manifest, directory, results, best.Candidate, gateOutcomes, clock.Elapsed);
    }

    private (IDataView Train, IDataView Test) Split(MLContext ml, IDataView prepared)
    {
        if (spec.TestFraction <= 0)
        {
            progress.Note("testFraction is 0: test metrics are measured on the training rows.");
            return (prepared, prepared);
        }

        var split = ml.Data.TrainTestSplit(prepared, spec.TestFraction, seed: spec.Seed);
        return (split.TrainSet, split.TestSet);
    }

    private CandidateResult CrossValidate(MLContext ml, TrainerCandidate candidate, IDataView train, long trainRows, IDataView test, DataProfile profile, IReadOnlyList<string>? classes)
    {
        var clock = Stopwatch.StartNew();
        if (spec.Folds < 2)
        {
            // No cross-validation: rank by the test split (only matters when several trainers compete).
            using var single = progress.Start($"Training {candidate.DisplayName}");
            using var meter = Meter(single);
            var fitted = Fit(ml, candidate, profile, train, trainRows);
            var holdout = ModelEvaluator.Evaluate(ml, spec.Task, fitted.Transform(test), classes);
            return new CandidateResult(candidate, null, holdout.Metrics, clock.Elapsed);
        }

        var folds = ml.Data.CrossValidationSplit(train, spec.Folds, seed: spec.Seed);
        var evaluations = new List<EvaluationResult>();
        using (var step = progress.Start($"Cross-validating {candidate.DisplayName}", folds.Count))
        using (Meter(step))
        {
            foreach (var fold in folds)
            {
                var fitted = Fit(ml, candidate, profile, fold.TrainSet, trainRows * (spec.Folds - 1) / spec.Folds);
                evaluations.Add(ModelEvaluator.Evaluate(ml, spec.Task, fitted.Transform(fold.TestSet), classes));
                step.Advance();
            }
        }

        return new CandidateResult(candidate, ModelEvaluator.Summarize(evaluations), null, clock.Elapsed);
    }

    /// <summary>Fits one candidate; a candidate with maxRows sees a uniform sample of the rows, never the test rows' share.</summary>
    private ITransformer Fit(MLContext ml, TrainerCandidate candidate, DataProfile profile, IDataView rows, long expectedRows) =>
        BuildEstimator(ml, candidate, profile).Fit(RowSample.AtMost(ml, rows, expectedRows, candidate.MaxRows, spec.Seed));

    private void WarnAboutInMemoryTrainers(IEnumerable<TrainerCandidate> candidates, long trainRows)
    {
        const long LargeTrainingSet = 1_000_000;
        if (trainRows < LargeTrainingSet)
        {
            return;
        }

        foreach (var name in candidates.Where(c => c.Definition.HoldsRowsInMemory && c.MaxRows is null).Select(c => c.Definition.Name).Distinct())
        {
            progress.Note(string.Create(CultureInfo.InvariantCulture,
                $"{name} copies all {trainRows:N0} training rows into memory (about 9 bytes per row and feature slot). Set \"maxRows\" on the trainer to fit it on a sample, or use LightGbm, to bound its memory."));
        }
    }

    private RowMeter Meter(IProgressStep step) => new(step, _rows!, _rowsPerPass);

    private IEstimator<ITransformer> BuildEstimator(MLContext ml, TrainerCandidate candidate, DataProfile profile)
    {
        var features = FeaturePipeline.Build(ml, profile.Features, normalize: candidate.Definition.IsLinear);
        var trainer = candidate.CreateEstimator(ml, spec.Seed);
        return (candidate.Definition.MultiPass ? spec.Cache : CacheMode.None) switch
        {
            CacheMode.Memory => features.AppendCacheCheckpoint(ml).Append(trainer),
            CacheMode.Disk => new DiskCachedEstimator(ml, features, trainer),
            _ => features.Append(trainer),
        };
    }

    private static IReadOnlyList<OutputColumn> OutputsOf(ITransformer model, DataViewSchema inputSchema) =>
        model.GetOutputSchema(inputSchema)
            .Where(c => !c.IsHidden && c.Name is "Score" or "PredictedLabel" or "Probability")
            .Select(c => new OutputColumn(c.Name, c.Type.ToString() ?? c.Type.RawType.Name))
            .ToList();

    private static long CountRows(IDataView view)
    {
        if (view.GetRowCount() is { } known)
        {
            return known;
        }

        var rows = 0L;
        using var cursor = view.GetRowCursor([]);
        while (cursor.MoveNext())
        {
            rows++;
        }

        return rows;
    }
}
