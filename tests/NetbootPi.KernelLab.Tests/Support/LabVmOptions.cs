using System.Globalization;

namespace NetbootPi.KernelLab.Tests.Support;

/// <summary>How a lab VM is booted: run.sh's options (see <c>tests/kernel-lab/run.sh --help</c>).</summary>
internal sealed record LabVmOptions
{
    /// <summary>systemd as PID 1 (system bus, systemd-networkd); else fast mode.</summary>
    public bool Systemd { get; init; }

    /// <summary>run.sh <c>--nic</c> values, e.g. <c>netns=NS,bridge=BR</c> or <c>socket,listen=127.0.0.1:PORT</c>.</summary>
    public IReadOnlyList<string> Nics { get; init; } = [];

    /// <summary>run.sh <c>--disk</c> values: <c>FILE[,ro][,serial=NAME]</c>.</summary>
    public IReadOnlyList<string> Disks { get; init; } = [];

    /// <summary>qemu devices (<c>-device</c>), e.g. <c>i6300esb</c>.</summary>
    public IReadOnlyList<string> Devices { get; init; } = [];

    /// <summary>Bounds the boot, and each job after it (run.sh --timeout).</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromMinutes(5);

    public IEnumerable<string> ToArguments()
    {
        if (Systemd) yield return "--systemd";
        foreach (var nic in Nics) { yield return "--nic"; yield return nic; }
        foreach (var disk in Disks) { yield return "--disk"; yield return disk; }
        foreach (var device in Devices) { yield return "--device"; yield return device; }
        yield return "--timeout";
        yield return ((int)Timeout.TotalSeconds).ToString(CultureInfo.InvariantCulture);
    }
}
