using System.Buffers.Text;
using System.Security.Cryptography;
using Outbox.Bus.Components.Tracking;

namespace Outbox.Bus.Components.Tests.Tracking;

/// <summary>Tokens carry everything the pixel and redirect act on, so only tokens signed with the key, unchanged, count.</summary>
public sealed class When_a_tracking_token_is_read
{
    static readonly byte[] Key = RandomNumberGenerator.GetBytes(32);

    [Fact]
    public void Should_give_back_the_job_of_an_open_token()
    {
        var jobId = Guid.NewGuid();

        Assert.True(TrackingToken.TryRead(Key, TrackingToken.ForOpen(Key, jobId), out var target));

        Assert.Equal(new TrackingTarget(TrackingKind.Open, jobId), target);
    }

    [Fact]
    public void Should_give_back_the_job_index_and_target_of_a_link_token()
    {
        var jobId = Guid.NewGuid();
        const string url = "https://example.com/päth?a=1&b=%20two#frag";

        var token = TrackingToken.ForLink(Key, jobId, 7, url);

        Assert.Matches("^[A-Za-z0-9_-]+$", token);
        Assert.True(TrackingToken.TryRead(Key, token, out var target));
        Assert.Equal(new TrackingTarget(TrackingKind.Link, jobId, 7, url), target);
    }

    [Fact]
    public void Should_refuse_a_token_with_any_byte_changed()
    {
        var token = TrackingToken.ForLink(Key, Guid.NewGuid(), 0, "https://example.com/");
        var bytes = Base64Url.DecodeFromChars(token);

        for (var i = 0; i < bytes.Length; i++)
        {
            var altered = (byte[])bytes.Clone();
            altered[i] ^= 0x01;
            Assert.False(TrackingToken.TryRead(Key, Base64Url.EncodeToString(altered), out _), $"byte {i} changed was accepted");
        }
    }

    [Fact]
    public void Should_refuse_a_token_signed_with_another_key()
    {
        var token = TrackingToken.ForOpen(RandomNumberGenerator.GetBytes(32), Guid.NewGuid());

        Assert.False(TrackingToken.TryRead(Key, token, out _));
    }

    [Fact]
    public void Should_refuse_a_link_token_whose_target_was_swapped()
    {
        var jobId = Guid.NewGuid();
        var genuine = Base64Url.DecodeFromChars(TrackingToken.ForLink(Key, jobId, 0, "https://example.com/a"));
        // Same length, other host: the tag no longer matches.
        var body = genuine[..^16];
        var swapped = body.Take(body.Length - 11).Concat("evil.test/a"u8.ToArray()).Concat(genuine[^16..]).ToArray();

        Assert.False(TrackingToken.TryRead(Key, Base64Url.EncodeToString(swapped), out _));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("not a token")]
    [InlineData("AAAA")]
    [InlineData("AQEAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    public void Should_refuse_anything_else(string? token)
    {
        Assert.False(TrackingToken.TryRead(Key, token, out _));
    }

    [Fact]
    public void Should_refuse_a_truncated_token()
    {
        var token = TrackingToken.ForOpen(Key, Guid.NewGuid());

        Assert.False(TrackingToken.TryRead(Key, token[..^2], out _));
    }
}
