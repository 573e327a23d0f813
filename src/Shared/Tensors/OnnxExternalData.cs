using System.Globalization;
using System.Text;

namespace MLPipeline.Shared.Tensors;

/// <summary>
/// Finds a tensor of an ONNX file that keeps its data in another file (<c>data_location</c> EXTERNAL, or
/// <c>external_data</c> entries), anywhere ONNX allows one: initializers and sparse initializers of the graph and of
/// every subgraph, tensors in node attributes (Constant's <c>value</c>), functions and training graphs. ONNX Runtime
/// reads such data from a path the file names; for a model loaded from bytes, as the service and <c>import-onnx</c>
/// load them, that path is resolved against the process's working directory, so a crafted file could read any file
/// there (the service's settings, other models) into a tensor and answer it. Such a file is refused before ONNX Runtime
/// sees it. Reads protobuf's wire format directly (ONNX's field numbers), skipping every other field unread.
/// </summary>
public static class OnnxExternalData
{
    /// <summary>Messages nested deeper than this are refused (protobuf's own default limit), before the stack could overflow.</summary>
    public const int MaxDepth = 100;

    /// <summary>What keeps its data in another file (or why the bytes cannot be read as a model), or null when nothing does.</summary>
    public static string? Find(ReadOnlySpan<byte> model)
    {
        try
        {
            return Model(model);
        }
        catch (FormatException ex)
        {
            return $"it does not parse as an ONNX ModelProto ({ex.Message}).";
        }
    }

    private static string? Model(ReadOnlySpan<byte> bytes)
    {
        var reader = new Reader(bytes, 0);
        while (reader.Next(out var field, out var wire))
        {
            var problem = (field, wire) switch
            {
                (7, 2) => Graph(reader.Bytes(), 1, "the graph"),
                (20, 2) => TrainingInfo(reader.Bytes(), 1),
                (25, 2) => Function(reader.Bytes(), 1),
                _ => reader.Skip(wire),
            };
            if (problem is not null)
            {
                return problem;
            }
        }

        return null;
    }

    private static string? TrainingInfo(ReadOnlySpan<byte> bytes, int depth)
    {
        var reader = new Reader(bytes, depth);
        while (reader.Next(out var field, out var wire))
        {
            var problem = (field, wire) switch
            {
                (1, 2) => Graph(reader.Bytes(), depth + 1, "the training initialization graph"),
                (2, 2) => Graph(reader.Bytes(), depth + 1, "the training algorithm graph"),
                _ => reader.Skip(wire),
            };
            if (problem is not null)
            {
                return problem;
            }
        }

        return null;
    }

    private static string? Function(ReadOnlySpan<byte> bytes, int depth)
    {
        var name = Text(bytes, depth, 1) ?? "";
        var reader = new Reader(bytes, depth);
        while (reader.Next(out var field, out var wire))
        {
            var problem = (field, wire) switch
            {
                (7, 2) => Node(reader.Bytes(), depth + 1, $"function '{name}'"),
                (11, 2) => Attribute(reader.Bytes(), depth + 1, $"function '{name}'"),
                _ => reader.Skip(wire),
            };
            if (problem is not null)
            {
                return problem;
            }
        }

        return null;
    }

    private static string? Graph(ReadOnlySpan<byte> bytes, int depth, string where)
    {
        var reader = new Reader(bytes, depth);
        while (reader.Next(out var field, out var wire))
        {
            var problem = (field, wire) switch
            {
                (1, 2) => Node(reader.Bytes(), depth + 1, where),
                (5, 2) => Tensor(reader.Bytes(), depth + 1, "initializer", where),
                (15, 2) => SparseTensor(reader.Bytes(), depth + 1, "sparse initializer", where),
                _ => reader.Skip(wire),
            };
            if (problem is not null)
            {
                return problem;
            }
        }

        return null;
    }

    private static string? Node(ReadOnlySpan<byte> bytes, int depth, string where)
    {
        var name = Text(bytes, depth, 3) is { Length: > 0 } named ? named : Text(bytes, depth, 4) ?? "";
        var node = $"node '{name}'" + (where == "the graph" ? "" : $" of {where}");
        var reader = new Reader(bytes, depth);
        while (reader.Next(out var field, out var wire))
        {
            var problem = field == 5 && wire == 2 ? Attribute(reader.Bytes(), depth + 1, node) : reader.Skip(wire);
            if (problem is not null)
            {
                return problem;
            }
        }

        return null;
    }

    private static string? Attribute(ReadOnlySpan<byte> bytes, int depth, string owner)
    {
        var attribute = $"attribute '{Text(bytes, depth, 1)}' of {owner}";
        var reader = new Reader(bytes, depth);
        while (reader.Next(out var field, out var wire))
        {
            var problem = (field, wire) switch
            {
                (5, 2) or (10, 2) => Tensor(reader.Bytes(), depth + 1, null, attribute),
                (6, 2) or (11, 2) => Graph(reader.Bytes(), depth + 1, GraphName(reader.Last, depth + 1, attribute)),
                (22, 2) or (23, 2) => SparseTensor(reader.Bytes(), depth + 1, null, attribute),
                _ => reader.Skip(wire),
            };
            if (problem is not null)
            {
                return problem;
            }
        }

        return null;
    }

