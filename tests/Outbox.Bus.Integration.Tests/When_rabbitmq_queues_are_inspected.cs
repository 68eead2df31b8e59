using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Outbox.Bus.Integration.Tests.Infrastructure;

namespace Outbox.Bus.Integration.Tests;

/// <summary>What an operator sees in the RabbitMQ management UI: queues named for what they do (DESIGN §2).</summary>
public sealed partial class When_rabbitmq_queues_are_inspected(ITestOutputHelper output)
{
    // One queue per consumer or saga, each named for its job (DESIGN §2): saga, sender and webhook roles.
    static readonly string[] WorkerQueues =
        ["send-job-state", "deliver-message", "deliver-via-fallback", "notify-webhook", "deliver-webhook"];

    [Fact]
    public async Task Should_show_readable_kebab_case_queues_each_with_a_consumer()
    {
        await using var deployment = await Deployment.CreateAsync(output);
        var starting = deployment.StartWorkersAsync(("saga", "saga"), ("sender", "sender"), ("webhook", "webhook"));
        deployment.StartApi();
        await starting;

        // The management API refreshes queue statistics every few seconds: poll.
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        JsonArray queues;
        while (true)
        {
            queues = await deployment.VirtualHost.GetQueuesAsync();
            if (WorkerQueues.All(name => Consumers(queues, name) >= 1) || DateTime.UtcNow > deadline)
                break;
            await Task.Delay(500);
        }

        var listing = string.Join(", ", queues.Select(q => q!).Select(q =>
            $"{q.Str("name")} (consumers={q["consumers"]?.GetValue<int>() ?? 0}, durable={q["durable"]}, auto_delete={q["auto_delete"]})"));
        foreach (var name in WorkerQueues)
            Assert.True(Consumers(queues, name) >= 1,
                $"Queue '{name}' should exist with at least one consumer in virtual host {deployment.VirtualHost.Name}; queues: {listing}");

        // Every durable queue says what it is for; temporary (auto-delete) response queues are the bus's own business.
        var unreadable = queues.Where(q => q!["auto_delete"]?.GetValue<bool>() != true)
            .Select(q => q!.Str("name")).Where(name => !KebabCase().IsMatch(name)).ToList();
        Assert.True(unreadable.Count == 0, $"Durable queues should be kebab-case: [{string.Join(", ", unreadable)}]; queues: {listing}");

        var exchanges = (await deployment.VirtualHost.GetExchangesAsync()).Select(e => e!.Str("name")).ToHashSet();
        var expectedExchanges = WorkerQueues.Concat(
            ["Outbox.Bus.Contracts:ScheduleSend", "Outbox.Bus.Contracts:DeliverMessage", "Outbox.Bus.Contracts:JobStatusChanged"]);
        var missingExchanges = expectedExchanges.Where(name => !exchanges.Contains(name)).ToList();
        Assert.True(missingExchanges.Count == 0,
            $"Missing exchanges [{string.Join(", ", missingExchanges)}]; exchanges: [{string.Join(", ", exchanges.Order())}]");
    }

    static int Consumers(JsonArray queues, string name) =>
        queues.FirstOrDefault(q => q!.Str("name") == name)?["consumers"]?.GetValue<int>() ?? -1;

    // send-job-state, deliver-message, and MassTransit's error / skipped queues beside them (deliver-message_error).
    [GeneratedRegex("^[a-z0-9]+(-[a-z0-9]+)*(_error|_skipped)?$")]
    private static partial Regex KebabCase();
}
