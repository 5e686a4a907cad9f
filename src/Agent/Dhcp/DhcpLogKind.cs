namespace NetbootPi.Agent.Dhcp;

/// <summary>What a DHCP log line is about (<see cref="DhcpLogEntry"/>).</summary>
public enum DhcpLogKind { Replied, NotAnswered, Rejected, SendFailed, FirstBootToday, UnicastUnavailable, ReceiveFailed, Summary, Dropped }
