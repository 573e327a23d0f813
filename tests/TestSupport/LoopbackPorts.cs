using System.Net;
using System.Net.Sockets;

namespace MLPipeline.TestSupport;

/// <summary>
/// Starting a server on a loopback port that nothing else holds. A port probed free can be taken by another process
/// before the server binds it, so a start that fails because the port is in use is tried again on another port.
/// </summary>
public static class LoopbackPorts
{
    private const int Attempts = 5;

    /// <summary>Starts a server on a free port; <paramref name="start"/> throws <see cref="PortInUseException"/> when its port was taken.</summary>
    public static async Task<T> StartOnFreePortAsync<T>(Func<int, Task<T>> start)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await start(ProbeFree());
            }
            catch (PortInUseException) when (attempt < Attempts)
            {
            }
        }
    }

    /// <summary>The synchronous form, for servers that start synchronously (e.g. <see cref="HttpListener"/>).</summary>
    public static T StartOnFreePort<T>(Func<int, T> start) =>
        StartOnFreePortAsync(port => Task.FromResult(start(port))).GetAwaiter().GetResult();

    /// <summary>A port that was free a moment ago: only for a server that reports a taken port (see above).</summary>
    private static int ProbeFree()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

/// <summary>A server could not bind its port because another process holds it.</summary>
public sealed class PortInUseException(int port, Exception? inner = null)
    : Exception($"Port {port} on loopback is already in use.", inner)
{
    public int Port { get; } = port;
}
