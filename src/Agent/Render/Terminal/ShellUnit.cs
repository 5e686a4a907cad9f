using System.Text;
using NetbootPi.Agent.Os.Systemd;

namespace NetbootPi.Agent.Render.Terminal;

/// <summary>
/// A web terminal's shell as a transient systemd unit: the local user's login shell on a pseudo-terminal the agent
/// holds the master of, as <c>systemd-run --pty --uid=USER</c> makes it. A pure function of its inputs;
/// <see cref="Text"/> writes it as a unit file would.
/// </summary>
/// <remarks>
/// A unit of its own, started by systemd (PID 1) and not by the agent: the agent runs under ProtectSystem=strict
/// with NoNewPrivileges, and anything it forked would inherit that sandbox, a read-only /usr and /etc, no home
/// folders and no way to gain privileges (sudo). The unit has none of it: it is the local user's own shell with
/// that user's rights, and its processes live in its own cgroup, so stopping the unit ends all of them.
/// </remarks>
public static class ShellUnit
{
    public const string Prefix = "netbootpi-terminal-";

    /// <summary>The terminal type xterm.js emulates.</summary>
    public const string Term = "xterm-256color";

    /// <summary>A unit name for a new terminal: the prefix and <paramref name="id"/> (lower-case hex).</summary>
    public static string UnitName(string id) => $"{Prefix}{id}.service";

    /// <summary>
    /// The unit's properties: <paramref name="shell"/> as a login shell (argv[0] "-NAME", as login(1) starts one) of
    /// <paramref name="user"/>, in their home folder, on <paramref name="tty"/> for its input, output and errors.
    /// </summary>
    public static IReadOnlyList<UnitProperty> Properties(string user, string shell, string tty, string description) =>
    [
        UnitProperty.String("Description", description),
        UnitProperty.Exec("ExecStart", shell, ["-" + Path.GetFileName(shell)]),
        // exec: the start job fails when the shell cannot be executed, instead of a unit that dies at once.
        UnitProperty.String("Type", "exec"),
        UnitProperty.String("User", user),
        // "~": the user's home folder (systemd also sets $HOME, $USER, $LOGNAME and $SHELL from User=).
        UnitProperty.String("WorkingDirectory", "~"),
        // systemd opens the terminal in the child, makes it the controlling terminal of a new session and gives it
        // to the user; "tty" (not "tty-force") refuses one that is already someone's controlling terminal.
        UnitProperty.String("StandardInput", "tty"),
        UnitProperty.String("StandardOutput", "tty"),
        UnitProperty.String("StandardError", "tty"),
        UnitProperty.String("TTYPath", tty),
        UnitProperty.Strings("Environment", "TERM=" + Term),
        // A shell ended by a stop gets SIGHUP after SIGTERM, as a terminal's hang-up gives it (systemd-run --pty does the same).
        UnitProperty.Bool("SendSIGHUP", true),
        // Gone once it ends, failed or not: no unit is left behind per session.
        UnitProperty.String("CollectMode", "inactive-or-failed"),
    ];

    /// <summary>The unit as a unit file would read.</summary>
    public static string Text(string unit, IReadOnlyList<UnitProperty> properties)
    {
        var s = new StringBuilder();
        s.Append("# ").Append(unit).Append(" (transient: started over D-Bus by the agent)\n");
        foreach (var p in properties) s.Append(p).Append('\n');
        return s.ToString();
    }
}
