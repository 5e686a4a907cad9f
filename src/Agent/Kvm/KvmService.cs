using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using NetbootPi.Agent.Events;
using NetbootPi.Agent.Os;
using NetbootPi.Agent.Os.Systemd;
using NetbootPi.Agent.Os.Tools;
using NetbootPi.Agent.Site;
using NetbootPi.Hardware.UsbGadget;

namespace NetbootPi.Agent.Kvm;

/// <summary>
/// The console host's USB drive, keyboard and pointer (<c>kvm:</c> in the site; docs/console.md): the composite
/// gadget built and bound once at start, torn down at stop; the UDC's state watched so that a host that unplugs or
/// reboots leaves no key down; every media change and every keystroke request a boot event of the console host, with
/// who asked (never what was typed: it may be a password).
/// </summary>
public sealed partial class KvmService(SiteState state, BootEventLog events, IToolRunner tools, TimeProvider time, ILogger<KvmService> logger,
    ServiceStatus? status = null) : IHostedService, IDisposable
{
    /// <summary>The gadget's name in configfs.</summary>
    public const string GadgetName = "netbootpi";

    private readonly Lock _lock = new();
    private IUsbGadget? _gadget;
    private HidKeyboard? _keyboard;
    private HidMouse? _mouse;
    private KvmSettings? _settings;
    private UdcStateWatcher? _watcher;
    private string _udcState = "";

    public const string StatusPart = "kvm";

    /// <summary>Why the gadget the site asks for could not be built at start, or null.</summary>
    public string? Failure { get; private set; }

    /// <summary>The settings it runs with (fixed while the agent runs), or null when the site has no <c>kvm:</c>.</summary>
    public KvmSettings? Settings => _settings;

    public IUsbGadget? Gadget => _gadget;

    public HidKeyboard? Keyboard => _keyboard;

    public HidMouse? Mouse => _mouse;

    /// <summary>The layout of the site in force (a reload may change it; the gadget stays as it is).</summary>
    public KeyboardLayout Layout => KeyboardLayout.Find(state.Current.Kvm?.Layout ?? KvmSettings.DefaultLayout) ?? KeyboardLayout.Us;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var site = state.Current;
        if (site.Kvm is not { } kvm) return;
        var options = new GadgetOptions(GadgetName, kvm.Udc, SerialNumber(site.Site.Name));
        if (!Directory.Exists(options.ConfigFsRoot))
        {
            // libcomposite makes usb_gadget/ in configfs; the function modules then load themselves on mkdir.
            var r = await tools.RunAsync(new ToolCall("modprobe", "libcomposite"), cancellationToken).ConfigureAwait(false);
            if (r.ExitCode != 0) LogModprobe(r.Errors.Trim());
        }
        try
        {
            _gadget = ConfigFsGadget.Create(options);
        }
        catch (Exception e) when (e is UsbGadgetException or IOException or UnauthorizedAccessException)
        {
            // The boot services go on: a box whose USB cable or dwc2 overlay is missing still boots its fleet. The
            // status line, the log, an event and every kvm request say why the console host has no drive or keyboard.
            Failure = $"the USB gadget for the console host {kvm.Host} ({kvm.Location}) cannot be built: {e.Message}";
            LogBuildFailed(Failure);
            status?.Set(StatusPart, Failure);
            events.Record(new BootEvent(time.GetUtcNow(), "kvm", kvm.Host, BootEventKind.Kvm, Failure, 1, 0));
            return;
        }
        _settings = kvm;
        _keyboard = new HidKeyboard(_gadget.Keyboard, time);
        _mouse = new HidMouse(_gadget.Mouse);
        _udcState = _gadget.UdcState;
        LogBuilt(kvm.Host, _gadget.Udc, _udcState);
        _watcher = new UdcStateWatcher(Path.Combine(options.UdcRoot, _gadget.Udc, "state"), OnUdcState);
    }

    /// <summary>
    /// Every change of the UDC's state (a bus reset when the host reboots, SET_CONFIGURATION when it takes the device
    /// again, a disconnect, suspend) means the host's idea of the keyboard starts from nothing: the keyboard forgets the
    /// keys it held, so the next report has none down that the user did not press since.
    /// </summary>
    private void OnUdcState(string now)
    {
        var before = _udcState;
        _udcState = now;
        _keyboard?.Reset();
        if (now == before) LogHostReset(_settings!.Host, now);
        else if (now == "configured") LogHostCame(_settings!.Host);
        else LogHostLeft(_settings!.Host, now);
        if (now != before) events.Record(new BootEvent(time.GetUtcNow(), "kvm", _settings!.Host, BootEventKind.Kvm, $"usb {before} -> {now}", 0, 0));
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        _watcher?.Dispose();
        _watcher = null;
        _keyboard?.Dispose();
        _keyboard = null;
        _mouse = null;
        if (_gadget is { } gadget)
        {
            _gadget = null;
            try
            {
                gadget.Dispose();
                LogTornDown(_settings?.Host ?? "");
            }
            catch (UsbGadgetException e)
            {
                LogTearDownFailed(e.Message);
            }
        }
        return Task.CompletedTask;
    }

    /// <summary>The UDC state as last seen.</summary>
    public string UdcState => _gadget?.UdcState ?? "none";

    /// <summary>Records a boot event of the console host: what was done, by whom, whether it went (status 0) or not (1).</summary>
    public void Record(string who, string what, bool succeeded) =>
        events.Record(new BootEvent(time.GetUtcNow(), who, _settings?.Host, BootEventKind.Kvm, what, succeeded ? 0 : 1, 0));

    /// <summary>Media changes one at a time, also across the eject and attach of a swap.</summary>
    public Lock MediaLock => _lock;

    /// <summary>
    /// Puts the catalog's image <paramref name="name"/> (at <paramref name="path"/>, resolved by
    /// <see cref="MediaImages.TryResolve"/>) in the drive under the drive's lock, and records who did it as an event,
    /// failed or not: the one way every API (native, Redfish) changes the drive. Throws what the gadget throws.
    /// </summary>
    public MediaAttachResult AttachImage(string name, string path, MediaMode mode, bool readOnly, string who)
    {
        var what = $"media attach {name} as {(mode == MediaMode.CdRom ? "cdrom" : "disk")} {(readOnly ? "ro" : "rw")}";
        MediaAttachResult result;
        try
        {
            lock (_lock) result = Gadget!.Attach(path, mode, readOnly);
        }
        catch (UsbGadgetException e)
        {
            Record(who, $"{what}: {e.Message}", succeeded: false);
            throw;
        }
        Record(who, what + (result.ForcedEject ? ", the last medium ejected by force" : "") + (result.Message is null ? "" : $" ({result.Message})"), succeeded: true);
        return result;
    }

    /// <summary>Empties the drive under its lock and records it; true when the medium had to be ejected by force.</summary>
    public bool EjectImage(string who)
    {
        bool forced;
        try
        {
            lock (_lock) forced = Gadget!.Eject();
        }
        catch (UsbGadgetException e)
        {
            Record(who, $"media eject: {e.Message}", succeeded: false);
            throw;
        }
        Record(who, forced ? "media eject, by force" : "media eject", succeeded: true);
        return forced;
    }

    private static string SerialNumber(string site)
    {
        var clean = new System.Text.StringBuilder("netbootpi-");
        foreach (var c in site)
            if (char.IsAsciiLetterOrDigit(c) && clean.Length < 30) clean.Append(c);
        return clean.Length == "netbootpi-".Length ? "netbootpi" : clean.ToString();
    }

    public void Dispose()
    {
        _watcher?.Dispose();
        _keyboard?.Dispose();
        _gadget?.Dispose();
    }

    [LoggerMessage(EventId = 1009, Level = LogLevel.Error, Message = "kvm: {Failure}; the agent serves everything else (fix it and restart the agent)")]
    private partial void LogBuildFailed(string failure);

    [LoggerMessage(EventId = 1000, Level = LogLevel.Information, Message = "kvm: the USB gadget for console host {Host} is bound to {Udc} (USB state: {State})")]
    private partial void LogBuilt(string host, string udc, string state);

    [LoggerMessage(EventId = 1001, Level = LogLevel.Information, Message = "kvm: console host {Host} left the USB gadget (USB state: {State}); every key is released")]
    private partial void LogHostLeft(string host, string state);

    [LoggerMessage(EventId = 1006, Level = LogLevel.Information, Message = "kvm: console host {Host} reset or reconfigured the USB gadget (USB state: {State}); every key is released")]
    private partial void LogHostReset(string host, string state);

    [LoggerMessage(EventId = 1002, Level = LogLevel.Information, Message = "kvm: console host {Host} enumerated the USB gadget")]
    private partial void LogHostCame(string host);

    [LoggerMessage(EventId = 1003, Level = LogLevel.Information, Message = "kvm: the USB gadget for console host {Host} is unbound and removed")]
    private partial void LogTornDown(string host);

    [LoggerMessage(EventId = 1004, Level = LogLevel.Warning, Message = "kvm: tearing the USB gadget down failed: {Reason}")]
    private partial void LogTearDownFailed(string reason);

    [LoggerMessage(EventId = 1005, Level = LogLevel.Warning, Message = "kvm: modprobe libcomposite failed: {Reason}")]
    private partial void LogModprobe(string reason);
}
