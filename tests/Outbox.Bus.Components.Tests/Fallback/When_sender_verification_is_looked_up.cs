using Outbox.Bus.Testing;

namespace Outbox.Bus.Components.Tests.Fallback;

public sealed class When_sender_verification_is_looked_up
{
    [Fact]
    public async Task Should_tell_a_verified_single_sender_from_an_authenticated_domain()
    {
        await using var sendGrid = await TestSendGridServer.StartAsync();
        sendGrid.AddVerifiedSender("alice@one.example");
        sendGrid.AddAuthenticatedDomain("two.example");
        await using var host = await FallbackHost.StartAsync(sendGrid);

        var single = await host.Fallback.GetVerificationAsync("Alice@One.example", CancellationToken.None);
        var domain = await host.Fallback.GetVerificationAsync("bob@two.example", CancellationToken.None);
        var neither = await host.Fallback.GetVerificationAsync("carol@three.example", CancellationToken.None);

        Assert.Equal((false, true), (single.DomainVerified, single.SenderVerified));
        Assert.Equal((true, false), (domain.DomainVerified, domain.SenderVerified));
        Assert.Equal((false, false), (neither.DomainVerified, neither.SenderVerified));
    }

    [Fact]
    public async Task Should_read_every_page_of_verified_senders()
    {
        await using var sendGrid = await TestSendGridServer.StartAsync();
        for (var i = 0; i < 250; i++)
            sendGrid.AddVerifiedSender($"user{i}@example.net");
        await using var host = await FallbackHost.StartAsync(sendGrid);

        var last = await host.Fallback.GetVerificationAsync("user249@example.net", CancellationToken.None);

        Assert.True(last.SenderVerified);
        Assert.Equal(3, sendGrid.CountRequests(TestSendGridServer.VerifiedSendersPath));
    }

    [Fact]
    public async Task Should_reuse_the_answer_for_later_messages()
    {
        var clock = new ManualClock(DateTimeOffset.UtcNow);
        await using var sendGrid = await TestSendGridServer.StartAsync();
        sendGrid.AddVerifiedSender(FallbackHost.SenderEmail);
        await using var host = await FallbackHost.StartAsync(sendGrid, clock: clock);
        var account = await host.AddAccountAsync();

        for (var i = 0; i < 3; i++)
        {
            clock.Advance(TimeSpan.FromMinutes(1));
            await host.WaitForSent(await Deliver(host, account.Id));
        }

        Assert.Equal(3, sendGrid.MailSendCount);
        Assert.Equal(1, sendGrid.CountRequests(TestSendGridServer.VerifiedSendersPath));
        Assert.Equal(1, sendGrid.CountRequests(TestSendGridServer.DomainsPath));
    }

    [Fact]
    public async Task Should_ask_again_once_the_answer_is_five_minutes_old()
    {
        var clock = new ManualClock(DateTimeOffset.UtcNow);
        await using var sendGrid = await TestSendGridServer.StartAsync();
        sendGrid.AddVerifiedSender(FallbackHost.SenderEmail);
        await using var host = await FallbackHost.StartAsync(sendGrid, clock: clock);
        var account = await host.AddAccountAsync();
        await host.WaitForSent(await Deliver(host, account.Id));

        clock.Advance(TimeSpan.FromMinutes(5) + TimeSpan.FromSeconds(1));
        await host.WaitForSent(await Deliver(host, account.Id));

        Assert.Equal(2, sendGrid.CountRequests(TestSendGridServer.VerifiedSendersPath));
    }

    [Fact]
    public async Task Should_see_a_sender_verified_since_when_asked_for_a_fresh_answer()
    {
        var clock = new ManualClock(DateTimeOffset.UtcNow);
        await using var sendGrid = await TestSendGridServer.StartAsync();
        await using var host = await FallbackHost.StartAsync(sendGrid, clock: clock);
        Assert.False((await host.Fallback.GetVerificationAsync("new@example.com", CancellationToken.None)).IsVerified);

        sendGrid.AddVerifiedSender("new@example.com");
        clock.Advance(TimeSpan.FromSeconds(20));
        var cached = await host.Fallback.GetVerificationAsync("new@example.com", CancellationToken.None);
        var fresh = await host.Fallback.GetVerificationAsync("new@example.com", CancellationToken.None,
            maxAge: TimeSpan.FromSeconds(15));

        Assert.False(cached.IsVerified);
        Assert.True(fresh.SenderVerified);
    }

    static async Task<Contracts.DeliverViaFallback> Deliver(FallbackHost host, string accountId)
    {
        var delivery = FallbackHost.Delivery(accountId);
        await host.Deliver(delivery);
        return delivery;
    }
}
