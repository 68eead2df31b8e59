using Microsoft.Extensions.Configuration;

namespace Outbox.Bus.Components;

/// <summary>What a process does on the bus. The embedded default does everything; production scales each role apart.</summary>
[Flags]
public enum OutboxBusRoles
{
    None = 0,

    /// <summary>The send-job saga: the only writer of job state.</summary>
    Saga = 1,

    /// <summary>Delivery attempts over SMTP and through the fallback service.</summary>
    Sender = 2,

    /// <summary>Webhook notifications to subscribers.</summary>
    Webhook = 4,

    All = Saga | Sender | Webhook,
}

public static class OutboxBusRolesConfiguration
{
    public const string Key = "Roles";

    /// <summary>Reads <c>Roles</c> (e.g. <c>saga,sender</c>, <c>all</c> or <c>none</c>); absent means all.</summary>
    public static OutboxBusRoles GetOutboxBusRoles(this IConfiguration configuration)
    {
        var text = configuration[Key];
        if (string.IsNullOrWhiteSpace(text))
            return OutboxBusRoles.All;

        var roles = OutboxBusRoles.None;
        foreach (var name in text.Split([',', ' ', ';'], StringSplitOptions.RemoveEmptyEntries))
        {
            if (!Enum.TryParse<OutboxBusRoles>(name, ignoreCase: true, out var role) || name.All(char.IsDigit))
                throw new InvalidOperationException($"Unknown role '{name}' in {Key}: use saga, sender, webhook, all or none.");
            roles |= role;
        }
        return roles;
    }
}
