using Microsoft.ML;
using Microsoft.ML.Data;
using MLPipeline.Shared.Manifest;
using MLPipeline.Training.Data;

namespace MLPipeline.Training.Onnx;

/// <summary>
/// Exports an already published model (model.zip + its manifest) with the chosen exporter and checks parity on
/// the manifest's sample row, or on a CSV's rows, plus the all-missing and unseen-category rows.
/// </summary>
public static class ExistingModelExport
{
    public sealed record Result(byte[] Onnx, OnnxInfo Info);

    public static Result Run(Stream modelZip, ModelManifest manifest, string? dataCsv, OnnxExporterChoice exporter = OnnxExporterChoice.Auto)
    {
        var ml = new MLContext(seed: 1);
        var model = ml.Model.Load(modelZip, out _);
        var inputs = manifest.Inputs.Select(i => new FeatureInput(i.Name, i.Role)).ToList();
        var rows = dataCsv is null ? RawRows.FromStrings(inputs, [manifest.SampleInput]) : ReadCsv(ml, dataCsv, inputs);
        var request = new OnnxExportRequest(model, inputs, manifest.Task, manifest.Label.Classes, manifest.Trainer.Name, manifest.Name);
        var file = CheckedOnnxExport.Run(request, exporter, ParityRows.WithEdgeCases(rows), rows.Count);
        return new Result(file.Bytes, file.Describe());
    }

    /// <summary>The model's input columns from a CSV with a header (comma-separated, quotes allowed; other columns ignored).</summary>
    private static RawRows ReadCsv(MLContext ml, string path, IReadOnlyList<FeatureInput> inputs)
    {
        if (!File.Exists(path))
        {
            throw new DataException($"{path}: the data file does not exist.");
        }

        var headerLine = File.ReadLines(path).FirstOrDefault() ?? throw new DataException($"{path}: the data file is empty.");
        var header = CsvLine.Split(headerLine, ',', allowQuoting: true);
        var columns = inputs.Select(input =>
        {
            var index = header.IndexOf(input.Name);
            return index >= 0
                ? new TextLoader.Column(input.Name, input.IsNumeric ? DataKind.Single : DataKind.String, index)
                : throw new DataException($"{path}: the header has no column '{input.Name}', which the model needs.");
        }).ToArray();
        var view = ml.Data.CreateTextLoader(new TextLoader.Options
        {
            Columns = columns,
            Separators = [','],
            HasHeader = true,
            AllowQuoting = true,
            MissingRealsAsNaNs = true,
            TrimWhitespace = false,
        }).Load(path);
        return RawRows.Read(view, inputs);
    }
}
