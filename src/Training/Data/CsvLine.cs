using MLPipeline.Training.Specs;

namespace MLPipeline.Training.Data;

/// <summary>Splits one CSV record (a header line, say) the way <see cref="CsvFormat"/> reads every row.</summary>
internal static class CsvLine
{
    public static List<string> Split(string line, char separator, bool allowQuoting)
    {
        using var reader = CsvFormat.Open(new StringReader(line), new DataSpec { Path = "", Separator = separator.ToString(), AllowQuoting = allowQuoting }, "(a line)");
        if (!reader.MoveNext())
        {
            return [""];
        }

        var row = reader.Current;
        var fields = new List<string>(row.ColCount);
        for (var i = 0; i < row.ColCount; i++)
        {
            fields.Add(row[i].ToString());
        }

        return fields;
    }
}
