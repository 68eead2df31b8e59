using System.Net;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Outbox.Bus.Components.Webhooks;
using Outbox.Bus.Testing;

namespace Outbox.Bus.Components.Tests.Webhooks;

/// <summary>
/// The guard at connect time, inside the HttpClient every webhook request uses: what a check made earlier (at creation)
/// cannot catch — a name that resolves somewhere else by the time of the request — is refused when the socket is opened.
/// </summary>
public sealed class When_a_webhook_connection_is_opened
{
    const string Secret = "test-secret-0123456789";

    [Theory]
    [InlineData("localhost")]
    [InlineData("127.0.0.1")]
    [InlineData("[::1]")]
    [InlineData("[::ffff:127.0.0.1]")]
    public async Task Should_refuse_loopback_however_it_is_written(string host)
    {
        await using var receiver = await TestWebhookReceiver.StartAsync(Secret);
        await using var services = Services(allowLoopback: false);

        var exception = await Assert.ThrowsAsync<HttpRequestException>(() =>
            Client(services).GetAsync($"http://{host}:{receiver.Port}/webhook"));

        Assert.IsType<CallbackAddressRefusedException>(exception.InnerException);
        Assert.Empty(receiver.Requests);
    }

    [Fact]
    public async Task Should_refuse_a_host_whose_address_changed_to_a_private_one_after_the_check()
    {
        await using var receiver = await TestWebhookReceiver.StartAsync(Secret);
        var rebinding = new RebindingResolver(IPAddress.Parse("93.184.216.34"), IPAddress.Loopback);
        await using var services = Services(allowLoopback: false, rebinding);
        var url = new Uri($"http://hooks.example.test:{receiver.Port}/webhook");

        var checkedFirst = await services.GetRequiredService<CallbackAddressGuard>().CheckAsync(url, CancellationToken.None);
        var exception = await Assert.ThrowsAsync<HttpRequestException>(() => Client(services).GetAsync(url));

        Assert.Null(checkedFirst);
        Assert.IsType<CallbackAddressRefusedException>(exception.InnerException);
        Assert.Empty(receiver.Requests);
    }

    [Fact]
    public async Task Should_connect_to_the_address_it_checked()
    {
        await using var receiver = await TestWebhookReceiver.StartAsync(Secret);
        // A name no DNS knows: the request can only arrive if the connection goes to the address the guard resolved.
        await using var services = Services(allowLoopback: true, new RebindingResolver(IPAddress.Loopback, IPAddress.Loopback));

        var response = await Client(services).GetAsync($"http://receiver.invalid:{receiver.Port}/webhook?challenge=abc");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("abc", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Should_not_follow_a_redirect()
    {
        await using var receiver = await TestWebhookReceiver.StartAsync(Secret);
        receiver.RespondWith(302, headers: new Dictionary<string, string> { ["Location"] = "http://169.254.169.254/latest/meta-data/" });
        await using var services = Services(allowLoopback: true);

        var response = await Client(services).PostAsync(receiver.Url, new StringContent("{}"));

        Assert.Equal(HttpStatusCode.Found, response.StatusCode);
        Assert.Single(receiver.Requests);
    }

    static ServiceProvider Services(bool allowLoopback, HostResolver? resolver = null)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Webhooks:AllowLoopback"] = allowLoopback ? "true" : "false",
            ["Webhooks:Timeout"] = "00:00:05",
        }).Build();
        var services = new ServiceCollection();
        services.AddLogging();
        if (resolver is not null)
            services.AddSingleton(resolver);
        services.AddOutboxBusWebhooks(configuration);
        return services.BuildServiceProvider();
    }

    static HttpClient Client(IServiceProvider services) =>
        services.GetRequiredService<IHttpClientFactory>().CreateClient(WebhookHttp.ClientName);

    /// <summary>Answers the first lookup with one address and every later one with another: DNS rebinding.</summary>
    sealed class RebindingResolver(IPAddress first, IPAddress later) : HostResolver
    {
        int _lookups;

        public override Task<IPAddress[]> ResolveAsync(string host, CancellationToken cancellationToken) =>
            Task.FromResult<IPAddress[]>([Interlocked.Increment(ref _lookups) == 1 ? first : later]);
    }
}
