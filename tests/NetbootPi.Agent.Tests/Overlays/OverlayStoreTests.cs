using System.Formats.Tar;
using System.IO.Compression;
using NetbootPi.Agent.Os.Files;
using NetbootPi.Agent.Overlays;
using NetbootPi.Protocols.Net;

namespace NetbootPi.Agent.Tests.Overlays;

/// <summary>The overlay store's versions: numbered, kept, rolled back, and never a number for two contents.</summary>
public class OverlayStoreTests : IDisposable
{
    private static readonly MacAddress Mac = MacAddress.Parse("02:00:00:00:00:42");
    private readonly string _dir = Directory.CreateTempSubdirectory("netbootpi-ovlstore-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static MemoryStream Overlay(string hostname)
    {
        using var tar = new MemoryStream();
        using (var w = new TarWriter(tar, TarEntryFormat.Pax, leaveOpen: true))
            w.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, "etc/hostname") { DataStream = new MemoryStream(System.Text.Encoding.ASCII.GetBytes(hostname + "\n")) });
        var gz = new MemoryStream();
        using (var z = new GZipStream(gz, CompressionLevel.Fastest, leaveOpen: true)) z.Write(tar.ToArray());
        gz.Position = 0;
        return gz;
    }

    [Fact]
    public async Task A_version_number_is_never_given_twice_not_even_after_a_rollback()
    {
        var ct = TestContext.Current.CancellationToken;
        var store = new OverlayStore(_dir, AtomicFiles.Local);
        Assert.Equal(1, (await store.StoreAsync(Mac, Overlay("one"), ct)).Stored!.Number);
        var two = (await store.StoreAsync(Mac, Overlay("two"), ct)).Stored!;
        Assert.Equal(2, two.Number);
        Assert.True(store.Rollback(Mac, out var now));
        Assert.Equal(1, now!.Number);

        var three = (await store.StoreAsync(Mac, Overlay("three"), ct)).Stored!;
        Assert.Equal(3, three.Number);
        // A new store on the same directory (the CLI, a restarted agent) continues from the same number.
        Assert.Equal(4, (await new OverlayStore(_dir, AtomicFiles.Local).StoreAsync(Mac, Overlay("four"), ct)).Stored!.Number);
        Assert.Equal([1, 3, 4], store.List(Mac).Select(v => v.Number));
    }

    [Fact]
    public async Task A_refused_upload_leaves_nothing_behind()
    {
        var ct = TestContext.Current.CancellationToken;
        var store = new OverlayStore(_dir, AtomicFiles.Local);
        var result = await store.StoreAsync(Mac, new MemoryStream("not gzip"u8.ToArray()), ct);
        Assert.Equal(OverlayRejection.NotGzip, result.Rejection);
        Assert.Empty(Directory.GetFiles(Path.Combine(_dir, "overlays"), "*", SearchOption.AllDirectories));
    }
}
