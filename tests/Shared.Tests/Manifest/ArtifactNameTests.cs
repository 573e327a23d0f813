using MLPipeline.Shared.Manifest;
using MLPipeline.Shared.Store;

namespace MLPipeline.Shared.Tests.Manifest;

/// <summary>What an artifact name may be, and the path check that backs it up when a name escapes validation.</summary>
public sealed class ArtifactNameTests
{
    [Theory]
    [InlineData("model.zip")]
    [InlineData("model.onnx")]
    [InlineData("report.md")]
    [InlineData("plot-predicted-vs-actual.png")]
    [InlineData("a_b.tar.gz")]
    public void The_files_a_training_run_writes_are_valid(string name) => ArtifactName.Problem(name).Should().BeNull();

    [Theory]
    [InlineData("", "must not be empty")]
    [InlineData("../../x", "plain file name")]
    [InlineData("a/b", "plain file name")]
    [InlineData("a\\b", "plain file name")]
    [InlineData("/etc/passwd", "plain file name")]
    [InlineData("..", "plain file name")]
    [InlineData(".", "plain file name")]
    [InlineData("a..b", "plain file name")]
    [InlineData(".hidden", "plain file name")]
    [InlineData("C:x", "plain file name")]
    [InlineData("model.zip:stream", "plain file name")]
    [InlineData("a\0b", "plain file name")]
    [InlineData("a\nb", "plain file name")]
    [InlineData("model.zip.", "plain file name")]
    [InlineData("model zip", "plain file name")]
    [InlineData("model\uff0fzip", "plain file name")]
    [InlineData("manifest.json", "is the manifest itself")]
    [InlineData("MANIFEST.JSON", "is the manifest itself")]
    [InlineData("nul.txt", "reserved device name")]
    [InlineData("COM1", "reserved device name")]
    public void Anything_but_a_plain_file_name_is_refused_with_the_reason(string name, string reason) =>
        ArtifactName.Problem(name).Should().Contain(reason);

    [Fact]
    public void Names_longer_than_the_limit_are_refused()
    {
        ArtifactName.IsValid(new string('a', ArtifactName.MaxLength)).Should().BeTrue();
        ArtifactName.Problem(new string('a', ArtifactName.MaxLength + 1)).Should().Contain("129 characters");
        ArtifactName.IsValid(null).Should().BeFalse();
    }

    [Fact]
    public void Quoting_keeps_control_characters_visible_and_long_names_short()
    {
        ArtifactName.Quote("a\0b\n").Should().Be("\"a\\u0000b\\n\"");
        ArtifactName.Quote(new string('x', 1000)).Length.Should().BeLessThan(100);
    }

    [Theory]
    [InlineData("../x")]
    [InlineData("../../x")]
    [InlineData("a/b")]
    [InlineData("a/../../x")]
    [InlineData("..")]
    [InlineData(".")]
    [InlineData("")]
    [InlineData("/etc/passwd")]
    [InlineData("x/")]
    public void A_path_that_resolves_outside_its_folder_is_refused(string name)
    {
        var folder = Path.Combine(Path.GetTempPath(), "contained");

        ContainedPath.Resolve(folder, name).Should().BeNull();
        FluentActions.Invoking(() => ContainedPath.Combine(folder, name)).Should().Throw<ArgumentException>().WithMessage("*would resolve outside*");
    }

    [Fact]
    public void A_plain_name_resolves_to_a_file_directly_in_the_folder()
    {
        var folder = Path.Combine(Path.GetTempPath(), "contained") + Path.DirectorySeparatorChar;

        ContainedPath.Resolve(folder, "model.zip").Should().Be(Path.Combine(Path.GetTempPath(), "contained", "model.zip"));
    }
}
