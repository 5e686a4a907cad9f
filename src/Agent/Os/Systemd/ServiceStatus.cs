namespace NetbootPi.Agent.Os.Systemd;

/// <summary>
/// The agent's one status line for systemd (<c>STATUS=</c>, what <c>systemctl status</c> shows): each service sets
/// the part it knows (the site served, a rejected reload, an interface DHCP waits for), the parts are joined in the
/// order they first appeared, and the line is sent whenever it changes once the agent is ready.
/// </summary>
public sealed class ServiceStatus(SystemdNotifier notifier)
{
    private readonly Lock _gate = new();
    private readonly List<(string Key, string Text)> _parts = [];
    private bool _ready;
    private string _sent = "";

    /// <summary>The line as it stands.</summary>
    public string Text
    {
        get { lock (_gate) return Compose(); }
    }

    /// <summary>Sets (or with null clears) one part of the line.</summary>
    public void Set(string key, string? text)
    {
        lock (_gate)
        {
            var i = _parts.FindIndex(p => p.Key == key);
            if (text is null)
            {
                if (i >= 0) _parts.RemoveAt(i);
            }
            else if (i >= 0) _parts[i] = (key, text);
            else _parts.Add((key, text));
            if (_ready) SendIfChanged();
        }
    }

    /// <summary>READY=1 with the line: every server listens (at start), or a reload has finished.</summary>
    public void Ready()
    {
        lock (_gate)
        {
            _ready = true;
            _sent = Compose();
            notifier.Ready(_sent);
        }
    }

    /// <summary>
    /// RELOADING=1: a reload begins; <see cref="Ready"/> ends it with the line as the reload left it (what
    /// changes meanwhile goes out once, with READY=1).
    /// </summary>
    public void Reloading()
    {
        lock (_gate)
        {
            _ready = false;
            notifier.Reloading();
        }
    }

    public void Stopping()
    {
        lock (_gate) _ready = false;
        notifier.Stopping();
    }

    private string Compose() => string.Join("; ", _parts.Select(p => p.Text));

    private void SendIfChanged()
    {
        var line = Compose();
        if (line == _sent) return;
        _sent = line;
        notifier.Status(line);
    }
}
