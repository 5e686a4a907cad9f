using System.Text;
using NetbootPi.Agent.Site;
using NetbootPi.Protocols.Dhcp;
using NetbootPi.Protocols.Dhcp.Options;
using NetbootPi.Protocols.Dhcp.Server;
using NetbootPi.Protocols.Net;

namespace NetbootPi.Agent.Dhcp;

/// <summary>Which first stage a booting client gets, from what it says it is (options 60, 77, 93, 97, 175).</summary>
public static class BootDecisions
{
    /// <summary>Raspberry Pi Foundation / Raspberry Pi Trading OUIs.</summary>
    private static readonly uint[] RaspberryPiOuis = [0xB827EB, 0xDCA632, 0xE45F01, 0xD83ADD, 0x28CDC1, 0x2CCF67];

    /// <summary>
    /// The PXE vendor options (option 43) that the Raspberry Pi bootloader looks for, as dnsmasq's
    /// <c>pxe-service=0,"Raspberry Pi Boot"</c> sends them: discovery control 3, menu prompt "PXE",
    /// one boot menu item (type 0) named "Raspberry Pi Boot".
    /// </summary>
    internal static readonly byte[] RaspberryPiVendorOptions = BuildRaspberryPiVendorOptions();

    public static DhcpBootDecision Decide(SiteInventory site, HostBinding binding, DhcpOptionSet options,
        MacAddress mac, Ipv4Address box)
    {
        if (!binding.GetsBootOffer) return DhcpBootDecision.None;
        var boxUrl = BootUrls.Base(box, site.Server.HttpPort);

        // iPXE (ours or a NIC ROM) gets its script, never the loader again (which would loop), and is told
        // not to wait for ProxyDHCP offers (iPXE's 175.176, saves seconds per boot).
        if (IpxeOptions.IsIpxe(options))
        {
            return new DhcpBootDecision
            {
                BootFileName = BootUrls.Script(boxUrl, mac),
                NextServer = box,
                Options = [new(DhcpOptionCode.IpxeEncapsulated, IpxeOptions.NoPxeDhcpValue.ToArray(), Always: true)],
            };
        }

        var pxe = VendorClass.IsPxeClient(options);
        if (ClientMachineId.IsRaspberryPi4(options) || (pxe && IsRaspberryPiMac(mac)))
        {
            // The Pi bootloader fetches SERIAL/start4.elf and friends over TFTP from option 66.
            return new DhcpBootDecision
            {
                BootFileName = "bootcode.bin",
                NextServer = box,
                Options =
                [
                    new(DhcpOptionCode.VendorClassIdentifier, "PXEClient"u8.ToArray(), Always: true),
                    new(DhcpOptionCode.VendorSpecific, RaspberryPiVendorOptions, Always: true),
                    new(DhcpOptionCode.TftpServerName, Encoding.ASCII.GetBytes(box.ToString()), Always: true),
                ],
            };
        }

        var hasArch = ClientArchitecture.TryGetFirst(options, out var arch);
        if (hasArch && ClientArchitecture.IsHttpBoot(arch))
        {
            // UEFI HTTP boot (RFC 4578 registry, UEFI 2.5 §24.7): the file is a URL, option 60 must say HTTPClient.
            var loader = arch == ClientArchitecture.EfiArm64Http ? site.Server.Loaders.Arm64 : site.Server.Loaders.Uefi;
            return new DhcpBootDecision
            {
                BootFileName = BootUrls.Loader(boxUrl, loader),
                NextServer = box,
                Options = [new(DhcpOptionCode.VendorClassIdentifier, "HTTPClient"u8.ToArray(), Always: true)],
            };
        }
        if (!pxe && !hasArch) return DhcpBootDecision.None; // an ordinary DHCP client (an OS, udhcpc): no boot offer

        var file = (hasArch ? arch : ClientArchitecture.X86Bios) switch
        {
            ClientArchitecture.X86Bios => site.Server.Loaders.Bios,
            ClientArchitecture.EfiArm64 => site.Server.Loaders.Arm64,
            ClientArchitecture.EfiIa32 or ClientArchitecture.EfiBc or ClientArchitecture.EfiX64 => site.Server.Loaders.Uefi,
            _ => null,
        };
        if (file is null) return DhcpBootDecision.None; // an architecture we have no loader for
        // No option 60 here, as dnsmasq's dhcp-boot does: UEFI firmware (EDK2) takes an offer with "PXEClient"
        // but no PXE vendor options for a BINL offer and insists on a port-4011 exchange before it boots; a
        // plain offer with siaddr and a file boots every PXE ROM. ProxyDHCP replies get 60 from the engine.
        var extra = new List<DhcpBootOption>
        {
            new(DhcpOptionCode.TftpServerName, Encoding.ASCII.GetBytes(box.ToString()), Always: true),
        };
        return new DhcpBootDecision { BootFileName = file, NextServer = box, Options = extra };
    }

    public static bool IsRaspberryPiMac(MacAddress mac) => RaspberryPiOuis.Any(mac.HasOui);

    private static byte[] BuildRaspberryPiVendorOptions()
    {
        var name = "Raspberry Pi Boot"u8;
        var o = new List<byte> { 6, 1, 3, 10, 4, 0, (byte)'P', (byte)'X', (byte)'E', 9, (byte)(3 + name.Length), 0, 0, (byte)name.Length };
        o.AddRange(name.ToArray());
        o.Add(255);
        return [.. o];
    }
}
