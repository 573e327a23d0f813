using Microsoft.ML;
using MLPipeline.Shared.Manifest;
using MLPipeline.Training.Specs;

namespace MLPipeline.Training.Data;

/// <summary>
/// The one read of the CSV. Checks the header and every value against the spec (ML.NET would silently turn a
/// bad number into NaN), infers undeclared column roles, counts rows, collects label classes, hashes the file
/// on the same read, and (for a training run) stores the parsed rows in ML.NET's binary format so that no
/// later pass parses the text again. Memory is bounded by the distinct values it tracks.
/// </summary>
public static class CsvProfiler
{
    /// <summary>Rows read ahead to choose how each undeclared column is stored: as a number or as text.</summary>
    internal const int HeadRows = 1000;

    /// <summary>A non-numeric column with at most this many distinct values (or 5% of rows) is categorical.</summary>
    private const int MaxCategoricalDistinct = 100;

    /// <summary>Profiles the file without storing its rows.</summary>
    public static DataProfile Profile(TrainingSpec spec) => Read(spec, binaryPath: null);

    /// <summary>Profiles the file and writes its parsed rows to <paramref name="binaryPath"/> (ML.NET's binary format) in the same pass.</summary>
    public static DataProfile ProfileAndStore(TrainingSpec spec, string binaryPath) => Read(spec, binaryPath);

    /// <param name="open">Opens the file for reading; tests pass one that counts what is read.</param>
    internal static DataProfile Read(TrainingSpec spec, string? binaryPath, int headRows = HeadRows, Func<string, Stream>? open = null)
    {
        var path = spec.DataPath;
        if (open is null && Directory.Exists(path))
        {
            throw new DataException($"{path}: is a folder, not a data file (spec {spec.SourcePath}, data.path '{spec.Data.Path}').");
        }

        if (open is null && !File.Exists(path))
        {
            throw new DataException($"{path}: data file not found (spec {spec.SourcePath}, data.path '{spec.Data.Path}').");
        }

        // An undeclared column whose first rows were all numbers but which holds text further down is stored
        // as text on a second read; only such a file is read twice.
        var storedAsText = new HashSet<int>();
        while (true)
        {
            try
            {
                return ReadOnce(spec, path, binaryPath, headRows, storedAsText, open ?? File.OpenRead);
            }
            catch (StoredAsTextException ex)
            {
                storedAsText.Add(ex.Column);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                throw new DataException($"{path}: cannot read the data file ({ex.Message}).", ex);
            }
        }
    }

    private static DataProfile ReadOnce(TrainingSpec spec, string path, string? binaryPath, int headRows, HashSet<int> storedAsText, Func<string, Stream> open)
    {
        var data = spec.Data;
        using var text = new BackgroundTextReader(open(path));
        using var reader = CsvFormat.Open(text, data, path);
        var first = NextRow(reader, path) ?? throw new DataException($"{path}: the file is empty.");
        var header = data.HasHeader ? first.Fields.Select(h => h.Trim()).ToList() : first.Fields.Select((_, i) => $"Column{i}").ToList();
        CheckHeader(spec, path, header);
        if (data.HasHeader && header.FirstOrDefault(h => h.Contains(InvalidUtf8Line.Marker)) is { } notUtf8)
        {
            throw new DataException(InvalidUtf8Line.Message(path, 1, notUtf8));
        }

        var head = new List<CsvPass.BufferedRow>(headRows);
        if (!data.HasHeader)
        {
            head.Add(first);
        }

        while (head.Count < headRows && NextRow(reader, path) is { } row)
        {
            head.Add(row);
        }

        var stored = Storage(spec, header, head, storedAsText);
        var pass = new CsvPass(path, spec, header, stored, head, reader, text.InvalidUtf8);
        if (binaryPath is null)
        {
            while (pass.MoveNext())
            {
            }
        }
        else
        {
            Store(pass, binaryPath);
        }

        // Sep has read to the end; reading on lets the hash take in every byte and finish.
        text.ReadToEnd();
        if (text.InvalidUtf8.Line > 0)
        {
            // Every row's lines were checked; this is text past the last row, where no column can be named.
            throw new DataException(InvalidUtf8Line.Message(path, text.InvalidUtf8.Line, column: null));
        }

        return Describe(spec, path, header, pass, Convert.ToHexStringLower(text.Finish()));
    }

