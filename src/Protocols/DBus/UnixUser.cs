using System.Runtime.InteropServices;

namespace NetbootPi.Protocols.DBus;

/// <summary>The effective uid, which SASL EXTERNAL asserts and the server checks against the socket's credentials.</summary>
internal static partial class UnixUser
{
    public static uint EffectiveUid => geteuid();

    [DllImport("libc", ExactSpelling = true)]
    private static extern uint geteuid();
}
