using Outbox.Bus.Components.Tracking;

namespace Outbox.Bus.Components.Tests.Tracking;

/// <summary>The pixel goes in, http(s) links point at the tracker, and nothing else in the HTML changes.</summary>
public sealed class When_html_is_rewritten_for_tracking
{
    const string Pixel = "https://t.example/t/open/PIXEL";

    static string Link(int index, string url) => $"https://t.example/t/link/{index}";

    [Fact]
    public void Should_put_the_pixel_at_the_end_of_the_body()
    {
        var html = Track("<html><body><p>Hi</p></BODY></html>", Pixel, null);

        Assert.Equal("<html><body><p>Hi</p>" + PixelTag + "</BODY></html>", html);
    }

    [Fact]
    public void Should_append_the_pixel_to_a_fragment()
    {
        Assert.Equal("<p>Hi</p>" + PixelTag, Track("<p>Hi</p>", Pixel, null));
    }

    [Fact]
    public void Should_rewrite_http_and_https_links_in_document_order()
    {
        var seen = new List<(int, string)>();
        var html = HtmlTracking.Rewrite(
            """<a href="https://a.example/x?y=1&amp;z=2">A</a> <A class=c HREF='http://b.example/'>B</A> <a href=https://c.example/c>C</a>""",
            null, (index, url) =>
            {
                seen.Add((index, url));
                return Link(index, url);
            });

        Assert.Equal(
            """<a href="https://t.example/t/link/0">A</a> <A class=c HREF='https://t.example/t/link/1'>B</A> <a href=https://t.example/t/link/2>C</a>""",
            html);
        // Entities are decoded: the target is the URL a browser would have opened.
        Assert.Equal([(0, "https://a.example/x?y=1&z=2"), (1, "http://b.example/"), (2, "https://c.example/c")], seen);
    }

    [Theory]
    [InlineData("""<a href="mailto:bob@example.com">mail</a>""")]
    [InlineData("""<a href="tel:+15551234">call</a>""")]
    [InlineData("""<a href="#top">top</a>""")]
    [InlineData("""<a href="/relative/path">rel</a>""")]
    [InlineData("""<a href="ftp://files.example/">ftp</a>""")]
    [InlineData("""<a name="anchor">no href</a>""")]
    [InlineData("""<img src="https://img.example/logo.png">""")]
    [InlineData("""<link href="https://css.example/site.css">""")]
    [InlineData("""<p>https://plain.example/ in text</p>""")]
    public void Should_leave_everything_else_untouched(string html)
    {
        Assert.Equal(html, HtmlTracking.Rewrite(html, null, Link));
    }

    [Fact]
    public void Should_keep_a_link_when_no_tracking_url_is_given_for_it()
    {
        const string html = """<a href="https://long.example/">x</a><a href="https://short.example/">y</a>""";

        var rewritten = HtmlTracking.Rewrite(html, null, (index, url) => url.Contains("long") ? null : Link(index, url));

        Assert.Equal("""<a href="https://long.example/">x</a><a href="https://t.example/t/link/0">y</a>""", rewritten);
    }

    [Fact]
    public void Should_read_only_true_as_on()
    {
        Assert.Equal(new TrackingRequest(true, false, true, null) with { Payload = null },
            TrackingRequest.Parse("""{"opens":true,"links":"true","thread_replies":true}""") with { Payload = null });
        Assert.Equal("abc", TrackingRequest.Parse("""{"links":true,"payload":"abc"}""").Payload!.Value.GetString());
        Assert.Same(TrackingRequest.None, TrackingRequest.Parse(null));
        Assert.Same(TrackingRequest.None, TrackingRequest.Parse("[1]"));
        Assert.Same(TrackingRequest.None, TrackingRequest.Parse("{not json"));
    }

    static string Track(string html, string? pixel, Func<int, string, string?>? link) => HtmlTracking.Rewrite(html, pixel, link);

    const string PixelTag = """<img src="https://t.example/t/open/PIXEL" width="1" height="1" alt="" style="display:block;width:1px;height:1px;border:0;margin:0;padding:0" />""";
}
