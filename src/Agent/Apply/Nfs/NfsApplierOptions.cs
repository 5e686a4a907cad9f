namespace NetbootPi.Agent.Apply.Nfs;

/// <summary>
/// Where <see cref="NfsApplier"/> writes and what it runs. The defaults are the box's own; <c>netbootpi plan
/// --exports-file</c> points the file elsewhere.
/// </summary>
public sealed record NfsApplierOptions
{
    /// <summary>Our exports file. exportfs reads every <c>*.exports</c> in /etc/exports.d besides /etc/exports.</summary>
    public string ExportsFile { get; init; } = "/etc/exports.d/" + Render.Nfs.NfsExports.FileName;

    /// <summary>Our nfs.conf.d file: mountd's fixed port (<see cref="Render.Nfs.NfsExports.PortsConfigText"/>).</summary>
    public string PortsFile { get; init; } = "/etc/nfs.conf.d/netbootpi.conf";


    /// <summary>The exportfs program (nfs-kernel-server).</summary>
    public string Exportfs { get; init; } = "exportfs";

    /// <summary>The unit that runs kernel nfsd; started when the site exports something and it is not running.</summary>
    public string ServerUnit { get; init; } = "nfs-server.service";
}
