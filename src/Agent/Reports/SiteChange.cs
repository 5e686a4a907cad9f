namespace NetbootPi.Agent.Reports;

/// <summary>
/// One thing a new site changes against the running one (<see cref="SiteChanges.Between"/>).
/// </summary>
/// <param name="Kind">host, network, profile or exports.</param>
/// <param name="Name">The host's, network's or profile's name; the exports file's name for exports.</param>
/// <param name="Change">added, removed or changed.</param>
/// <param name="Details">What it is (added, removed) or what changes in it (<c>key: before → after</c>, the lines of a rendered file that change).</param>
public sealed record SiteChange(string Kind, string Name, string Change, IReadOnlyList<string> Details);
