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
using MLPipeline.Training.Monitoring;
using MLPipeline.Training.Onnx;
using MLPipeline.Training.Packaging;
using MLPipeline.Training.Reports;
using MLPipeline.Training.Search;
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
    private readonly StepTimings _timings = new();

    // Counts the rows streamed from the stored rows, so long steps can show rows per second and the time left.
    private CountingDataView? _rows;
    private long _rowsPerPass;
    private TimeSpan _statisticsTime;

    /// <exception cref="SpecException">Exit code 1.</exception>
    /// <exception cref="DataException">Exit code 2.</exception>
    /// <exception cref="GateFailedException">Exit code 3; the package folder is deleted.</exception>
    public TrainingResult Execute(string? version = null, ChampionModel? champion = null) =>
        ExecuteAsync(version, champion).GetAwaiter().GetResult();

    /// <inheritdoc cref="Execute"/>
    /// <exception cref="SearchFailedException">Exit code 8: no trial of the search produced a metric.</exception>
    public async Task<TrainingResult> ExecuteAsync(string? version = null, ChampionModel? champion = null, CancellationToken cancellationToken = default)
    {
        var clock = Stopwatch.StartNew();

        // Everything the spec alone can get wrong fails before any data is read.
        var plan = SearchPlan.For(spec);
        var gates = QualityGate.ParseAll(spec);
        var mainMetric = MetricNames.MainMetric(spec.Task);

        // The CSV is read once: profiled, checked and hashed while its parsed rows go to a binary file that every
        // later pass reads. The file is deleted when the run ends.
        StoredRows data;
        using (progress.Start($"Reading {Path.GetFileName(spec.DataPath)}"))
        using (_timings.Measure("profile"))
        {
            using var blob = await BlobDataFile.FetchAsync(spec, ScratchFolder, cancellationToken);
            data = StoredRows.Read(spec, blob is null ? OpenData : blob.Open, ScratchFolder);
        }

        StepMemory.Release();
        using (data)
        {
            return await TrainAsync(data, plan, gates, mainMetric, version, champion, clock, cancellationToken);
        }
    }

    /// <summary>Where the search's trials run: this process's cores unless a caller (the queue coordinator) says otherwise.</summary>
    public Func<TrialEvaluator, ITrialExecutor>? Executor { get; init; }

    /// <summary>Opens the data file; tests pass one that counts the bytes read.</summary>
    internal Func<string, Stream>? OpenData { get; init; }

    /// <summary>Where the run's temporary files go (the stored rows, disk caches, the package being made): the system's temp folder unless a test gives its own.</summary>
    internal string ScratchFolder { get; init; } = Path.GetTempPath();

    private async Task<TrainingResult> TrainAsync(StoredRows data, SearchPlan plan, IReadOnlyList<QualityGate> gates, string mainMetric, string? version, ChampionModel? champion, Stopwatch clock, CancellationToken cancellationToken)
    {
        var profile = data.Profile;
        progress.Note($"{profile.Rows} rows, {profile.Features.Count} features: " + string.Join(", ", profile.Features
            .GroupBy(f => f.Kind)
            .Select(g => $"{g.Count()} {g.Key.ToString().ToLowerInvariant()} ({g.Count(f => f.Inferred)} inferred)")));

        if (spec.MonitoringExclude.FirstOrDefault(e => !profile.Features.Any(f => f.Name == e)) is { } unknownColumn)
        {
            throw new SpecException($"{spec.SourcePath}: monitoring.exclude names '{unknownColumn}', which is not an input column of the model.");
        }

        var ml = new MLContext(spec.Seed);
        var raw = _rows = new CountingDataView(data.Load(ml));
        _rowsPerPass = profile.Rows;
        var prepared = PreparedData.Create(ml, spec, profile, raw);
        prepared.CheckSplitsHaveRows();
        if (spec.TestFraction <= 0)
        {
            progress.Note("testFraction is 0: test metrics are measured on the training rows.");
        }

        var (train, test, trainRows) = (prepared.Train, prepared.Test, prepared.TrainRows);
        var label = prepared;
        WarnAboutInMemoryTrainers(plan.Configurations, trainRows);

        // A lone candidate without cross-validation has nothing to be compared with: fit it once, below.
        IReadOnlyList<CandidateResult> results = [];
        var best = new CandidateResult(plan.Configurations[0], null, null, TimeSpan.Zero);
        if (plan.Trials > 1 || spec.Folds >= 2)
        {
            using (_timings.Measure($"search: {plan.Strategy.ToString().ToLowerInvariant()}, {plan.Trials} trial(s)"))
            {
                var evaluator = new TrialEvaluator(spec, prepared, ScratchFolder);
                var executor = Executor?.Invoke(evaluator) ?? new ParallelTrialExecutor(evaluator, progress);
                var outcome = await SearchDriver.RunAsync(spec, plan, executor, mainMetric, progress, cancellationToken);
                (results, best) = (outcome.Trials, outcome.Best);
            }

            StepMemory.Release();
            ModelEvaluator.CheckMeasurable(best.CrossValidation, profile.Path, spec.Folds);
        }

        if (results.Count > 1)
        {
            progress.Note($"Winner: {best.Candidate.DisplayName} ({mainMetric} {best.Score(mainMetric):F4})");
        }

        // The drift profile reads only the training split. Beside a fit that is one streaming pass on one core it takes
        // the other core; beside a multi-pass or multi-threaded fit it only competed for memory (measured: a slower
        // fit and a higher peak), so those get it after the evaluation.
        await using var earlyFeatures = best.Candidate.StreamsOnce ? ProfileFeaturesBeside(prepared, data, profile) : null;

        ITransformer scoring;
        using (var step = progress.Start($"Fitting {best.Candidate.DisplayName} on {(spec.TestFraction > 0 ? "the training split" : "all rows")}"))
        using (Meter(step))
        {
            var statisticsBefore = _statisticsTime;
            var fit = Stopwatch.StartNew();
            scoring = Fit(ml, best.Candidate, profile, train, trainRows);
            var statistics = _statisticsTime - statisticsBefore;
            _timings.Add("featurization statistics", statistics);
            _timings.Add("final fit", fit.Elapsed - statistics);
        }

        StepMemory.Release();

        // The evaluation's pass counts the test rows; the training rows are the rest (no counting pass).
        var testCounter = new CountingDataView(test);
        EvaluationResult evaluation;
        TestPredictions predictions;
        IDataView scored;
        using (var step = progress.Start("Evaluating on the test split"))
        using (Meter(step))
        using (_timings.Measure("evaluation"))
        {
            evaluation = ModelEvaluator.EvaluateTestSplit(ml, spec.Task, scoring.Transform(testCounter), label.Classes, profile.Path, () => testCounter.RowsRead);
            scored = scoring.Transform(test);
            predictions = TestPredictions.From(spec.Task, ml.Data.TakeRows(scored, TestPredictions.MaxRows));
        }

        TrainingProfile trainingProfile;
        if (earlyFeatures is not null)
        {
            using (progress.Start("Profiling the training split for drift (beside the fit)"))
            {
                trainingProfile = TrainingProfiler.WithScore(await earlyFeatures.Result, predictions, label.Classes, spec.Seed);
            }

            _timings.Add("training profile (beside the final fit)", earlyFeatures.Elapsed);
        }
        else
        {
            using (progress.Start("Profiling the training split for drift"))
            using (_timings.Measure("training profile"))
            {
                trainingProfile = TrainingProfiler.WithScore(TrainingProfiler.Features(train, profile, spec.Seed), predictions, label.Classes, spec.Seed);
            }
        }

        var testRows = spec.TestFraction > 0 ? testCounter.RowsRead : profile.Rows;
        var trainingRows = spec.TestFraction > 0 ? profile.Rows - testRows : profile.Rows;

        IReadOnlyDictionary<string, double>? importance;
        using (progress.Start("Permutation feature importance"))
        using (_timings.Measure("permutation importance"))
        {
            importance = FeatureImportance.Compute(ml, spec.Task, scoring, test, profile.Features);
        }

        var model = spec.Task == ModelTask.Multiclass
            ? scoring.Append(ml.Transforms.Conversion.MapKeyToValue("PredictedLabel").Fit(scored))
            : scoring;

        ChampionComparison? championResult = null;
        if (champion is not null)
        {
            using (_timings.Measure("champion comparison"))
            {
                championResult = ChampionCheck.Compare(
                    ml, spec.Task, champion, test, label.Classes, evaluation.Metrics[mainMetric], mainMetric, spec.ChampionTolerance);
            }
        }

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

        // Parity is checked on the rows the plots use: thorough, and bounded for any size of test split. Reading them
        // makes garbage of its own (tens of MB): read before the release, it goes back to the OS with the steps' before,
        // and ONNX Runtime's native memory comes on top of less.
        var parityRead = Stopwatch.StartNew();
        var parityRows = OnnxExportStep.ReadRows(ml, profile, spec, test, TestPredictions.MaxRows);
        parityRead.Stop();
        StepMemory.Release();
        var directory = ModelPackageWriter.CreateStagingDirectory(ScratchFolder);

        // The plots need only the evaluation: they are drawn beside the ONNX export and its parity check.
        var plots = new BesideStep<IReadOnlyList<(string Title, string File)>>(() =>
            ReportPlots.Write(directory, spec.Task, mainMetric, predictions, evaluation, label.Classes, importance));
        try
        {
            var inputSchema = DataLoading.FeatureSchema(profile);
            var export = Stopwatch.StartNew();
            ModelPackageWriter.SaveModel(ml, model, inputSchema, directory);
            var onnx = OnnxExportStep.Run(ml, model, profile, spec, parityRows, directory, progress);
            _timings.Add("ONNX export and parity", parityRead.Elapsed + export.Elapsed);

            IReadOnlyList<(string Title, string File)> plotFiles;
            using (progress.Start("Drawing the plots (beside the ONNX export)"))
            {
                plotFiles = await plots.Result;
            }

            _timings.Add("plots (beside the ONNX export)", plots.Elapsed);

            // What the export, its parity check and the plots left behind goes back before the report and the publish
            // add their own: otherwise their memory came on top of it at the run's very end.
            parityRows = null;
            StepMemory.Release();
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
                TrainingData = new TrainingDataInfo(spec.Data.Path, profile.Rows, profile.Sha256, trainingRows, testRows),
                Artifacts = new Dictionary<string, ArtifactInfo>(),
                Lineage = Lineage.Describe(spec.SourcePath),
                SampleInput = profile.SampleRow,
                Spec = spec.Raw,
                Onnx = onnx,
                Champion = championResult,
                FeatureImportance = importance,
                Search = results.Count == 0 ? null : SearchRecord.Describe(spec, plan, results, mainMetric),
                Timings = [.. _timings.Steps],
                Profile = trainingProfile,
                Monitoring = spec.MonitoringExclude.Count > 0 ? new MonitoringSettings(spec.MonitoringExclude) : null,
            };
            using (progress.Start("Writing the report"))
            using (_timings.Measure("report"))
            {
                TrainingReport.Write(directory, draft, profile, results, gateOutcomes, plotFiles);
            }

            // The manifest, written after the report, also has the report's time; publishing comes after both.
            var manifest = ModelPackageWriter.WriteManifest(directory, draft with { Timings = [.. _timings.Steps] });
            return new TrainingResult(manifest, directory, results, best.Candidate, gateOutcomes, clock.Elapsed);
        }
        catch
        {
            // A failed export or parity check leaves no half-made package behind.
            await plots.DisposeAsync();
            Directory.Delete(directory, recursive: true);
            throw;
        }
    }

    /// <summary>
    /// The drift profile's pass, started beside the fit: in its own context (the fit's random numbers stay the fit's)
    /// and without the run's row counter (the fit's meter counts the fit's rows alone).
    /// </summary>
    private BesideStep<TrainingProfile> ProfileFeaturesBeside(PreparedData prepared, StoredRows data, DataProfile profile)
    {
        var context = new MLContext(spec.Seed);
        var rows = prepared.TrainSplitOf(context, data.Load(context));
        return new BesideStep<TrainingProfile>(() =>
        {
            var features = TrainingProfiler.Features(rows, profile, spec.Seed);

            // Its samples and buffers would otherwise stay resident under the rest of the fit.
            StepMemory.Release();
            return features;
        });
    }

    /// <summary>Fits one candidate; a candidate with maxRows sees a uniform sample of the rows, never the test rows' share.</summary>
    private ITransformer Fit(MLContext ml, TrainerCandidate candidate, DataProfile profile, IDataView rows, long expectedRows)
    {
        try
        {
            return BuildEstimator(ml, candidate, profile).Fit(RowSample.AtMost(ml, rows, expectedRows, candidate.MaxRows, spec.Seed));
        }
        catch (Exception ex) when (candidate.Options.Count > 0 && ex is ArgumentException or InvalidOperationException)
        {
            // ML.NET checks a trainer's options when it is built, LightGBM its own only when it fits: both are the spec's.
            throw candidate.OptionsRefused(spec.SourcePath, ex);
        }
    }

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

    private IEstimator<ITransformer> BuildEstimator(MLContext ml, TrainerCandidate candidate, DataProfile profile) =>
        CandidateEstimator.Build(ml, spec, candidate, profile, ScratchFolder, elapsed => _statisticsTime += elapsed);

    private static IReadOnlyList<OutputColumn> OutputsOf(ITransformer model, DataViewSchema inputSchema) =>
        model.GetOutputSchema(inputSchema)
            .Where(c => !c.IsHidden && c.Name is "Score" or "PredictedLabel" or "Probability")
            .Select(c => new OutputColumn(c.Name, c.Type.ToString() ?? c.Type.RawType.Name))
            .ToList();
}
