using System.Text;
using Google.Protobuf;
using MLPipeline.Training.Onnx.Proto;

namespace MLPipeline.Training.Onnx;

/// <summary>
/// Makes the converter's FeaturizeText graph read the raw text and score every row of a batch on its own.
/// The converter cannot express FeaturizeText's text normalization (lower case, diacritics removed), so it
/// reads an extra input holding the normalized text; and its word path flattens the whole batch into one row
/// ([1, tokens]) while its character path maps U+FFFD wrongly (its table encodes every UTF-16 surrogate as
/// U+FFFD too). This rewires the inputs of its two TfIdfVectorizer nodes (word uni- and bigrams, character
/// trigrams; their n-gram pools, the L2 norms and everything after them stay as converted, but for the shortest
/// n-gram length, which the converter gets wrong for a loaded model):
/// <list type="bullet">
/// <item>characters: the raw text is split into characters (with the start and end marks ML.NET adds), each
/// mapped by one table straight to the id of its normalized character; characters the normalization removes
/// are dropped from the sequence;</item>
/// <item>words: the raw text's characters are mapped to the codes of their normalized forms, spaces split
/// them into words as ML.NET's tokenizer does, and each word's codes are hashed (two polynomial hashes modulo
/// primes below 2^31, one int64 key); a table from the key of each vocabulary word to its id gives the word's
/// id; words the normalization empties are dropped.</item>
/// </list>
/// ML.NET normalizes one UTF-16 unit at a time, so a per-character table (<see cref="TextNormalizationTable"/>,
/// read from the model) is exactly its normalization. The result is checked like every export: parity on the
/// test split in batches of 64 rows.
/// </summary>
internal static class TextFeaturizationRepair
{
    private const string MicrosoftDomain = "com.microsoft";
    private const long Removed = -2;
    private const long Unknown = -1;

    // Two primes below 2^31 and bases above the largest code point: code * power < 2^52, the sums stay in int64.
    private const long Prime1 = 2147483647;
    private const long Prime2 = 2147483629;
    private const long Base1 = 1114121;
    private const long Base2 = 1114139;

    // Character codes for the word hash: code point + 1; 0 = removed by normalization; spaces separate words.
    private const long OtherCharacter = 0x110002;
    private const long Separator = -3;

    public static void Apply(GraphProto graph, long opset, string textInput, string normalizedInput, TextNormalizationTable table)
    {
        var editor = new GraphEditor(graph, opset, $"mlpipeline_{textInput}");
        var producers = new Dictionary<string, NodeProto>(StringComparer.Ordinal);
        foreach (var node in graph.Node)
        {
            foreach (var output in node.Output)
            {
                producers[output] = node;
            }
        }

        var rewired = 0;
        foreach (var vectorizer in graph.Node.Where(n => n.OpType == "TfIdfVectorizer").ToList())
        {
            var chain = new List<NodeProto>();
            var value = vectorizer.Input[0];
            while (producers.TryGetValue(value, out var node) && node.Input.Count > 0)
            {
                chain.Add(node);
                value = node.Input[0];
            }

            if (value != normalizedInput)
            {
                continue;
            }

            var tokenizer = chain.LastOrDefault(n => n.OpType == "Tokenizer") ?? throw Unexpected(textInput, "no Tokenizer before a TfIdfVectorizer");
            var encoder = chain.FirstOrDefault(n => n.OpType == "LabelEncoder") ?? throw Unexpected(textInput, "no LabelEncoder before a TfIdfVectorizer");
            var pool = new HashSet<long>(Attribute(vectorizer, "pool_int64s").Ints);
            var separators = Attribute(tokenizer, "separators").Strings.Select(s => s.ToStringUtf8()).ToList();
            vectorizer.Input[0] = separators switch
            {
                [""] => CharacterIds(editor, textInput, encoder, pool, table),
                [" "] => WordIds(editor, textInput, encoder, pool, table),
                _ => throw Unexpected(textInput, $"a Tokenizer splitting on [{string.Join(", ", separators)}]"),
            };
            MinimumGramLength(vectorizer, textInput);
            rewired++;
        }

        if (rewired == 0)
        {
            throw Unexpected(textInput, $"no TfIdfVectorizer reads '{normalizedInput}'");
        }
    }

