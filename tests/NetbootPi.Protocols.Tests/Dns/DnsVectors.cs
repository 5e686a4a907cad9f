namespace NetbootPi.Protocols.Tests.Dns;

/// <summary>Hand-annotated messages shared by the DNS codec tests.</summary>
internal static class DnsVectors
{
    /// <summary>dig's query for shoe.netsoc.internal A, id 0xBEEF, RD, with an OPT record offering 1232 bytes.</summary>
    public static byte[] QueryWithEdns() =>
    [
        0xBE, 0xEF,             // id
        0x01, 0x20,             // flags: RD, AD (dig sets AD)
        0x00, 0x01,             // QDCOUNT 1
        0x00, 0x00,             // ANCOUNT
        0x00, 0x00,             // NSCOUNT
        0x00, 0x01,             // ARCOUNT 1: the OPT record
        4, .. "shoe"u8, 6, .. "netsoc"u8, 8, .. "internal"u8, 0, // QNAME
        0x00, 0x01,             // QTYPE A
        0x00, 0x01,             // QCLASS IN
        0,                      // OPT: owner is the root
        0x00, 0x29,             // TYPE OPT (41)
        0x04, 0xD0,             // CLASS: UDP payload size 1232
        0x00, 0x00, 0x80, 0x00, // TTL: extended RCODE 0, version 0, DO set
        0x00, 0x00,             // RDLENGTH 0
    ];

    /// <summary>A plain query (no EDNS) for NaPaLm.NetSoc.Internal with the given type.</summary>
    public static byte[] Query(string name = "NaPaLm.NetSoc.Internal", ushort type = 1, ushort id = 0x1234)
    {
        var bytes = new List<byte> { (byte)(id >> 8), (byte)id, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0 };
        foreach (var label in name.Split('.'))
        {
            bytes.Add((byte)label.Length);
            bytes.AddRange(System.Text.Encoding.ASCII.GetBytes(label));
        }
        bytes.AddRange([0, (byte)(type >> 8), (byte)type, 0, 1]);
        return [.. bytes];
    }

    /// <summary>A header promising one question, then the bytes given as that question.</summary>
    public static byte[] WithQuestion(params byte[] question) => [0x00, 0x07, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0, .. question];

    /// <summary>
    /// A response from an upstream for example.com A: one answer compressed against the question (TTL 300), an
    /// authority NS, and an OPT record last.
    /// </summary>
    public static byte[] UpstreamResponse() =>
    [
        0x44, 0x55,             // id
        0x81, 0x80,             // flags: QR, RD, RA; RCODE NOERROR
        0x00, 0x01, 0x00, 0x01, 0x00, 0x01, 0x00, 0x01, // QD 1, AN 1, NS 1, AR 1
        7, .. "example"u8, 3, .. "com"u8, 0, // 12: QNAME
        0x00, 0x01, 0x00, 0x01, // QTYPE A, QCLASS IN
        0xC0, 0x0C,             // 29: answer owner: pointer to 12
        0x00, 0x01, 0x00, 0x01, // A IN
        0x00, 0x00, 0x01, 0x2C, // TTL 300
        0x00, 0x04, 93, 184, 216, 34, // RDLENGTH 4, the address
        0xC0, 0x0C,             // 45: authority owner: example.com
        0x00, 0x02, 0x00, 0x01, // NS IN
        0x00, 0x00, 0x0E, 0x10, // TTL 3600
        0x00, 0x04, 1, (byte)'a', 0xC0, 0x0C, // RDLENGTH 4: a.example.com, compressed
        0, 0x00, 0x29, 0x10, 0x00, 0, 0, 0, 0, 0, 0, // OPT: 4096, no flags
    ];

    /// <summary>An NXDOMAIN for nothere.example.com with the zone's SOA (TTL 900, MINIMUM 60) in the authority section.</summary>
    public static byte[] UpstreamNxDomain() =>
    [
        0x00, 0x01, 0x81, 0x83, // id 1, QR RD RA, RCODE NXDOMAIN
        0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, // QD 1, NS 1
        7, .. "nothere"u8, 7, .. "example"u8, 3, .. "com"u8, 0, // 12: QNAME; "example" at 20
        0x00, 0x01, 0x00, 0x01,
        0xC0, 0x14,             // SOA owner: example.com (offset 20)
        0x00, 0x06, 0x00, 0x01, // SOA IN
        0x00, 0x00, 0x03, 0x84, // TTL 900
        0x00, 0x1B,             // RDLENGTH 27
        2, (byte)'n', (byte)'s', 0xC0, 0x14, // MNAME ns.example.com
        0xC0, 0x14,             // RNAME example.com
        0, 0, 0, 1,  0, 0, 0x0E, 0x10,  0, 0, 0x02, 0x58,  0, 0x09, 0x3A, 0x80,  0, 0, 0, 60, // serial refresh retry expire MINIMUM 60
    ];
}
