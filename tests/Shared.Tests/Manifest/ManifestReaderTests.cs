using System.Text.Json.Nodes;
using MLPipeline.Shared.Manifest;
using MLPipeline.Shared.Store;
using MLPipeline.TestSupport;

namespace MLPipeline.Shared.Tests.Manifest;

/// <summary>Reading a manifest either returns a valid one or throws <see cref="InvalidManifestException"/>: nothing else.</summary>
public sealed class ManifestReaderTests : IDisposable
{
    private readonly string _package = TestModelPackage.Create("house", "v1", withOnnx: true);

    public void Dispose() => Directory.Delete(_package, recursive: true);

    private byte[] Valid => File.ReadAllBytes(Path.Combine(_package, ModelManifest.FileName));

    [Fact]
    public void A_manifest_written_by_the_package_writer_is_valid()
    {
        var manifest = ManifestReader.ReadStored(Valid, "store", "house", "v1");

        ManifestValidator.FindProblem(manifest, "house", "v1").Should().BeNull();
        manifest.Artifacts.Keys.Should().BeEquivalentTo(ModelManifest.ModelFileName, ModelManifest.OnnxFileName);
    }

    [Fact]
    public void Categories_are_optional_and_read_back_on_a_categorical_input()
    {
        ManifestReader.ReadStored(Valid, "store", "house", "v1").Inputs.Should().OnlyContain(i => i.Categories == null);

        var listed = CraftedPackage.Mutate(Valid, m => m["inputs"]![1]!["categories"] = new JsonArray("east", "west"));

        ManifestReader.ReadStored(listed, "store", "house", "v1").Inputs[1].Categories.Should().Equal("east", "west");
    }

    [Theory]
    [InlineData(0, "[\"a\"]", "inputs[0].categories: is only for categorical columns, and 'Size' is numeric")]
    [InlineData(1, "[\"a\", null]", "inputs[1].categories[1]: is missing or null")]
    public void Categories_on_a_numeric_input_or_holding_null_name_the_field(int input, string categories, string problem)
    {
        var crafted = CraftedPackage.Mutate(Valid, m => m["inputs"]![input]!["categories"] = JsonNode.Parse(categories));

        FluentActions.Invoking(() => ManifestReader.ReadStored(crafted, "store", "house", "v1"))
            .Should().Throw<InvalidManifestException>().WithMessage($"*invalid manifest: {problem}");
    }

    [Fact]
    public void Corrupted_bytes_never_escape_as_another_exception_type()
    {
        // Deterministic corruption: flipped bytes, cut-offs and spliced structure characters across the whole file.
        var valid = Valid;
        var random = new Random(13);
        byte[] structure = "{}[]\",:n0-"u8.ToArray();
        for (var i = 0; i < 2000; i++)
        {
            var bytes = (byte[])valid.Clone();
            for (var edits = random.Next(1, 4); edits > 0; edits--)
            {
                bytes[random.Next(bytes.Length)] = random.Next(2) == 0 ? (byte)random.Next(256) : structure[random.Next(structure.Length)];
            }

            var input = random.Next(4) == 0 ? bytes[..random.Next(bytes.Length)] : bytes;
            try
            {
                ManifestReader.ReadStored(input, "store", "house", "v1");
            }
            catch (InvalidManifestException ex)
            {
                ex.Message.Should().StartWith("Model store store: house/versions/v1/manifest.json: invalid manifest: ");
            }
        }
    }

    [Fact]
    public void The_local_reader_accepts_any_valid_name_but_the_stored_reader_wants_its_own()
    {
        ManifestReader.ReadLocal(Valid, "/somewhere/manifest.json").Name.Should().Be("house");

        FluentActions.Invoking(() => ManifestReader.ReadStored(Valid, "store", "iris", "v1"))
            .Should().Throw<InvalidManifestException>().WithMessage("Model store store: iris/versions/v1/manifest.json: invalid manifest: name: \"house\" does not match the model name 'iris'*");
    }

    [Fact]
    public void The_direct_source_reader_reports_the_same_problem_as_invalid_data()
    {
        var crafted = CraftedPackage.Mutate(Valid, m => m["artifacts"]!["../../x"] = m["artifacts"]!["model.zip"]!.DeepClone());

        FluentActions.Invoking(() => ManifestJson.Deserialize(crafted, "/models/manifest.json"))
            .Should().Throw<InvalidDataException>().WithMessage("/models/manifest.json: invalid manifest: artifacts[\"../../x\"]: an artifact name must be a plain file name*")
            .WithInnerException<InvalidManifestException>();
    }
}
