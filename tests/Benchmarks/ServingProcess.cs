using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace MLPipeline.Benchmarks;

/// <summary>An app of the load benchmarks (the serving app, a comparison app) as its own process on a free loopback port.</summary>
internal static class ServingProcess
{
    /// <param name="settings">Environment variables on top of the common ones (URL, Production, quiet logs, no rate limit).</param>
    public static Process Start(string servingDll, int port, IReadOnlyDictionary<string, string> settings)
    {
        var start = new ProcessStartInfo("dotnet", [servingDll])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Path.GetDirectoryName(servingDll)!,
        };
        start.Environment["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}";
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        start.Environment["Serving__RateLimit__PermitsPerSecond"] = "0";
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        foreach (var (name, value) in settings)
        {
            start.Environment[name] = value;
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start " + servingDll);
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) { Console.Error.WriteLine("[serving] " + e.Data); } };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { Console.Error.WriteLine("[serving] " + e.Data); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    public static Task WaitReadyAsync(HttpClient client) => WaitReadyAsync(client, new Uri("/healthz/ready", UriKind.Relative), anyAnswer: false);

    /// <param name="anyAnswer">Ready as soon as the app answers at all (a comparison app loads its model before it listens).</param>
    public static async Task WaitReadyAsync(HttpClient client, Uri url, bool anyAnswer)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                using var response = await client.GetAsync(url);
                if (anyAnswer || response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            await Task.Delay(200);
        }

        throw new TimeoutException($"The app at {url} did not become ready within 60 s.");
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