    /// <summary>Raw text [N, 1] -> character ids [N, L] (-1 = no n-gram uses it), normalization applied.</summary>
    private static string CharacterIds(GraphEditor editor, string textInput, NodeProto encoder, HashSet<long> pool, TextNormalizationTable table)
    {
        // The converter's table maps each character to its UTF-16 code; only that mapping is supported.
        var keys = Attribute(encoder, "keys_strings").Strings.Select(s => s.ToStringUtf8()).ToList();
        var values = Attribute(encoder, "values_int64s").Ints;
        if (keys.Count != values.Count || keys.Where((k, i) => k != "\uFFFD" && (k.Length != 1 || k[0] != values[i])).Any())
        {
            throw Unexpected(textInput, "a character table that does not map characters to their codes");
        }

        if (pool.Any(id => id is >= 0xD800 and <= 0xDFFF))
        {
            throw new OnnxExportException($"Transform FeaturizeText on column '{textInput}': its character n-grams hold characters outside the Basic Multilingual Plane (e.g. emoji), which ML.NET counts as two UTF-16 units and ONNX Runtime's tokenizer as one character.");
        }

        var mapping = new List<(string Key, long Value)>();
        foreach (var c in BmpCharacters())
        {
            var normalized = table.Normalize(c);
            if (normalized.Length == 0)
            {
                mapping.Add((c.ToString(), Removed));
            }
            else if (pool.Contains(normalized[0]))
            {
                mapping.Add((c.ToString(), normalized[0]));
            }
        }

        // mark = 1: ML.NET's start (U+0002) and end (U+0003) marks around each text.
        var characters = editor.Node("Tokenizer", [textInput], MicrosoftDomain, "chars",
            OnnxAttributes.Int("mark", 1), OnnxAttributes.Int("mincharnum", 1), OnnxAttributes.String("pad_value", ""), OnnxAttributes.Strings("separators", [""]));
        var ids = editor.StringToInt64(editor.SqueezeAxis1(characters, "chars_by_row"), mapping, Unknown, "char_ids");
        return editor.DropRemoved(ids, "char_ids_kept");
    }

