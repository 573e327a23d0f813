using System.Globalization;
using BenchmarkDotNet.Running;
using MLPipeline.Benchmarks;

// dotnet run -c Release --project tests/Benchmarks -- inprocess [BenchmarkDotNet arguments, e.g. --job short]
// dotnet run -c Release --project tests/Benchmarks -- paired [rounds=200] [batch=2000]   (interleaved, for noisy machines)
// dotnet run -c Release --project tests/Benchmarks -- http [connections=16] [seconds=10] [warmup=3]
// dotnet run -c Release --project tests/Benchmarks -- throughput [connections=16] [seconds=8] [rounds=3] [warmup=3]   [otherServingDll]   (wrk, every endpoint side by side)
// dotnet run -c Release --project tests/Benchmarks -- logging [connections=16] [seconds=8] [rounds=3] [warmup=3]   [otherServingDll]   (wrk, 0%, 10%, 100% of requests logged)
// dotnet run -c Release --project tests/Benchmarks -- soak [minutes=3] [connections=16] [swapEverySeconds=5]   (hot reload)
// dotnet run -c Release --project tests/Benchmarks -- ui [models=50] [versions=100] [rounds=50]   (web pages on a big store, docs/ui.md)
// dotnet run -c Release --project tests/Benchmarks -- onnx-coverage [data folder=data]   (ONNX exporters side by side, docs/onnx.md)
// dotnet run -c Release --project tests/Benchmarks -- search-quality [trials=13] [spec ...]   (grid vs halving vs random, Search/RESULTS.md)
if (args.Length > 0 && args[0] == "search-quality")
{
    var trials = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 13;
    string[] specs = args.Length > 2 ? args[2..] : ["ames-housing", "breast-cancer", "credit", "diabetes", "digits", "house-prices", "iris", "penguins"];
    return await SearchQuality.RunAsync(Path.GetFullPath("pipelines"), specs, trials);
}

if (args.Length > 0 && args[0] == "ui")
{
    var models = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 50;
    var versions = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 100;
    var rounds = args.Length > 3 ? int.Parse(args[3], CultureInfo.InvariantCulture) : 50;
    return await UiPagesBenchmark.RunAsync(models, versions, rounds, Path.Combine(AppContext.BaseDirectory, "MLPipeline.Serving.dll"));
}

// dotnet run -c Release --project tests/Benchmarks -- onnx-throughput [connections=16] [seconds=8] [rounds=3] [warmup=3] [onnx models=data/onnx-models]   (imported CNN: HTTP vs in process)
if (args.Length > 0 && args[0] == "onnx-throughput")
{
    var connections = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 16;
    var seconds = args.Length > 2 ? double.Parse(args[2], CultureInfo.InvariantCulture) : 8;
    var rounds = args.Length > 3 ? int.Parse(args[3], CultureInfo.InvariantCulture) : 3;
    var warmup = args.Length > 4 ? double.Parse(args[4], CultureInfo.InvariantCulture) : 3;
    var models = Path.GetFullPath(args.Length > 5 ? args[5] : Path.Combine("data", "onnx-models"));
    return await OnnxThroughput.RunAsync(models, connections, TimeSpan.FromSeconds(seconds), rounds, TimeSpan.FromSeconds(warmup));
}

if (args.Length > 0 && args[0] == "onnx-coverage")
{
    return OnnxCoverage.Run(Path.GetFullPath(args.Length > 1 ? args[1] : "data"));
}

if (args.Length > 0 && args[0] == "http")
{
    var connections = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 16;
    var seconds = args.Length > 2 ? double.Parse(args[2], CultureInfo.InvariantCulture) : 10;
    var warmup = args.Length > 3 ? double.Parse(args[3], CultureInfo.InvariantCulture) : 3;
    var servingDll = Path.Combine(AppContext.BaseDirectory, "MLPipeline.Serving.dll");
    return await LoopbackLoad.RunAsync(connections, TimeSpan.FromSeconds(seconds), TimeSpan.FromSeconds(warmup), servingDll);
}

if (args.Length > 0 && args[0] == "throughput")
{
    var connections = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 16;
    var seconds = args.Length > 2 ? double.Parse(args[2], CultureInfo.InvariantCulture) : 8;
    var rounds = args.Length > 3 ? int.Parse(args[3], CultureInfo.InvariantCulture) : 3;
    var warmup = args.Length > 4 ? double.Parse(args[4], CultureInfo.InvariantCulture) : 3;
    var other = args.Length > 5 ? Path.GetFullPath(args[5]) : null;
    return await ThroughputComparison.RunAsync(connections, TimeSpan.FromSeconds(seconds), rounds, TimeSpan.FromSeconds(warmup), other);
}

if (args.Length > 0 && args[0] == "logging")
{
    var connections = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 16;
    var seconds = args.Length > 2 ? double.Parse(args[2], CultureInfo.InvariantCulture) : 8;
    var rounds = args.Length > 3 ? int.Parse(args[3], CultureInfo.InvariantCulture) : 3;
    var warmup = args.Length > 4 ? double.Parse(args[4], CultureInfo.InvariantCulture) : 3;
    var other = args.Length > 5 ? Path.GetFullPath(args[5]) : null;
    return await ThroughputComparison.RunLoggingAsync(connections, TimeSpan.FromSeconds(seconds), rounds, TimeSpan.FromSeconds(warmup), other);
}

if (args.Length > 0 && args[0] == "soak")
{
    var minutes = args.Length > 1 ? double.Parse(args[1], CultureInfo.InvariantCulture) : 3;
    var connections = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 16;
    var swapEvery = args.Length > 3 ? double.Parse(args[3], CultureInfo.InvariantCulture) : 5;
    var servingDll = Path.Combine(AppContext.BaseDirectory, "MLPipeline.Serving.dll");
    return await ReloadSoak.RunAsync(TimeSpan.FromMinutes(minutes), connections, TimeSpan.FromSeconds(swapEvery), servingDll);
}

if (args.Length > 0 && args[0] == "paired")
{
    var rounds = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 200;
    var batch = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 2000;
    return PairedRatio.Run(rounds, batch);
}

if (args.Length > 0 && args[0] == "inprocess")
{
    BenchmarkSwitcher.FromTypes([typeof(DynamicVsTypedBenchmarks)]).Run(args[1..]);
    return 0;
}

Console.Error.WriteLine("usage: MLPipeline.Benchmarks inprocess [BenchmarkDotNet args] | paired [rounds] [batch] | http [connections] [seconds] [warmup] | throughput [connections] [seconds] [rounds] [warmup] [otherServingDll] | logging [connections] [seconds] [rounds] [warmup] [otherServingDll] | soak [minutes] [connections] [swapEverySeconds] | ui [models] [versions] [rounds] | onnx-coverage [data folder] | onnx-throughput [connections] [seconds] [rounds] [warmup] [onnx models folder] | search-quality [trials] [spec ...]");
return 1;
