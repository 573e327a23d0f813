using System.Globalization;
using System.Security.Cryptography;
using MLPipeline.Shared.Manifest;
using MLPipeline.Training.Specs;

namespace MLPipeline.Training.Data;

/// <summary>
/// One streaming pass over the CSV before ML.NET reads it: checks the header and every value against the
/// spec (ML.NET would silently turn a bad number into NaN), infers undeclared column roles, counts rows,
/// collects label classes and hashes the file. Memory is bounded by the distinct values it tracks.
/// </summary>
public static class CsvProfiler
{
    /// <summary>A non-numeric column with at most this many distinct values (or 5% of rows) is categorical.</summary>
    private const int MaxCategoricalDistinct = 100;
    private const int DistinctTrackingCap = 10_000;

    public static DataProfile Profile(TrainingSpec spec)
    {
        var path = spec.DataPath;
        var data = spec.Data;
        if (!File.Exists(path))
        {
            throw new DataException($"{path}: data file not found (spec {spec.SourcePath}, data.path '{data.Path}').");
        }

        try
        {
            return ProfileFile(spec, path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new DataException($"{path}: cannot read the data file ({ex.Message}).", ex);
        }
    }

    private static DataProfile ProfileFile(TrainingSpec spec, string path)
    {
        var data = spec.Data;
        // The hash is taken on the same read as the profile: one pass over the file, not two.
        using var sha = SHA256.Create();
        using var reader = new StreamReader(new CryptoStream(File.OpenRead(path), sha, CryptoStreamMode.Read));
        var first = reader.ReadLine();
        while (first is not null && first.Length == 0)
        {
            first = reader.ReadLine();
        }

        if (first is null)
        {
            throw new DataException($"{path}: the file is empty.");
        }

        var headerFields = CsvLine.Split(first, data.SeparatorChar, data.AllowQuoting);
        var header = data.HasHeader ? headerFields.Select(h => h.Trim()).ToList() : headerFields.Select((_, i) => $"Column{i}").ToList();
        var labelIndex = header.IndexOf(spec.Label);
        if (labelIndex < 0)
        {
            throw new DataException($"{path}: the header has no label column '{spec.Label}' (columns: {string.Join(", ", header)}).");
        }

        foreach (var declared in spec.Columns.Keys.Where(c => !header.Contains(c)))
        {
            throw new DataException($"{path}: the header has no column '{declared}' declared in the spec's columns (columns: {string.Join(", ", header)}).");
        }

        var stats = header.Select(_ => new ColumnStats()).ToArray();
        var lineNumber = data.HasHeader ? 1L : 0L;
        var rows = 0L;
        Dictionary<string, string?>? sample = null;
        Dictionary<string, string?>? fallbackSample = null;
        var line = data.HasHeader ? reader.ReadLine() : first;
        for (; line is not null; line = reader.ReadLine())
        {
            lineNumber++;
            if (line.Length == 0)
            {
                continue;
            }

            var fields = CsvLine.Split(line, data.SeparatorChar, data.AllowQuoting);
            if (fields.Count != header.Count)
            {
                throw new DataException($"{path}, line {lineNumber}: {fields.Count} fields, but the header has {header.Count}.");
            }

            rows++;
            for (var i = 0; i < fields.Count; i++)
            {
                stats[i].Add(fields[i], lineNumber);
            }

            if (sample is null)
            {
                var row = header.Select((h, i) => (h, v: fields[i])).Where(x => x.h != spec.Label && spec.Columns.GetValueOrDefault(x.h) != ColumnKind.Ignore)
                    .ToDictionary(x => x.h, x => string.IsNullOrEmpty(x.v) ? null : x.v);
                fallbackSample ??= row;
                if (row.Values.All(v => v is not null))
                {
                    sample = row;
                }
            }
        }

        if (rows == 0)
        {
            throw new DataException($"{path}: the file has a header but no data rows.");
        }

        CheckLabel(spec, path, stats[labelIndex]);
        var features = new List<ColumnPlan>();
        for (var i = 0; i < header.Count; i++)
        {
            if (i == labelIndex)
            {
                continue;
            }

            var declared = spec.Columns.TryGetValue(header[i], out var kind);
            kind = declared ? kind : Infer(stats[i], rows);
            if (kind == ColumnKind.Numeric && stats[i].FirstNonNumeric is { } bad)
            {
                throw new DataException($"{path}, line {bad.Line}, column '{header[i]}': '{bad.Value}' is not a number, but the column is numeric{(declared ? " in the spec" : "")}.");
            }

            if (kind != ColumnKind.Ignore)
            {
                features.Add(new ColumnPlan(header[i], i, kind, !declared));
            }
        }

        if (features.Count == 0)
        {
            throw new DataException($"{path}: no feature columns are left besides the label '{spec.Label}'.");
        }

        return new DataProfile
        {
            Path = path,
            Header = header,
            Features = features,
            LabelIndex = labelIndex,
            Rows = rows,
            Sha256 = HashOfWholeFile(reader, sha),
            LabelClasses = spec.Task == ModelTask.Regression ? [] : stats[labelIndex].Distinct!.Keys.Order(StringComparer.Ordinal).ToList(),
            LabelCounts = spec.Task == ModelTask.Regression ? new Dictionary<string, long>() : new Dictionary<string, long>(stats[labelIndex].Distinct!, StringComparer.Ordinal),
            MissingByColumn = header.Select((h, i) => (h, stats[i].Missing)).Where(x => x.Missing > 0).ToDictionary(x => x.h, x => x.Missing),
            SampleRow = sample ?? fallbackSample!,
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
            if (label.FirstNonNumeric is { } bad)
            {
                throw new DataException($"{path}, line {bad.Line}, column '{spec.Label}': label '{bad.Value}' is not a number, but the task is regression.");
            }

            return;
        }

        var classes = label.Distinct!;
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
            throw new DataException($"{path}, column '{spec.Label}': more than {DistinctTrackingCap} distinct label values; is this a regression task?");
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

        return !stats.DistinctOverflow && stats.Distinct!.Count <= Math.Max(MaxCategoricalDistinct, rows / 20)
            ? ColumnKind.Categorical
            : ColumnKind.Text;
    }

    /// <summary>Reads what is left (nothing, normally) so the hash covers every byte, then finalizes it.</summary>
    private static string HashOfWholeFile(StreamReader reader, SHA256 sha)
    {
        reader.ReadToEnd();
        return Convert.ToHexStringLower(sha.Hash!);
    }

    private sealed class ColumnStats
    {
        public Dictionary<string, long>? Distinct { get; private set; } = new(StringComparer.Ordinal);
        public bool DistinctOverflow { get; private set; }
        public long Missing { get; private set; }
        public long NonMissing { get; private set; }
        public long? FirstMissingLine { get; private set; }
        public (long Line, string Value)? FirstNonNumeric { get; private set; }

        /// <summary>The distinct present values in ordinal order, or null when there are too many to list (or to track).</summary>
        public IReadOnlyList<string>? ListableValues() =>
            Distinct is { } distinct && !DistinctOverflow && distinct.Count <= InputColumn.MaxListedCategories
                ? [.. distinct.Keys.Order(StringComparer.Ordinal)]
                : null;

        public void Add(string value, long line)
        {
            if (value.Length == 0)
            {
                Missing++;
                FirstMissingLine ??= line;
                return;
            }

            NonMissing++;
            if (FirstNonNumeric is null && !float.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out _))
            {
                FirstNonNumeric = (line, value);
            }

            if (Distinct is null)
            {
                return;
            }

            if (Distinct.TryGetValue(value, out var count))
            {
                Distinct[value] = count + 1;
            }
            else if (Distinct.Count < DistinctTrackingCap)
            {
                Distinct[value] = 1;
            }
            else
            {
                DistinctOverflow = true;
            }
        }
    }
}
