using System.Net;
using System.Net.Sockets;

namespace MLPipeline.TestSupport;

/// <summary>
/// A loopback port that is held open for the whole test and resets every connection at once: an endpoint that never
/// answers, without guessing a closed port or releasing one that another process may take. It counts the attempts.
/// </summary>
public sealed class RefusingListener : IDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private int _connections;

    public RefusingListener()
    {
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _ = Task.Run(RefuseAsync);
    }

    public int Port { get; }

    /// <summary>Connections accepted (and reset) so far.</summary>
    public int Connections => Volatile.Read(ref _connections);

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Stop();
        _stop.Dispose();
    }

    private async Task RefuseAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                using var socket = await _listener.AcceptSocketAsync(_stop.Token);
                Interlocked.Increment(ref _connections);

                // Linger 0: the close is a reset, not a graceful end the client could wait on.
                socket.LingerState = new LingerOption(true, 0);
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }
        }
    }
}
