using System.Diagnostics;
using System.Globalization;

namespace MLPipeline.Benchmarks;

/// <summary>
/// One bounded wrk run (Debian's <c>wrk</c> package) against one loopback URL: POST a fixed body with fixed headers
/// from N connections on one thread, closed loop, and read wrk's own summary back through a Lua <c>done</c> hook.
/// The same generator and settings for every endpoint, so its cost on the shared cores is the same for all.
/// </summary>
internal static class WrkLoad
{
    // init() reads the body file and headers named on the command line; done() prints one machine-readable line.
    private const string Script = """
        function init(args)
          local f = assert(io.open(args[1], "rb"))
          wrk.method = "POST"
          wrk.body = f:read("*a")
          f:close()
          wrk.headers["Content-Type"] = "application/json"
          for i = 2, #args, 2 do
            wrk.headers[args[i]] = args[i + 1]
          end
        end

        function done(summary, latency, requests)
          local e = summary.errors
          io.write(string.format("RESULT %d %d %d %d %d %d %d %d\n",
            summary.requests, summary.duration, e.status, e.connect + e.read + e.write + e.timeout,
            latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max))
        end
        """;

    public static string WriteScript(string folder)
    {
        var path = Path.Combine(folder, "post.lua");
        File.WriteAllText(path, Script);
        return path;
    }

    public static async Task<WrkResult> RunAsync(string script, Uri url, string bodyFile, IReadOnlyDictionary<string, string> headers, int connections, TimeSpan duration)
    {
        var start = new ProcessStartInfo("wrk")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in new[] { "-t1", $"-c{connections}", $"-d{(int)Math.Ceiling(duration.TotalSeconds)}s", "--timeout", "5s", "-s", script, url.ToString(), "--", bodyFile })
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in headers)
        {
            start.ArgumentList.Add(name);
            start.ArgumentList.Add(value);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start wrk; install it with `apt-get install -y wrk`.");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        var line = (await output).Split('\n').FirstOrDefault(l => l.StartsWith("RESULT ", StringComparison.Ordinal))
            ?? throw new InvalidOperationException($"wrk printed no result for {url} (exit {process.ExitCode}): {await output} {await error}");
        var f = line[7..].Split(' ').Select(v => long.Parse(v, CultureInfo.InvariantCulture)).ToArray();
        return new WrkResult(f[0], TimeSpan.FromMicroseconds(f[1]), f[2], f[3], f[4] / 1000.0, f[5] / 1000.0, f[6] / 1000.0, f[7] / 1000.0);
    }
}

/// <summary>One wrk run: requests answered, wall time, non-2xx answers, socket errors, latency percentiles in ms.</summary>
internal sealed record WrkResult(long Requests, TimeSpan Duration, long StatusErrors, long SocketErrors, double P50, double P90, double P99, double Max)
{
    public double Throughput => Requests / Duration.TotalSeconds;

    public long Errors => StatusErrors + SocketErrors;
}