    private static string GraphName(ReadOnlySpan<byte> graph, int depth, string attribute) => $"graph '{Text(graph, depth, 2)}' ({attribute})";

    private static string? SparseTensor(ReadOnlySpan<byte> bytes, int depth, string? role, string where)
    {
        var reader = new Reader(bytes, depth);
        while (reader.Next(out var field, out var wire))
        {
            var problem = (field, wire) switch
            {
                (1, 2) => Tensor(reader.Bytes(), depth + 1, role is null ? "the values" : $"the values of a {role}", where),
                (2, 2) => Tensor(reader.Bytes(), depth + 1, role is null ? "the indices" : $"the indices of a {role}", where),
                _ => reader.Skip(wire),
            };
            if (problem is not null)
            {
                return problem;
            }
        }

        return null;
    }

    /// <param name="role">"initializer", ...; null for a tensor that is an attribute's value (the attribute names it).</param>
    private static string? Tensor(ReadOnlySpan<byte> bytes, int depth, string? role, string where)
    {
        var external = false;
        string? location = null;
        var reader = new Reader(bytes, depth);
        while (reader.Next(out var field, out var wire))
        {
            if (field == 14 && wire == 0)
            {
                external |= reader.Varint() == 1;
            }
            else if (field == 13 && wire == 2)
            {
                external = true;
                var entry = reader.Bytes();
                if (Text(entry, depth + 1, 1) == "location")
                {
                    location = Text(entry, depth + 1, 2);
                }
            }
            else
            {
                reader.Skip(wire);
            }
        }

        if (!external)
        {
            return null;
        }

        var tensor = role is null ? where : $"{role} '{Text(bytes, depth, 8)}'" + (where == "the graph" ? "" : $" of {where}");
        return $"{tensor} keeps its data in another file ('{location}'): a model is published and served as its one file and reads no other. "
            + "Save it with its data inside (onnx.save_model(model, path, save_as_external_data=False)).";
    }

    /// <summary>The last string field <paramref name="number"/> of a message (as protobuf does for repeated scalars), or null.</summary>
    private static string? Text(ReadOnlySpan<byte> bytes, int depth, int number)
    {
        string? text = null;
        var reader = new Reader(bytes, depth);
        while (reader.Next(out var field, out var wire))
        {
            if (field == number && wire == 2)
            {
                var value = reader.Bytes();
                text = Encoding.UTF8.GetString(value[..Math.Min(value.Length, 200)]);
            }
            else
            {
                reader.Skip(wire);
            }
        }

        return text;
    }

    /// <summary>Protobuf's wire format: tags, varints, fixed-size and length-delimited fields. Malformed input throws <see cref="FormatException"/>.</summary>
    private ref struct Reader
    {
        private readonly ReadOnlySpan<byte> _bytes;
        private int _position;

        public Reader(ReadOnlySpan<byte> bytes, int depth)
        {
            if (depth > MaxDepth)
            {
                throw new FormatException($"its messages nest deeper than {MaxDepth} levels");
            }

            _bytes = bytes;
        }

        /// <summary>The last length-delimited field read by <see cref="Bytes"/>.</summary>
        public ReadOnlySpan<byte> Last { get; private set; }

        public bool Next(out int field, out int wire)
        {
            if (_position >= _bytes.Length)
            {
                (field, wire) = (0, 0);
                return false;
            }

            var tag = Varint();
            field = (int)Math.Min(tag >> 3, int.MaxValue);
            wire = (int)(tag & 7);
            if (field == 0)
            {
                throw Malformed("a field number 0");
            }

            return true;
        }

        public ulong Varint()
        {
            ulong value = 0;
            for (var shift = 0; shift < 64; shift += 7)
            {
                if (_position >= _bytes.Length)
                {
                    throw Malformed("a varint cut short");
                }

                var b = _bytes[_position++];
                value |= (ulong)(b & 0x7f) << shift;
                if (b < 0x80)
                {
                    return value;
                }
            }

            throw Malformed("a varint longer than 10 bytes");
        }

        public ReadOnlySpan<byte> Bytes()
        {
            var length = Varint();
            if (length > (ulong)(_bytes.Length - _position))
            {
                throw Malformed("a field longer than the bytes left");
            }

            Last = _bytes.Slice(_position, (int)length);
            _position += (int)length;
            return Last;
        }

        /// <summary>Skips one field's value; always null, so it can stand in a switch of problems.</summary>
        public string? Skip(int wire)
        {
            switch (wire)
            {
                case 0:
                    Varint();
                    break;
                case 1:
                    Advance(8);
                    break;
                case 2:
                    Bytes();
                    break;
                case 5:
                    Advance(4);
                    break;
                default:
                    throw Malformed($"wire type {wire}, which ONNX files do not use");
            }

            return null;
        }

        private void Advance(int count)
        {
            if (count > _bytes.Length - _position)
            {
                throw Malformed("a fixed-size field cut short");
            }

            _position += count;
        }

        private readonly FormatException Malformed(string what) =>
            new(string.Create(CultureInfo.InvariantCulture, $"{what} at byte {_position} of a message"));
    }
}
