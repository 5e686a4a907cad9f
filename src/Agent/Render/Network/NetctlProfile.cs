namespace NetbootPi.Agent.Render.Network;

/// <summary>One netctl profile: its name (the file's name in <c>/etc/netctl</c>) and its text.</summary>
public sealed record NetctlProfile(string Name, string Content)
{
    /// <summary>The systemd unit that runs the profile, as netctl names it: <c>netctl@ESCAPED-NAME.service</c>.</summary>
    public string Unit => SystemdEscape.Instance("netctl@.service", Name);
}
