using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using MLPipeline.Serving.Pool;
using MLPipeline.Shared.Manifest;

namespace MLPipeline.Serving.Ui.Pages;

/// <summary>Try it: a form from the served version's input schema, filled with its sample row, answered by the predict route's pipeline.</summary>
public sealed class TryItModel(PredictionEnginePool pool, TryItPrediction prediction) : PageModel
{
    /// <summary>Form field names carry this prefix, so no column can collide with the anti-forgery field.</summary>
    public const string FieldPrefix = "in.";

    [FromRoute]
    public string Name { get; set; } = "";

    public ModelManifest Manifest { get; private set; } = null!;

    public IReadOnlyDictionary<string, string?> Values { get; private set; } = new Dictionary<string, string?>();

    public TryItPrediction.Answer? Answer { get; private set; }

    public string? Body { get; private set; }

    public IActionResult OnGet()
    {
        if (Served() is not { } manifest)
        {
            return NotFound();
        }

        Manifest = manifest;
        Values = manifest.Graph is { } graph
            ? graph.Inputs.ToDictionary(i => i.Name, i => TryItPrediction.GraphSample(graph, i))
            : manifest.SampleInput;
        return Page();
    }

    public async Task<IActionResult> OnPostAsync()
    {
        if (Served() is not { } manifest)
        {
            return NotFound();
        }

        Manifest = manifest;
        var names = manifest.Graph is { } graph ? graph.Inputs.Select(i => i.Name) : manifest.Inputs.Select(c => c.Name);
        Values = names.ToDictionary(name => name, name => (string?)Request.Form[FieldPrefix + name].ToString());
        var body = manifest.Graph is { } onnx
            ? TryItPrediction.GraphBody(onnx.Inputs, name => Values[name])
            : TryItPrediction.Body(manifest.Inputs, column => Values[column]);
        Body = System.Text.Encoding.UTF8.GetString(body);
        Answer = await prediction.PredictAsync(HttpContext, Name, body);
        return Page();
    }

    private ModelManifest? Served() => pool.Find(Name)?.Current?.Manifest;
}
