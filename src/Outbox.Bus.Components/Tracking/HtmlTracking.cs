using System.Net;
using System.Text;
using System.Text.RegularExpressions;

namespace Outbox.Bus.Components.Tracking;

/// <summary>
/// Adds the open pixel to an HTML body and points its http(s) links at the tracking endpoint. Only the <c>href</c> of
/// <c>&lt;a&gt;</c> and <c>&lt;area&gt;</c> elements is touched; everything else (mailto:, tel:, relative and fragment
/// links, images, the text) stays byte for byte as the client wrote it.
/// </summary>
public static partial class HtmlTracking
{
    /// <param name="pixelUrl">The open pixel's URL, or null when opens are not tracked.</param>
    /// <param name="linkUrl">The tracking URL for link number <c>index</c> (from 0, in document order) whose target is
    /// <c>url</c>, or null to leave that link alone; null itself when links are not tracked.</param>
    public static string Rewrite(string html, string? pixelUrl, Func<int, string, string?>? linkUrl)
    {
        if (linkUrl is not null)
        {
            var index = 0;
            html = Hrefs().Replace(html, match =>
            {
                var value = match.Groups["url"];
                // The attribute value is HTML: &amp; in it is a plain & in the URL the reader's browser would open.
                if (!IsTrackable(WebUtility.HtmlDecode(value.Value).Trim(), out var target) || index >= TrackingToken.MaxLinks)
                    return match.Value;
                if (linkUrl(index, target) is not { } tracked)
                    return match.Value;
                index++;
                var start = value.Index - match.Index;
                return string.Concat(match.Value.AsSpan(0, start), WebUtility.HtmlEncode(tracked), match.Value.AsSpan(start + value.Length));
            });
        }

        if (pixelUrl is not null)
        {
            var pixel = $"<img src=\"{WebUtility.HtmlEncode(pixelUrl)}\" width=\"1\" height=\"1\" alt=\"\" " +
                        "style=\"display:block;width:1px;height:1px;border:0;margin:0;padding:0\" />";
            // Inside the body where there is one, so the document stays valid; at the end of a fragment otherwise.
            var bodyEnd = html.LastIndexOf("</body", StringComparison.OrdinalIgnoreCase);
            html = bodyEnd >= 0 ? html.Insert(bodyEnd, pixel) : html + pixel;
        }
        return html;
    }

    /// <summary>An absolute http or https URL: the only links that are tracked (and the only redirect targets).</summary>
    public static bool IsTrackable(string url, out string target)
    {
        target = url;
        return url.Length > 0
               && Uri.TryCreate(url, UriKind.Absolute, out var uri)
               && uri.Scheme is "http" or "https"
               && !string.IsNullOrEmpty(uri.Host)
               && !url.AsSpan().ContainsAny('\r', '\n');
    }

    /// <summary>The length a URL has inside a token, for the configured limit.</summary>
    public static int TokenLength(string url) => Encoding.UTF8.GetByteCount(url);

    // An <a> or <area> tag's href, double-, single- or un-quoted. Attributes before it are skipped lazily so the first
    // href wins, as in a browser; "[^>]" keeps the match inside one tag.
    [GeneratedRegex("""<(?:a|area)\b[^>]*?\shref\s*=\s*(?:"(?<url>[^"]*)"|'(?<url>[^']*)'|(?<url>[^\s"'=<>`]+))""",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex Hrefs();
}
