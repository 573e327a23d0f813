using MLPipeline.Serving.Ui;
using MLPipeline.Shared.Manifest;
using MLPipeline.TestSupport;

namespace MLPipeline.Serving.Tests.Ui;

/// <summary>report.md as the version page shows it: plots pointed at the file route, HTML never run, no style attribute the CSP would block.</summary>
public sealed class ReportHtmlTests
{
    [Fact]
    public void Plots_point_at_the_file_route_html_is_text_foreign_images_are_dropped_and_alignment_is_a_class()
    {
        const string plot = "plot-residuals.png";
        var package = TestModelPackage.Create("house", "v1");
        var crafted = ManifestJson.Deserialize(File.ReadAllBytes(Path.Combine(package, ModelManifest.FileName)), package);
        Directory.Delete(package, recursive: true);
        var manifest = crafted with { Artifacts = new Dictionary<string, ArtifactInfo>(crafted.Artifacts) { [plot] = new ArtifactInfo(new string('0', 64), 10) } };
        var markdown = $"""
            # {manifest.Name}

            ![a plot]({plot})
            ![elsewhere](https://example.com/x.png)
            <script>alert(1)</script>

            | step | seconds |
            |---|---:|
            | fit | 1.5 |
            """;

        var html = ReportHtml.Render(markdown, manifest, file => "/files/" + file).Value!;

        html.Should().Contain($"src=\"/files/{plot}\"");
        html.Should().NotContain("example.com");
        html.Should().NotContain("<script").And.Contain("&lt;script&gt;");
        html.Should().NotContain("style=").And.Contain("<td class=\"num\">1.5</td>");
        html.Should().NotContain("<h1", "the page's title already names the model");
    }
}
