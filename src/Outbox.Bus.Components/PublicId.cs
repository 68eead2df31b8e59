using System.Numerics;

namespace Outbox.Bus.Components;

/// <summary>
/// Nylas ids are 25 lowercase base-36 characters. A GUID's 128 bits fit exactly (36^25 &gt; 2^128), so every
/// job and account id is a GUID inside and this text outside, with no lookup table between them.
/// </summary>
public static class PublicId
{
    public const int Length = 25;
    const string Digits = "0123456789abcdefghijklmnopqrstuvwxyz";

    public static string Format(Guid id)
    {
        Span<byte> bytes = stackalloc byte[16];
        id.TryWriteBytes(bytes, bigEndian: true, out _);
        var value = new BigInteger(bytes, isUnsigned: true, isBigEndian: true);
        Span<char> chars = stackalloc char[Length];
        for (var i = Length - 1; i >= 0; i--)
        {
            value = BigInteger.DivRem(value, 36, out var digit);
            chars[i] = Digits[(int)digit];
        }
        return new string(chars);
    }

    public static bool TryParse(string? text, out Guid id)
    {
        id = Guid.Empty;
        if (text is null || text.Length != Length)
            return false;

        var value = BigInteger.Zero;
        foreach (var c in text)
        {
            var digit = Digits.IndexOf(c, StringComparison.Ordinal);
            if (digit < 0)
                return false;
            value = value * 36 + digit;
        }

        Span<byte> bytes = stackalloc byte[16];
        if (value.GetByteCount(isUnsigned: true) > 16)
            return false;
        bytes.Clear();
        var count = value.GetByteCount(isUnsigned: true);
        value.TryWriteBytes(bytes[(16 - count)..], out _, isUnsigned: true, isBigEndian: true);
        id = new Guid(bytes, bigEndian: true);
        return true;
    }
}
