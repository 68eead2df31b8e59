using System.Buffers.Binary;
using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace Outbox.Bus.Components.Tracking;

/// <summary>What a tracking URL stands for: the open of a job's message, or a click on one of its links.</summary>
public enum TrackingKind : byte
{
    Open = 1,
    Link = 2,
}

/// <summary>A verified token: the job, and for a link its index and original target.</summary>
public sealed record TrackingTarget(TrackingKind Kind, Guid JobId, int LinkIndex = 0, string? Url = null);

/// <summary>
/// The path segment of a pixel or link URL. Everything the endpoint acts on is inside it and covered by an HMAC-SHA256
/// tag, so a token can be neither guessed (the job id alone is not enough) nor altered (e.g. to another redirect target):
/// <c>base64url(version | kind | job id | [link index | URL] | tag)</c>, the tag being the first 16 bytes of the HMAC of
/// everything before it. The target travels in the token rather than in a table: nothing is stored per link, and a
/// redirect can only ever lead where the sender's own HTML pointed.
/// </summary>
public static class TrackingToken
{
    const byte Version = 1;
    const int TagLength = 16;
    const int HeaderLength = 2 + 16;
    const int LinkHeaderLength = HeaderLength + 2;

    /// <summary>The most links a message can have tracked: the index is two bytes.</summary>
    public const int MaxLinks = ushort.MaxValue + 1;

    public static string ForOpen(ReadOnlySpan<byte> key, Guid jobId)
    {
        Span<byte> body = stackalloc byte[HeaderLength];
        WriteHeader(body, TrackingKind.Open, jobId);
        return Sign(key, body);
    }

    public static string ForLink(ReadOnlySpan<byte> key, Guid jobId, int linkIndex, string url)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(linkIndex);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(linkIndex, MaxLinks);
        var urlBytes = Encoding.UTF8.GetBytes(url);
        var body = new byte[LinkHeaderLength + urlBytes.Length];
        WriteHeader(body, TrackingKind.Link, jobId);
        BinaryPrimitives.WriteUInt16BigEndian(body.AsSpan(HeaderLength), (ushort)linkIndex);
        urlBytes.CopyTo(body, LinkHeaderLength);
        return Sign(key, body);
    }

    /// <summary>False for anything that is not a token this key signed, unchanged: no detail on what was wrong.</summary>
    public static bool TryRead(ReadOnlySpan<byte> key, string? token, out TrackingTarget target)
    {
        target = null!;
        if (string.IsNullOrEmpty(token) || token.Length > 8192)
            return false;

        var bytes = new byte[Base64Url.GetMaxDecodedLength(token.Length)];
        if (Base64Url.DecodeFromChars(token, bytes, out var consumed, out var written) != System.Buffers.OperationStatus.Done
            || consumed != token.Length || written < HeaderLength + TagLength)
            return false;

        var data = bytes.AsSpan(0, written);
        var body = data[..^TagLength];
        Span<byte> expected = stackalloc byte[32];
        HMACSHA256.HashData(key, body, expected);
        if (!CryptographicOperations.FixedTimeEquals(expected[..TagLength], data[^TagLength..]))
            return false;

        // Signed by us, so well-formed unless the layout changed: the checks below guard against our own mistakes.
        if (body[0] != Version)
            return false;
        var jobId = new Guid(body.Slice(2, 16), bigEndian: true);
        switch ((TrackingKind)body[1])
        {
            case TrackingKind.Open when body.Length == HeaderLength:
                target = new TrackingTarget(TrackingKind.Open, jobId);
                return true;
            case TrackingKind.Link when body.Length > LinkHeaderLength:
                var index = BinaryPrimitives.ReadUInt16BigEndian(body.Slice(HeaderLength, 2));
                string url;
                try
                {
                    url = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(body[LinkHeaderLength..]);
                }
                catch (DecoderFallbackException)
                {
                    return false;
                }
                if (!HtmlTracking.IsTrackable(url, out _))
                    return false;
                target = new TrackingTarget(TrackingKind.Link, jobId, index, url);
                return true;
            default:
                return false;
        }
    }

    static void WriteHeader(Span<byte> body, TrackingKind kind, Guid jobId)
    {
        body[0] = Version;
        body[1] = (byte)kind;
        jobId.TryWriteBytes(body.Slice(2, 16), bigEndian: true, out _);
    }

    static string Sign(ReadOnlySpan<byte> key, ReadOnlySpan<byte> body)
    {
        var token = new byte[body.Length + TagLength];
        body.CopyTo(token);
        Span<byte> tag = stackalloc byte[32];
        HMACSHA256.HashData(key, body, tag);
        tag[..TagLength].CopyTo(token.AsSpan(body.Length));
        return Base64Url.EncodeToString(token);
    }
}
