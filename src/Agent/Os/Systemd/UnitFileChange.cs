namespace NetbootPi.Agent.Os.Systemd;

/// <summary>One change enabling or disabling made: <paramref name="Type"/> is "symlink" or "unlink".</summary>
public sealed record UnitFileChange(string Type, string FileName, string Destination);