    private static CsvPass.BufferedRow? NextRow(nietras.SeparatedValues.SepReader reader, string path)
    {
        while (CsvFormat.MoveNext(reader, path))
        {
            if (!CsvFormat.IsBlank(reader.Current))
            {
                return CsvPass.BufferedRow.From(reader.Current);
            }
        }

        return null;
    }

    private static void CheckHeader(TrainingSpec spec, string path, List<string> header)
    {
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < header.Count; i++)
        {
            // A nameless column could be neither declared, excluded nor shown; ML.NET refuses it deep inside training.
            if (header[i].Length == 0)
            {
                throw new DataException($"{path}, line 1: field {i + 1} of the header is empty; every column needs a name.");
            }

            if (!seen.TryAdd(header[i], i))
            {
                throw new DataException($"{path}, line 1: the header names column '{header[i]}' twice (fields {seen[header[i]] + 1} and {i + 1}); every column needs its own name.");
            }
        }

        if (!seen.ContainsKey(spec.Label))
        {
            throw new DataException($"{path}: the header has no label column '{spec.Label}' (columns: {string.Join(", ", header)}).");
        }

        foreach (var declared in spec.Columns.Keys.Where(c => !seen.ContainsKey(c)))
        {
            throw new DataException($"{path}: the header has no column '{declared}' declared in the spec's columns (columns: {string.Join(", ", header)}).");
        }
    }

    /// <summary>How each column is stored: declared roles as declared, undeclared ones as numbers when their first rows are.</summary>
    private static List<StoredColumn> Storage(TrainingSpec spec, List<string> header, List<CsvPass.BufferedRow> head, HashSet<int> storedAsText)
    {
        var stored = new List<StoredColumn>();
        for (var i = 0; i < header.Count; i++)
        {
            var name = header[i];
            if (name == spec.Label)
            {
                stored.Add(new StoredColumn(name, i, spec.Task == ModelTask.Regression, Declared: true, IsLabel: true));
                continue;
            }

            if (spec.Columns.TryGetValue(name, out var kind))
            {
                if (kind != ColumnKind.Ignore)
                {
                    stored.Add(new StoredColumn(name, i, kind == ColumnKind.Numeric, Declared: true, IsLabel: false));
                }

                continue;
            }

            var column = i;
            var numbers = !storedAsText.Contains(i) && head.All(r => column >= r.Fields.Length || r.Fields[column].Length == 0 || CsvNumbers.TryParse(r.Fields[column], out _));
            stored.Add(new StoredColumn(name, i, numbers, Declared: false, IsLabel: false));
        }

        return stored;
    }

    private static void Store(CsvPass pass, string binaryPath)
    {
        var ml = new MLContext();
        try
        {
            using var file = File.Create(binaryPath);
            BinaryRowsWriter.Write(ml, new CsvRowsView(pass), file);
        }
        catch (Exception ex) when (ex is not DataException and not StoredAsTextException && Cause(ex) is { } cause)
        {
            // ML.NET's saver wraps what the rows' cursor throws: hand on the data error itself.
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(cause);
        }

    }

    private static Exception? Cause(Exception ex)
    {
        for (var inner = ex; inner is not null; inner = inner.InnerException)
        {
            if (inner is DataException or StoredAsTextException)
            {
                return inner;
            }

            if (inner is AggregateException { InnerExceptions: [var only] })
            {
                return Cause(only);
            }
        }

        return null;
    }

    private static DataProfile Describe(TrainingSpec spec, string path, List<string> header, CsvPass pass, string sha256)
    {
        var rows = pass.Rows;
        if (rows == 0)
        {
            throw new DataException($"{path}: the file has a header but no data rows.");
        }

        var stats = pass.Stats;
        var labelIndex = header.IndexOf(spec.Label);
        CheckLabel(spec, path, stats[labelIndex]);
        var features = new List<ColumnPlan>();
        for (var i = 0; i < header.Count; i++)
        {
            if (i == labelIndex || pass.Ignored[i])
            {
                continue;
            }

            var declared = spec.Columns.TryGetValue(header[i], out var kind);
            kind = declared ? kind : Infer(stats[i], rows);
            if (kind != ColumnKind.Ignore)
            {
                features.Add(new ColumnPlan(header[i], i, kind, !declared));
            }
        }

        if (features.Count == 0)
        {
            throw new DataException($"{path}: no feature columns are left besides the label '{spec.Label}'.");
        }

        var classification = spec.Task != ModelTask.Regression;
        return new DataProfile
        {
            Path = path,
            Header = header,
            Features = features,
            LabelIndex = labelIndex,
            Rows = rows,
            Sha256 = sha256,
            LabelClasses = classification ? stats[labelIndex].Distinct.Keys.Order(StringComparer.Ordinal).ToList() : [],
            LabelCounts = classification ? new Dictionary<string, long>(stats[labelIndex].Distinct, StringComparer.Ordinal) : new Dictionary<string, long>(),
            MissingByColumn = header.Select((h, i) => (h, stats[i].Missing)).Where(x => x.Missing > 0).ToDictionary(x => x.h, x => x.Missing),
            SampleRow = pass.SampleRow!,
            Categories = features.Where(f => f.Kind == ColumnKind.Categorical && stats[f.Index].ListableValues() is not null)
                .ToDictionary(f => f.Name, f => stats[f.Index].ListableValues()!),
        };
    }

    private static void CheckLabel(TrainingSpec spec, string path, ColumnStats label)
    {
        if (label.FirstMissingLine is { } missingLine)
        {
            throw new DataException($"{path}, line {missingLine}, column '{spec.Label}': the label is missing.");
        }

        if (spec.Task == ModelTask.Regression)
        {
            // Nothing to learn, and R-squared divides by the label's variance: it would be infinite.
            if (!label.NumbersVary)
            {
                throw new DataException($"{path}, column '{spec.Label}': every label is {label.FirstNumber?.ToString(System.Globalization.CultureInfo.InvariantCulture)}; a regression task needs at least two different values.");
            }

            return;
        }

        var classes = label.Distinct;
        if (classes.Count < 2)
        {
            throw new DataException($"{path}, column '{spec.Label}': the label has a single class '{classes.Keys.FirstOrDefault()}'; a {spec.Task.ToString().ToLowerInvariant()} task needs at least two.");
        }

        if (spec.Task == ModelTask.Binary && classes.Count != 2)
        {
            throw new DataException($"{path}, column '{spec.Label}': a binary task needs exactly two label values, found {classes.Count} ({string.Join(", ", classes.Keys.Order(StringComparer.Ordinal).Take(10))}).");
        }

        if (label.DistinctOverflow)
        {
            throw new DataException($"{path}, column '{spec.Label}': more than {ColumnStats.DistinctTrackingCap} distinct label values; is this a regression task?");
        }
    }

    private static ColumnKind Infer(ColumnStats stats, long rows)
    {
        if (stats.NonMissing == 0)
        {
            return ColumnKind.Ignore;
        }

        if (stats.FirstNonNumeric is null)
        {
            return ColumnKind.Numeric;
        }

        return !stats.DistinctOverflow && stats.DistinctCount <= Math.Max(MaxCategoricalDistinct, rows / 20)
            ? ColumnKind.Categorical
            : ColumnKind.Text;
    }
}
