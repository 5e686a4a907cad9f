namespace NetbootPi.Agent.Dns;

/// <summary>What the site's zones say about a name and type.</summary>
public enum ZoneLookupKind
{
    /// <summary>The name is in none of the site's zones: forward it, or refuse it.</summary>
    NotOurs,
    /// <summary>Records of the type (or a CNAME chain leading to them).</summary>
    Answer,
    /// <summary>The name exists with no records of the type: NOERROR with the SOA and no answer (RFC 2308 §2.2).</summary>
    NoData,
    /// <summary>The name does not exist in the zone: NXDOMAIN with the SOA (RFC 2308 §2.1).</summary>
    NameError,
}
