using MimeKit.Utils;

namespace Outbox.Bus.Components.Tracking;

/// <summary>How a message in an inbox is recognised as a reply to a tracked message, from its headers alone.</summary>
public static class ReplyMatching
{
    /// <summary>
    /// The <c>Message-ID</c>s a message answers, nearest first: <c>In-Reply-To</c>, then <c>References</c> from the last
    /// (the direct parent) back to the thread's root. Without angle brackets, each once.
    /// </summary>
    public static IReadOnlyList<string> Parents(string? inReplyTo, IEnumerable<string>? references)
    {
        var parents = new List<string>();
        foreach (var id in Ids(inReplyTo))
            Add(parents, id);
        foreach (var id in (references ?? []).Reverse())
            Add(parents, Normalize(id));
        return parents;
    }

    /// <summary>
    /// The job a <c>Message-ID</c> of ours belongs to: they are <c>&lt;job_status_id@domain&gt;</c>
    /// (<see cref="StateMachines.MessageIds"/>), so the id alone says which tracked message to look up.
    /// </summary>
    public static bool TryJobId(string messageId, out Guid jobId)
    {
        var at = messageId.LastIndexOf('@');
        jobId = Guid.Empty;
        return at == PublicId.Length && PublicId.TryParse(messageId[..at], out jobId);
    }

    /// <summary>Message-IDs compare exactly, but the domain part is a host name and case-insensitive in practice.</summary>
    public static bool Same(string a, string b) => string.Equals(a, b, StringComparison.OrdinalIgnoreCase);

    public static string? Normalize(string? messageId)
    {
        var id = messageId?.Trim().TrimStart('<').TrimEnd('>').Trim();
        return string.IsNullOrEmpty(id) ? null : id;
    }

    /// <summary>An <c>In-Reply-To</c> may hold several ids, or one without brackets (as IMAP envelopes give it).</summary>
    static IEnumerable<string> Ids(string? header)
    {
        if (string.IsNullOrWhiteSpace(header))
            return [];
        if (!header.Contains('<'))
            return Normalize(header) is { } bare ? [bare] : [];
        return MimeUtils.EnumerateReferences(header).Select(Normalize).OfType<string>().ToList();
    }

    static void Add(List<string> parents, string? id)
    {
        if (id is not null && !parents.Contains(id, StringComparer.OrdinalIgnoreCase))
            parents.Add(id);
    }
}
