using System.Globalization;
using MLPipeline.Shared.Manifest;
using MLPipeline.Training.Reports;

namespace MLPipeline.Training.Cli;

/// <summary>
/// Logging commands for Azure Pipelines, written only when running there (TF_BUILD is set): the report goes
/// to the run's summary page and the key figures become output variables for later stages.
/// </summary>
public static class AzureDevOps
{
    public static bool IsRunning => !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("TF_BUILD"));

    /// <summary>Keeps the report beyond the run (the summary is uploaded after the step) and announces it.</summary>
    public static void Publish(TextWriter output, ModelManifest manifest, string packageDirectory)
    {
        if (!IsRunning)
        {
            return;
        }

        var staging = Environment.GetEnvironmentVariable("BUILD_ARTIFACTSTAGINGDIRECTORY") ?? Path.Combine(Directory.GetCurrentDirectory(), "artifacts");
        var reportDir = Path.Combine(staging, "reports", $"{manifest.Name}-{manifest.Version}");
        Directory.CreateDirectory(reportDir);
        foreach (var file in Directory.EnumerateFiles(packageDirectory).Where(f => f.EndsWith(".md", StringComparison.Ordinal) || f.EndsWith(".png", StringComparison.Ordinal)))
        {
            File.Copy(file, Path.Combine(reportDir, Path.GetFileName(file)), overwrite: true);
        }

        var report = Path.Combine(reportDir, TrainingReport.FileName);
        if (File.Exists(report))
        {
            output.WriteLine($"##vso[task.uploadsummary]{report}");
        }

        SetOutput(output, "modelName", manifest.Name);
        SetOutput(output, "modelVersion", manifest.Version);
        SetOutput(output, "mainMetric", manifest.MainMetric);
        SetOutput(output, "mainMetricValue", manifest.Metrics.Test[manifest.MainMetric].ToString("R", CultureInfo.InvariantCulture));
        foreach (var (name, value) in manifest.Metrics.Test)
        {
            SetOutput(output, $"test_{name}", value.ToString("R", CultureInfo.InvariantCulture));
        }

        if (manifest.Metrics.CrossValidation is { } cv)
        {
            SetOutput(output, $"cv_{manifest.MainMetric}", cv[manifest.MainMetric].Mean.ToString("R", CultureInfo.InvariantCulture));
        }
    }

    private static void SetOutput(TextWriter output, string name, string value) =>
        output.WriteLine($"##vso[task.setvariable variable={name};isOutput=true]{value}");
}
