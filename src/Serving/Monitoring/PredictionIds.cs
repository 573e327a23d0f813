using System.Buffers;
using System.Buffers.Binary;
using MLPipeline.Serving.Pool;

namespace MLPipeline.Serving.Monitoring;

/// <summary>
/// Every prediction request has an id: the client's <c>X-Request-Id</c> when it sends a valid one, else a new
/// time-ordered random one. Row <c>i</c> of a request of several rows is <c>&lt;id&gt;-&lt;i&gt;</c>; a one-row
/// request's only row is the id itself. Feedback names rows by these ids.
/// </summary>
public static class PredictionIds
{
    public const string Header = "X-Request-Id";
    public const int MaxLength = 64;

    // Letters, digits and . _ - : no separators, quotes, spaces or control characters that could change a log line,
    // a header, a CSV cell or a path in any later tool.
    private static readonly SearchValues<char> Allowed = SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-");

    /// <summary>The request's id: the client's when valid, else a new one.</summary>
    /// <exception cref="InvalidInputException">The client sent an id that is too long, empty or has other characters.</exception>
    public static string For(HttpRequest request)
    {
        var sent = request.Headers[Header];
        if (sent.Count == 0)
        {
            return New();
        }

        var id = sent.Count == 1 ? sent[0] : null;
        return IsValid(id)
            ? id!
            : throw new InvalidInputException(Header, $"must be one value of 1 to {MaxLength} letters, digits, '.', '_' or '-'.");
    }

    public static bool IsValid(string? id) =>
        id is { Length: > 0 and <= MaxLength } && !id.AsSpan().ContainsAnyExcept(Allowed);

    /// <summary>
    /// A new id: the 32 hex digits of a version 7 UUID (RFC 9562: 48 bits of Unix milliseconds, then 74 random bits),
    /// as <c>Guid.CreateVersion7().ToString("N")</c> gives them, with the random bits from <see cref="BufferedRandom"/>.
    /// </summary>
    public static string New()
    {
        Span<byte> uuid = stackalloc byte[16];
        BinaryPrimitives.WriteInt64BigEndian(uuid, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() << 16);
        BufferedRandom.Fill(uuid[6..]);
        uuid[6] = (byte)(0x70 | (uuid[6] & 0x0F));
        uuid[8] = (byte)(0x80 | (uuid[8] & 0x3F));
        return Convert.ToHexStringLower(uuid);
    }

    /// <summary>The id of row <paramref name="row"/> of a request of <paramref name="rows"/> rows.</summary>
    public static string OfRow(string requestId, int row, int rows) =>
        rows == 1 ? requestId : string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{requestId}-{row}");
}
