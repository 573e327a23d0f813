using System.Globalization;
using System.Xml.Linq;
using Microsoft.AspNetCore.Html;

namespace MLPipeline.Serving.Ui;

/// <summary>
/// The main metric of every version, oldest to newest, as an SVG line chart built here (no script, no library in the
/// browser): the test metric as a line with a point per version, the cross-validation mean as a dashed line where the
/// versions have one, a hover title per point, the axis range written on the axis.
/// </summary>
public static class MetricHistoryChart
{
    private const double Width = 720;
    private const double Height = 240;
    private const double Left = 64;
    private const double Right = 16;
    private const double Top = 16;
    private const double Bottom = 40;
    private static readonly XNamespace Svg = "http://www.w3.org/2000/svg";

    public sealed record Point(string Version, double? Test, double? CrossValidation, bool Highlight);

    public static HtmlString Render(string metric, IReadOnlyList<Point> points)
    {
        var values = points.SelectMany(p => new[] { p.Test, p.CrossValidation }).OfType<double>().Where(double.IsFinite).ToList();
        var root = new XElement(Svg + "svg",
            new XAttribute("viewBox", $"0 0 {Width} {Height}"),
            new XAttribute("class", "chart"),
            new XAttribute("role", "img"),
            new XAttribute("aria-label", $"{metric} of each version, oldest to newest"));
        if (values.Count == 0)
        {
            root.Add(Text(Width / 2, Height / 2, $"No version has a test {metric}.", "middle"));
            return new HtmlString(root.ToString(SaveOptions.DisableFormatting));
        }

        var (min, max) = (values.Min(), values.Max());
        if (max - min < 1e-12)
        {
            (min, max) = (min - 0.5, max + 0.5);
        }

        var pad = (max - min) * 0.08;
        (min, max) = (min - pad, max + pad);
        double X(int i) => points.Count == 1 ? Left + ((Width - Left - Right) / 2) : Left + (i * (Width - Left - Right) / (points.Count - 1));
        double Y(double v) => Top + ((max - v) * (Height - Top - Bottom) / (max - min));

        root.Add(
            Line(Left, Top, Left, Height - Bottom, "axis"),
            Line(Left, Height - Bottom, Width - Right, Height - Bottom, "axis"),
            Text(Left - 6, Y(max - pad) + 4, Format(max - pad), "end"),
            Text(Left - 6, Y(min + pad) + 4, Format(min + pad), "end"),
            Text(Left, Height - Bottom + 16, points[0].Version, "start"),
            Text(Width - Right, Height - Bottom + 16, points[^1].Version, "end"),
            Text(Left + ((Width - Left - Right) / 2), Height - 6, $"{metric} by version (test: solid, cross-validation mean: dashed)", "middle"));
        root.Add(Polyline(points.Select((p, i) => (i, p.CrossValidation)), X, Y, "series cv"));
        root.Add(Polyline(points.Select((p, i) => (i, p.Test)), X, Y, "series test"));
        for (var i = 0; i < points.Count; i++)
        {
            if (points[i].CrossValidation is { } cv && double.IsFinite(cv))
            {
                root.Add(new XElement(Svg + "circle",
                    new XAttribute("cx", Format(X(i))),
                    new XAttribute("cy", Format(Y(cv))),
                    new XAttribute("r", 2.5),
                    new XAttribute("class", "point cv"),
                    new XElement(Svg + "title", $"{points[i].Version}: cross-validation mean {Format(cv)}")));
            }

            if (points[i].Test is { } test && double.IsFinite(test))
            {
                root.Add(new XElement(Svg + "circle",
                    new XAttribute("cx", Format(X(i))),
                    new XAttribute("cy", Format(Y(test))),
                    new XAttribute("r", points[i].Highlight ? 5 : 3),
                    new XAttribute("class", points[i].Highlight ? "point served" : "point"),
                    new XElement(Svg + "title", $"{points[i].Version}: {metric} {Format(test)}")));
            }
        }

        return new HtmlString(root.ToString(SaveOptions.DisableFormatting));
    }

    private static XElement Polyline(IEnumerable<(int Index, double? Value)> series, Func<int, double> x, Func<double, double> y, string cssClass) =>
        new(Svg + "polyline",
            new XAttribute("class", cssClass),
            new XAttribute("points", string.Join(' ', series.Where(s => s.Value is { } v && double.IsFinite(v)).Select(s => $"{Format(x(s.Index))},{Format(y(s.Value!.Value))}"))));

    private static XElement Line(double x1, double y1, double x2, double y2, string cssClass) =>
        new(Svg + "line", new XAttribute("x1", Format(x1)), new XAttribute("y1", Format(y1)), new XAttribute("x2", Format(x2)), new XAttribute("y2", Format(y2)), new XAttribute("class", cssClass));

    private static XElement Text(double x, double y, string text, string anchor) =>
        new(Svg + "text", new XAttribute("x", Format(x)), new XAttribute("y", Format(y)), new XAttribute("text-anchor", anchor), text);

    private static string Format(double value) => value.ToString(Math.Abs(value) >= 100 ? "0.#" : "0.####", CultureInfo.InvariantCulture);
}
