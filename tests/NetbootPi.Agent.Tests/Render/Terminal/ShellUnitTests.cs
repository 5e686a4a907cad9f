using NetbootPi.Agent.Render.Terminal;

namespace NetbootPi.Agent.Tests.Render.Terminal;

public class ShellUnitTests
{
    [Fact]
    public void The_shell_unit_is_a_login_shell_of_the_user_on_the_terminal_as_systemd_run_pty_makes_it()
    {
        var unit = ShellUnit.UnitName("0a1b2c");
        Assert.Equal("netbootpi-terminal-0a1b2c.service", unit);
        Assert.Equal("""
            # netbootpi-terminal-0a1b2c.service (transient: started over D-Bus by the agent)
            Description=NetbootPi web terminal: pi's shell for account pi (from 10.0.0.5)
            ExecStart=@/bin/bash -bash
            Type=exec
            User=pi
            WorkingDirectory=~
            StandardInput=tty
            StandardOutput=tty
            StandardError=tty
            TTYPath=/dev/pts/3
            Environment=TERM=xterm-256color
            SendSIGHUP=yes
            CollectMode=inactive-or-failed

            """.Replace("\r\n", "\n", StringComparison.Ordinal),
            ShellUnit.Text(unit, ShellUnit.Properties("pi", "/bin/bash", "/dev/pts/3", "NetbootPi web terminal: pi's shell for account pi (from 10.0.0.5)")));
        var exec = (NetbootPi.Agent.Os.Systemd.UnitProperty.ExecCommand)ShellUnit.Properties("pi", "/usr/bin/zsh", "/dev/pts/3", "d")[1].Value;
        Assert.Equal("/usr/bin/zsh", exec.Path);
        Assert.Equal(["-zsh"], exec.Argv);
    }
}
