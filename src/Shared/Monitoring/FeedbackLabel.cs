using System.Globalization;
using System.Text.Json;
using MLPipeline.Shared.Manifest;

namespace MLPipeline.Shared.Monitoring;

/// <summary>Reads a feedback label for a version's task: a number (regression), or one of its class names (true/false and 1/0 also name a binary model's classes).</summary>
public static class FeedbackLabel
{
    /// <summary>The class labels a model answers with, in its output order (a binary model without names: false, true).</summary>
    public static IReadOnlyList<string> ClassesOf(ModelManifest manifest) =>
        manifest.Label.Classes ?? (manifest.Task == ModelTask.Binary ? ["false", "true"] : []);

    /// <summary>The truth as a number (regression) or a class index, or null with the reason.</summary>
    public static (double? Truth, string? Problem) Read(JsonElement label, ModelTask task, IReadOnlyList<string> classes)
    {
        if (task == ModelTask.Regression)
        {
            return label.ValueKind == JsonValueKind.Number && label.TryGetDouble(out var value) && double.IsFinite(value)
                ? (value, null)
                : (null, "must be a finite number for a regression model");
        }

        var text = label.ValueKind switch
        {
            JsonValueKind.String => label.GetString(),
            JsonValueKind.Number => label.GetRawText(),
            JsonValueKind.True => "true",
            JsonValueKind.False => "false",
            _ => null,
        };
        var index = text is null ? -1 : IndexOf(classes, text);
        if (index < 0 && task == ModelTask.Binary && text is not null)
        {
            // A binary label may name the side rather than the class.
            index = text is "true" or "1" ? 1 : text is "false" or "0" ? 0 : -1;
        }

        return index >= 0
            ? (index, null)
            : (null, $"must be one of the model's classes: {string.Join(", ", classes.Take(20).Select(c => $"\"{c}\""))}");
    }

    private static int IndexOf(IReadOnlyList<string> classes, string text)
    {
        for (var i = 0; i < classes.Count; i++)
        {
            if (string.Equals(classes[i], text, StringComparison.Ordinal))
            {
                return i;
            }
        }

        // A class stored as "1" and sent as 1.0.
        return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var number)
            ? classes.ToList().FindIndex(c => double.TryParse(c, NumberStyles.Float, CultureInfo.InvariantCulture, out var n) && n == number)
            : -1;
    }
}
