using System.Collections.Frozen;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLPipeline.Shared.Manifest;

namespace MLPipeline.Serving.Dynamic;

/// <summary>The model's raw input columns as the manifest names them, bound to their places in the model's input schema.</summary>
public sealed class InputBinding
{
    private readonly FrozenDictionary<string, int> _byName;

    private InputBinding(IReadOnlyList<BoundColumn> columns)
    {
        Columns = columns;
        _byName = columns.Select((c, i) => KeyValuePair.Create(c.Name, i)).ToFrozenDictionary(StringComparer.Ordinal);
        Lookup = _byName.GetAlternateLookup<ReadOnlySpan<char>>();
        Utf8Names = [.. columns.Select(c => System.Text.Encoding.UTF8.GetBytes(c.Name))];
    }

    /// <summary>The column names as UTF-8, in manifest order: a body that sends them in that order is matched byte for byte.</summary>
    public IReadOnlyList<byte[]> Utf8Names { get; }

    public IReadOnlyList<BoundColumn> Columns { get; }

    /// <summary>Finds a column by a name still in a span, without allocating a string.</summary>
    public FrozenDictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> Lookup { get; }

    public int IndexOf(string name) => _byName.TryGetValue(name, out var i) ? i : -1;

    /// <summary>Checks that every manifest input exists in the model with the declared type.</summary>
    /// <exception cref="InvalidDataException">The manifest and the model disagree.</exception>
    public static InputBinding Create(ModelManifest manifest, DataViewSchema inputSchema)
    {
        var columns = new List<BoundColumn>();
        foreach (var input in manifest.Inputs)
        {
            var column = inputSchema.GetColumnOrNull(input.Name)
                ?? throw new InvalidDataException($"Manifest input '{input.Name}' is not a column of the model's input schema.");
            var isText = column.Type is TextDataViewType;
            if (!isText && column.Type != NumberDataViewType.Single)
            {
                throw new InvalidDataException($"Model input '{input.Name}' has type {column.Type}; only Single and String inputs are served.");
            }

            var declaredText = input.Type.Equals("String", StringComparison.OrdinalIgnoreCase);
            if (declaredText != isText)
            {
                throw new InvalidDataException($"Manifest input '{input.Name}' is declared {input.Type} but the model reads {column.Type}.");
            }

            columns.Add(new BoundColumn(input.Name, column.Index, isText, input.Role));
        }

        return new InputBinding(columns);
    }
}

/// <summary>One input column: its name, its index in the model's input schema, and whether it holds text.</summary>
public sealed record BoundColumn(string Name, int SchemaIndex, bool IsText, ColumnRole Role);
