using NetbootPi.Agent.Site;

namespace NetbootPi.Agent.Hosting;

/// <summary>
/// The running agent's one site snapshot. Readers take <see cref="Current"/> once per request and use that
/// snapshot throughout; a reload swaps in a new one atomically, and an invalid file never replaces it.
/// </summary>
public sealed class SiteState
{
    private SiteInventory _current;

    public SiteState(string path, SiteInventory initial)
    {
        Path = path;
        _current = initial;
    }

    public string Path { get; }

    public SiteInventory Current => Volatile.Read(ref _current);

    /// <summary>Raised after a new snapshot is in place, with the new snapshot.</summary>
    public event Action<SiteInventory>? Changed;

    /// <summary>Reads the file again; swaps the snapshot only if the file is valid.</summary>
    public SiteLoadResult Reload()
    {
        var result = SiteFile.Load(Path);
        if (result.Inventory is { } next)
        {
            Volatile.Write(ref _current, next);
            Changed?.Invoke(next);
        }
        return result;
    }
}
