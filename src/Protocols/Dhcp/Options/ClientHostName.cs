using System.Text;

namespace NetbootPi.Protocols.Dhcp.Options;

/// <summary>
/// The name a client offers for itself: option 81 (client FQDN, RFC 4702) when it sends one, else option 12 (host
/// name, RFC 2132 §3.14). Read as dnsmasq reads it (rfc2131.c, util.c <c>legal_hostname</c>, dhcp-common.c
/// <c>strip_hostname</c>), so that a site moving from dnsmasq keeps its names: a name that is not a legal host name
/// is ignored, never repaired; a domain part is dropped; what remains is one label.
/// </summary>
public static class ClientHostName
{
    /// <summary>RFC 1035 §2.3.4.</summary>
    public const int MaxLabel = 63;

    // dnsmasq's MAXDNAME: a longer option is not a name at all.
    private const int MaxName = 1025;

    // RFC 4702 §2.1: the E flag says the name is in DNS wire format.
    private const byte EncodedFlag = 0x04;

    /// <summary>
    /// The client's host name as one lower-case label (letters, digits, '-' and '_', neither of those two first),
    /// or null when the request carries none or one that is not legal. <paramref name="domain"/> is the domain part
    /// the client added (<c>laptop.example.org</c> gives <c>laptop</c> and <c>example.org</c>), which is ignored.
    /// </summary>
    public static string? Read(DhcpOptionSet options, out string? domain)
    {
        domain = null;
        Span<byte> text = stackalloc byte[MaxName + 1];
        int length;
        // dnsmasq takes option 81 when present and ignores option 12 then, even if 81's name is unusable.
        if (options.TryGet(DhcpOptionCode.ClientFqdn, out var fqdn))
        {
            // flags, RCODE1, RCODE2, then the name; shorter is no option 81 at all (dnsmasq: option_find(..., 3)).
            if (fqdn.Length < 3) return ReadOption12(options, text, out domain);
            length = (fqdn[0] & EncodedFlag) != 0 ? Decode(fqdn[3..], text) : CopyText(fqdn[3..], text);
        }
        else return ReadOption12(options, text, out domain);
        return Legal(text[..length], out domain);
    }

    private static string? ReadOption12(DhcpOptionSet options, Span<byte> text, out string? domain)
    {
        domain = null;
        if (!options.TryGet(DhcpOptionCode.HostName, out var name) || name.Length == 0) return null;
        return Legal(text[..CopyText(name, text)], out domain);
    }

    /// <summary>
    /// The name up to its first NUL: Windows clients end option 12 with one, and dnsmasq reads the option as a C
    /// string, so bytes after a NUL are not part of the name.
    /// </summary>
    private static int CopyText(ReadOnlySpan<byte> value, Span<byte> text)
    {
        var nul = value.IndexOf((byte)0);
        if (nul >= 0) value = value[..nul];
        if (value.Length > MaxName) return MaxName + 1; // too long: Legal refuses it
        value.CopyTo(text);
        return value.Length;
    }

    /// <summary>Wire-format labels joined by dots, as dnsmasq joins them (it stops at a label that overruns).</summary>
    private static int Decode(ReadOnlySpan<byte> wire, Span<byte> text)
    {
        var at = 0;
        var n = 0;
        while (at < wire.Length && wire[at] != 0 && at + wire[at] < wire.Length)
        {
            var label = wire.Slice(at + 1, wire[at]);
            if (n + label.Length + 1 > MaxName) return MaxName + 1;
            if (label.IndexOf((byte)0) is var nul and >= 0)
            {
                // A C string ends at a NUL, label or not.
                label.CopyTo(text[n..]);
                return n + nul;
            }
            label.CopyTo(text[n..]);
            n += label.Length;
            text[n++] = (byte)'.';
            at += wire[at] + 1;
        }
        return n > 0 ? n - 1 : 0;
    }

    /// <summary>
    /// dnsmasq's <c>check_name</c> and <c>legal_hostname</c>, then <c>strip_hostname</c>: at most 1025 bytes, a
    /// trailing dot dropped, every label at most 63 bytes, no control or non-ASCII byte; the first label
    /// only letters, digits, '-' and '_', the last two not first; a domain part after the first dot dropped.
    /// </summary>
    private static string? Legal(ReadOnlySpan<byte> name, out string? domain)
    {
        domain = null;
        if (name.Length == 0 || name.Length > MaxName) return null;
        if (name[^1] == (byte)'.') name = name[..^1];
        var label = 0;
        foreach (var c in name)
        {
            if (c == (byte)'.') label = 0;
            else if (++label > MaxLabel) return null;
            // iscntrl, or not ASCII (dnsmasq's IDN builds encode such a name, and then legal_hostname refuses it).
            else if (c < 0x20 || c >= 0x7F) return null;
        }
        var dot = name.IndexOf((byte)'.');
        var host = dot < 0 ? name : name[..dot];
        for (var i = 0; i < host.Length; i++)
        {
            var c = host[i];
            if (c is >= (byte)'a' and <= (byte)'z' or >= (byte)'A' and <= (byte)'Z' or >= (byte)'0' and <= (byte)'9') continue;
            if (i > 0 && c is (byte)'-' or (byte)'_') continue;
            return null;
        }
        if (dot >= 0 && dot + 1 < name.Length) domain = Encoding.ASCII.GetString(name[(dot + 1)..]).ToLowerInvariant();
        // dnsmasq keeps an empty name out (".example.org" strips to nothing).
        if (host.Length == 0) return null;
        return Encoding.ASCII.GetString(host).ToLowerInvariant();
    }
}
