using MLPipeline.TestSupport;

namespace MLPipeline.Training.Tests.OnnxImport;

/// <summary>The ONNX models exported by other frameworks, bundled in data/onnx-models (see its PROVENANCE.md).</summary>
public static class OnnxModelFiles
{
    public static string Folder => RepositoryRoot.Data("onnx-models");

    public static string Model(string name) => Path.Combine(Folder, name + ".onnx");

    public static string Samples(string name) => Path.Combine(Folder, name + ".samples.json");

    public static string? Labels(string name) => File.Exists(Path.Combine(Folder, name + ".labels.json")) ? Path.Combine(Folder, name + ".labels.json") : null;
}