    /// <summary>
    /// Raw text [N, 1] -> word ids [N, L + 1] (-1 = not in the vocabulary), normalization applied. Works on the
    /// text's characters [N, L] (a word-by-character tensor would be as wide as the longest word times the most
    /// words): spaces separate words; each kept character adds code * base^(its rank in its normalized word); a
    /// prefix sum over the row, read at each separator, gives each word's sum as a difference.
    /// </summary>
    private static string WordIds(GraphEditor editor, string textInput, NodeProto encoder, HashSet<long> pool, TextNormalizationTable table)
    {
        var keys = Attribute(encoder, "keys_strings").Strings.Select(s => s.ToStringUtf8()).ToList();
        var values = Attribute(encoder, "values_int64s").Ints;
        var vocabulary = keys.Zip(values).Where(p => pool.Contains(p.Second)).ToList();
        if (BmpCharacters().Any(c => c != ' ' && table.Normalize(c) == " "))
        {
            throw Unexpected(textInput, "a normalization that turns other characters into spaces");
        }

        var vocabularyCodes = new HashSet<int>(vocabulary.SelectMany(p => p.First.EnumerateRunes()).Select(r => r.Value));
        var mapping = new List<(string Key, long Value)> { (" ", Separator) };
        foreach (var c in BmpCharacters().Where(c => c != ' '))
        {
            var normalized = table.Normalize(c);
            if (normalized.Length == 0)
            {
                mapping.Add((c.ToString(), 0));
            }
            else if (vocabularyCodes.Contains(normalized[0]))
            {
                mapping.Add((c.ToString(), normalized[0] + 1L));
            }
        }

        // Characters outside the plane pass normalization unchanged: those the vocabulary holds map to themselves.
        mapping.AddRange(vocabularyCodes.Where(code => code > char.MaxValue).Select(code => (char.ConvertFromUtf32(code), code + 1L)));

        var wordKeys = new Dictionary<long, long>();
        foreach (var (word, id) in vocabulary)
        {
            if (!wordKeys.TryAdd(Key(word), id))
            {
                throw Unexpected(textInput, $"two vocabulary words with one hash key ('{word}')");
            }
        }

        var longest = Math.Max(1, vocabulary.Select(p => p.First.EnumerateRunes().Count()).DefaultIfEmpty(1).Max());

        // Characters without marks, rows padded with spaces (separators, like the spaces in the text), and one
        // more separator column after the longest row, so that every word ends at a separator.
        var characters = editor.SqueezeAxis1(editor.Node("Tokenizer", [textInput], MicrosoftDomain, "word_chars",
            OnnxAttributes.Int("mark", 0), OnnxAttributes.Int("mincharnum", 1), OnnxAttributes.String("pad_value", " "), OnnxAttributes.Strings("separators", [""])), "word_chars_by_row");
        var mapped = editor.StringToInt64(characters, mapping, OtherCharacter, "word_char_codes");
        var lastColumn = editor.Node("ConstantOfShape", [editor.Node("Concat", [editor.Node("Gather", [editor.Node("Shape", [mapped], null, "chars_shape"), editor.Int64("rows_index", [0])], null, "rows", OnnxAttributes.Int("axis", 0)), editor.Int64("one_column", [1])], null, "last_column_shape", OnnxAttributes.Int("axis", 0))], null, "last_column",
            editor.Int64Value(Separator));
        var codesAndSeparators = editor.Node("Concat", [mapped, lastColumn], null, "word_char_codes_closed", OnnxAttributes.Int("axis", 1));
        var separator = editor.Node("Equal", [codesAndSeparators, editor.Int64("separator", [Separator])], null, "is_separator");
        var codes = editor.Node("Max", [codesAndSeparators, editor.Int64("no_code", [0])], null, "codes");
        var kept = editor.CastToInt64(editor.Node("Greater", [codes, editor.Int64("zero", [0])], null, "is_kept"), "kept");
        var keptSoFar = editor.CumSumAxis1(kept, "kept_so_far");
        var separatorsSoFar = editor.CumSumAxis1(editor.CastToInt64(separator, "separator_count"), "word_index");

        // Kept characters before each word: recorded at each separator under its 1-based number; 0 before the first.
        var keptBeforeWord = editor.AtSeparators(separator, separatorsSoFar, keptSoFar, "kept_before_word");
        var wordStart = editor.Node("GatherElements", [keptBeforeWord, separatorsSoFar], null, "word_start", OnnxAttributes.Int("axis", 1));
        var rank = editor.Node("Sub", [editor.Node("Sub", [keptSoFar, editor.Int64("one", [1])], null, "kept_index"), wordStart], null, "rank");
        rank = editor.Node("Min", [editor.Node("Max", [rank, editor.Int64("zero_rank", [0])], null, "rank_low"), editor.Int64("last_rank", [longest - 1])], null, "rank_clamped");

        var hash1 = Hash(editor, codes, rank, separator, separatorsSoFar, Prime1, Base1, longest, "hash1");
        var hash2 = Hash(editor, codes, rank, separator, separatorsSoFar, Prime2, Base2, longest, "hash2");
        var key = editor.Node("Add", [editor.Node("Mul", [hash1, editor.Int64("prime2", [Prime2])], null, "hash1_shifted"), hash2], null, "word_key");
        var length = editor.WordSums(editor.AtSeparators(separator, separatorsSoFar, keptSoFar, "kept_at_word_end"), "word_length");

        var ids = editor.Node("LabelEncoder", [key], OnnxGraphBuilder.MlDomain, "word_ids",
            OnnxAttributes.Ints("keys_int64s", wordKeys.Keys), OnnxAttributes.Ints("values_int64s", wordKeys.Values), OnnxAttributes.Int("default_int64", Unknown));

        // Words the normalization empties (or that only separate two spaces), and the slots past a row's last word
        // (their length is negative), are dropped.
        var empty = editor.Node("Not", [editor.Node("Greater", [length, editor.Int64("no_length", [0])], null, "word_has_characters")], null, "word_is_empty");
        var marked = editor.Node("Where", [empty, editor.Int64("removed", [Removed]), ids], null, "word_ids_marked");
        return editor.DropRemoved(marked, "word_ids_kept");
    }

