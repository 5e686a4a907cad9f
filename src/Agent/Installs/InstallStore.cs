using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Logging;
using NetbootPi.Agent.Events;
using NetbootPi.Agent.Os.Files;
using NetbootPi.Agent.Site;
using NetbootPi.Protocols.Net;

namespace NetbootPi.Agent.Installs;

/// <summary>
/// Unattended installs: for each host of an <c>install:</c> profile, whether its install fetched its file and
/// reported completion, kept in <c>STATE_DIR/installs.json</c> so a restart forgets neither. A completed host boots
/// its profile's <c>then:</c> (its disk) until <c>netbootpi reinstall HOST</c> starts its next install. Each install
/// has its token: HMAC-SHA256 under a secret of the box (<c>STATE_DIR/install-secret</c>, 0600) over the host's MAC
/// and the install's number, so it names one host's one install and a reinstall makes the last one worthless.
/// </summary>
public sealed partial class InstallStore
{
    public const string FileName = "installs.json";
    public const string SecretName = "install-secret";

    /// <summary>Hex digits of a token: 128 bits, short enough for a kernel command line.</summary>
    public const int TokenLength = 32;

    private const int MaxFileBytes = 1024 * 1024;

    private readonly SiteState _state;
    private readonly BootEventLog _events;
    private readonly IAtomicFiles _files;
    private readonly TimeProvider _time;
    private readonly ILogger<InstallStore> _logger;
    private readonly Lock _lock = new();
    private readonly Dictionary<string, InstallRecord> _byHost = new(StringComparer.Ordinal);
    private byte[]? _secret;

    public InstallStore(SiteState state, BootEventLog events, IAtomicFiles files, TimeProvider time, ILogger<InstallStore> logger)
    {
        _state = state;
        _events = events;
        _files = files;
        _time = time;
        _logger = logger;
        Load();
    }

    private string Directory => _state.Current.Server.StateDirectory;

    /// <summary>The host's install record; a host never seen is at its first install.</summary>
    public InstallRecord Of(string host)
    {
        lock (_lock) return _byHost.GetValueOrDefault(host) ?? new InstallRecord(host, 1, null, null, null);
    }

    /// <summary>The token of <paramref name="mac"/>'s install number <paramref name="generation"/>.</summary>
    public string Token(MacAddress mac, int generation)
    {
        var message = Encoding.ASCII.GetBytes($"netbootpi install {InstallValues.PathMac(mac)} {generation}");
        return Convert.ToHexStringLower(HMACSHA256.HashData(Secret(), message))[..TokenLength];
    }

    /// <summary>Whether <paramref name="token"/> is the current install's of the host, compared in constant time.</summary>
    public bool IsCurrent(HostEntry host, string token)
    {
        var expected = Encoding.ASCII.GetBytes(Token(host.Mac, Of(host.Name).Generation));
        return CryptographicOperations.FixedTimeEquals(expected, Encoding.ASCII.GetBytes(token));
    }

    /// <summary>
    /// The profile <paramref name="binding"/>'s host boots in place of its install profile: the install's
    /// <c>then:</c> once it completed; null while it installs (or does not install at all).
    /// </summary>
    public BootProfile? Installed(HostBinding binding) =>
        binding is { Host: { } host, Profile.Install: { } install } && Of(host.Name).IsComplete ? _state.Current.FindProfile(install.Then) : null;

    /// <summary>Notes the first fetch of the host's file in this install.</summary>
    public void Fetched(HostEntry host, string file, string client)
    {
        lock (_lock)
        {
            var record = Of(host.Name);
            if (record.Fetched is not null) return;
            _byHost[host.Name] = record with { Fetched = _time.GetUtcNow() };
            Save();
        }
        _events.Record(new BootEvent(_time.GetUtcNow(), "install", host.Name, BootEventKind.Install, $"install: {file} fetched from {client}, the installer runs", 0, 0));
    }

    /// <summary>Records the host's completion; false when this install had already reported it (the token is used up).</summary>
    public bool Complete(HostEntry host, string client, string then)
    {
        lock (_lock)
        {
            var record = Of(host.Name);
            if (record.IsComplete) return false;
            _byHost[host.Name] = record with { Completed = _time.GetUtcNow(), CompletedFrom = client };
            Save();
        }
        _events.Record(new BootEvent(_time.GetUtcNow(), "install", host.Name, BootEventKind.Install, $"install: completed (reported from {client}); boots profile {then} from now on", 0, 0));
        return true;
    }

    /// <summary>Starts the host's next install: its next boot installs again, with a new token.</summary>
    public InstallRecord Reinstall(HostEntry host, string who)
    {
        InstallRecord next;
        lock (_lock)
        {
            next = new InstallRecord(host.Name, Of(host.Name).Generation + 1, null, null, null);
            _byHost[host.Name] = next;
            Save();
        }
        _events.Record(new BootEvent(_time.GetUtcNow(), who, host.Name, BootEventKind.Install, $"install: reinstall asked, install {next.Generation} at the next boot", 0, 0));
        return next;
    }

    private byte[] Secret()
    {
        lock (_lock)
        {
            if (_secret is not null) return _secret;
            var path = Path.Combine(Directory, SecretName);
            try
            {
                var existing = File.ReadAllBytes(path);
                if (existing.Length == 32) return _secret = existing;
            }
            catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException) { }
            var secret = RandomNumberGenerator.GetBytes(32);
            // Written before it is used: a token handed out must still be the host's after a restart.
            _files.Write(path, secret, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            return _secret = secret;
        }
    }

    private void Load()
    {
        var path = Path.Combine(Directory, FileName);
        try
        {
            var info = new FileInfo(path);
            if (!info.Exists) return;
            if (info.Length > MaxFileBytes)
            {
                LogUnreadable(path, $"{info.Length} bytes, more than the {MaxFileBytes} it may have");
                return;
            }
            var file = JsonSerializer.Deserialize(File.ReadAllBytes(path), InstallsJson.Default.InstallsFile);
            foreach (var r in file?.Hosts ?? [])
                if (r is { Host.Length: > 0, Generation: > 0 }) _byHost[r.Host] = r;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException)
        {
            // A damaged file makes every host install again at its next boot, never the agent fail to start.
            LogUnreadable(path, e.Message);
        }
    }

    private void Save()
    {
        var path = Path.Combine(Directory, FileName);
        var file = new InstallsFile([.. _byHost.Values.OrderBy(r => r.Host, StringComparer.Ordinal)]);
        try
        {
            _files.Write(path, JsonSerializer.SerializeToUtf8Bytes(file, InstallsJson.Default.InstallsFile));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            LogUnsaved(path, e.Message);
        }
    }

    [LoggerMessage(EventId = 3301, Level = LogLevel.Warning, Message = "installs: {Path} is not readable ({Why}); every install host installs at its next boot")]
    private partial void LogUnreadable(string path, string why);

    [LoggerMessage(EventId = 3302, Level = LogLevel.Warning, Message = "installs: could not write {Path} ({Why}); the change holds until the agent restarts")]
    private partial void LogUnsaved(string path, string why);
}

/// <summary>The file <see cref="InstallStore"/> keeps.</summary>
internal sealed record InstallsFile(InstallRecord[] Hosts);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, WriteIndented = true)]
[JsonSerializable(typeof(InstallsFile))]
internal sealed partial class InstallsJson : JsonSerializerContext;
