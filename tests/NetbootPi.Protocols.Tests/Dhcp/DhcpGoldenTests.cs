using System.Runtime.CompilerServices;
using NetbootPi.Protocols.Dhcp;
using NetbootPi.Protocols.Dhcp.Options;

namespace NetbootPi.Protocols.Tests.Dhcp;

/// <summary>
/// Packets captured from real clients (Golden/*.hex, made by Golden/capture.sh: udhcpc, ISC dhclient and the iPXE
/// ROM of a qemu VM) decoded and compared with their reviewed text (Golden/*.txt), then checked for the fields
/// the boot decisions read. Set NETBOOTPI_REGENERATE_GOLDEN=1 to rewrite the text after a deliberate change.
/// </summary>
public class DhcpGoldenTests
{
    public static TheoryData<string> Captures() => new(Directory.GetFiles(GoldenDirectory(), "*.hex").Select(Path.GetFileNameWithoutExtension).Order()!);

    [Theory]
    [MemberData(nameof(Captures))]
    public void Capture_decodes_to_its_golden_text(string name)
    {
        var hex = string.Concat(File.ReadAllLines(Path.Combine(GoldenDirectory(), name + ".hex")));
        var packet = Convert.FromHexString(hex);
        var message = new DhcpMessage();
        Assert.Equal(DhcpParseError.None, message.Parse(packet));
        var text = DhcpMessageFormatter.Format(message);
        var golden = Path.Combine(GoldenDirectory(), name + ".txt");
        if (Environment.GetEnvironmentVariable("NETBOOTPI_REGENERATE_GOLDEN") == "1") File.WriteAllText(golden, text);
        Assert.True(File.Exists(golden), $"{golden} is missing: run with NETBOOTPI_REGENERATE_GOLDEN=1 and review it");
        Assert.Equal(File.ReadAllText(golden), text);

        // What we parse we can write back, and it reads the same.
        var buffer = new byte[1500];
        Assert.True(DhcpMessageWriter.TryWrite(message, buffer, buffer.Length, out var n, out var dropped));
        Assert.Equal(0, dropped);
        var again = new DhcpMessage();
        Assert.Equal(DhcpParseError.None, again.Parse(buffer.AsSpan(0, n)));
        Assert.Equal(text, DhcpMessageFormatter.Format(again));
    }

    [Fact]
    public void Ipxe_rom_says_bios_ipxe_and_asks_for_its_own_options()
    {
        var m = Load("ipxe-bios-discover");
        Assert.Equal(DhcpMessageType.Discover, m.MessageType);
        Assert.True(ClientArchitecture.TryGetFirst(m.Options, out var arch));
        Assert.Equal(ClientArchitecture.X86Bios, arch);
        Assert.True(m.Options.Contains(DhcpOptionCode.IpxeEncapsulated), "iPXE sends its feature list in option 175");
        Assert.True(UserClass.Contains(m.Options, UserClass.Ipxe));
        Assert.True(IpxeOptions.IsIpxe(m.Options));
        Assert.True(VendorClass.IsPxeClient(m.Options));
        Assert.True(m.Options.TryGetUInt16(DhcpOptionCode.MaximumMessageSize, out var max));
        Assert.Equal(1472, max);
        // It asks for the boot file and server (66, 67) and for iPXE's own encapsulated options (175).
        Assert.Equal([1, 3, 6, 7, 12, 15, 17, 26, 43, 60, 66, 67, 119, 128, 129, 130, 131, 132, 133, 134, 135, 175, 203],
            m.Options.Get(DhcpOptionCode.ParameterRequestList).ToArray().Select(b => (int)b));
        Assert.Equal(17, m.Options.Get(DhcpOptionCode.ClientMachineIdentifier).Length); // type 0 + a 16-byte UUID
    }

    [Fact]
    public void Ipxe_rom_is_sent_its_script_never_the_loader_again()
    {
        var h = new EngineHarness();
        var offer = h.Send(Load("ipxe-bios-discover"))!;
        Assert.Equal("http://10.0.0.1/boot.ipxe", offer.BootFileName);
        Assert.Equal(IpxeOptions.NoPxeDhcpValue.ToArray(), offer.Options.Get(DhcpOptionCode.IpxeEncapsulated).ToArray());
    }

