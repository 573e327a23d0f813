using Markdig;
using Markdig.Extensions.Tables;
using Markdig.Renderers.Html;
using Markdig.Syntax;
using Markdig.Syntax.Inlines;
using Microsoft.AspNetCore.Html;
using MLPipeline.Shared.Manifest;

namespace MLPipeline.Serving.Ui;

/// <summary>
/// A version's report.md as HTML: tables as tables, raw HTML in the file shown as text (never run), and the plots it
/// links pointed at the page's artifact route. Links to anything the manifest does not list are left as text.
/// </summary>
public static class ReportHtml
{
    private static readonly MarkdownPipeline Pipeline = new MarkdownPipelineBuilder().UsePipeTables().DisableHtml().Build();

    public static HtmlString Render(string markdown, ModelManifest manifest, Func<string, string> artifactUrl)
    {
        var document = Markdown.Parse(markdown, Pipeline);
        foreach (var link in document.Descendants<LinkInline>())
        {
            if (link.Url is { } url && manifest.Artifacts.ContainsKey(url) && ArtifactCache.IsShown(url))
            {
                link.Url = artifactUrl(url);
            }
            else if (link.IsImage || !IsWebAddress(link.Url))
            {
                // An image from elsewhere would not load under the pages' content security policy anyway.
                link.Url = null;
            }
        }

        // Markdig writes a column's alignment as a style attribute, which the content security policy blocks: a class instead.
        foreach (var table in document.Descendants<Table>())
        {
            var rightAligned = table.ColumnDefinitions.Select(c => c.Alignment == TableColumnAlign.Right).ToArray();
            foreach (var column in table.ColumnDefinitions)
            {
                column.Alignment = null;
            }

            foreach (var cell in table.Descendants<TableCell>())
            {
                if (cell.Parent is TableRow row && row.IndexOf(cell) is var index and >= 0 && index < rightAligned.Length && rightAligned[index])
                {
                    cell.GetAttributes().AddClass("num");
                }
            }
        }

        // The first heading repeats the page's title.
        if (document.FirstOrDefault() is HeadingBlock { Level: 1 } title)
        {
            document.Remove(title);
        }

        return new HtmlString(document.ToHtml(Pipeline));
    }

    private static bool IsWebAddress(string? url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.Scheme is "https" or "http";
}
