using NetbootPi.Protocols.Dhcp;

namespace NetbootPi.Fuzz.Targets;

/// <summary>
/// DHCP messages and options (<see cref="DhcpMessageParser"/>): what parses writes again (RFC 3396 splitting and
/// overload as the writer chooses) and parses to the same header and the same options.
/// </summary>
public sealed class DhcpTarget : FuzzTarget
{
    // The largest UDP payload: the receive path never hands the parser more.
    private const int MaxDatagram = 65507;

    private readonly DhcpMessage _message = new();
    private readonly DhcpMessage _again = new();
    private readonly byte[] _written = new byte[MaxDatagram + 1024];

    public override string Name => "dhcp";

    public override IEnumerable<KeyValuePair<string, byte[]>> Seeds()
    {
        foreach (var file in Directory.EnumerateFiles(RepoFiles.PathOf("tests/NetbootPi.Protocols.Tests/Dhcp/Golden"), "*.hex").Order())
            yield return new(Path.GetFileNameWithoutExtension(file), Convert.FromHexString(string.Concat(File.ReadAllLines(file))));
        // A request with overloaded file and sname fields and a relay's option 82, which the captures lack.
        var m = new DhcpMessage { Operation = DhcpOperation.BootRequest, HardwareType = 1, HardwareAddressLength = 6, TransactionId = 7 };
        m.Options.SetByte(DhcpOptionCode.MessageType, (byte)DhcpMessageType.Request);
        m.Options.Set(DhcpOptionCode.RelayAgentInformation, [1, 3, (byte)'e', (byte)'t', (byte)'h', 2, 2, 0, 1]);
        m.Options.Set(DhcpOptionCode.VendorClassIdentifier, "PXEClient:Arch:00000:UNDI:002001"u8);
        m.Options.Set((DhcpOptionCode)77, new byte[400]);
        var seed = new byte[576];
        DhcpMessageWriter.TryWrite(m, seed, seed.Length, out var n, out _);
        yield return new("overloaded-relayed-request", seed[..n]);
    }

    public override void Run(ReadOnlySpan<byte> input)
    {
        if (input.Length > MaxDatagram) input = input[..MaxDatagram];
        var before = GC.GetAllocatedBytesForCurrentThread();
        DhcpMessageParser.PeekMessageType(input);
        var error = _message.Parse(input);
        // The option store is kept and grown to the joined options, which the datagram carries byte for byte.
        CheckAllocation("DHCP parse", before, input.Length, 4096, 2);
        if (error != DhcpParseError.None) return;

        Require(DhcpMessageWriter.TryWrite(_message, _written, _written.Length, out var length, out var dropped),
            "a parsed message does not write again");
        Require(dropped == 0, $"writing a parsed message dropped {dropped} options");
        var again = _again.Parse(_written.AsSpan(0, length));
        Require(again == DhcpParseError.None, $"a written message does not parse: {again}");
        Same(_message, _again);
    }

    private static void Same(DhcpMessage a, DhcpMessage b)
    {
        Require(a.Operation == b.Operation && a.HardwareType == b.HardwareType &&
                a.HardwareAddressLength == b.HardwareAddressLength && a.Hops == b.Hops &&
                a.TransactionId == b.TransactionId && a.Seconds == b.Seconds && a.Flags == b.Flags &&
                a.ClientAddress == b.ClientAddress && a.YourAddress == b.YourAddress &&
                a.NextServerAddress == b.NextServerAddress && a.GatewayAddress == b.GatewayAddress &&
                a.ClientHardwareAddressField.SequenceEqual(b.ClientHardwareAddressField),
            "the header differs after writing and parsing again");
        // File and sname are only data when no options were carried in them (RFC 2132 §9.3).
        if ((a.Overload & 1) == 0 && (b.Overload & 1) == 0)
            Require(a.FileField.SequenceEqual(b.FileField), "the file field differs after writing and parsing again");
        if ((a.Overload & 2) == 0 && (b.Overload & 2) == 0)
            Require(a.ServerNameField.SequenceEqual(b.ServerNameField), "the sname field differs after writing and parsing again");
        for (var code = 1; code < 255; code++)
        {
            // The writer decides overload itself: option 52 is its choice, not a value carried over.
            if (code == (int)DhcpOptionCode.Overload) continue;
            var inA = a.Options.TryGet((DhcpOptionCode)code, out var va);
            var inB = b.Options.TryGet((DhcpOptionCode)code, out var vb);
            Require(inA == inB, $"option {code} is {(inA ? "lost" : "added")} after writing and parsing again");
            Require(!inA || va.SequenceEqual(vb), $"option {code} differs after writing and parsing again");
        }
    }
}
