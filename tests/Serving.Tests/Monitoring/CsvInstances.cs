using System.Globalization;
using MLPipeline.Shared.Manifest;
using MLPipeline.TestSupport;

namespace MLPipeline.Serving.Tests.Monitoring;

/// <summary>A bundled data file's rows as predict instances (numbers as numbers, categories as text) with their label's text.</summary>
public static class CsvInstances
{
    public static List<(Dictionary<string, object?> Instance, string Label)> Read(string dataFile, ModelManifest manifest)
    {
        var lines = File.ReadAllLines(RepositoryRoot.Data(dataFile)).Where(l => l.Length > 0).ToList();
        var header = lines[0].Split(',');
        var label = Array.IndexOf(header, manifest.Label.Column);
        return [.. lines.Skip(1).Select(line =>
        {
            var cells = line.Split(',');
            var instance = manifest.Inputs.ToDictionary(c => c.Name, c =>
            {
                var cell = cells[Array.IndexOf(header, c.Name)];
                return cell.Length == 0 ? null : c.Type == "String" ? cell : (object?)float.Parse(cell, CultureInfo.InvariantCulture);
            });
            return (instance, cells[label]);
        })];
    }
}
