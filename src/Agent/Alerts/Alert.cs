using System.Collections.Immutable;
using NetbootPi.Agent.Site;

namespace NetbootPi.Agent.Alerts;

/// <summary>
/// Something an operator must hear about: a boot event of kind <c>alert</c> and a signed POST to each webhook that
/// wants its <see cref="Kind"/>. <see cref="Id"/> is the same in every attempt, so a receiver can tell a retry from a
/// new alert; <see cref="Details"/> are further lines (a refused site file's located errors).
/// </summary>
public sealed record Alert(string Id, AlertKind Kind, DateTimeOffset Time, string? Host, string Message, ImmutableArray<string> Details)
{
    /// <summary>The event's path: <c>site-rejected: reload of /etc/netbootpi/site.yaml refused ...</c>.</summary>
    public string EventPath => $"{AlertKinds.Name(Kind)}: {Message}";
}
