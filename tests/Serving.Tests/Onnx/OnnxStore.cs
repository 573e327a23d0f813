using System.CommandLine;
using MLPipeline.TestSupport;
using MLPipeline.Training.Cli;

namespace MLPipeline.Serving.Tests.Onnx;

/// <summary>A folder store the ONNX models are imported into through the real <c>import-onnx</c> command.</summary>
public sealed class OnnxStore : IDisposable
{
    private readonly TempFolder _folder = new("mlpipeline-onnx-store");

    public string Directory => _folder.Combine("store");

    public string Scratch => _folder.Path;

    /// <summary>Imports one of the bundled models (labels and samples from its files) and returns the console's output.</summary>
    public async Task ImportAsync(string model, string? name = null, string? file = null, string? version = null, string alias = "production")
    {
        var samples = OnnxSamples.Of(model);
        var args = new List<string> { "import-onnx", file ?? samples.File_, "--name", name ?? model, "--sample", samples.SamplesFile, "--store", Directory, "--alias", alias };
        if (samples.LabelsFile is { } labels)
        {
            args.AddRange(["--labels", labels]);
        }

        if (version is not null)
        {
            args.AddRange(["--version", version]);
        }

        using var error = new StringWriter();
        var code = await new RootCommand { ImportOnnxCommand.Create() }.Parse([.. args]).InvokeAsync(new InvocationConfiguration { Output = TextWriter.Null, Error = error });
        if (code != ExitCodes.Ok)
        {
            throw new InvalidOperationException($"import-onnx {model} exited {code}: {error}");
        }
    }

    /// <summary>
    /// linear-2x-minus-1 with its weight multiplied by <paramref name="factor"/> (y = 2*factor*x - 1): another version
    /// with the same inputs. The weight is the one float of the file near 2 (its raw initializer data).
    /// </summary>
    public string ScaledLinear(float factor)
    {
        var bytes = File.ReadAllBytes(OnnxSamples.Of(OnnxSamples.Linear).File_);
        var offsets = Enumerable.Range(0, bytes.Length - 3).Where(i => Math.Abs(BitConverter.ToSingle(bytes, i) - 2f) < 1e-3f).ToList();
        offsets.Should().ContainSingle("the weight of y = 2x - 1 is stored once");
        BitConverter.GetBytes(BitConverter.ToSingle(bytes, offsets[0]) * factor).CopyTo(bytes, offsets[0]);
        var path = Path.Combine(Scratch, $"linear-x{factor}.onnx");
        File.WriteAllBytes(path, bytes);
        return path;
    }

    public void Dispose() => _folder.Dispose();
}
