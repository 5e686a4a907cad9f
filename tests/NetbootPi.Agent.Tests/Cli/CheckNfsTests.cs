using NetbootPi.Agent.Cli;
using NetbootPi.Agent.Tests.Render.Nfs;

namespace NetbootPi.Agent.Tests.Cli;

/// <summary><c>netbootpi check</c> on a site whose NFS roots leave a host unexported: valid, with a located warning.</summary>
public class CheckNfsTests
{
    [Fact]
    public async Task A_host_without_an_address_is_a_warning_and_the_file_is_valid()
    {
        var file = Path.Combine(Path.GetTempPath(), $"netbootpi-nfs-{Guid.NewGuid():N}.yaml");
        await File.WriteAllTextAsync(file, NfsSites.Fleet, TestContext.Current.CancellationToken);
        try
        {
            var o = new StringWriter();
            var e = new StringWriter();
            var code = await CommandLine.RunAsync(["check", file], o, e, TestContext.Current.CancellationToken);
            Assert.Equal(0, code);
            Assert.Contains("OK — site fleet", o.ToString());
            Assert.Equal([$"{file}:16:3: hosts.nuc3: warning: boots profile own, whose NFS root /srv/nfsroots/84-8f-69-e0-d4-11 is exported only to a " +
                "host's static address, and has no ip: nothing is exported for it, so mounting its root is refused (expected ip: ADDRESS)"],
                e.ToString().TrimEnd('\n').Split('\n'));
        }
        finally
        {
            File.Delete(file);
        }
    }
}
