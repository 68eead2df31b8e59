using System.Net;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Outbox.Bus.Components.Webhooks;

/// <summary>
/// Before a subscription is stored, its endpoint proves it wants notifications, as Nylas requires: <c>GET
/// callback_url?challenge=X</c> must answer 200 with X as the body (surrounding whitespace ignored) within the timeout.
/// </summary>
public sealed class WebhookChallenge(
    IHttpClientFactory httpClients,
    CallbackAddressGuard guard,
    IOptions<WebhookOptions> options,
    ILogger<WebhookChallenge> logger)
{
    /// <summary>More than any challenge answer needs; a receiver cannot make us read a large body.</summary>
    const int MaxAnswerBytes = 1024;

    /// <summary>Null when the endpoint answered the challenge, otherwise what went wrong, for the client.</summary>
    public async Task<string?> VerifyAsync(Uri callback, CancellationToken cancellationToken)
    {
        if (await guard.CheckAsync(callback, cancellationToken) is { } refused)
            return refused;

        var challenge = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        var url = new UriBuilder(callback)
        {
            Query = (callback.Query.Length > 1 ? callback.Query[1..] + "&" : "") + "challenge=" + challenge,
        }.Uri;

        var timeout = options.Value.Timeout;
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        try
        {
            using var client = httpClients.CreateClient(WebhookHttp.ClientName);
            using var response = await client.GetAsync(url, HttpCompletionOption.ResponseHeadersRead, deadline.Token);
            if (response.StatusCode != HttpStatusCode.OK)
                return $"The callback_url answered the challenge with HTTP {(int)response.StatusCode}; it must answer 200 with the value of the challenge parameter.";

            var answer = await ReadAtMost(response, MaxAnswerBytes, deadline.Token);
            return string.Equals(answer.Trim(), challenge, StringComparison.Ordinal)
                ? null
                : "The callback_url did not answer the challenge: the response body must be exactly the value of the challenge query parameter.";
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return $"The callback_url did not answer the challenge within {timeout.TotalSeconds:0.###} seconds.";
        }
        catch (HttpRequestException exception) when (Find<CallbackAddressRefusedException>(exception) is not null)
        {
            return "callback_url must point to a public address; its host resolves to a loopback, private, link-local or otherwise reserved one.";
        }
        catch (HttpRequestException exception)
        {
            logger.LogInformation(exception, "Webhook challenge to {Host} failed", callback.Host);
            return $"The callback_url could not be reached: {exception.Message}";
        }
    }

    static async Task<string> ReadAtMost(HttpResponseMessage response, int limit, CancellationToken cancellationToken)
    {
        await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
        var buffer = new byte[limit + 1];
        var total = 0;
        int read;
        while (total < buffer.Length && (read = await stream.ReadAsync(buffer.AsMemory(total), cancellationToken)) > 0)
            total += read;
        // Longer than any challenge: cannot match, and there is no point reading the rest.
        return total > limit ? "" : Encoding.UTF8.GetString(buffer, 0, total);
    }

    internal static T? Find<T>(Exception? exception) where T : Exception
    {
        for (; exception is not null; exception = exception.InnerException)
            if (exception is T found)
                return found;
        return null;
    }
}
