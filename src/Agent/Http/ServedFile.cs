using Microsoft.Win32.SafeHandles;

namespace NetbootPi.Agent.Http;

/// <summary>
/// A regular file opened for serving, with what its one status lookup said: the response is built from
/// these values, so length, validators and bytes all describe the same opened file even if the name is
/// replaced meanwhile. The caller owns (and disposes) <paramref name="Handle"/>.
/// </summary>
public readonly record struct ServedFile(SafeFileHandle Handle, long Length, DateTime LastWriteUtc);
