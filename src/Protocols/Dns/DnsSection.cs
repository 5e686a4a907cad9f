namespace NetbootPi.Protocols.Dns;

/// <summary>The three record sections of a message, in the order they are written (RFC 1035 §4.1).</summary>
public enum DnsSection
{
    Answer,
    Authority,
    Additional,
}