    [Fact]
    public void Ipxe_under_uefi_says_efi_bc_and_ipxe_and_gets_its_script()
    {
        var m = Load("ipxe-efi-discover");
        Assert.True(ClientArchitecture.TryGetFirst(m.Options, out var arch));
        Assert.Equal(ClientArchitecture.EfiBc, arch);
        Assert.True(m.Options.Contains(DhcpOptionCode.IpxeEncapsulated));
        Assert.True(UserClass.Contains(m.Options, UserClass.Ipxe));
        Assert.False(m.IsBroadcast); // iPXE takes unicast replies (RFC 2131 §4.1)
        var offer = new EngineHarness().Send(m)!;
        Assert.Equal("http://10.0.0.1/boot.ipxe", offer.BootFileName);
    }

    [Fact]
    public void Ovmf_pxe_is_a_uefi_pxe_client_not_ipxe_and_gets_the_uefi_loader()
    {
        var m = Load("ovmf-pxe-discover");
        Assert.True(ClientArchitecture.TryGetFirst(m.Options, out var arch));
        Assert.Equal(ClientArchitecture.EfiBc, arch);
        Assert.True(VendorClass.IsPxeClient(m.Options));
        Assert.False(IpxeOptions.IsIpxe(m.Options));
        Assert.True(m.IsBroadcast);
        var prl = m.Options.Get(DhcpOptionCode.ParameterRequestList).ToArray();
        Assert.Contains((byte)DhcpOptionCode.TftpServerName, prl);
        Assert.Contains((byte)DhcpOptionCode.BootFileName, prl);
        Assert.DoesNotContain((byte)DhcpOptionCode.IpxeEncapsulated, prl);
        var offer = new EngineHarness().Send(m)!;
        Assert.Equal("snponly.efi", offer.BootFileName);
    }

    [Fact]
    public void Dhclient_sends_its_configured_request_list_and_pxe_options_from_its_config()
    {
        var plain = Load("dhclient-discover");
        Assert.Equal([1, 3, 6, 15], plain.Options.Get(DhcpOptionCode.ParameterRequestList).ToArray().Select(b => (int)b));
        Assert.False(plain.Options.Contains(DhcpOptionCode.ClientSystemArchitecture));
        Assert.False(VendorClass.IsPxeClient(plain.Options));

        var pxe = Load("dhclient-pxe-discover");
        Assert.True(VendorClass.IsPxeClient(pxe.Options));
        Assert.True(ClientArchitecture.TryGetFirst(pxe.Options, out var arch));
        Assert.Equal(ClientArchitecture.X86Bios, arch);
        Assert.False(IpxeOptions.IsIpxe(pxe.Options));

        // dhclient's "send user-class" writes the bare name, as iPXE itself does, not an RFC 3004 list.
        var ipxe = Load("dhclient-ipxe-discover");
        Assert.Equal("iPXE"u8.ToArray(), ipxe.Options.Get(DhcpOptionCode.UserClass).ToArray());
        Assert.True(IpxeOptions.IsIpxe(ipxe.Options));
        Assert.False(ipxe.Options.Contains(DhcpOptionCode.IpxeEncapsulated));
    }

    [Fact]
    public void Dhclient_as_a_pxe_rom_is_offered_the_bios_loader()
    {
        var h = new EngineHarness();
        Assert.Equal("undionly.kpxe", h.Send(Load("dhclient-pxe-discover"))!.BootFileName);
        Assert.Equal("", h.Send(Load("dhclient-discover"))!.BootFileName);
    }

    private static DhcpMessage Load(string name)
    {
        var hex = string.Concat(File.ReadAllLines(Path.Combine(GoldenDirectory(), name + ".hex")));
        var message = new DhcpMessage();
        Assert.Equal(DhcpParseError.None, message.Parse(Convert.FromHexString(hex)));
        return message;
    }

    private static string GoldenDirectory([CallerFilePath] string source = "") => Path.Combine(Path.GetDirectoryName(source)!, "Golden");
}
