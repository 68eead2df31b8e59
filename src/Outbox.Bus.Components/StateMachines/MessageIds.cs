using Outbox.Bus.Contracts;

namespace Outbox.Bus.Components.StateMachines;

public static class MessageIds
{
    /// <summary>A <c>Message-ID</c> derived from the job alone, in the sender's domain, identical for every attempt.</summary>
    public static string For(Guid jobId, EmailMessage message)
    {
        var from = message.From.Count > 0 ? message.From[0].Email : null;
        var at = from?.LastIndexOf('@') ?? -1;
        var domain = at > 0 && at < from!.Length - 1 ? from[(at + 1)..] : "outbox.bus";
        return $"{PublicId.Format(jobId)}@{domain}";
    }
}