    /// <summary>Each word's sum(code * base^rank) mod prime: [N, L + 1] characters -> [N, L + 1] words.</summary>
    private static string Hash(GraphEditor editor, string codes, string rank, string separator, string separatorsSoFar, long prime, long @base, int longest, string name)
    {
        var powers = Powers(prime, @base, longest);
        var power = editor.Node("Gather", [editor.Int64($"{name}_powers", powers), rank], null, $"{name}_power", OnnxAttributes.Int("axis", 0));
        var primeValue = editor.Int64($"{name}_prime", [prime]);
        var terms = editor.Node("Mod", [editor.Node("Mul", [codes, power], null, $"{name}_products"), primeValue], null, $"{name}_terms", OnnxAttributes.Int("fmod", 0));

        // Terms are below 2^31: a row's prefix sum stays in int64 for rows of up to 2^32 characters.
        var sums = editor.AtSeparators(separator, separatorsSoFar, editor.CumSumAxis1(terms, $"{name}_prefix"), $"{name}_at_word_end");
        return editor.Node("Mod", [editor.WordSums(sums, $"{name}_sum"), primeValue], null, name, OnnxAttributes.Int("fmod", 0));
    }

    /// <summary>
    /// The converter writes min_gram_length = max_gram_length for a model loaded from a file (it reads the
    /// n-gram settings from a field the saved model does not restore), so word unigrams in the pool are never
    /// counted. The pool says what ML.NET counts: the shortest n-grams with an entry in it.
    /// </summary>
    private static void MinimumGramLength(NodeProto vectorizer, string textInput)
    {
        var starts = Attribute(vectorizer, "ngram_counts").Ints;
        var poolSize = Attribute(vectorizer, "pool_int64s").Ints.Count;
        var shortest = Enumerable.Range(0, starts.Count).FirstOrDefault(n => (n + 1 < starts.Count ? starts[n + 1] : poolSize) > starts[n], -1);
        if (shortest < 0)
        {
            throw Unexpected(textInput, "a TfIdfVectorizer with an empty n-gram pool");
        }

        Attribute(vectorizer, "min_gram_length").I = shortest + 1;
    }

    /// <summary>The same key the graph computes, for a normalized vocabulary word.</summary>
    internal static long Key(string word)
    {
        long hash1 = 0, hash2 = 0, power1 = 1, power2 = 1;
        foreach (var rune in word.EnumerateRunes())
        {
            hash1 = (hash1 + (rune.Value + 1L) * power1 % Prime1) % Prime1;
            hash2 = (hash2 + (rune.Value + 1L) * power2 % Prime2) % Prime2;
            power1 = power1 * Base1 % Prime1;
            power2 = power2 * Base2 % Prime2;
        }

        return hash1 * Prime2 + hash2;
    }

    private static long[] Powers(long prime, long @base, int count)
    {
        var powers = new long[count];
        var power = 1L;
        for (var i = 0; i < count; i++)
        {
            powers[i] = power;
            power = power * @base % prime;
        }

        return powers;
    }

