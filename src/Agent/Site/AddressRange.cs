using NetbootPi.Protocols.Net;

namespace NetbootPi.Agent.Site;

/// <summary>An inclusive range of addresses handed out dynamically.</summary>
public readonly record struct AddressRange(Ipv4Address First, Ipv4Address Last)
{
    public long Count => (long)Last.Value - First.Value + 1;
    public bool Contains(Ipv4Address a) => a >= First && a <= Last;
    public override string ToString() => $"{First}-{Last}";
}
