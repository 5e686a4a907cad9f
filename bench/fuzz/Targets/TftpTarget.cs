using System.Net;
using System.Text;
using NetbootPi.Protocols.Tftp;

namespace NetbootPi.Fuzz.Targets;

/// <summary>
/// TFTP requests and options (<see cref="TftpPacket"/>), their negotiation, and the file a request names opened
/// by <see cref="TftpRootFileProvider"/>: what parses writes again and parses to the same request; the options
/// granted stay in their RFC ranges and were asked for; a name that opens stays under the root.
/// </summary>
public sealed class TftpTarget : FuzzTarget
{
    private const int MaxDatagram = 65507;
    private static readonly IPEndPoint Client = new(IPAddress.Loopback, 2000);

    private readonly ServedTree _tree = new();
    private readonly TftpRootFileProvider _files;
    private readonly TftpServerOptions _server = new();
    private readonly byte[] _written = new byte[MaxDatagram * 2];

    public TftpTarget() => _files = new TftpRootFileProvider(_tree.Root);

    public override string Name => "tftp";

    public override IEnumerable<KeyValuePair<string, byte[]>> Seeds()
    {
        var options = new KeyValuePair<string, string>[] { new("blksize", "1468"), new("tsize", "0"), new("windowsize", "16"), new("timeout", "1") };
        var i = 0;
        foreach (var name in ServedTree.Names)
        {
            var buffer = new byte[512];
            var n = TftpPacket.WriteRequest(buffer, TftpOpcode.ReadRequest, name, i % 3 == 0 ? "netascii" : "octet", options.Take(i % 5).ToList());
            yield return new($"rrq-{i++}", buffer[..n]);
        }
        yield return new("ack", [0, 4, 0, 1]);
        yield return new("error", [0, 5, 0, 2, .. "Access violation"u8, 0]);
        yield return new("wrq", [0, 2, .. "pxelinux.cfg/01-52-54-00-12-34-56"u8, 0, .. "OCTET"u8, 0]);
    }

    public override void Run(ReadOnlySpan<byte> input)
    {
        if (input.Length > MaxDatagram) input = input[..MaxDatagram];
        var before = GC.GetAllocatedBytesForCurrentThread();
        TftpPacket.TryParseAck(input, out _);
        TftpPacket.TryParseError(input, out _, out _);
        var reason = TftpPacket.TryParseRequest(input, out var request);
        // Strings for the name and each option (at most TftpPacket.MaxOptions), as UTF-16: a few times the datagram.
        CheckAllocation("TFTP parse", before, input.Length, 8192, 8);
        if (reason != TftpRejectReason.None) return;
        Require(request is not null, "a request parsed without error but none was returned");
        RoundTrip(request!);
        Negotiation(request!);
        Open(request!);
    }

    private void RoundTrip(TftpRequest request)
    {
        // The writer is ASCII for options, as RFC 2347 has them; the parser maps other bytes through Latin-1, so
        // only all-ASCII options can come back the same.
        if (!request.Options.All(o => Ascii.IsValid(o.Key) && Ascii.IsValid(o.Value))) return;
        var mode = request.Mode == TftpTransferMode.Octet ? "octet" : "netascii";
        var n = TftpPacket.WriteRequest(_written, request.Opcode, request.FileName, mode, request.Options);
        Require(n > 0, "a parsed request does not write again");
        var reason = TftpPacket.TryParseRequest(_written.AsSpan(0, n), out var again);
        Require(reason == TftpRejectReason.None, $"a written request does not parse: {reason}");
        Require(again!.Opcode == request.Opcode && again.FileName == request.FileName && again.Mode == request.Mode &&
                again.Options.SequenceEqual(request.Options), "the request differs after writing and parsing again");
    }

    private void Negotiation(TftpRequest request)
    {
        foreach (var length in new long[] { 0, 1, 1L << 40 })
        {
            var p = TftpTransferParameters.Negotiate(request, _server, length);
            Require(p.BlockSize is >= TftpServerOptions.MinProtocolBlockSize and <= TftpServerOptions.MaxProtocolBlockSize &&
                    p.BlockSize <= _server.MaxBlockSize, $"block size {p.BlockSize} granted");
            Require(p.WindowSize >= 1 && p.WindowSize <= _server.MaxWindowSize, $"window size {p.WindowSize} granted");
            Require(p.Timeout >= TimeSpan.FromSeconds(1) && p.Timeout <= TimeSpan.FromSeconds(255), $"timeout {p.Timeout} granted");
            foreach (var (name, _) in p.OptionAck)
                Require(request.Options.Any(o => o.Key == name), $"option {name} granted but not asked for");
            if (p.OptionAck.Count == 0) continue;
            var oack = TftpPacket.WriteOptionAck(_written, p.OptionAck);
            Require(oack > 2 && oack <= 65464 + 4, $"an OACK of {oack} bytes for {p.OptionAck.Count} options");
        }
    }

    private void Open(TftpRequest request)
    {
        var opened = _files.Open(request.FileName, Client);
        if (!opened.IsSuccess) return;
        using var stream = opened.Stream!;
        var file = stream as FileStream ?? throw new InvariantViolation($"TFTP opened '{request.FileName}' as a {stream.GetType().Name}");
        _tree.RequireInside(file.SafeFileHandle, "TFTP", request.FileName);
    }

    public override void Dispose()
    {
        _tree.Dispose();
        base.Dispose();
    }
}
