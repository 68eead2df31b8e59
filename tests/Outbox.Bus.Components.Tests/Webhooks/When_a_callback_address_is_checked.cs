using System.Net;
using Microsoft.Extensions.Options;
using Outbox.Bus.Components.Webhooks;

namespace Outbox.Bus.Components.Tests.Webhooks;

/// <summary>The SSRF guard's verdicts: which addresses a webhook request may reach, and which URLs are callbacks at all.</summary>
public sealed class When_a_callback_address_is_checked
{
    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("127.255.0.9")]
    [InlineData("10.1.2.3")]
    [InlineData("172.16.0.1")]
    [InlineData("172.31.255.255")]
    [InlineData("192.168.1.1")]
    [InlineData("169.254.169.254")]
    [InlineData("100.64.0.1")]
    [InlineData("100.127.255.254")]
    [InlineData("0.0.0.0")]
    [InlineData("0.1.2.3")]
    [InlineData("224.0.0.1")]
    [InlineData("239.255.255.250")]
    [InlineData("255.255.255.255")]
    [InlineData("198.18.0.1")]
    [InlineData("::1")]
    [InlineData("::")]
    [InlineData("fc00::1")]
    [InlineData("fd12:3456::1")]
    [InlineData("fe80::1")]
    [InlineData("ff02::1")]
    [InlineData("::ffff:127.0.0.1")]
    [InlineData("::ffff:10.0.0.1")]
    [InlineData("::ffff:169.254.169.254")]
    [InlineData("::ffff:192.168.0.1")]
    [InlineData("::127.0.0.1")]
    [InlineData("64:ff9b::a00:1")]
    [InlineData("2002:a9fe:a9fe::1")]
    public void Should_refuse_addresses_that_are_not_public(string address)
    {
        var guard = Guard();

        Assert.False(CallbackAddressGuard.IsPublic(IPAddress.Parse(address)));
        Assert.False(guard.IsAllowed(IPAddress.Parse(address)));
    }

    [Theory]
    [InlineData("8.8.8.8")]
    [InlineData("93.184.216.34")]
    [InlineData("172.32.0.1")]
    [InlineData("100.128.0.1")]
    [InlineData("169.255.0.1")]
    [InlineData("2606:4700:4700::1111")]
    [InlineData("::ffff:8.8.8.8")]
    [InlineData("64:ff9b::808:808")]
    public void Should_allow_public_addresses(string address)
    {
        Assert.True(CallbackAddressGuard.IsPublic(IPAddress.Parse(address)));
        Assert.True(Guard().IsAllowed(IPAddress.Parse(address)));
    }

    [Fact]
    public void Should_allow_loopback_and_nothing_else_when_loopback_is_allowed()
    {
        var guard = Guard(o => o.AllowLoopback = true);

        Assert.True(guard.IsAllowed(IPAddress.Parse("127.0.0.1")));
        Assert.True(guard.IsAllowed(IPAddress.Parse("::1")));
        Assert.True(guard.IsAllowed(IPAddress.Parse("::ffff:127.0.0.1")));
        Assert.False(guard.IsAllowed(IPAddress.Parse("10.0.0.1")));
        Assert.False(guard.IsAllowed(IPAddress.Parse("169.254.169.254")));
        Assert.False(guard.IsAllowed(IPAddress.Parse("0.0.0.0")));
    }

    [Fact]
    public void Should_allow_the_configured_networks_only()
    {
        var guard = Guard(o => o.AllowedNetworks = ["10.20.0.0/16", "fd00:1234::/32"]);

        Assert.True(guard.IsAllowed(IPAddress.Parse("10.20.1.1")));
        Assert.True(guard.IsAllowed(IPAddress.Parse("::ffff:10.20.1.1")));
        Assert.True(guard.IsAllowed(IPAddress.Parse("fd00:1234::5")));
        Assert.False(guard.IsAllowed(IPAddress.Parse("10.21.0.1")));
        Assert.False(guard.IsAllowed(IPAddress.Parse("127.0.0.1")));
    }

    [Fact]
    public async Task Should_refuse_a_host_when_any_of_its_addresses_is_not_public()
    {
        var guard = Guard(resolver: new FixedResolver(IPAddress.Parse("93.184.216.34"), IPAddress.Parse("10.0.0.7")));

        var error = await guard.CheckAsync(new Uri("https://hooks.example.com/in"), CancellationToken.None);

        Assert.NotNull(error);
        Assert.Contains("public address", error);
    }

    [Fact]
    public async Task Should_accept_a_host_whose_addresses_are_all_public()
    {
        var guard = Guard(resolver: new FixedResolver(IPAddress.Parse("93.184.216.34"), IPAddress.Parse("2606:2800:220:1::1")));

        Assert.Null(await guard.CheckAsync(new Uri("https://hooks.example.com/in"), CancellationToken.None));
    }

    [Theory]
    [InlineData("ftp://hooks.example.com/in")]
    [InlineData("file:///etc/passwd")]
    [InlineData("/relative/path")]
    [InlineData("hooks.example.com/in")]
    [InlineData("javascript:alert(1)")]
    [InlineData("http://user:secret@hooks.example.com/in")]
    [InlineData("")]
    public void Should_refuse_urls_that_are_not_absolute_http_without_credentials(string url)
    {
        Assert.False(WebhookUrls.TryParse(url, out _, out var error));
        Assert.False(string.IsNullOrEmpty(error));
    }

    [Theory]
    [InlineData("https://hooks.example.com/in?key=1")]
    [InlineData("http://hooks.example.com:8080/in")]
    public void Should_accept_absolute_http_urls(string url) =>
        Assert.True(WebhookUrls.TryParse(url, out _, out _));

    static CallbackAddressGuard Guard(Action<WebhookOptions>? configure = null, HostResolver? resolver = null)
    {
        var options = new WebhookOptions();
        configure?.Invoke(options);
        return new CallbackAddressGuard(Options.Create(options), resolver ?? new FixedResolver());
    }

    sealed class FixedResolver(params IPAddress[] addresses) : HostResolver
    {
        public override Task<IPAddress[]> ResolveAsync(string host, CancellationToken cancellationToken) => Task.FromResult(addresses);
    }
}
