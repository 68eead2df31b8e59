using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Outbox.Bus.Contracts;

namespace Outbox.Bus.Components.Tracking;

/// <summary>
/// What a sender applies to a job's HTML: the open pixel and the rewritten links its <c>tracking</c> asks for, signed
/// with the shared key, pointing at <see cref="TrackingOptions.BaseUrl"/>.
/// </summary>
public sealed class MessageTracking(TrackingKeys keys, IOptions<TrackingOptions> options, ILogger<MessageTracking> logger)
{
    public const string OpenPath = "/t/open/";
    public const string LinkPath = "/t/link/";

    /// <summary>
    /// The HTML rewrite for this attempt, or null when the job tracks neither opens nor links, or when no base URL is
    /// configured (the message then goes out untracked, with a warning, rather than not at all). Every attempt of a job
    /// produces the same URLs, so a duplicate delivery is indistinguishable from the first.
    /// </summary>
    public async ValueTask<Func<string, string>?> HtmlRewriterAsync(Guid jobId, EmailMessage message, CancellationToken cancellationToken)
    {
        var request = TrackingRequest.Parse(message.Tracking);
        if (!request.Opens && !request.Links)
            return null;

        var settings = options.Value;
        if (settings.BaseAddress is not { } baseAddress)
        {
            logger.LogWarning("Job {JobId} asks for open or link tracking, but Tracking:BaseUrl is not configured: sent untracked",
                PublicId.Format(jobId));
            return null;
        }

        var key = await keys.GetAsync(cancellationToken);
        var pixel = request.Opens ? baseAddress + OpenPath + TrackingToken.ForOpen(key, jobId) : null;
        Func<int, string, string?>? link = request.Links
            ? (index, url) => HtmlTracking.TokenLength(url) <= settings.MaxTrackedUrlLength
                ? baseAddress + LinkPath + TrackingToken.ForLink(key, jobId, index, url)
                : null
            : null;
        return html => HtmlTracking.Rewrite(html, pixel, link);
    }
}
