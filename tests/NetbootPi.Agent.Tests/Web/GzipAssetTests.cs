using System.IO.Compression;
using NetbootPi.Agent.Tests.Control.Accounts;
using NetbootPi.Agent.Tests.Support;
using NetbootPi.Agent.Web;

namespace NetbootPi.Agent.Tests.Web;

/// <summary>xterm.js, kept gzip-compressed in the executable: sent as it is to a client that takes gzip, unpacked for one that does not.</summary>
public class GzipAssetTests
{
    [Theory]
    [InlineData("gzip, deflate, br, zstd", true)]
    [InlineData("br;q=1.0, gzip;q=0.8", true)]
    [InlineData("*", true)]
    [InlineData("x-gzip", true)]
    [InlineData("gzip;q=0", false)]
    [InlineData("gzip; q=0.000", false)]
    [InlineData("deflate, br", false)]
    [InlineData("", false)]
    public void Accept_Encoding_is_read(string header, bool gzip) => Assert.Equal(gzip, WebAssets.AcceptsGzip(header));

    [Fact]
    public void The_vendored_xterm_is_served_gzipped_or_unpacked_as_the_client_takes_it()
    {
        Peers.RequireRoot();
        Curl.RequireInstalled();
        using var box = new AccountAgent();
        box.Start();
        var assets = new WebAssets();
        var xterm = assets["xterm.js"];
        var gzipped = box.Curl("GET", xterm.Url, "-H", "Accept-Encoding: gzip");
        Assert.Equal(200, gzipped.Status);
        Assert.Equal("gzip", gzipped.Header("Content-Encoding"));
        Assert.Equal("Accept-Encoding", gzipped.Header("Vary"));
        Assert.Equal(xterm.Bytes, gzipped.Body);
        var plain = box.Curl("GET", xterm.Url);
        Assert.Equal(200, plain.Status);
        Assert.Null(plain.Header("Content-Encoding"));
        using var unpacked = new MemoryStream();
        using (var gzip = new GZipStream(new MemoryStream(xterm.Bytes), CompressionMode.Decompress)) gzip.CopyTo(unpacked);
        Assert.Equal(unpacked.ToArray(), plain.Body);
        Assert.StartsWith("!function(e,t){", System.Text.Encoding.UTF8.GetString(plain.Body), StringComparison.Ordinal);
    }
}
