using NetbootPi.Protocols.Dns;

namespace NetbootPi.Agent.Dns;

/// <summary>
/// The box's answer to one query from the site's zones, with no I/O: the transport hands it the parsed query
/// and a writer, and sends what is written, or forwards the query when told to.
/// </summary>
public static class DnsAnswerer
{
    /// <summary>
    /// The largest UDP response the box sends, whatever a client offers: 1232 bytes fits any path's MTU without
    /// fragmentation (the DNS flag day 2020 value); more goes over TCP.
    /// </summary>
    public const int MaxUdpPayload = 1232;

    private const int OptSize = 11;
    private const ushort ClassIn = 1, ClassAny = 255;

    /// <summary>The most a response to <paramref name="query"/> may be: TCP's 65535, or the client's UDP size up to <see cref="MaxUdpPayload"/>.</summary>
    public static int Limit(DnsQuery query, bool tcp) =>
        tcp ? DnsMessageWriter.MaxMessageSize : Math.Min(query.UdpPayloadSize, Math.Max(MaxUdpPayload, DnsQuery.ClassicUdpSize));

    /// <param name="parse">What <see cref="DnsQuery.Parse"/> returned for <paramref name="query"/>.</param>
    /// <param name="canForward">True when the site has upstream resolvers: names outside the site are forwarded, else refused.</param>
    public static DnsDisposition Answer(DnsQuery query, DnsParseError parse, SiteZone zone, bool canForward, DnsMessageWriter writer, int limit)
    {
        // Never answer a response: two servers would bounce errors at each other for ever.
        if (!query.HasHeader || query.Header.IsResponse) return DnsDisposition.Drop;
        var h = query.Header;
        // Opcode and RD are copied into the response (RFC 1035 §4.1.1); RA says whether the box recurses.
        var flags = (ushort)(DnsHeader.ResponseFlag | (h.Flags & 0x7800) | (h.Flags & DnsHeader.RecursionDesiredFlag)
            | (canForward ? DnsHeader.RecursionAvailableFlag : 0));
        if (parse != DnsParseError.None)
        {
            // The question may be the broken part: FORMERR with the header alone (RFC 1035 §4.1.1).
            writer.Begin(h.Id, (ushort)(flags | (int)DnsResponseCode.FormatError), limit);
            return DnsDisposition.Answered;
        }
        var reserve = query.HasEdns ? OptSize : 0;
        writer.Begin(h.Id, flags, limit - reserve);
        if (!writer.TryWriteQuestion(query.Name, query.Type, query.Class))
        {
            writer.SetFlags((ushort)(flags | DnsHeader.TruncatedFlag));
            return Finish(query, writer, limit, DnsResponseCode.NoError);
        }
        // RFC 6891 §6.1.3: a version the box does not speak is BADVERS, with the box's own OPT saying version 0.
        if (query.HasEdns && query.EdnsVersion > 0) return Finish(query, writer, limit, DnsResponseCode.BadVersion);
        if (h.Opcode != 0) return Finish(query, writer, limit, DnsResponseCode.NotImplemented);
        if (query.Class is not ClassIn and not ClassAny) return Finish(query, writer, limit, DnsResponseCode.Refused);
        // Zone transfers are for secondaries; the box has none, and its zones are the site file.
        if (query.Type is DnsRecordType.AXFR or DnsRecordType.IXFR) return Finish(query, writer, limit, DnsResponseCode.Refused);

        var lookup = zone.Lookup(query.Name, query.Type);
        if (lookup.Kind == ZoneLookupKind.NotOurs)
        {
            if (canForward) return DnsDisposition.Forward;
            // No upstream: the box answers only for the site, never loops or recurses on its own.
            return Finish(query, writer, limit, DnsResponseCode.Refused);
        }
        writer.SetFlags((ushort)(flags | DnsHeader.AuthoritativeFlag));
        var afterQuestion = writer.Mark();
        var fits = true;
        foreach (var r in lookup.Answers) fits &= fits && writer.TryWriteRecord(DnsSection.Answer, r);
        if (lookup.Soa is { } soa) fits &= fits && writer.TryWriteRecord(DnsSection.Authority, soa);
        if (!fits)
        {
            // RFC 2181 §9: an answer that does not fit is dropped whole and TC set; the client asks again over TCP.
            writer.Rewind(afterQuestion);
            writer.SetFlags((ushort)(writer.Header.Flags | DnsHeader.TruncatedFlag));
        }
        return Finish(query, writer, limit, lookup.Kind == ZoneLookupKind.NameError ? DnsResponseCode.NameError : DnsResponseCode.NoError);
    }

    private static DnsDisposition Finish(DnsQuery query, DnsMessageWriter writer, int limit, DnsResponseCode code)
    {
        writer.SetResponseCode(code);
        if (query.HasEdns)
        {
            writer.SetLimit(limit);
            writer.TryWriteOpt(MaxUdpPayload, code, query.DnssecOk);
        }
        return DnsDisposition.Answered;
    }
}
