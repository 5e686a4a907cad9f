using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Logging;
using NetbootPi.Agent.Events;
using NetbootPi.Agent.Os.Files;
using NetbootPi.Agent.Site;

namespace NetbootPi.Agent.Power;

/// <summary>
/// One-time network boots, as a BMC's boot override: <c>netbootpi next-boot HOST pxe</c>, <c>POST
/// /api/v1/next-boot</c> and Redfish's <c>Boot.BootSourceOverrideTarget = Pxe</c> (<c>Once</c>) all set one here.
/// The next time the host fetches its iPXE script the box serves it the host's network boot
/// (<see cref="HostBinding.PxeProfile"/>: the <c>pxe:</c> target of a local-disk profile) instead of "boot the
/// disk", and the override is gone. The box cannot change a host's firmware boot order: this works for hosts that try
/// the network first, which is how a host of a <c>local</c> profile is set up (docs/power.md). Kept in
/// <c>STATE_DIR/next-boot.json</c>, so an override set before the agent restarts still holds after.
/// </summary>
public sealed partial class BootOverrides
{
    public const string FileName = "next-boot.json";

    /// <summary>The bounded size of the file read back; the file holds a few lines per host.</summary>
    private const int MaxFileBytes = 1024 * 1024;

    private readonly SiteState _state;
    private readonly BootEventLog _events;
    private readonly IAtomicFiles _files;
    private readonly TimeProvider _time;
    private readonly ILogger<BootOverrides> _logger;
    private readonly Lock _lock = new();
    private readonly Dictionary<string, NextBoot> _byHost = new(StringComparer.Ordinal);

    public BootOverrides(SiteState state, BootEventLog events, IAtomicFiles files, TimeProvider time, ILogger<BootOverrides> logger)
    {
        _state = state;
        _events = events;
        _files = files;
        _time = time;
        _logger = logger;
        Load();
    }

    private string FilePath => Path.Combine(_state.Current.Server.StateDirectory, FileName);

    /// <summary>The override set for <paramref name="host"/>, or null.</summary>
    public NextBoot? Of(string host)
    {
        lock (_lock) return _byHost.GetValueOrDefault(host);
    }

    /// <summary>
    /// Sets a one-time network boot for <paramref name="host"/>: its next script is its network boot. Throws
    /// <see cref="BootOverrideException"/> when the host has none to give (profile none, or a local disk without <c>pxe:</c>).
    /// </summary>
    /// <param name="who">Who asked, for the event and the file: <c>user:alice</c>, <c>uid:0</c>.</param>
    public NextBoot SetPxe(HostEntry host, string who)
    {
        var site = _state.Current;
        var binding = site.Resolve(host.Mac);
        if (binding.PxeProfile is not { } profile) throw new BootOverrideException(NoPxeReason(binding));
        var next = new NextBoot(host.Name, NextBoot.Pxe, _time.GetUtcNow(), who);
        lock (_lock)
        {
            _byHost[host.Name] = next;
            Save();
        }
        _events.Record(new BootEvent(next.Since, who, host.Name, BootEventKind.Power, $"next boot: network once, profile {profile.Name}", 0, 0));
        return next;
    }

    /// <summary>Removes <paramref name="host"/>'s override; false when it had none.</summary>
    public bool Clear(HostEntry host, string who)
    {
        lock (_lock)
        {
            if (!_byHost.Remove(host.Name)) return false;
            Save();
        }
        _events.Record(new BootEvent(_time.GetUtcNow(), who, host.Name, BootEventKind.Power, "next boot: override cleared, its profile as the site says", 0, 0));
        return true;
    }

    /// <summary>
    /// The profile to serve <paramref name="binding"/>'s machine instead of its own, once: its network boot when an
    /// override is set (which this call uses up), else null. A host that left the site, or whose profile no longer
    /// has a network boot, loses its override here with an event that says so.
    /// </summary>
    public BootProfile? Take(HostBinding binding)
    {
        if (binding.Host is not { } host) return null;
        NextBoot? next;
        lock (_lock)
        {
            if (!_byHost.Remove(host.Name, out next)) return null;
            Save();
        }
        var profile = binding.PxeProfile;
        _events.Record(new BootEvent(_time.GetUtcNow(), "next-boot", host.Name, BootEventKind.Power, profile is null
            ? $"next boot: override dropped unused, {NoPxeReason(binding)} (set by {next.SetBy})"
            : $"next boot: network boot of profile {profile.Name} served once (set by {next.SetBy})", profile is null ? 1 : 0, 0));
        return profile;
    }

    /// <summary>Why <paramref name="binding"/>'s host has no network boot to serve once.</summary>
    public static string NoPxeReason(HostBinding binding) => binding.Profile is null
        ? $"host {binding.Host?.Name} has profile none: the box offers it no network boot"
        : $"host {binding.Host?.Name} boots its local disk (profile {binding.ProfileName}) and that profile names no network boot (add pxe: PROFILE to profiles.{binding.ProfileName})";

    private void Load()
    {
        var path = FilePath;
        try
        {
            var info = new FileInfo(path);
            if (!info.Exists) return;
            if (info.Length > MaxFileBytes)
            {
                LogUnreadable(path, $"{info.Length} bytes, more than the {MaxFileBytes} it may have");
                return;
            }
            var file = JsonSerializer.Deserialize(File.ReadAllBytes(path), BootOverridesJson.Default.NextBootFile);
            foreach (var next in file?.Hosts ?? [])
                if (next is { Host.Length: > 0, Target: NextBoot.Pxe, SetBy: not null }) _byHost[next.Host] = next;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException)
        {
            // A damaged file loses the overrides it held (each a one-time boot), never the agent's start.
            LogUnreadable(path, e.Message);
        }
    }

    private void Save()
    {
        var file = new NextBootFile([.. _byHost.Values.OrderBy(n => n.Host, StringComparer.Ordinal)]);
        try
        {
            _files.Write(FilePath, JsonSerializer.SerializeToUtf8Bytes(file, BootOverridesJson.Default.NextBootFile));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Held in memory still; only a restart before the boot would lose it.
            LogUnsaved(FilePath, e.Message);
        }
    }

    [LoggerMessage(EventId = 1301, Level = LogLevel.Warning, Message = "next boot: {Path} is not readable ({Why}); no one-time boots are set")]
    private partial void LogUnreadable(string path, string why);

    [LoggerMessage(EventId = 1302, Level = LogLevel.Warning, Message = "next boot: could not write {Path} ({Why}); the override holds until the agent restarts")]
    private partial void LogUnsaved(string path, string why);
}

/// <summary>The file <see cref="BootOverrides"/> keeps.</summary>
internal sealed record NextBootFile(NextBoot[] Hosts);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, WriteIndented = true)]
[JsonSerializable(typeof(NextBootFile))]
internal sealed partial class BootOverridesJson : JsonSerializerContext;
