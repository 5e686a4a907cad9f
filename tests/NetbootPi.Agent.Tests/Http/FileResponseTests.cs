using NetbootPi.Agent.Http;

namespace NetbootPi.Agent.Tests.Http;

/// <summary>Byte ranges as RFC 9110 §14.1.2 writes them, against a 1000-byte file.</summary>
public class FileResponseTests
{
    [Theory]
    [InlineData("bytes=0-499", 0, 500)]
    [InlineData("bytes=500-999", 500, 500)]
    [InlineData("bytes=500-", 500, 500)]
    [InlineData("bytes=900-5000", 900, 100)]  // last-pos past the end: up to the end
    [InlineData("bytes=-100", 900, 100)]      // suffix
    [InlineData("bytes=-5000", 0, 1000)]      // suffix longer than the file: all of it
    [InlineData("bytes=999-999", 999, 1)]
    [InlineData("BYTES=1-2", 1, 2)]           // the unit is case-insensitive
    public void A_satisfiable_range_is_resolved(string range, long offset, long count)
    {
        Assert.True(FileResponse.TryResolve(range, 1000, out var o, out var c));
        Assert.Equal((offset, count), (o, c));
    }

    [Theory]
    [InlineData("bytes=1000-")]
    [InlineData("bytes=5000-6000")]
    [InlineData("bytes=-0")]
    public void A_range_beyond_the_file_is_416(string range) => Assert.False(FileResponse.TryResolve(range, 1000, out _, out _));

    [Theory]
    [InlineData("items=0-10")]               // another unit
    [InlineData("bytes=0-9,20-29")]          // several ranges: whole file
    [InlineData("bytes=9-0")]                // last before first: invalid, ignored
    [InlineData("bytes=a-b")]
    [InlineData("bytes=")]
    [InlineData("bytes=10")]
    [InlineData("bytes=+1-2")]
    public void Anything_else_means_the_whole_file(string range)
    {
        Assert.True(FileResponse.TryResolve(range, 1000, out var o, out var c));
        Assert.Equal((0L, 1000L), (o, c));
    }

    [Fact]
    public void An_empty_file_satisfies_no_range() => Assert.False(FileResponse.TryResolve("bytes=0-", 0, out _, out _));
}
