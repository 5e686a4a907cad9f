using System.Runtime.InteropServices;

namespace NetbootPi.Protocols.Tests.Namespaces;

internal static partial class Libc
{
    /// <summary>&lt;sched.h&gt; CLONE_NEWNET.</summary>
    public const int CLONE_NEWNET = 0x40000000;

    /// <summary>setns(2): moves the calling thread (only) into the namespace the descriptor refers to.</summary>
    [DllImport("libc", EntryPoint = "setns", SetLastError = true)]
    public static extern int SetNs(int fd, int nstype);
}
