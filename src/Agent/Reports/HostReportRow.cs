namespace NetbootPi.Agent.Reports;

/// <summary>
/// One row of what the site derives for a machine: a key (empty for a further line of the row before), its value,
/// and for a machine without a static address the network it applies on (null: on every network).
/// </summary>
public sealed record HostReportRow(string? Network, string Key, string Value);
