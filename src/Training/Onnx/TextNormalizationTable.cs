using System.Text;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLPipeline.Training.Onnx;

/// <summary>
/// What FeaturizeText's text normalization (lower case, diacritics removed) does to each character, read from the
/// model itself: every character of the Basic Multilingual Plane is fed through the saved model and the
/// normalizer's column is read back from inside the FeaturizeText step. ML.NET normalizes one UTF-16 unit at a
/// time and maps each to one character or to nothing, so this table is the whole normalization; characters
/// outside the plane (surrogate pairs) pass through it unchanged.
/// </summary>
internal sealed class TextNormalizationTable
{
    private readonly Dictionary<char, string> _normalized;

    private TextNormalizationTable(Dictionary<char, string> normalized) => _normalized = normalized;

    /// <summary>The characters that normalize to themselves are left out.</summary>
    public IReadOnlyDictionary<char, string> Changed => _normalized;

    /// <summary>The normalized form of <paramref name="c"/>: one character, or empty when it is removed.</summary>
    public string Normalize(char c) => _normalized.TryGetValue(c, out var value) ? value : c.ToString();

    /// <param name="normalizerColumn">The FeaturizeText step's internal column holding the normalized text (e.g. review_TextNormalizer).</param>
    public static TextNormalizationTable Probe(ITransformer model, IReadOnlyList<FeatureInput> inputs, string textColumn, string normalizerColumn)
    {
        var characters = Enumerable.Range(0, char.MaxValue + 1).Select(i => (char)i).Where(c => !char.IsSurrogate(c)).ToArray();
        var numeric = inputs.Where(i => i.IsNumeric).ToDictionary(i => i.Name, _ => Enumerable.Repeat(float.NaN, characters.Length).ToArray());
        var text = inputs.Where(i => !i.IsNumeric).ToDictionary(
            i => i.Name,
            i => i.Name == textColumn ? characters.Select(c => c.ToString()).ToArray() : Enumerable.Repeat("", characters.Length).ToArray());
        var probe = new RawRows(inputs, characters.Length, numeric, text).ToDataView();

        // The normalized column is dropped at the end of FeaturizeText: look for it in the views before that.
        IDataView? view = model.Transform(probe);
        while (view is not null && view.Schema.GetColumnOrNull(normalizerColumn) is not { IsHidden: false })
        {
            view = InternalMembers.SourceOf(view);
        }

        var column = view?.Schema[normalizerColumn]
            ?? throw new OnnxExportException($"Transform FeaturizeText on column '{textColumn}': its normalized column '{normalizerColumn}' was not found inside the model.");
        var normalized = new Dictionary<char, string>();
        using var cursor = view.GetRowCursor([column]);
        var getter = cursor.GetGetter<ReadOnlyMemory<char>>(column);
        var value = default(ReadOnlyMemory<char>);
        var row = 0;
        while (cursor.MoveNext())
        {
            getter(ref value);
            var result = value.ToString();
            if (result.Length > 1)
            {
                throw new OnnxExportException($"Transform FeaturizeText on column '{textColumn}' normalizes U+{(int)characters[row]:X4} to {result.Length} characters; the ONNX graph maps one character to at most one.");
            }

            if (result != characters[row].ToString())
            {
                normalized[characters[row]] = result;
            }

            row++;
        }

        return new TextNormalizationTable(normalized);
    }

    /// <summary>The text as ML.NET's normalizer writes it (for tests and checks).</summary>
    public string Normalize(string text)
    {
        var builder = new StringBuilder(text.Length);
        foreach (var c in text)
        {
            builder.Append(Normalize(c));
        }

        return builder.ToString();
    }
}
