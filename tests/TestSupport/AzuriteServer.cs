using System.Diagnostics;
using System.Text;
using Azure.Storage;
using Azure.Storage.Blobs;
using Azure.Storage.Sas;

namespace MLPipeline.TestSupport;

/// <summary>
/// A real Azurite blob server (npm <c>azurite</c>, pinned in tests/package.json) on a free loopback port.
/// It can be stopped and started again on the same port, to test how clients live through an outage; with
/// <c>persistent: true</c> its data survives the restart. With <c>queue: true</c> Azurite's queue service runs beside
/// it on a port of its own (for distributed training), and the connection string names both endpoints.
/// </summary>
public sealed class AzuriteServer : IAsyncDisposable
{
    public const string AccountName = "devstoreaccount1";

    /// <summary>Azurite's well-known development key (public, documented by Microsoft; not a secret).</summary>
    public const string AccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    /// <summary>A well-formed key that is not the account's: every request signed with it is refused.</summary>
    public const string WrongKey = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA==";

    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);
    private readonly StringBuilder _log = new();
    private readonly string? _dataFolder;
    private Process? _process;
    private Process? _queueProcess;

    private AzuriteServer(int port, string? dataFolder, int? queuePort)
    {
        Port = port;
        QueuePort = queuePort;
        _dataFolder = dataFolder;
        AppDomain.CurrentDomain.ProcessExit += (_, _) => Kill();
    }

    public int Port { get; }

    /// <summary>The queue service's port, when it runs.</summary>
    public int? QueuePort { get; }

    /// <summary>The account's queue endpoint, e.g. http://127.0.0.1:53413/devstoreaccount1.</summary>
    public Uri QueueEndpoint => new($"http://127.0.0.1:{QueuePort ?? throw new InvalidOperationException("Azurite was started without its queue service.")}/{AccountName}");

    /// <summary>A queue's URI, without credentials.</summary>
    public string QueueUri(string queue) => $"{QueueEndpoint}/{queue}";

    public bool IsRunning => _process is { HasExited: false };

    /// <summary>The account's blob endpoint, e.g. http://127.0.0.1:53412/devstoreaccount1.</summary>
    public Uri BlobEndpoint => new($"http://127.0.0.1:{Port}/{AccountName}");

    public string ConnectionString => ConnectionStringWithKey(AccountKey);

    public string ConnectionStringWithKey(string key) =>
        $"DefaultEndpointsProtocol=http;AccountName={AccountName};AccountKey={key};BlobEndpoint={BlobEndpoint};" + (QueuePort is null ? "" : $"QueueEndpoint={QueueEndpoint};");

    /// <summary>The store location string for a container (and optional prefix), without credentials.</summary>
    public string StoreUri(string container, string? prefix = null) =>
        $"{BlobEndpoint}/{container}{(prefix is null ? "" : "/" + prefix)}";

    /// <summary>The store location string with a container SAS signed by <paramref name="key"/> (default: the right key).</summary>
    public string StoreUriWithSas(string container, string? prefix = null, string? key = null, BlobContainerSasPermissions permissions = BlobContainerSasPermissions.All)
    {
        var sas = new BlobSasBuilder(permissions, DateTimeOffset.UtcNow.AddHours(1)) { BlobContainerName = container, Resource = "c" }
            .ToSasQueryParameters(new StorageSharedKeyCredential(AccountName, key ?? AccountKey));
        return $"{StoreUri(container, prefix)}?{sas}";
    }

    public BlobServiceClient ServiceClient() => new(ConnectionString);

    /// <summary>Creates a fresh container with a unique name and returns that name.</summary>
    public async Task<string> CreateContainerAsync(string? name = null)
    {
        name ??= $"models-{Guid.NewGuid():N}"[..30];
        await ServiceClient().GetBlobContainerClient(name).CreateIfNotExistsAsync();
        return name;
    }

    /// <summary>Installs Azurite if needed (npm ci) and starts it on a free loopback port.</summary>
    public static async Task<AzuriteServer> StartAsync(bool persistent = false, bool queue = false)
    {
        var dataFolder = persistent ? Directory.CreateTempSubdirectory("azurite-").FullName : null;
        return await LoopbackPorts.StartOnFreePortAsync(async port =>
        {
            // The queue's port is the blob port's neighbour when free, else any free one; a taken port starts both again elsewhere.
            var server = new AzuriteServer(port, dataFolder, queue ? QueuePortNear(port) : null);
            await server.StartAsync();
            return server;
        });
    }

    /// <summary>Starts the server again on the same port after <see cref="StopAsync"/>.</summary>
    public async Task StartAsync()
    {
        if (IsRunning)
        {
            return;
        }

        var azurite = await NodePackages.EnsureInstalledAsync("azurite");
        var arguments = new List<string>
        {
            Path.Combine(azurite, "dist", "src", "blob", "main.js"),
            "--blobHost", "127.0.0.1",
            "--blobPort", Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--skipApiVersionCheck", "--disableTelemetry", "--silent",
        };
        arguments.AddRange(_dataFolder is null ? ["--inMemoryPersistence"] : ["--location", _dataFolder]);
        var startInfo = new ProcessStartInfo("node", arguments)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        lock (_log)
        {
            _log.Clear();
        }

        var process = NodePackages.Start(startInfo);
        process.OutputDataReceived += (_, e) => Log(e.Data);
        process.ErrorDataReceived += (_, e) => Log(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _process = process;
        await WaitUntilAnsweringAsync(process, Port, new Uri($"{BlobEndpoint}?comp=list"));
        if (QueuePort is { } queuePort)
        {
            var queue = NodePackages.Start(new ProcessStartInfo("node",
            [
                Path.Combine(azurite, "dist", "src", "queue", "main.js"),
                "--queueHost", "127.0.0.1", "--queuePort", queuePort.ToString(System.Globalization.CultureInfo.InvariantCulture),
                "--skipApiVersionCheck", "--disableTelemetry", "--silent", "--inMemoryPersistence",
            ])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            });
            queue.OutputDataReceived += (_, e) => Log(e.Data);
            queue.ErrorDataReceived += (_, e) => Log(e.Data);
            queue.BeginOutputReadLine();
            queue.BeginErrorReadLine();
            _queueProcess = queue;
            try
            {
                await WaitUntilAnsweringAsync(queue, queuePort, new Uri($"{QueueEndpoint}?comp=list"));
            }
            catch
            {
                Kill();
                _process = null;
                throw;
            }
        }
    }

    /// <summary>Stops the server: afterwards its port refuses connections until <see cref="StartAsync()"/>.</summary>
    public async Task StopAsync()
    {
        if (_queueProcess is { } queue)
        {
            _queueProcess = null;
            if (!queue.HasExited)
            {
                queue.Kill(entireProcessTree: true);
                await queue.WaitForExitAsync();
            }

            queue.Dispose();
        }

        var process = _process;
        _process = null;
        if (process is null)
        {
            return;
        }

        if (!process.HasExited)
        {
            // A graceful stop (SIGTERM) lets Azurite save its metadata, which a persistent server needs after a restart.
            if (!OperatingSystem.IsWindows())
            {
                using var term = Process.Start(new ProcessStartInfo("kill", ["-s", "TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]) { UseShellExecute = false });
                await term!.WaitForExitAsync();
            }

            using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            try
            {
                await process.WaitForExitAsync(grace.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync();
            }
        }

        process.Dispose();
    }

    public async Task RestartAsync()
    {
        await StopAsync();
        await StartAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        if (_dataFolder is not null && Directory.Exists(_dataFolder))
        {
            Directory.Delete(_dataFolder, recursive: true);
        }
    }

    private async Task WaitUntilAnsweringAsync(Process process, int port, Uri probe)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        try
        {
            await Eventually.ValueAsync(() => AnswersAsync(http, process, port, probe), answered => answered, StartTimeout);
        }
        catch (TimeoutException)
        {
            Kill();
            throw new TimeoutException($"Azurite did not answer on {probe} within {StartTimeout.TotalSeconds} s:{Environment.NewLine}{LogText}");
        }
    }

    /// <summary>Any HTTP answer (an anonymous listing is refused with 403) means the server is up; a server that exited ends the wait.</summary>
    private async Task<bool> AnswersAsync(HttpClient http, Process process, int port, Uri probe)
    {
        bool answered;
        try
        {
            using var response = await http.GetAsync(probe);
            answered = true;
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            answered = false;
        }

        // Checked after the probe: another server may answer on the port Azurite could not take.
        if (process.HasExited)
        {
            if (process == _process)
            {
                _process = null;
            }

            var log = LogText;
            throw log.Contains("EADDRINUSE", StringComparison.Ordinal)
                ? new PortInUseException(port, new InvalidOperationException(log))
                : new InvalidOperationException($"Azurite exited with code {process.ExitCode} while starting on port {port}:{Environment.NewLine}{log}");
        }

        return answered;
    }

    private string LogText
    {
        get
        {
            lock (_log)
            {
                return _log.ToString();
            }
        }
    }

    private void Log(string? line)
    {
        if (line is not null)
        {
            lock (_log)
            {
                _log.AppendLine(line);
            }
        }
    }

    private void Kill()
    {
        try
        {
            if (_process is { HasExited: false } process)
            {
                process.Kill(entireProcessTree: true);
            }

            if (_queueProcess is { HasExited: false } queue)
            {
                queue.Kill(entireProcessTree: true);
            }
        }
        catch (InvalidOperationException)
        {
        }
    }

    private static int QueuePortNear(int blobPort)
    {
        try
        {
            using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, blobPort + 1);
            listener.Start();
            return blobPort + 1;
        }
        catch (System.Net.Sockets.SocketException)
        {
            using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
            listener.Start();
            return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        }
    }
}
