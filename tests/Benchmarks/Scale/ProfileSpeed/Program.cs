using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using MLPipeline.Training.Data;
using MLPipeline.Training.Specs;

// Where the one read of a CSV spends its time: each layer of the profiling pass on its own, in wall and CPU
// seconds, in rounds (default 2; the first is cold). On a shared machine, take several rounds and compare the
// best and the median of the warm ones.
//
//   dotnet run --project tests/Benchmarks/Scale/ProfileSpeed -c Release -- <csv> [label] [rounds]
if (args.Length is < 1 or > 3 || (args.Length == 3 && !int.TryParse(args[2], out _)))
{
    Console.Error.WriteLine("usage: profile-speed <csv> [label column, default 'label'] [rounds, default 2]");
    return 1;
}

var rounds = args.Length == 3 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 2;

var csv = Path.GetFullPath(args[0]);
var work = Directory.CreateTempSubdirectory("profile-speed-");
var specPath = Path.Combine(work.FullName, "spec.json");
File.WriteAllText(specPath, $$"""{ "name": "speed", "data": { "path": "{{csv}}" }, "label": "{{(args.Length > 1 ? args[1] : "label")}}", "task": "regression", "trainers": "Sdca" }""");
var spec = SpecLoader.Load(specPath);
var megabytes = new FileInfo(csv).Length / 1e6;
using var process = Process.GetCurrentProcess();

Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{csv}: {megabytes:F0} MB"));
Console.WriteLine("| layer | wall s | MB/s | CPU s | MB per CPU s |");
Console.WriteLine("|---|---:|---:|---:|---:|");
for (var round = 0; round < rounds; round++)
{
    Time("SHA-256 of the file", () =>
    {
        using var sha = SHA256.Create();
        using var stream = new CryptoStream(File.OpenRead(csv), sha, CryptoStreamMode.Read);
        stream.CopyTo(Stream.Null);
    });
    Time("Sep: rows and fields", () =>
    {
        using var reader = CsvFormat.Open(new StreamReader(File.OpenRead(csv)), spec.Data, csv);
        foreach (var row in reader)
        {
            _ = row.ColCount;
        }
    });
    Time("Sep + every field parsed as a number", () =>
    {
        using var reader = CsvFormat.Open(new StreamReader(File.OpenRead(csv)), spec.Data, csv);
        foreach (var row in reader)
        {
            for (var i = 0; i < row.ColCount; i++)
            {
                _ = CsvNumbers.TryParse(row[i].Span, out _);
            }
        }
    });
    Time("profile: checks, statistics, hash", () => CsvProfiler.Profile(spec));
    Time("profile + stored rows (the run's one read)", () => CsvProfiler.ProfileAndStore(spec, Path.Combine(work.FullName, "rows.idv")));
}

work.Delete(recursive: true);
return 0;

void Time(string layer, Action read)
{
    process.Refresh();
    var cpu = process.TotalProcessorTime;
    var clock = Stopwatch.StartNew();
    read();
    process.Refresh();
    var seconds = (process.TotalProcessorTime - cpu).TotalSeconds;
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"| {layer} | {clock.Elapsed.TotalSeconds:F2} | {megabytes / clock.Elapsed.TotalSeconds:F0} | {seconds:F2} | {megabytes / seconds:F0} |"));
}