    private static IEnumerable<char> BmpCharacters() =>
        Enumerable.Range(0, char.MaxValue + 1).Select(i => (char)i).Where(c => !char.IsSurrogate(c));

    private static AttributeProto Attribute(NodeProto node, string name) =>
        node.Attribute.FirstOrDefault(a => a.Name == name) ?? throw new OnnxExportException($"The converter's {node.OpType} node '{node.Name}' has no attribute '{name}'.");

    private static OnnxExportException Unexpected(string column, string what) =>
        new($"Transform FeaturizeText on column '{column}': the converter's text graph has {what}, which the repair of its text normalization does not know.");

    /// <summary>Adds nodes and initializers to an existing graph under unique names with one prefix.</summary>
    private sealed class GraphEditor(GraphProto graph, long opset, string prefix)
    {
        private readonly HashSet<string> _names = new(
            graph.Input.Select(i => i.Name).Concat(graph.Initializer.Select(i => i.Name)).Concat(graph.Node.SelectMany(n => n.Output)),
            StringComparer.Ordinal);

        public string Node(string opType, IEnumerable<string> inputs, string? domain, string hint, params AttributeProto[] attributes)
        {
            var name = Unique(hint);
            var node = new NodeProto { OpType = opType, Name = name, Domain = domain ?? "" };
            node.Input.AddRange(inputs);
            node.Output.Add(name);
            node.Attribute.AddRange(attributes);
            graph.Node.Add(node);
            return name;
        }

        public string Int64(string hint, long[] values, bool scalar = false)
        {
            var tensor = new TensorProto { Name = Unique(hint), DataType = (int)TensorProto.Types.DataType.Int64 };
            if (!scalar)
            {
                tensor.Dims.Add(values.Length);
            }

            tensor.Int64Data.AddRange(values);
            graph.Initializer.Add(tensor);
            return tensor.Name;
        }

        public string StringToInt64(string input, IReadOnlyList<(string Key, long Value)> mapping, long otherwise, string hint) =>
            Node("LabelEncoder", [input], OnnxGraphBuilder.MlDomain, hint,
                OnnxAttributes.Strings("keys_strings", mapping.Select(m => m.Key)), OnnxAttributes.Ints("values_int64s", mapping.Select(m => m.Value)), OnnxAttributes.Int("default_int64", otherwise));

        /// <summary>[N, 1, X] -> [N, X] (the axes are an attribute before opset 13, an input since).</summary>
        public string SqueezeAxis1(string input, string hint) => opset < 13
            ? Node("Squeeze", [input], null, hint, OnnxAttributes.Ints("axes", [1]))
            : Node("Squeeze", [input, Int64("axis_1", [1])], null, hint);

        /// <summary>[N, W, C] -> [N, W] (sum over the last axis).</summary>
        public string ReduceSumAxis2(string input, string hint) => opset < 13
            ? Node("ReduceSum", [input], null, hint, OnnxAttributes.Ints("axes", [2]), OnnxAttributes.Int("keepdims", 0))
            : Node("ReduceSum", [input, Int64("axis_2_list", [2])], null, hint, OnnxAttributes.Int("keepdims", 0));

        public string CastToInt64(string input, string hint) =>
            Node("Cast", [input], null, hint, OnnxAttributes.Int("to", (long)TensorProto.Types.DataType.Int64));

        public string CumSumAxis1(string input, string hint) => Node("CumSum", [input, Int64("axis_1_scalar", [1], scalar: true)], null, hint);

        public AttributeProto Int64Value(long value)
        {
            var tensor = new TensorProto { DataType = (int)TensorProto.Types.DataType.Int64 };
            tensor.Dims.Add(1);
            tensor.Int64Data.Add(value);
            return new AttributeProto { Name = "value", Type = AttributeProto.Types.AttributeType.Tensor, T = tensor };
        }

