namespace NetbootPi.Agent.Site;

/// <summary>The installer an <c>install:</c> profile drives, and so the file format the box renders for its hosts.</summary>
public enum InstallKind
{
    /// <summary>debian-installer (Debian, older Ubuntu) with a preseed file: <c>preseed.cfg</c>.</summary>
    Preseed,
    /// <summary>Ubuntu Server's subiquity: cloud-init user-data with <c>autoinstall:</c>.</summary>
    Autoinstall,
    /// <summary>cloud-init's NoCloud data source for a system that runs cloud-init itself (a cloud image, an NFS root).</summary>
    NoCloud,
    /// <summary>Anaconda (Fedora, RHEL and their rebuilds): <c>ks.cfg</c>.</summary>
    Kickstart,
    /// <summary>Ignition (Flatcar, Fedora CoreOS): a spec 3.x JSON config, <c>config.ign</c>.</summary>
    Ignition,
}
