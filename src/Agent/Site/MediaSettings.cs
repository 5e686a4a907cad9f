using System.Collections.Immutable;
using System.Net;

namespace NetbootPi.Agent.Site;

/// <summary>
/// The <c>media:</c> section: the image catalog's limits (docs/media.md). <see cref="MaxImageBytes"/> bounds every
/// image added, by upload or by URL; <see cref="FetchAllow"/> names addresses a download may reach although they are
/// loopback, link-local or the box's own (refused otherwise: the box must not fetch from itself or its neighbours'
/// service addresses on someone's behalf).
/// </summary>
public sealed record MediaSettings(long MaxImageBytes, ImmutableArray<IPNetwork> FetchAllow, SourceLocation? Location = null)
{
    /// <summary>16 GiB: a DVD image or two, well under an SD card; a site with larger images says so.</summary>
    public const long DefaultMaxImageBytes = 16L << 30;

    public static readonly MediaSettings Default = new(DefaultMaxImageBytes, []);

    /// <summary>Whether the site lets downloads reach <paramref name="address"/> despite its kind.</summary>
    public bool Allows(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6) address = address.MapToIPv4();
        foreach (var network in FetchAllow)
            if (network.Contains(address)) return true;
        return false;
    }
}