        /// <summary>
        /// [N, C] values -> [N, C + 2]: at index m the value at the row's m-th separator (1-based), 0 at index 0
        /// and past the row's last separator; the last (spare) column collects what no separator writes.
        /// </summary>
        public string AtSeparators(string separator, string separatorsSoFar, string values, string hint)
        {
            var shape = Node("Shape", [values], null, hint + "_shape");
            var spare = Node("Add", [Node("Gather", [shape, Int64("width_index", [1])], null, hint + "_width", OnnxAttributes.Int("axis", 0)), Int64("one_more", [1])], null, hint + "_spare");
            var targets = Node("Where", [separator, separatorsSoFar, spare], null, hint + "_targets");
            var zeros = Node("ConstantOfShape", [Node("Add", [shape, Int64("two_columns", [0, 2])], null, hint + "_zeros_shape")], null, hint + "_zeros", Int64Value(0));
            return Node("ScatterElements", [zeros, targets, values], null, hint, OnnxAttributes.Int("axis", 1));
        }

        /// <summary>
        /// [N, L + 2] values at separators (and the spare column) -> [N, L] per word: the value at the word's
        /// separator minus the value at the separator before it.
        /// </summary>
        public string WordSums(string atSeparators, string hint)
        {
            var width = Node("Gather", [Node("Shape", [atSeparators], null, hint + "_shape"), Int64("width_index", [1])], null, hint + "_width", OnnxAttributes.Int("axis", 0));
            var withoutSpare = Node("Sub", [width, Int64("one_less", [1])], null, hint + "_without_spare");
            var beforeLast = Node("Sub", [width, Int64("two_less", [2])], null, hint + "_before_last");
            var ends = Node("Slice", [atSeparators, Int64("from_second", [1]), withoutSpare, Int64("slice_axis", [1])], null, hint + "_ends");
            var starts = Node("Slice", [atSeparators, Int64("from_first", [0]), beforeLast, Int64("slice_axis", [1])], null, hint + "_starts");
            return Node("Sub", [ends, starts], null, hint);
        }

        /// <summary>
        /// [N, M] ids with <see cref="Removed"/> entries -> [N, M]: the other ids moved left in order, -1 after
        /// them. Kept entry i goes to (number of kept entries up to i) - 1; removed ones to a spare last column.
        /// </summary>
        public string DropRemoved(string ids, string hint)
        {
            var keep = Node("Not", [Node("Equal", [ids, Int64("removed_id", [Removed])], null, hint + "_is_removed")], null, hint + "_keep");
            var positions = Node("Sub", [
                Node("CumSum", [Node("Cast", [keep], null, hint + "_keep_count", OnnxAttributes.Int("to", (long)TensorProto.Types.DataType.Int64)), Int64("axis_1_scalar", [1], scalar: true)], null, hint + "_kept_so_far"),
                Int64("one_position", [1])], null, hint + "_positions");
            var shape = Node("Shape", [ids], null, hint + "_shape");
            var width = Node("Gather", [shape, Int64("width_index", [1])], null, hint + "_width", OnnxAttributes.Int("axis", 0));
            var targets = Node("Where", [keep, positions, width], null, hint + "_targets");
            var padded = Node("ConstantOfShape", [Node("Add", [shape, Int64("spare_column", [0, 1])], null, hint + "_padded_shape")], null, hint + "_unknown", Int64Value(Unknown));
            var scattered = Node("ScatterElements", [padded, targets, ids], null, hint + "_scattered", OnnxAttributes.Int("axis", 1));
            return Node("Slice", [scattered, Int64("slice_start", [0]), width, Int64("slice_axis", [1])], null, hint);
        }

        private string Unique(string hint)
        {
            var name = $"{prefix}_{hint}";
            for (var i = 1; !_names.Add(name); i++)
            {
                name = $"{prefix}_{hint}_{i}";
            }

            return name;
        }
    }
}
