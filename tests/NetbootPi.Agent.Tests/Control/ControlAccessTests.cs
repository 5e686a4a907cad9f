using NetbootPi.Agent.Control;
using NetbootPi.Agent.Os.Users;

namespace NetbootPi.Agent.Tests.Control;

public class ControlAccessTests
{
    // A box with group 'netbootpi' = 990; process 42 also runs with supplementary groups 4 and 990.
    private static ControlAccess Access(uint? gid = 990) =>
        new("netbootpi", name => name == "netbootpi" ? gid : null, pid => pid == 42 ? [4u, 990u] : [4u]);

    [Fact]
    public void Root_is_admin_whatever_its_groups() =>
        Assert.Equal(ControlRole.Admin, Access(gid: null).RoleOf(new PeerCredentials(7, 0, 0)));

    [Fact]
    public void A_member_of_the_control_group_is_operator_by_its_primary_or_a_supplementary_group()
    {
        Assert.Equal(ControlRole.Operator, Access().RoleOf(new PeerCredentials(7, 1000, 990)));
        Assert.Equal(ControlRole.Operator, Access().RoleOf(new PeerCredentials(42, 1000, 1000)));
    }

    [Fact]
    public void Anyone_else_has_no_role_and_is_told_why()
    {
        var stranger = new PeerCredentials(7, 1000, 1000);
        Assert.Null(Access().RoleOf(stranger));
        Assert.Equal("uid 1000 (pid 7) is neither root nor a member of group 'netbootpi'", Access().Refusal(stranger));
        Assert.Null(Access(gid: null).RoleOf(stranger));
        Assert.Equal("uid 1000 (pid 7) is not root, and there is no group 'netbootpi' whose members may use the control socket",
            Access(gid: null).Refusal(stranger));
    }

    [Fact]
    public void Groups_are_read_from_the_group_file_and_a_process_status()
    {
        var dir = Directory.CreateTempSubdirectory("netbootpi-groups-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(dir, "group"), "root:x:0:\nbroken line\nnetbootpi:x:990:alice,bob\nnetbootpi2:x:991:\n");
            Assert.Equal(990u, UnixGroups.IdOf("netbootpi", Path.Combine(dir, "group")));
            Assert.Null(UnixGroups.IdOf("netboot", Path.Combine(dir, "group")));
            Assert.Null(UnixGroups.IdOf("netbootpi", Path.Combine(dir, "missing")));

            Directory.CreateDirectory(Path.Combine(dir, "42"));
            File.WriteAllText(Path.Combine(dir, "42", "status"), "Name:\tbash\nUid:\t1000\t1000\t1000\t1000\nGroups:\t4 24 990 \nNgid:\t0\n");
            Assert.Equal([4u, 24u, 990u], UnixGroups.OfProcess(42, dir));
            Assert.Empty(UnixGroups.OfProcess(43, dir));
            // This test's own process, as the kernel reports it.
            Assert.NotNull(UnixGroups.OfProcess(Environment.ProcessId));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
