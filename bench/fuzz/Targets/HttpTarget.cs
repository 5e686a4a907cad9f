using System.Text;
using NetbootPi.Agent.Http;

namespace NetbootPi.Fuzz.Targets;

/// <summary>
/// The boot HTTP service's file requests: the Range header (<see cref="FileResponse"/>'s TryResolve) and the path
/// (<see cref="SafeFiles"/>). The input is the Range header's value, a newline, then the path as the server
/// decoded it. A range answered lies inside the file; a path that opens stays under the root.
/// </summary>
public sealed class HttpTarget : FuzzTarget
{
    private static readonly long[] Lengths = [0, 1, 2, 100, 1L << 32, long.MaxValue];

    private readonly ServedTree _tree = new();

    public override string Name => "http";

    public override IEnumerable<KeyValuePair<string, byte[]>> Seeds()
    {
        string[] ranges = ["", "bytes=0-99", "bytes=-5", "bytes=5-", "bytes=1-2,4-5", "bytes=9223372036854775807-", "BYTES = 0 - 0", "items=0-1"];
        var i = 0;
        foreach (var name in ServedTree.Names)
            yield return new($"get-{i}", Encoding.UTF8.GetBytes($"{ranges[i++ % ranges.Length]}\n{name}"));
    }

    public override void Run(ReadOnlySpan<byte> input)
    {
        var text = Encoding.UTF8.GetString(input);
        var newline = text.IndexOf('\n');
        var range = newline < 0 ? text : text[..newline];
        var path = newline < 0 ? "" : text[(newline + 1)..];

        foreach (var length in Lengths)
        {
            var before = GC.GetAllocatedBytesForCurrentThread();
            var satisfiable = FileResponse.TryResolve(range, length, out var offset, out var count);
            CheckAllocation("Range parse", before, input.Length, 1024, 0);
            if (!satisfiable) continue;
            Require(offset >= 0 && count >= 0 && offset <= length && count <= length - offset,
                $"Range '{range}' of a {length}-byte file resolved to {count} bytes at {offset}");
            Require(length == 0 || count > 0, $"Range '{range}' of a {length}-byte file resolved to nothing");
        }

        if (SafeFiles.TryOpen(_tree.Root, path, out var file) != FileRefusal.None) return;
        using var handle = file.Handle;
        _tree.RequireInside(handle, "HTTP", path);
    }

    public override void Dispose()
    {
        _tree.Dispose();
        base.Dispose();
    }
}
